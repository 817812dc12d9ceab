import CameoCore
import CameoCrypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import Identity
import JWTKit
import Ledger
import Policy
import Server
import Store
import Testing
import TestSupport

/// Identity-vendor attestations over HTTP: every bad token gets its own code and changes
/// nothing; EdDSA and ES256 tokens from trusted issuers enroll.
@Suite(.serialized) struct AttestationTests {
    static let selfie = { try! [UInt8](Data(contentsOf: RepositoryPaths.fixtures.appendingPathComponent("faces/obama/1.jpg"))) }()

    func challenge(_ c: any TestClientProtocol, _ node: TestNode, _ subject: String) async throws -> (id: String, nonce: String) {
        let r = try await c.call(.post, "/v1/likenesses/\(subject)/challenge", token: node.service)
        #expect(r.status == .created, "\(r.text)")
        return (r.body["challenge_id"]!.stringValue!, r.body["nonce"]!.stringValue!)
    }

    func send(_ c: any TestClientProtocol, _ node: TestNode, _ subject: String, _ ch: (id: String, nonce: String), token: String,
              selfie: [UInt8] = AttestationTests.selfie) async throws -> (status: HTTPResponse.Status, code: String?, text: String) {
        let body: JSONValue = ["challenge_id": .string(ch.id), "nonce": .string(ch.nonce), "attestation": .string(token), "selfie": .string(Base64.encode(selfie))]
        let r = try await c.call(.post, "/v1/likenesses/\(subject)/verify", token: node.service, json: String(decoding: try CanonicalJSON.encode(body), as: UTF8.self))
        return (r.status, r.body["error"]?["code"]?.stringValue, r.text)
    }

