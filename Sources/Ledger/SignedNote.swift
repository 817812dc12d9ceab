import CameoCrypto

/// A C2SP signed note (c2sp.org/signed-note) with Ed25519 signatures (type 0x01).
public struct SignedNote: Sendable, Hashable {
    /// The signed text, ending in a newline.
    public let text: String
    /// Signature lines: key name and base64(key ID ‖ signature).
    public let signatures: [(name: String, blob: [UInt8])]

    public static func == (a: SignedNote, b: SignedNote) -> Bool {
        a.text == b.text && a.signatures.map(\.name) == b.signatures.map(\.name) && a.signatures.map(\.blob) == b.signatures.map(\.blob)
    }
    public func hash(into h: inout Hasher) { h.combine(text) }

    /// c2sp.org/signed-note: key ID = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4].
    public static func keyID(name: String, publicKey: Ed25519PublicKey) -> [UInt8] {
        Array(SHA256.hash(Array(name.utf8), [0x0A, 0x01], publicKey.raw).prefix(4))
    }

    /// Signs `text` with `key` under the key name `name`.
    public static func sign(text: String, name: String, key: Ed25519PrivateKey) throws -> SignedNote {
        guard text.hasSuffix("\n") else { throw LedgerError("bad_note", "note text must end in a newline") }
        guard !name.isEmpty, !name.contains(where: { $0 == " " || $0 == "+" || $0.isNewline }) else {
            throw LedgerError("bad_key_name", "key names are non-empty and contain no spaces or '+'")
        }
        let sig = try key.sign(Array(text.utf8))
        return SignedNote(text: text, signatures: [(name, keyID(name: name, publicKey: key.publicKey) + sig)])
    }

    /// The serialized note: text, blank line, `— name base64` lines.
    public var serialized: String {
        text + "\n" + signatures.map { "\u{2014} \($0.name) \(Base64.encode($0.blob))\n" }.joined()
    }

    /// Parses a serialized note; rejects control characters and malformed signature lines.
    public init(parsing s: String) throws {
        guard !s.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }) else {
            throw LedgerError("bad_note", "signed notes may not contain control characters")
        }
        guard let sep = s.range(of: "\n\n", options: .backwards) else {
            throw LedgerError("bad_note", "no blank line separates the note text from its signatures")
        }
        let text = String(s[..<sep.lowerBound]) + "\n"
        let sigPart = s[sep.upperBound...]
        guard sigPart.hasSuffix("\n") else { throw LedgerError("bad_note", "signature lines must end in a newline") }
        var sigs: [(String, [UInt8])] = []
        for line in sigPart.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 3, fields[0] == "\u{2014}", let blob = Base64.decode(String(fields[2])), blob.count > 4 else {
                throw LedgerError("bad_note", "malformed signature line \(line.prefix(40).debugDescription)")
            }
            sigs.append((String(fields[1]), blob))
        }
        guard !sigs.isEmpty else { throw LedgerError("bad_note", "the note has no signatures") }
        self.init(text: text, signatures: sigs)
    }

    init(text: String, signatures: [(String, [UInt8])]) {
        self.text = text
        self.signatures = signatures.map { (name: $0.0, blob: $0.1) }
    }

    /// Verifies that a signature by (`name`, `publicKey`) is present and valid. Signatures by
    /// unknown keys are ignored, as the spec requires; a known key's bad signature fails.
    public func verify(name: String, publicKey: Ed25519PublicKey) throws {
        let id = Self.keyID(name: name, publicKey: publicKey)
        let mine = signatures.filter { $0.name == name && Array($0.blob.prefix(4)) == id }
        guard !mine.isEmpty else {
            throw LedgerError("unknown_signer", "no signature by key \(name) (id \(Hex.encode(id))) on this note", kind: .integrity)
        }
        for s in mine where !publicKey.verify(signature: Array(s.blob.dropFirst(4)), message: Array(text.utf8)) {
            throw LedgerError("bad_signature", "the signature by \(name) does not verify", kind: .integrity)
        }
    }
}
