import CameoCore
import CameoCrypto
import Consent
import Foundation
import Ledger

/// An enrolled likeness as stored (the descriptor and chip stay encrypted unless asked for).
public struct LikenessRecord: Sendable, Equatable {
    public let subject: SubjectID
    public let commitment: String
    public let enrolledAt: Date
    public let ledgerIndex: UInt64
    public let erasedAt: Date?
    /// How it was enrolled (`attestation`, `video`, `stills`).
    public let method: String?
    /// The measured values and thresholds of the checks that enrolled it (video), as JSON.
    public let evidence: JSONValue?
}

/// Enrolled likenesses, encrypted at rest with a per-subject AES-256 key that is itself
/// wrapped by the node's master key; erasure destroys the subject key (crypto-shredding).
/// Descriptors never enter the ledger: entries carry a salted SHA-256 commitment.
public final class LikenessStore: Sendable {
    let ledger: LedgerStore
    private let masterKey: [UInt8]

    /// Store over `ledger`'s database with the node's `masterKey`.
    public init(ledger: LedgerStore, masterKey: [UInt8]) {
        self.ledger = ledger
        self.masterKey = masterKey
    }

    /// The owner-key store over the same database.
    public func ownerKeyStore() -> OwnerKeyStore { OwnerKeyStore(ledger: ledger) }

    /// The dispute and protection store over the same database.
    public func disputeStore() -> DisputeStore { DisputeStore(ledger: ledger) }

    // MARK: challenges

    /// Records an issued challenge (only the nonce hash is kept).
    public func saveChallenge(_ c: ChallengeRow) throws {
        try ledger.database.writer.write { db in
            try ConsentStore.requireSubjects([c.subject], db)
            try db.execute("INSERT INTO liveness_challenges(id, subject, poses, blinks, digits, nonce_hash, issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           c.id.rawValue, c.subject.rawValue, c.poses.joined(separator: ","), c.blinks, c.digits, c.nonceHash,
                           c.issuedAt.timeIntervalSince1970, c.expiresAt.timeIntervalSince1970)
        }
    }

    /// Marks challenge `id` of `subject` used and returns it; a challenge answers once, whatever
    /// the outcome. `unknown_challenge` (404) or `challenge_used` (409) otherwise.
    public func consumeChallenge(_ id: ChallengeID, subject: SubjectID, now: Date) throws -> ChallengeRow {
        try ledger.database.writer.write { db in
            guard let row = try db.one("SELECT * FROM liveness_challenges WHERE id = ? AND subject = ?", id.rawValue, subject.rawValue) else {
                throw StoreError("unknown_challenge", "no challenge \(id) for subject \(subject)", kind: .notFound)
            }
            guard try row.optionalDouble("used_at") == nil else {
                throw StoreError("challenge_used", "challenge \(id) was already answered; request a new one", kind: .conflict)
            }
            try db.execute("UPDATE liveness_challenges SET used_at = ? WHERE id = ?", now.timeIntervalSince1970, id.rawValue)
            return ChallengeRow(id: id, subject: subject, poses: try row.string("poses").split(separator: ",").map(String.init),
                                blinks: Int(try row.int("blinks")), digits: try row.string("digits"), nonceHash: try row.string("nonce_hash"), issuedAt: Date(timeIntervalSince1970: try row.double("issued_at")),
                                expiresAt: Date(timeIntervalSince1970: try row.double("expires_at")))
        }
    }

    // MARK: enrollment

