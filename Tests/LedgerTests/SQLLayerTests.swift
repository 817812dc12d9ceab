import Foundation
@testable import Store
import Testing
import TestSupport

/// The SQL layer behaves the same on SQLite and PostgreSQL: values round-trip, savepoints roll
/// back alone, constraint failures have one code. Runs on whichever engine the suite runs on.
@Suite struct SQLLayerTests {
    @Test func placeholdersAreNumberedOutsideQuotedStrings() {
        #expect(PostgresDatabase.numberPlaceholders("SELECT ? , '?' , ?") == "SELECT $1 , '?' , $2")
        #expect(PostgresDatabase.numberPlaceholders("a = 'it''s ?' AND b = ?") == "a = 'it''s ?' AND b = $1")
        #expect(PostgresDatabase.numberPlaceholders("no marks") == "no marks")
    }

    @Test func postgresDDLMapsTheColumnTypes() {
        let ddl = AppDatabase.ddl("CREATE TABLE t (seq INTEGER PRIMARY KEY AUTOINCREMENT, b BLOB, r REAL, i INTEGER) WITHOUT ROWID", for: .postgres)
        #expect(ddl == "CREATE TABLE t (seq BIGSERIAL PRIMARY KEY, b BYTEA, r DOUBLE PRECISION, i BIGINT)")
        #expect(AppDatabase.ddl("x BLOB", for: .sqlite) == "x BLOB")
    }

    @Test(arguments: [
        "mysql://u@h/db", "postgres://h/db", "postgres://u@h", "postgres://u@h/db?schema=a;b", "postgres://u@h/db?pool=0", "postgres://u@h/db?pool=x",
    ])
    func badDatabaseURLsAreRefusedWithACode(_ url: String) {
        #expect { try PostgresLocation(url) } throws: { ($0 as? StoreError)?.code == "invalid_database_url" }
    }

    @Test func aGoodURLParsesAndHidesItsPassword() throws {
        let l = try PostgresLocation("postgres://cameo:s3cret@db.internal:6543/prod?schema=node_a&pool=8")
        #expect(l.host == "db.internal" && l.port == 6543 && l.user == "cameo" && l.database == "prod" && l.schema == "node_a" && l.poolSize == 8)
        #expect(!l.display.contains("s3cret"))
    }