    @Test func everyBadAttestationIsRefusedWithItsOwnCodeAndNothingChanges() async throws {
        let node = try await TestNode()
        let stranger = try LocalTestIssuer(iss: "https://idv.stranger.invalid")
        let impostor = try LocalTestIssuer(iss: node.issuer.iss)  // the trusted name, another key
        let group = try [UInt8](Data(contentsOf: RepositoryPaths.fixtures.appendingPathComponent("groups/two_people.jpg")))
        let now = Date()
        typealias Make = @Sendable (_ nonce: String) throws -> (token: String, selfie: [UInt8])
        let cases: [(String, HTTPResponse.Status, String, Make)] = [
            ("untrusted issuer", .unauthorized, "attestation_untrusted_issuer", { (try stranger.attest(subject: SubjectID("sub_a"), nonce: $0, selfie: Self.selfie), Self.selfie) }),
            ("wrong key", .unauthorized, "attestation_bad_signature", { (try impostor.attest(subject: SubjectID("sub_a"), nonce: $0, selfie: Self.selfie), Self.selfie) }),
            ("alg none", .unauthorized, "attestation_alg_refused", { n in
                let t = try node.issuer.attest(subject: SubjectID("sub_a"), nonce: n, selfie: Self.selfie, header: ["alg": "none"]).split(separator: ".")
                return (t[0] + "." + t[1] + ".", Self.selfie)
            }),
            ("HS256", .unauthorized, "attestation_alg_refused", { (try node.issuer.attest(subject: SubjectID("sub_a"), nonce: $0, selfie: Self.selfie, header: ["alg": "HS256"]), Self.selfie) }),
            ("expired", .unauthorized, "attestation_expired", { (try node.issuer.attest(subject: SubjectID("sub_a"), nonce: $0, selfie: Self.selfie, now: now.addingTimeInterval(-400), lifetime: 300), Self.selfie) }),
            ("too long-lived", .unauthorized, "attestation_expired", { (try node.issuer.attest(subject: SubjectID("sub_a"), nonce: $0, selfie: Self.selfie, lifetime: 86_400), Self.selfie) }),
            ("from the future", .unauthorized, "attestation_not_yet_valid", { (try node.issuer.attest(subject: SubjectID("sub_a"), nonce: $0, selfie: Self.selfie, now: now.addingTimeInterval(120)), Self.selfie) }),
            ("another subject", .forbidden, "attestation_subject_mismatch", { (try node.issuer.attest(subject: SubjectID("sub_b"), nonce: $0, selfie: Self.selfie), Self.selfie) }),
            ("another nonce", .forbidden, "attestation_nonce_mismatch", { _ in (try node.issuer.attest(subject: SubjectID("sub_a"), nonce: "0123456789abcdef", selfie: Self.selfie), Self.selfie) }),
            ("failed liveness", .forbidden, "attestation_liveness_failed", { (try node.issuer.attest(subject: SubjectID("sub_a"), nonce: $0, selfie: Self.selfie, liveness: "fail"), Self.selfie) }),
            ("other selfie", .unprocessableContent, "selfie_hash_mismatch", { (try node.issuer.attest(subject: SubjectID("sub_a"), nonce: $0, selfie: Self.selfie), group) }),
            ("two faces", .unprocessableContent, "liveness_face_count", { (try node.issuer.attest(subject: SubjectID("sub_a"), nonce: $0, selfie: group), group) }),
            ("not a JWS", .unprocessableContent, "attestation_malformed", { _ in ("not.a-token", Self.selfie) }),
            ("missing claims", .unprocessableContent, "attestation_malformed", { (try node.issuer.attest(subject: SubjectID("sub_a"), nonce: $0, selfie: Self.selfie, claims: ["selfie_sha256": .null]), Self.selfie) }),
        ]
        try await node.test { c in
            _ = try await c.call(.post, "/v1/subjects", token: node.service, json: #"{"id":"sub_a","handle":"a"}"#)
            let size = node.services.ledger.size
            for (name, status, code, make) in cases {
                let ch = try await challenge(c, node, "sub_a")
                let (token, selfie) = try make(ch.nonce)
                let r = try await send(c, node, "sub_a", ch, token: token, selfie: selfie)
                #expect(r.status == status && r.code == code, "\(name): \(r.status) \(r.text.prefix(200))")
            }
            // A good attestation cannot be replayed: its challenge answers once.
            let ch = try await challenge(c, node, "sub_a")
            let good = try node.issuer.attest(subject: SubjectID("sub_a"), nonce: ch.nonce, selfie: Self.selfie)
            #expect(try await send(c, node, "sub_a", ch, token: good).status == .ok)
            let replay = try await send(c, node, "sub_a", ch, token: good)
            #expect(replay.status == .conflict && replay.code == "challenge_used", "\(replay.text)")
            #expect(node.services.ledger.size == size + 1)  // only the good one wrote anything
        }
    }

    @Test func anES256IssuerFromItsJWKSIsAccepted() async throws {
        let es = ES256PrivateKey()
        let params = try #require(es.publicKey.parameters)
        let jwks = #"{"keys":[{"kty":"EC","crv":"P-256","x":"\#(params.x)","y":"\#(params.y)","kid":"es-1","alg":"ES256","use":"sig"}]}"#
        let node = try await TestNode(policies: RepositoryPaths.loadPolicies().trusting(TrustedIssuer(iss: "https://idv.es256.invalid", jwks: jwks)))
        let signer = JWTKeyCollection()
        await signer.add(ecdsa: es, kid: "es-1")
        try await node.test { c in
            _ = try await c.call(.post, "/v1/subjects", token: node.service, json: #"{"id":"sub_es","handle":"es"}"#)
            let ch = try await challenge(c, node, "sub_es")
            let claims = AttestationClaims(iss: "https://idv.es256.invalid", sub: "sub_es", nonce: ch.nonce, selfieSHA256: SHA256.hex(Self.selfie),
                                           iat: Date(), exp: Date().addingTimeInterval(120))
            let token = try await signer.sign(claims, kid: "es-1")
            let r = try await send(c, node, "sub_es", ch, token: token)
            #expect(r.status == .ok, "\(r.text)")
        }
        let entry = try node.services.ledger.entries(start: 0, end: 20).map { try LedgerEntry(canonical: $0) }.first { $0.type == "likeness.verified" }
        #expect(entry?.payload["alg"] == "ES256" && entry?.payload["issuer"] == "https://idv.es256.invalid")
    }

    @Test func framesAreCountedAndSizedBeforeAnyIsDecoded() async throws {
        let node = try await TestNode(policies: IdentityVerificationTests.stillsPolicies())
        try await node.test { c in
            _ = try await c.call(.post, "/v1/subjects", token: node.service, json: #"{"id":"sub_f","handle":"f"}"#)
            // 60 frames (over the policy's 24): refused from the count, whatever they hold.
            var ch = try await challenge(c, node, "sub_f")
            let junk = Array(repeating: "\"" + Base64.encode([0xFF, 0xD8, 0xFF]) + "\"", count: 60).joined(separator: ",")
            var r = try await c.call(.post, "/v1/likenesses/sub_f/verify", token: node.service, json: #"{"challenge_id":"\#(ch.id)","nonce":"\#(ch.nonce)","frames":[\#(junk)]}"#)
            #expect(r.status == .unprocessableContent && r.body["error"]?["code"] == "liveness_frame_count", "\(r.text)")
            // A PNG header claiming 20000×20000 is refused from its header.
            ch = try await challenge(c, node, "sub_f")
            var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0x4E, 0x20, 0, 0, 0x4E, 0x20, 8, 2, 0, 0, 0]
            png += [0, 0, 0, 0]
            let frames = Array(repeating: "\"" + Base64.encode(png) + "\"", count: 3).joined(separator: ",")
            r = try await c.call(.post, "/v1/likenesses/sub_f/verify", token: node.service, json: #"{"challenge_id":"\#(ch.id)","nonce":"\#(ch.nonce)","frames":[\#(frames)]}"#)
            #expect(r.status == .contentTooLarge, "\(r.text)")
        }
    }
}
