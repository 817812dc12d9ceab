import CameoCore
import CameoCrypto
import Foundation
import Ledger
import Store

/// Writes and reads export bundles. The bundle is written into a temporary sibling
/// directory and renamed into place, so an interrupted export leaves nothing behind.
enum BundleExporter {
    static let readme = """
    CameoGuard ledger export
    ========================
    entries.jsonl  line i (0-based) is the exact bytes of leaf i: RFC 8785 canonical JSON
                   {actor, payload, subject, time, type}; lines end with "\\n" (not part of the leaf).
    checkpoint     C2SP signed note (c2sp.org/tlog-checkpoint): "<origin>\\n<size>\\n<base64 root>\\n",
                   a blank line, then "— <origin> base64(key_id[4] || ed25519_signature[64])".
                   key_id = SHA-256(origin || 0x0A || 0x01 || raw 32-byte public key)[:4].
    public.pem     the Ed25519 public key (SPKI). Compare it with the key you trust.
    statements.jsonl  (with --statements) the owner-signed statements behind consent writes:
                   {"ledger_index": i, "statement": "<RFC 8785 text the owner signed>"}. Entry i's
                   payload has statement_sha256 = SHA-256(statement) and owner_signature
                   {key_id, alg: Ed25519, value}; the key is the one an earlier likeness.verified
                   or owner_key.added entry registered (owner_key.public_key, raw base64).
                   Statements can hold personal data (approved lists): share with care.

    Verify by hand (RFC 9162 §2.1):
      leaf hash  = SHA-256(0x00 || line bytes)
      node hash  = SHA-256(0x01 || left || right), split at the largest power of two < n
      The root of all lines must equal the checkpoint's third line, and the signature must
      verify over the first three lines (including the final newline):
        head -n 3 checkpoint > body
        tail -n 1 checkpoint | cut -d' ' -f3 | base64 -d | tail -c 64 > sig
        openssl pkeyutl -verify -pubin -inkey public.pem -rawin -in body -sigfile sig
    Or run: cameo ledger verify <this directory>

    """

    static func export(ledger: LedgerStore, key: Ed25519PrivateKey, dataDirectory: DataDirectory, to out: String,
                       size: UInt64?, statements: Bool = false, progress: ((UInt64, UInt64) -> Void)?) throws -> BundleSummary {
        let fm = FileManager.default
        if let existing = try? fm.contentsOfDirectory(atPath: out), !existing.isEmpty {
            throw CoreError("export_exists", "\(out) exists and is not empty; choose a new directory")
        }
        let total = size ?? ledger.size
        let note = try ledger.checkpoint(size: total, key: key)
        let tmp = out.hasSuffix("/") ? String(out.dropLast()) + ".partial" : out + ".partial"
        try? fm.removeItem(atPath: tmp)
        do {
            try fm.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        } catch {
            throw CoreError("export_unwritable", "cannot create \(tmp): \(error.localizedDescription)")
        }
        do {
            _ = fm.createFile(atPath: tmp + "/entries.jsonl", contents: nil)
            guard let h = FileHandle(forWritingAtPath: tmp + "/entries.jsonl") else { throw CoreError("export_unwritable", "cannot write entries.jsonl") }
            var range = CompactRange()
            var start: UInt64 = 0
            while start < total {
                let page = try ledger.entries(start: start, end: min(total, start + 10_000))
                var buf = [UInt8]()
                for e in page { buf += e; buf.append(0x0A); range.append(.leaf(e)) }
                h.write(Data(buf))
                start += UInt64(page.count)
                progress?(start, total)
                if page.isEmpty { break }
            }
            try h.synchronize(); try h.close()
            let cp = try Checkpoint(body: note.text)
            guard range.root == cp.root, range.size == total else {
                throw LedgerError("ledger_corrupt", "stored entries do not hash to the stored tree at size \(total)", kind: .integrity)
            }
            if statements {
                var buf = [UInt8]()
                for s in try OwnerKeyStore(ledger: ledger).statements(start: 0, end: total) {
                    buf += try CanonicalJSON.encode(["ledger_index": .int(Int64(s.index)), "statement": .string(s.statement)] as JSONValue)
                    buf.append(0x0A)
                }
                try dataDirectory.writeAtomically(buf, to: tmp + "/statements.jsonl", mode: 0o600)
            }
            try dataDirectory.writeAtomically(Array(note.serialized.utf8), to: tmp + "/checkpoint", mode: 0o644)
            try dataDirectory.writeAtomically(Array(try key.publicKey.pemSPKI().utf8), to: tmp + "/public.pem", mode: 0o644)
            try dataDirectory.writeAtomically(Array(readme.utf8), to: tmp + "/README.txt", mode: 0o644)
            try? fm.removeItem(atPath: out)  // empty or absent, checked above
            try fm.moveItem(atPath: tmp, toPath: out)
            return BundleSummary(origin: cp.origin, size: total, root: cp.root, types: [:])
        } catch {
            try? fm.removeItem(atPath: tmp)
            throw error
        }
    }

    static func verify(directory: String, publicKeyPath: String?) throws -> BundleSummary {
        func read(_ path: String) throws -> [UInt8] {
            guard let d = FileManager.default.contents(atPath: path) else {
                throw LedgerError("bundle_incomplete", "cannot read \(path)")
            }
            return [UInt8](d)
        }
        let entries = try read(directory + "/entries.jsonl")
        let note = String(decoding: try read(directory + "/checkpoint"), as: UTF8.self)
        let pem = String(decoding: try read(publicKeyPath ?? directory + "/public.pem"), as: UTF8.self)
        let statements = FileManager.default.contents(atPath: directory + "/statements.jsonl").map { [UInt8]($0) }
        return try BundleVerifier.verify(entriesJSONL: entries, checkpointNote: note, publicKey: Ed25519PublicKey(pem: pem), statementsJSONL: statements)
    }
}