    @Test func valuesRoundTripAndSavepointsRollBackAlone() throws {
        let tmp = try TempDataDirectory()
        let db = try AppDatabase.open(tmp.directory.databaseLocation)
        try db.writer.write { tx in
            try tx.execute(AppDatabase.ddl("CREATE TABLE vals (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB)", for: db.dialect))
        }
        let blob: [UInt8] = [0, 1, 2, 255, 0]
        try db.writer.write { tx in
            try tx.execute("INSERT INTO vals(id, i, r, t, b) VALUES (?, ?, ?, ?, ?)", 1, Int64.max, 0.1, "zoë ' ? \u{1F600}", blob)
            try tx.execute("INSERT INTO vals(id, i, r, t, b) VALUES (?, ?, ?, ?, ?)", 2, Int64.min, -1.5e300, "", [UInt8]())
            try tx.execute("INSERT INTO vals(id, i, r, t, b) VALUES (?, ?, ?, ?, ?)", 3, SQLValue.null, SQLValue.null, SQLValue.null, SQLValue.null)
            #expect(throws: StoreError.self) {
                try tx.savepoint {
                    try tx.execute("INSERT INTO vals(id) VALUES (4)")
                    throw StoreError("nope", "rolled back")
                }
            }
            let duplicate = #expect(throws: StoreError.self) { try tx.savepoint { try tx.execute("INSERT INTO vals(id) VALUES (1)") } }
            #expect(duplicate?.code == "constraint_violation")
        }
        // PostgreSQL cannot store NUL in text; both engines refuse it alike, as bad input.
        let nul = #expect(throws: StoreError.self) { try db.writer.write { try $0.execute("INSERT INTO vals(id, t) VALUES (5, ?)", "a\u{0}b") } }
        #expect(nul?.code == "invalid_text" && nul?.kind == .invalidInput)
        let rows = try db.writer.read { try $0.query("SELECT * FROM vals ORDER BY id") }
        #expect(rows.count == 3)
        #expect(try rows[0].int("i") == Int64.max && rows[0].double("r") == 0.1 && rows[0].string("t") == "zoë ' ? \u{1F600}" && rows[0].bytes("b") == blob)
        #expect(try rows[1].int("i") == Int64.min && rows[1].double("r") == -1.5e300 && rows[1].string("t") == "" && rows[1].bytes("b") == [])
        #expect(try rows[2].optionalInt("i") == nil && rows[2].optionalDouble("r") == nil && rows[2].optionalString("t") == nil)
        #expect(try db.writer.write { try $0.execute("UPDATE vals SET t = 'x' WHERE id > ?", 1) } == 2)
        #expect { try rows[0].int("t") } throws: { ($0 as? StoreError)?.code == "bad_row" }
    }

    @Test func jobClaimsAreExclusiveAndExpire() async throws {
        let tmp = try TempDataDirectory()
        let ledger = try LedgerStore(database: AppDatabase.open(tmp.directory.databaseLocation))
        let rows = GenerationRows(ledger: ledger)
        let now = Date()
        for i in 0..<40 {
            try rows.insert(GenerationRow(id: String(format: "gen_%03d", i), requestID: nil, requester: "sub_r", status: "queued", body: Data("{}".utf8), subjects: []),
                            now: now.addingTimeInterval(Double(i) / 1000))
        }
        // Four workers on two "nodes" claim concurrently until nothing is left.
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for w in 0..<4 {
                group.addTask {
                    var mine: [String] = []
                    while let id = try rows.claimNext(statuses: ["queued"], node: "node\(w % 2)", now: now, leaseUntil: now.addingTimeInterval(60)) { mine.append(id) }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(claimed.count == 40 && Set(claimed).count == 40)  // every job once, none twice
        #expect(try rows.claimNext(statuses: ["queued"], node: "node9", now: now, leaseUntil: now.addingTimeInterval(60)) == nil)
        // A dead node's lease runs out and another node takes the job; a released job is claimable at once.
        #expect(try rows.claimNext(statuses: ["queued"], node: "node9", now: now.addingTimeInterval(61), leaseUntil: now.addingTimeInterval(120)) == "gen_000")
        for node in ["node0", "node1"] { try rows.release("gen_005", node: node) }  // only its holder's release counts
        #expect(try rows.claimNext(statuses: ["queued"], node: "node9", now: now, leaseUntil: now.addingTimeInterval(120)) == "gen_005")
        // Only the holder renews; a renewed lease keeps the job from other nodes.
        #expect(try !rows.renew("gen_000", node: "node1", until: now.addingTimeInterval(600)))
        #expect(try rows.renew("gen_000", node: "node9", until: now.addingTimeInterval(600)))
        #expect(try rows.claimNext(statuses: ["queued"], node: "node1", now: now.addingTimeInterval(300), leaseUntil: now.addingTimeInterval(400)) != "gen_000")
        #expect(try rows.releaseAll(node: "node9") == 2)
    }
}

/// The data directory's keys, as several nodes starting together see them.
@Suite struct DataDirectoryKeyTests {
    @Test func nodesStartingTogetherShareOneMasterKey() async throws {
        let dir = DataDirectory(path: NSTemporaryDirectory() + "cameo-keys-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir.url) }
        let keys = try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<16 { group.addTask { try dir.loadMasterKey() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(keys.count == 16 && Set(keys).count == 1 && keys[0].count == 32)
        #expect(try dir.loadMasterKey() == keys[0])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.url.appendingPathComponent("keys").path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
        let mode = try FileManager.default.attributesOfItem(atPath: dir.masterKeyPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}