    /// Enrolls `descriptor` and `chip` for `subject`, sets its likeness status to verified, and
    /// appends a `likeness.verified` entry committing to the descriptor — all in one transaction.
    ///
    /// `evidence` names the method and what it checked (no biometrics: it goes into the entry).
    /// `ownerKey`, a raw Ed25519 public key, is registered for the subject in the same entry.
    /// A subject erased before enrolls afresh: a new subject key, a new commitment.
    public func enroll(subject: SubjectID, descriptor: [Float], chip: [UInt8], chipWidth: Int, chipHeight: Int,
                       challenge: ChallengeID, evidence: [String: JSONValue], measurements: JSONValue? = nil, ownerKey: [UInt8]? = nil,
                       dispute: DisputeOpening? = nil, actor: String, now: Date = Date()) async throws -> (commitment: String, ledgerIndex: UInt64) {
        let measured = try measurements.map { String(decoding: try CanonicalJSON.encode($0), as: UTF8.self) }
        let subjectKey = secureRandomBytes(32)
        let salt = secureRandomBytes(16)
        let plain = salt + Self.bytes(descriptor)
        let commitment = SHA256.hex(plain)
        let aad = Array(subject.rawValue.utf8)
        let descriptorCT = try AESGCM.seal(plain, key: subjectKey, aad: aad)
        let chipCT = try AESGCM.seal(chip, key: subjectKey, aad: aad)
        let wrapped = try AESGCM.seal(subjectKey, key: masterKey, aad: aad)
        let entry = try LedgerEntry(type: "likeness.verified", time: now, actor: actor, subject: subject.rawValue,
                                    payload: evidence.merging(["descriptor_commitment": .string(commitment), "challenge": .string(challenge.rawValue),
                                                               "model": "dlib_face_recognition_resnet_model_v1",
                                                               "owner_key": ownerKey.map(OwnerKeyStore.keyPayload) ?? .null,
                                                               "dispute": dispute?.payload ?? .null]) { _, b in b })
        let method = evidence["method"]?.stringValue ?? "unknown"
        let result = try await ledger.append(entry) { db, index in
            guard let row = try db.one("SELECT likeness, suspended FROM consent_subjects WHERE id = ?", subject.rawValue) else {
                throw StoreError("unknown_subject", "no subject \(subject)", kind: .notFound)
            }
            if let ownerKey { try OwnerKeyStore.insert(ownerKey, subject: subject, index: index, now: now, db) }
            try db.execute("""
                INSERT INTO subject_keys(subject, wrapped_key) VALUES (?, ?)
                ON CONFLICT(subject) DO UPDATE SET wrapped_key = excluded.wrapped_key
                """, subject.rawValue, wrapped)
            try db.execute("""
                INSERT INTO likenesses(subject, descriptor_ct, chip_ct, chip_width, chip_height, commitment, enrolled_at, ledger_index, method, evidence)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(subject) DO UPDATE SET descriptor_ct = excluded.descriptor_ct, chip_ct = excluded.chip_ct,
                    chip_width = excluded.chip_width, chip_height = excluded.chip_height, commitment = excluded.commitment,
                    enrolled_at = excluded.enrolled_at, ledger_index = excluded.ledger_index, erased_at = NULL, method = excluded.method,
                    evidence = excluded.evidence
                """, subject.rawValue, descriptorCT, chipCT, chipWidth, chipHeight, commitment, now.timeIntervalSince1970, Int64(index), method, measured)
            let status = SubjectStatus(likeness: dispute == nil ? .verified : .disputed, suspended: try row.int("suspended") != 0)
            try db.execute("UPDATE consent_subjects SET likeness = ?, updated_at = ? WHERE id = ?", status.likeness.rawValue, now.timeIntervalSince1970, subject.rawValue)
            var events: [ConsentEvent] = [.subjectUpserted(subject, status)]
            if let dispute { events += try DisputeStore.open(dispute, subject: subject, index: index, now: now, db) }
            try ConsentStore.log(events, db)
        }
        return (commitment, result.index)
    }

