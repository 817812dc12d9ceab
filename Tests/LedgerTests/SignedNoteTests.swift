import CameoCrypto
import Foundation
import Ledger
import Testing

@Suite struct SignedNoteTests {
    let key = try! Ed25519PrivateKey(seed: Array(repeating: 7, count: 32))

    @Test func checkpointNoteHasTheC2SPShape() throws {
        let cp = try Checkpoint(origin: "example.com/log", size: 42, root: .leaf([1]))
        #expect(cp.body == "example.com/log\n42\n\(TreeHash.leaf([1]).base64)\n")
        let note = try SignedNote.sign(text: cp.body, name: "example.com/log", key: key)
        let lines = note.serialized.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 6 && lines[3].isEmpty && lines[5].isEmpty)
        #expect(lines[4].hasPrefix("\u{2014} example.com/log "))
        let blob = Base64.decode(String(lines[4].split(separator: " ")[2]))!
        #expect(blob.count == 68)
        // key ID = SHA-256(name || 0x0A || 0x01 || pubkey)[:4], computed independently here.
        let expectedID = Array(SHA256.hash(Array("example.com/log\n".utf8) + [0x01] + key.publicKey.raw).prefix(4))
        #expect(Array(blob.prefix(4)) == expectedID)
        #expect(key.publicKey.verify(signature: Array(blob.dropFirst(4)), message: Array(cp.body.utf8)))
        let parsed = try SignedNote(parsing: note.serialized)
        #expect(parsed == note)
        try parsed.verify(name: "example.com/log", publicKey: key.publicKey)
        #expect(try Checkpoint(body: parsed.text) == cp)
    }

    @Test func alteredNotesFailVerification() throws {
        let cp = try Checkpoint(origin: "example.com/log", size: 3, root: .leaf([2]))
        let text = try SignedNote.sign(text: cp.body, name: "example.com/log", key: key).serialized
        let other = try Ed25519PrivateKey.generate()
        #expect(throws: LedgerError.self) { try SignedNote(parsing: text).verify(name: "example.com/log", publicKey: other.publicKey) }
        #expect(throws: LedgerError.self) { try SignedNote(parsing: text).verify(name: "example.com/other", publicKey: key.publicKey) }
        let bytes = Array(text.utf8)
        for i in bytes.indices {
            var t = bytes; t[i] ^= 0x01
            let s = String(decoding: t, as: UTF8.self)
            #expect(throws: (any Error).self, "flipped byte \(i)") {
                let n = try SignedNote(parsing: s)
                try n.verify(name: "example.com/log", publicKey: key.publicKey)
                _ = try Checkpoint(body: n.text)
                if n.text != cp.body { throw LedgerError("changed", "text changed but verified") }
            }
        }
    }

    @Test func malformedNotesAndCheckpointsAreRejected() {
        for bad in ["", "no blank line\n", "a\n\nnot a signature line\n", "a\n\n\u{2014} k !!!\n", "a\u{7}b\n\n\u{2014} k AAAAAAAA\n"] {
            #expect(throws: LedgerError.self) { try SignedNote(parsing: bad) }
        }
        for bad in ["o\n12\n", "o\nx\nAAAA\n", "o\n01\n\(TreeHash.empty.base64)\n", "\n1\n\(TreeHash.empty.base64)\n", "o\n1\nshort\n"] {
            #expect(throws: LedgerError.self) { try Checkpoint(body: bad) }
        }
    }
}
