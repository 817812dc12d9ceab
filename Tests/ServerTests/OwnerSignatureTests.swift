import CameoCore
import CameoCrypto
import Consent
import Foundation
import HTTPTypes
import HummingbirdTesting
import Identity
import Ledger
import Server
import Store
import Testing
import TestSupport

/// Consent only its owner can give: forgeries over HTTP fail with their own codes and write
/// nothing; the ledger's owner signatures verify offline and tampering is caught.
@Suite(.serialized) struct OwnerSignatureTests {
    static let grant = #"{"owner":"sub_alice","audience":{"kind":"everyone"},"uses":["generate"]}"#

    @Test func forgedReplayedExpiredAndForeignSignaturesCannotWriteConsent() async throws {
        let node = try await TestNode()
        let alice = try await node.enroll("sub_alice", "faces/obama/1.jpg")
        let kit = try await node.enroll("sub_kit", "faces/kit_harington/1.jpg")
        let stranger = try OwnerDevice()  // never registered
        try await node.test { c in
            func post(_ body: String) async throws -> (HTTPResponse.Status, String?) {
                let r = try await c.call(.post, "/v1/grants", token: node.service, json: body)
                return (r.status, r.body["error"]?["code"]?.stringValue)
            }
            let size = node.services.ledger.size
            let signed = try alice.sign(Self.grant, "sub_alice", "grant.create")
            var tampered = try JSONValue.parse(Array(signed.utf8))
            if case .object(var o) = tampered { o["uses"] = ["generate", "remix"]; tampered = .object(o) }
            let tamperedText = String(decoding: try CanonicalJSON.encode(tampered), as: UTF8.self)
            let cases: [(String, String, HTTPResponse.Status, String)] = [
                ("unsigned, service key only", Self.grant, .unauthorized, "owner_signature_required"),
                ("signature moved to another body", tamperedText, .unauthorized, "owner_signature_invalid"),
                ("an unregistered key", try stranger.sign(Self.grant, "sub_alice", "grant.create"), .unauthorized, "owner_key_unknown"),
                ("kit's key signing for alice", try kit.sign(Self.grant, "sub_alice", "grant.create"), .forbidden, "owner_key_wrong_subject"),
                ("issued 10 minutes ago", try alice.sign(Self.grant, "sub_alice", "grant.create", now: Date().addingTimeInterval(-600)), .unauthorized, "owner_signature_expired"),
                ("a revocation statement", try alice.sign(Self.grant, "sub_alice", "grant.revoke"), .forbidden, "owner_statement_mismatch"),
                ("alg other than Ed25519", signed.replacingOccurrences(of: #""alg":"Ed25519""#, with: #""alg":"ES256""#), .unauthorized, "owner_signature_malformed"),
            ]
            for (name, body, status, code) in cases {
                let (s, c) = try await post(body)
                #expect(s == status && c == code, "\(name): \(s) \(c ?? "-")")
            }
            #expect(node.services.ledger.size == size)  // nothing written
            let (ok, _) = try await post(signed)
            #expect(ok == .created)
            // the same signed body at once: a replay, not a duplicate grant
            let (replayed, replayCode) = try await post(signed)
            #expect(replayed == .unauthorized && replayCode == "owner_signature_replayed")
            let created = try JSONValue.parse(Array(signed.utf8))
            // the same signed body again: refused as a replay even once the grant is gone
            let grants = try await c.call(.get, "/v1/grants?owner=sub_alice", token: node.service).body["items"]!.arrayValue!
            let id = grants[0]["grant"]!["id"]!.stringValue!
            let revoke = try alice.sign(#"{"grant_id":"\#(id)"}"#, "sub_alice", "grant.revoke")
            #expect(try await c.call(.delete, "/v1/grants/\(id)", token: node.service, json: revoke).status == .ok)
            let (again, code) = try await post(String(decoding: try CanonicalJSON.encode(created), as: UTF8.self))
            #expect(again == .unauthorized && code == "owner_signature_replayed")
            // a revocation signed for one grant cannot revoke another
            _ = try await post(try alice.sign(#"{"owner":"sub_alice","audience":{"kind":"mutuals"},"uses":["generate"]}"#, "sub_alice", "grant.create"))
            let other = try await c.call(.get, "/v1/grants?owner=sub_alice", token: node.service).body["items"]!.arrayValue!
                .first { $0["revoked_at"] == .null }!["grant"]!["id"]!.stringValue!
            let wrongTarget = try await c.call(.delete, "/v1/grants/\(other)", token: node.service, json: try alice.sign(#"{"grant_id":"\#(id)"}"#, "sub_alice", "grant.revoke"))
            #expect(wrongTarget.status == .forbidden && wrongTarget.body["error"]?["code"] == "owner_statement_mismatch")
        }
    }

    @Test func anOwnerRevokesDirectlyWithoutAnyAPIKey() async throws {
        let node = try await TestNode()
        let alice = try await node.enroll("sub_alice", "faces/obama/1.jpg")
        let kit = try await node.enroll("sub_kit", "faces/kit_harington/1.jpg")
        let grant = try await node.services.signedGrant(alice, Self.grant)
        try await node.test { c in
            let size = node.services.ledger.size
            let unsigned = try await c.call(.post, "/v1/revocations", json: #"{"grant_id":"\#(grant.id.rawValue)"}"#)
            #expect(unsigned.status == .unauthorized && unsigned.body["error"]?["code"] == "owner_signature_required")
            let foreign = try await c.call(.post, "/v1/revocations", json: try kit.sign(#"{"grant_id":"\#(grant.id.rawValue)"}"#, "sub_alice", "grant.revoke"))
            #expect(foreign.status == .forbidden && foreign.body["error"]?["code"] == "owner_key_wrong_subject")
            #expect(node.services.ledger.size == size)
            let signed = try alice.sign(#"{"grant_id":"\#(grant.id.rawValue)"}"#, "sub_alice", "grant.revoke")
            let r = try await c.call(.post, "/v1/revocations", json: signed)
            #expect(r.status == .ok, "\(r.text)")
            #expect(try await c.call(.post, "/v1/revocations", json: signed).body["error"]?["code"] == "owner_signature_replayed")
            let shown = try await c.call(.get, "/v1/grants/\(grant.id.rawValue)", token: node.auditor)
            #expect(shown.body["revoked_at"]?.stringValue != nil)
        }
        let entry = try node.services.ledger.entries(start: 0, end: 100).map { try LedgerEntry(canonical: $0) }.last { $0.type == "grant.revoked" }
        #expect(entry?.actor == "owner:\(alice.keyID)" && entry?.payload["signed_by"] == "owner")
    }

    @Test func aNewDeviceIsAddedByAnExistingKeyAndARemovedKeyCanNoLongerSign() async throws {
        let node = try await TestNode()
        let phone = try await node.enroll("sub_alice", "faces/obama/1.jpg")
        let tablet = try OwnerDevice()
        try await node.test { c in
            let pub = try tablet.key.publicKey.pemSPKI()
            // adding needs an existing key's signature
            let unsigned = try await c.call(.post, "/v1/subjects/sub_alice/owner-keys", token: node.service,
                                            json: String(decoding: try CanonicalJSON.encode(["public_key": .string(pub)] as JSONValue), as: UTF8.self))
            #expect(unsigned.status == .unauthorized)
            let selfAdded = try await c.call(.post, "/v1/subjects/sub_alice/owner-keys", token: node.service,
                                             json: try tablet.signedText(["public_key": .string(pub)], subject: SubjectID("sub_alice"), action: "owner_key.add"))
            #expect(selfAdded.status == .unauthorized && selfAdded.body["error"]?["code"] == "owner_key_unknown")
            let added = try await c.call(.post, "/v1/subjects/sub_alice/owner-keys", token: node.service,
                                         json: try phone.signedText(["public_key": .string(pub)], subject: SubjectID("sub_alice"), action: "owner_key.add"))
            #expect(added.status == .created && added.body["key_id"]?.stringValue == tablet.keyID, "\(added.text)")
            // the tablet removes the lost phone; the phone's signatures stop working
            let removed = try await c.call(.delete, "/v1/subjects/sub_alice/owner-keys/\(phone.keyID)", token: node.service,
                                           json: try tablet.sign(#"{"key_id":"\#(phone.keyID)"}"#, "sub_alice", "owner_key.remove"))
            #expect(removed.status == .ok, "\(removed.text)")
            let byPhone = try await c.call(.post, "/v1/grants", token: node.service, json: try phone.sign(Self.grant, "sub_alice", "grant.create"))
            #expect(byPhone.status == .unauthorized && byPhone.body["error"]?["code"] == "owner_key_removed")
            #expect(try await c.call(.post, "/v1/grants", token: node.service, json: try tablet.sign(Self.grant, "sub_alice", "grant.create")).status == .created)
            let keys = try await c.call(.get, "/v1/subjects/sub_alice/owner-keys", token: node.auditor).body["items"]!.arrayValue!
            #expect(keys.count == 2 && keys.filter { $0["removed_at"] != .null }.map { $0["key_id"] } == [.string(phone.keyID)])
        }
        let removal = try node.services.ledger.entries(start: 0, end: 100).map { try LedgerEntry(canonical: $0) }.first { $0.type == "owner_key.removed" }
        #expect(removal?.payload["owner_key"]?["public_key"]?.stringValue == Base64.encode(phone.publicKey))
        // Offline: all three consent writes owner-signed and valid (key add, key remove, grant).
        let summary = try Self.verify(node)
        #expect(summary.signatures.consentWrites == 3 && summary.signatures.ownerSigned == 3 && summary.signatures.signaturesVerified == 3)
    }

    @Test func migrationModeRecordsUnsignedWritesAsThePlatforms() async throws {
        let text = try String(contentsOfFile: RepositoryPaths.policies + "/consent.yaml", encoding: .utf8)
        let node = try await TestNode(policies: RepositoryPaths.loadPolicies(overriding: ["consent.yaml": text.replacingOccurrences(of: "require_owner_signature: true", with: "require_owner_signature: false")]))
        let alice = try await node.enroll("sub_alice", "faces/obama/1.jpg")
        try await node.test { c in
            #expect(try await c.call(.post, "/v1/grants", token: node.service, json: Self.grant).status == .created)
            // a signature that is present is still checked
            let forged = try OwnerDevice().sign(#"{"owner":"sub_alice","audience":{"kind":"mutuals"},"uses":["generate"]}"#, "sub_alice", "grant.create")
            #expect(try await c.call(.post, "/v1/grants", token: node.service, json: forged).status == .unauthorized)
            #expect(try await c.call(.post, "/v1/grants", token: node.service,
                                     json: try alice.sign(#"{"owner":"sub_alice","audience":{"kind":"mutuals"},"uses":["generate"]}"#, "sub_alice", "grant.create")).status == .created)
        }
        let entries = try node.services.ledger.entries(start: 0, end: 100).map { try LedgerEntry(canonical: $0) }.filter { $0.type == "grant.created" }
        #expect(entries.map { $0.payload["signed_by"] } == ["platform", "owner"])
        let summary = try Self.verify(node)
        #expect(summary.signatures.consentWrites == 2 && summary.signatures.ownerSigned == 1 && summary.signatures.platform == 1)
    }

    @Test func tamperedStatementsAndSignaturesFailTheOfflineAudit() async throws {
        let node = try await TestNode()
        let alice = try await node.enroll("sub_alice", "faces/obama/1.jpg")
        _ = try await node.services.consent.upsertSubject(id: SubjectID("sub_bob"), handle: "bob", externalID: nil)
        try await node.services.signedGrant(alice, #"{"owner":"sub_alice","audience":{"kind":"approved","subjects":["sub_bob"]},"uses":["generate"],"preferences":"private wish"}"#)
        let (jsonl, note, statements) = try Self.bundle(node)
        let key = try node.tmp.directory.loadSigningKey().publicKey
        let good = try BundleVerifier.verify(entriesJSONL: jsonl, checkpointNote: note, publicKey: key, statementsJSONL: statements)
        #expect(good.signatures.line == "1 of 1 consent writes owner-signed, all valid")
        // The statement (with the approved list and preferences) is not in the leaves.
        #expect(!String(decoding: jsonl, as: UTF8.self).contains("private wish"))
        // Flip each byte of the statement text in turn (a sample): every one fails.
        let text = String(decoding: statements, as: UTF8.self)
        let start = try #require(text.range(of: "\"statement\":\"")).upperBound.utf16Offset(in: text)
        for offset in stride(from: start, to: statements.count - 3, by: 7) {
            var bad = statements
            bad[offset] ^= 0x01
            #expect(throws: LedgerError.self, "statement byte \(offset)") {
                try BundleVerifier.verify(entriesJSONL: jsonl, checkpointNote: note, publicKey: key, statementsJSONL: bad)
            }
        }
        // A missing statement fails too.
        #expect(throws: LedgerError.self) { try BundleVerifier.verify(entriesJSONL: jsonl, checkpointNote: note, publicKey: key, statementsJSONL: []) }
        // A forged signature inside a leaf fails the audit on its own (the root check aside).
        var entries = try node.services.ledger.entries(start: 0, end: 100).map { try LedgerEntry(canonical: $0) }
        let i = try #require(entries.firstIndex { $0.type == "grant.created" })
        var payload = entries[i].payload
        payload["owner_signature"] = ["key_id": .string(alice.keyID), "alg": "Ed25519", "value": .string(Base64.encode([UInt8](repeating: 7, count: 64)))]
        entries[i] = try LedgerEntry(type: entries[i].type, time: entries[i].time, actor: entries[i].actor, subject: entries[i].subject, payload: payload)
        let map = try BundleVerifier.statements(statements, size: UInt64(entries.count))
        #expect { try ConsentSignatureAudit.audit(entries, statements: map) } throws: { ($0 as? LedgerError)?.code == "owner_signature_invalid" }
    }

    @Test func theOpenAPIDocumentsWorkedExampleIsARealSignature() async throws {
        let node = try await TestNode()
        let doc = try await node.test { c in try await c.call(.get, "/openapi.json").body }
        let example = try #require(doc["paths"]?["/v1/grants"]?["post"]?["requestBody"]?["content"]?["application/json"]?["schema"]?["example"])
        guard case .object(var fields) = example, case .object(let sig)? = fields.removeValue(forKey: "owner_signature") else { Issue.record("no signed example"); return }
        let key = try Ed25519PrivateKey(seed: [UInt8](repeating: 7, count: 32)).publicKey
        #expect(sig["key_id"]?.stringValue == OwnerKeyStore.keyID(key.raw))
        #expect(key.verify(signature: try #require(Base64.decode(sig["value"]?.stringValue ?? "")), message: try CanonicalJSON.encode(JSONValue.object(fields))))
        #expect(fields["action"] == "grant.create" && fields["subject"] == "sub_alice")
    }

    static func bundle(_ node: TestNode) throws -> (entries: [UInt8], note: String, statements: [UInt8]) {
        let key = try node.tmp.directory.loadSigningKey()
        let size = node.services.ledger.size
        let jsonl: [UInt8] = try node.services.ledger.entries(start: 0, end: size).flatMap { $0 + [UInt8(0x0A)] }
        let statements = try OwnerKeyStore(ledger: node.services.ledger).statements(start: 0, end: size)
            .flatMap { try CanonicalJSON.encode(["ledger_index": .int(Int64($0.index)), "statement": .string($0.statement)] as JSONValue) + [0x0A] }
        return (jsonl, try node.services.ledger.checkpoint(size: size, key: key).serialized, statements)
    }

    static func verify(_ node: TestNode) throws -> BundleSummary {
        let (jsonl, note, statements) = try bundle(node)
        return try BundleVerifier.verify(entriesJSONL: jsonl, checkpointNote: note, publicKey: node.tmp.directory.loadSigningKey().publicKey, statementsJSONL: statements)
    }
}