    /// Erases `subject`'s likeness by destroying its key; the ciphertext stays, undecryptable.
    /// In the same transaction every owner key of the subject is retired and every live grant
    /// it gave is revoked, so a later fresh enrollment starts with no consent and no device.
    public func erase(subject: SubjectID, authorization: ConsentAuthorization, actor: String, now: Date = Date()) async throws -> UInt64 {
        var payload = authorization.payload
        payload["method"] = "crypto-shredding: per-subject key destroyed"
        let entry = try LedgerEntry(type: "likeness.erased", time: now, actor: actor, subject: subject.rawValue, payload: payload)
        let result = try await ledger.append(entry) { db, index in
            guard let row = try db.one("SELECT likeness, suspended FROM consent_subjects WHERE id = ?", subject.rawValue) else {
                throw StoreError("unknown_subject", "no subject \(subject)", kind: .notFound)
            }
            guard try row.string("likeness") != LikenessStatus.erased.rawValue else {
                throw StoreError("already_erased", "subject \(subject) is already erased", kind: .conflict)
            }
            try authorization.commit(db, index: index, now: now)
            try Self.shred(subject, suspended: try row.int("suspended") != 0, index: index, now: now, db)
        }
        // Push the deleted key out of the WAL into the (secure-deleted) main file (SQLite), or vacuum it (PostgreSQL).
        try? ledger.database.writer.purgeDeleted()
        return result.index
    }

    /// Crypto-shreds `subject`'s likeness inside a ledger transaction: retires its owner keys,
    /// revokes its live grants, destroys its key, marks it erased (erasure and a lost dispute).
    static func shred(_ subject: SubjectID, suspended: Bool, index: UInt64, now: Date, _ db: any SQLTransaction) throws {
        _ = try OwnerKeyStore.removeAll(of: subject, index: index, now: now, db)
        let live = try db.query("SELECT id FROM consent_grants WHERE owner = ? AND revoked_at IS NULL", subject.rawValue).map { try GrantID(try $0.string("id")) }
        try db.execute("UPDATE consent_grants SET revoked_at = ?, revoke_ledger_index = ? WHERE owner = ? AND revoked_at IS NULL",
                       now.timeIntervalSince1970, Int64(index), subject.rawValue)
        try db.execute("DELETE FROM subject_keys WHERE subject = ?", subject.rawValue)
        try db.execute("UPDATE likenesses SET erased_at = ?, evidence = NULL WHERE subject = ?", now.timeIntervalSince1970, subject.rawValue)
        try db.execute("UPDATE consent_subjects SET likeness = 'erased', updated_at = ? WHERE id = ?", now.timeIntervalSince1970, subject.rawValue)
        let events: [ConsentEvent] = live.map { .grantRevoked($0, at: now) } + [.subjectUpserted(subject, SubjectStatus(likeness: .erased, suspended: suspended))]
        try ConsentStore.log(events, db)
    }

    // MARK: reads

    /// The likeness record of `subject`, or nil.
    public func record(_ subject: SubjectID) throws -> LikenessRecord? {
        try ledger.database.writer.read { db in
            try db.one("SELECT subject, commitment, enrolled_at, ledger_index, erased_at, method, evidence FROM likenesses WHERE subject = ?", subject.rawValue).map {
                LikenessRecord(subject: subject, commitment: try $0.string("commitment"), enrolledAt: Date(timeIntervalSince1970: try $0.double("enrolled_at")),
                               ledgerIndex: UInt64(try $0.int("ledger_index")), erasedAt: try $0.optionalDouble("erased_at").map(Date.init(timeIntervalSince1970:)),
                               method: try $0.optionalString("method"),
                               evidence: try $0.optionalString("evidence").map { try JSONValue.parse(Data($0.utf8)) })
            }
        }
    }

    /// Decrypts every live likeness: (subject, descriptor) for the in-memory gallery.
    public func allDescriptors() throws -> [(SubjectID, [Float])] {
        try ledger.database.writer.read { db in
            let rows = try db.query("SELECT l.subject, l.descriptor_ct, k.wrapped_key FROM likenesses l JOIN subject_keys k ON k.subject = l.subject WHERE l.erased_at IS NULL ORDER BY l.subject")
            return try rows.map { row in
                let subject = try SubjectID(try row.string("subject"))
                return (subject, try decryptDescriptor(subject, try row.bytes("descriptor_ct"), try row.bytes("wrapped_key")))
            }
        }
    }

