import CameoCore
import CameoCrypto
import Foundation
import Ledger
import Store
import Testing
import TestSupport

@Suite struct LedgerStoreTests {
    func entry(_ i: Int, writer: Int = 0) throws -> LedgerEntry {
        try LedgerEntry(type: "test.entry", time: Date(timeIntervalSince1970: 1_700_000_000 + Double(i)), actor: "test",
                        subject: "w\(writer)", payload: ["i": .int(Int64(i))])
    }

    @Test func concurrentWritersShareBatchesAndTheTreeMatchesTheEntries() async throws {
        let tmp = try TempDataDirectory()
        let ledger = try LedgerStore(database: AppDatabase.open(tmp.directory.databaseLocation))
        let indices = try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for w in 0..<64 {
                group.addTask {
                    var mine: [UInt64] = []
                    for i in 0..<20 { mine.append(try await ledger.append(try entry(i, writer: w))) }
                    return mine
                }
            }
            return try await group.reduce(into: [UInt64]()) { $0 += $1 }
        }
        #expect(indices.count == 1280 && Set(indices) == Set(0..<1280))
        let stored = try ledger.entries(start: 0, end: 2000)
        #expect(stored.count == 1280)
        let memory = InMemoryTree()
        for e in stored { memory.append(entry: e) }
        #expect(ledger.head.root == memory.root)
        #expect(try ledger.proofs.root(size: 1280) == memory.root)
        for i: UInt64 in [0, 1, 639, 1279] {
            #expect(try ledger.proofs.inclusionProof(index: i, size: 1280) == ProofBuilder(reader: memory).inclusionProof(index: i, size: 1280))
        }
        #expect(try ledger.proofs.consistencyProof(from: 1000, to: 1280) == ProofBuilder(reader: memory).consistencyProof(from: 1000, to: 1280))
    }

    @Test func reopeningRestoresTheTreeAndAppendsContinue() async throws {
        let tmp = try TempDataDirectory()
        let path = tmp.directory.databaseLocation
        var root: TreeHash
        do {
            let ledger = try LedgerStore(database: AppDatabase.open(path))
            for i in 0..<13 { try await ledger.append(try entry(i)) }
            root = ledger.head.root
        }
        let reopened = try LedgerStore(database: AppDatabase.open(path))
        #expect(reopened.size == 13 && reopened.head.root == root)
        try await reopened.append(try entry(13))
        let memory = InMemoryTree()
        for e in try reopened.entries(start: 0, end: 14) { memory.append(entry: e) }
        #expect(reopened.head.root == memory.root)
    }

    @Test func aFailingRecordRollsBackAloneAndLeavesNoEntry() async throws {
        let tmp = try TempDataDirectory()
        let db = try AppDatabase.open(tmp.directory.databaseLocation)
        try db.writer.write { try $0.execute("CREATE TABLE things(id INTEGER PRIMARY KEY)") }
        let ledger = try LedgerStore(database: db)
        async let ok1 = ledger.append(try entry(1)) { db, _ in try db.execute("INSERT INTO things(id) VALUES (1)") }
        async let bad = ledger.append(try entry(2)) { db, _ in
            try db.execute("INSERT INTO things(id) VALUES (2)")
            throw StoreError("nope", "record rejected", kind: .conflict)
        }
        async let ok2 = ledger.append(try entry(3)) { db, _ in try db.execute("INSERT INTO things(id) VALUES (3)") }
        _ = try await (ok1, ok2)
        var failed = false
        do { _ = try await bad } catch is StoreError { failed = true }
        #expect(failed)
        let ids = try db.writer.read { try $0.query("SELECT id FROM things ORDER BY id").map { try $0.int("id") } }
        #expect(ids == [1, 3])
        #expect(ledger.size == 2)
        let types = try ledger.entries(start: 0, end: 10).map { try LedgerEntry(canonical: $0).payload["i"] }
        #expect(types == [.int(1), .int(3)])
    }

    @Test func anotherProcessAppendingIsPickedUpBeforeTheNextBatch() async throws {
        let tmp = try TempDataDirectory()
        let path = tmp.directory.databaseLocation
        let server = try LedgerStore(database: AppDatabase.open(path))
        try await server.append(try entry(0))
        let cli = try LedgerStore(database: AppDatabase.open(path))  // e.g. `cameo api-key create` while serving
        try await cli.append(try entry(1))
        try await server.append(try entry(2))
        let all = try server.entries(start: 0, end: 10)
        #expect(all.count == 3)
        let memory = InMemoryTree()
        for e in all { memory.append(entry: e) }
        #expect(server.head.root == memory.root)
    }

    @Test func exportedBundleVerifiesAndEveryFlippedByteFails() async throws {
        let tmp = try TempDataDirectory()
        let key = try tmp.directory.loadSigningKey()
        let ledger = try LedgerStore(database: AppDatabase.open(tmp.directory.databaseLocation))
        for i in 0..<5 { try await ledger.append(try entry(i)) }
        let jsonl: [UInt8] = try ledger.entries(start: 0, end: 5).flatMap { $0 + [UInt8(0x0A)] }
        let note = try ledger.checkpoint(key: key).serialized
        let summary = try BundleVerifier.verify(entriesJSONL: jsonl, checkpointNote: note, publicKey: key.publicKey)
        #expect(summary.size == 5 && summary.types == ["test.entry": 5])
        for i in jsonl.indices where jsonl[i] != 0x0A {
            var bad = jsonl; bad[i] ^= 0x01
            #expect(throws: LedgerError.self, "entries byte \(i)") { try BundleVerifier.verify(entriesJSONL: bad, checkpointNote: note, publicKey: key.publicKey) }
        }
        let noteBytes = Array(note.utf8)
        for i in noteBytes.indices {
            var bad = noteBytes; bad[i] ^= 0x01
            #expect(throws: LedgerError.self, "checkpoint byte \(i)") {
                try BundleVerifier.verify(entriesJSONL: jsonl, checkpointNote: String(decoding: bad, as: UTF8.self), publicKey: key.publicKey)
            }
        }
        #expect(throws: LedgerError.self) { try BundleVerifier.verify(entriesJSONL: Array(jsonl.dropLast(20)), checkpointNote: note, publicKey: key.publicKey) }
        #expect(throws: LedgerError.self) { try BundleVerifier.verify(entriesJSONL: jsonl, checkpointNote: note, publicKey: Ed25519PrivateKey.generate().publicKey) }
        let reordered: [UInt8] = try ledger.entries(start: 0, end: 5).reversed().flatMap { $0 + [UInt8(0x0A)] }
        #expect(throws: LedgerError.self) { try BundleVerifier.verify(entriesJSONL: reordered, checkpointNote: note, publicKey: key.publicKey) }
    }
}