    /// The decrypted descriptor of `subject`; `likeness_erased` once its key is gone.
    public func descriptor(_ subject: SubjectID) throws -> [Float] {
        try ledger.database.writer.read { db in
            guard let row = try db.one("SELECT descriptor_ct FROM likenesses WHERE subject = ?", subject.rawValue) else {
                throw StoreError("no_likeness", "subject \(subject) has no enrolled likeness", kind: .notFound)
            }
            guard let key = try db.one("SELECT wrapped_key FROM subject_keys WHERE subject = ?", subject.rawValue) else {
                throw StoreError("likeness_erased", "the likeness of \(subject) was erased; its key no longer exists", kind: .conflict)
            }
            return try decryptDescriptor(subject, try row.bytes("descriptor_ct"), try key.bytes("wrapped_key"))
        }
    }

    /// The decrypted reference chip (RGB) of `subject` with its size.
    public func chip(_ subject: SubjectID) throws -> (pixels: [UInt8], width: Int, height: Int) {
        try ledger.database.writer.read { db in
            guard let row = try db.one("SELECT l.chip_ct, l.chip_width, l.chip_height, k.wrapped_key FROM likenesses l JOIN subject_keys k ON k.subject = l.subject WHERE l.subject = ?", subject.rawValue) else {
                throw StoreError("no_likeness", "subject \(subject) has no live enrolled likeness", kind: .notFound)
            }
            let key = try AESGCM.open(try row.bytes("wrapped_key"), key: masterKey, aad: Array(subject.rawValue.utf8))
            return (try AESGCM.open(try row.bytes("chip_ct"), key: key, aad: Array(subject.rawValue.utf8)), Int(try row.int("chip_width")), Int(try row.int("chip_height")))
        }
    }

    /// Decrypts with an explicit (possibly wrong or destroyed) key: used by erasure tests and tools.
    public func rawDescriptorCiphertext(_ subject: SubjectID) throws -> [UInt8]? {
        try ledger.database.writer.read { db in
            try db.one("SELECT descriptor_ct FROM likenesses WHERE subject = ?", subject.rawValue).map { try $0.bytes("descriptor_ct") }
        }
    }

    private func decryptDescriptor(_ subject: SubjectID, _ ct: [UInt8], _ wrapped: [UInt8]) throws -> [Float] {
        let aad = Array(subject.rawValue.utf8)
        let key = try AESGCM.open(wrapped, key: masterKey, aad: aad)
        let plain = try AESGCM.open(ct, key: key, aad: aad)
        return Self.floats(Array(plain.dropFirst(16)))
    }

    static func bytes(_ v: [Float]) -> [UInt8] { v.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) } }

    static func floats(_ b: [UInt8]) -> [Float] {
        stride(from: 0, to: b.count - 3, by: 4).map { i in
            Float(bitPattern: UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24)
        }
    }
}

/// A stored liveness challenge (poses as their raw strings; Store does not know FaceMatch).
public struct ChallengeRow: Sendable, Equatable {
    public let id: ChallengeID
    public let subject: SubjectID
    public let poses: [String]
    /// Blinks and digits asked for (0 and empty on rows older than the video verifier).
    public let blinks: Int
    public let digits: String
    public let nonceHash: String
    public let issuedAt: Date
    public let expiresAt: Date

    /// Creates a row.
    public init(id: ChallengeID, subject: SubjectID, poses: [String], blinks: Int = 0, digits: String = "", nonceHash: String, issuedAt: Date, expiresAt: Date) {
        self.id = id; self.subject = subject; self.poses = poses; self.blinks = blinks; self.digits = digits; self.nonceHash = nonceHash
        self.issuedAt = issuedAt; self.expiresAt = expiresAt
    }
}
