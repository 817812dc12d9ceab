import CameoCore
import CameoCrypto
import Foundation
import GRDB

/// The database: SQLite (the embedded default: a file in the data directory) or PostgreSQL
/// (several nodes), with the same migrations, as code, for both.
public struct AppDatabase: Sendable {
    /// The engine; every store reads and writes through it.
    public let writer: any SQLDatabase
    public var dialect: SQLDialect { writer.dialect }

    /// Opens (creating if needed) the SQLite database at `path` and migrates it.
    public init(path: String) throws {
        let sqlite = try SQLiteDatabase(path: path)
        do { try Self.migrator.migrate(sqlite.pool) } catch let e as DatabaseError {
            throw StoreError("database_open_failed", "cannot migrate \(path): \(e.message ?? "\(e)")", kind: .unavailable)
        }
        self.writer = sqlite
    }

    /// Connects to the PostgreSQL database at `url` and migrates it.
    public init(postgres url: String, maxConnections: Int = 16) throws {
        let pg = try PostgresDatabase(url: url, maxConnections: maxConnections)
        try Self.migratePostgres(pg)
        self.writer = pg
    }

    /// `postgres://…` opens PostgreSQL; anything else is a SQLite file path.
    public static func open(_ location: String) throws -> AppDatabase {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") ? try AppDatabase(postgres: location) : try AppDatabase(path: location)
    }

    /// Migrations in order; never edit a published one, add a new one. Written in SQLite's
    /// dialect; `ddl(_:for:)` maps the column types for PostgreSQL.
    static let migrations: [(name: String, sql: String)] = [
        ("v1_ledger", """
                CREATE TABLE ledger_entries (
                    idx INTEGER PRIMARY KEY,      -- leaf index, 0-based, dense
                    type TEXT NOT NULL,
                    body BLOB NOT NULL,           -- canonical JSON bytes (the leaf)
                    created_at REAL NOT NULL
                );
                CREATE TABLE ledger_nodes (
                    id INTEGER PRIMARY KEY,       -- NodeID.storageKey (level << 57 | index)
                    hash BLOB NOT NULL
                );
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            """),
        ("v1_api_keys", """
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    role TEXT NOT NULL,
                    secret_hash TEXT NOT NULL,    -- argon2id PHC string, never the secret
                    created_at REAL NOT NULL,
                    revoked_at REAL,
                    ledger_index INTEGER NOT NULL
                );
            """),
        ("v2_consent", """
                CREATE TABLE consent_subjects (
                    id TEXT PRIMARY KEY,
                    handle TEXT NOT NULL,
                    external_id TEXT,
                    likeness TEXT NOT NULL DEFAULT 'unverified',
                    suspended INTEGER NOT NULL DEFAULT 0,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE UNIQUE INDEX consent_subjects_external ON consent_subjects(external_id) WHERE external_id IS NOT NULL;
                CREATE TABLE consent_follows (
                    follower TEXT NOT NULL REFERENCES consent_subjects(id),
                    followee TEXT NOT NULL REFERENCES consent_subjects(id),
                    PRIMARY KEY (follower, followee)
                ) WITHOUT ROWID;
                CREATE TABLE consent_members (
                    community TEXT NOT NULL,
                    subject TEXT NOT NULL REFERENCES consent_subjects(id),
                    PRIMARY KEY (community, subject)
                ) WITHOUT ROWID;
                CREATE TABLE consent_grants (
                    id TEXT PRIMARY KEY,
                    owner TEXT NOT NULL REFERENCES consent_subjects(id),
                    body TEXT NOT NULL,            -- the Grant as JSON
                    created_at REAL NOT NULL,
                    revoked_at REAL,
                    ledger_index INTEGER NOT NULL,
                    revoke_ledger_index INTEGER
                );
                CREATE INDEX consent_grants_owner ON consent_grants(owner);
                -- Every change to consent state, in commit order: the in-memory index is a replay of this.
                CREATE TABLE consent_events (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    type TEXT NOT NULL,
                    body BLOB NOT NULL
                );
            """),
        ("v3_identity", """
                CREATE TABLE liveness_challenges (
                    id TEXT PRIMARY KEY,
                    subject TEXT NOT NULL REFERENCES consent_subjects(id),
                    poses TEXT NOT NULL,
                    nonce_hash TEXT NOT NULL,
                    issued_at REAL NOT NULL,
                    expires_at REAL NOT NULL,
                    used_at REAL
                );
                -- Per-subject data keys, wrapped with the node's master key. Deleting a row crypto-shreds the likeness.
                CREATE TABLE subject_keys (
                    subject TEXT PRIMARY KEY REFERENCES consent_subjects(id),
                    wrapped_key BLOB NOT NULL
                );
                CREATE TABLE likenesses (
                    subject TEXT PRIMARY KEY REFERENCES consent_subjects(id),
                    descriptor_ct BLOB NOT NULL,     -- AES-256-GCM(subject key, salt16 || 128 x float32 LE)
                    chip_ct BLOB NOT NULL,           -- AES-256-GCM(subject key, RGB chip)
                    chip_width INTEGER NOT NULL,
                    chip_height INTEGER NOT NULL,
                    commitment TEXT NOT NULL,        -- SHA-256(salt || descriptor), as in the ledger
                    enrolled_at REAL NOT NULL,
                    ledger_index INTEGER NOT NULL,
                    erased_at REAL
                );
                CREATE TABLE likeness_reviews (
                    id TEXT PRIMARY KEY,
                    subject TEXT NOT NULL,
                    conflicting_subject TEXT NOT NULL,
                    distance REAL NOT NULL,
                    created_at REAL NOT NULL,
                    status TEXT NOT NULL DEFAULT 'open',
                    ledger_index INTEGER NOT NULL
                );
            """),
        ("v4_generations", """
                CREATE TABLE generations (
                    id TEXT PRIMARY KEY,
                    request_id TEXT,
                    requester TEXT NOT NULL,
                    status TEXT NOT NULL,
                    body TEXT NOT NULL,             -- the GenerationRecord as JSON
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE UNIQUE INDEX generations_request ON generations(requester, request_id) WHERE request_id IS NOT NULL;
                CREATE INDEX generations_status ON generations(status);
                CREATE TABLE generation_subjects (
                    generation TEXT NOT NULL REFERENCES generations(id),
                    subject TEXT NOT NULL,
                    PRIMARY KEY (subject, generation)
                ) WITHOUT ROWID;
            """),
        ("v5_takedown", """
                CREATE TABLE takedown_cases (
                    id TEXT PRIMARY KEY,
                    client_report_id TEXT NOT NULL,
                    type TEXT NOT NULL,
                    generation TEXT NOT NULL,
                    status TEXT NOT NULL,
                    priority INTEGER NOT NULL,
                    sla_deadline REAL NOT NULL,
                    body TEXT NOT NULL,             -- the TakedownCase as JSON
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE UNIQUE INDEX takedown_cases_client ON takedown_cases(type, client_report_id);
                CREATE INDEX takedown_cases_queue ON takedown_cases(status, priority DESC, sla_deadline);
                CREATE TABLE strikes (
                    account TEXT NOT NULL,
                    case_id TEXT NOT NULL,
                    at REAL NOT NULL,
                    PRIMARY KEY (account, case_id)
                ) WITHOUT ROWID;
                CREATE TABLE hash_bank (
                    id TEXT PRIMARY KEY,            -- <case>:<frame>
                    case_id TEXT NOT NULL,
                    hash TEXT NOT NULL,             -- PDQ, 64 hex
                    added_at REAL NOT NULL
                );
                CREATE TABLE blocked_likenesses (
                    subject TEXT PRIMARY KEY,
                    case_id TEXT NOT NULL,
                    added_at REAL NOT NULL
                );
            """),
        ("v6_job_leases", """
            ALTER TABLE generations ADD COLUMN claimed_by TEXT;
            ALTER TABLE generations ADD COLUMN lease_until REAL;
            """),
        ("v7_owner_keys", """
            CREATE TABLE owner_keys (
                key_id TEXT PRIMARY KEY,        -- ok_ + 32 hex of SHA-256(raw public key)
                subject TEXT NOT NULL,
                public_key BLOB NOT NULL,       -- raw 32-byte Ed25519
                added_at REAL NOT NULL,
                added_index INTEGER NOT NULL,
                removed_at REAL,
                removed_index INTEGER
            );
            CREATE INDEX owner_keys_subject ON owner_keys(subject);
            CREATE TABLE owner_nonces (
                key_id TEXT NOT NULL,
                nonce TEXT NOT NULL,
                expires_at REAL NOT NULL,
                PRIMARY KEY (key_id, nonce)
            ) WITHOUT ROWID;
            CREATE TABLE owner_statements (
                ledger_index INTEGER PRIMARY KEY,
                key_id TEXT NOT NULL,
                statement TEXT NOT NULL         -- the RFC 8785 bytes the owner signed
            );
            ALTER TABLE likenesses ADD COLUMN method TEXT;
            """),
        ("v8_video_liveness", """
            ALTER TABLE liveness_challenges ADD COLUMN blinks INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE liveness_challenges ADD COLUMN digits TEXT NOT NULL DEFAULT '';
            -- Measured values and thresholds of the checks that enrolled the likeness (no biometrics).
            ALTER TABLE likenesses ADD COLUMN evidence TEXT;
            -- A face enrolled for two subjects: both are `disputed` until a senior moderator decides.
            CREATE TABLE likeness_disputes (
                id TEXT PRIMARY KEY,
                subject TEXT NOT NULL,          -- the later enrollment
                earlier_subject TEXT NOT NULL,  -- the likeness it matched
                distance REAL NOT NULL,
                threshold REAL NOT NULL,
                protected INTEGER NOT NULL,     -- the earlier likeness was protected
                status TEXT NOT NULL,           -- open | decided
                created_at REAL NOT NULL,
                sla_deadline REAL NOT NULL,
                opened_index INTEGER NOT NULL,
                decision TEXT,                  -- different_people | keep_earlier | transfer
                decided_by TEXT,
                decided_at REAL,
                reason TEXT,
                decided_index INTEGER
            );
            CREATE INDEX likeness_disputes_status ON likeness_disputes(status, sla_deadline);
            -- Likenesses a senior moderator protects: a public figure, a deceased person, a minor.
            CREATE TABLE protected_likenesses (
                subject TEXT PRIMARY KEY,
                category TEXT NOT NULL,
                reason TEXT NOT NULL,
                protected_by TEXT NOT NULL,
                protected_at REAL NOT NULL,
                ledger_index INTEGER NOT NULL
            );
            """),
    ]

    /// `sql` for `dialect`: BLOB → BYTEA, REAL → DOUBLE PRECISION, INTEGER → BIGINT,
    /// AUTOINCREMENT keys → BIGSERIAL, no WITHOUT ROWID.
    static func ddl(_ sql: String, for dialect: SQLDialect) -> String {
        guard dialect == .postgres else { return sql }
        var s = sql.replacingOccurrences(of: "INTEGER PRIMARY KEY AUTOINCREMENT", with: "BIGSERIAL PRIMARY KEY")
        for (from, to) in [("BLOB", "BYTEA"), ("REAL", "DOUBLE PRECISION"), ("INTEGER", "BIGINT")] {
            s = s.replacingOccurrences(of: "\\b\(from)\\b", with: to, options: .regularExpression)
        }
        return s.replacingOccurrences(of: " WITHOUT ROWID", with: "")
    }

    /// The SQLite migrator (GRDB's, recording applied names in `grdb_migrations`).
    public static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        for (name, sql) in migrations {
            m.registerMigration(name) { db in try db.execute(sql: sql) }
        }
        return m
    }

    /// Applies missing migrations on PostgreSQL, each in the transaction that records it, under
    /// an advisory lock so that nodes starting together migrate once.
    static func migratePostgres(_ pg: PostgresDatabase) throws {
        try pg.write { tx in
            try tx.execute("SELECT pg_advisory_xact_lock(?)", AdvisoryLock.migrations)
            try tx.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)")
            let applied = Set(try tx.query("SELECT name FROM schema_migrations").map { try $0.string("name") })
            for (name, sql) in migrations where !applied.contains(name) {
                // The extended protocol takes one statement at a time.
                for statement in ddl(sql, for: .postgres).components(separatedBy: ";") {
                    let code = statement.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
                    if code.joined().trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { continue }
                    try tx.execute(statement)
                }
                try tx.execute("INSERT INTO schema_migrations(name, applied_at) VALUES (?, ?)", name, Date().timeIntervalSince1970)
            }
        }
    }

    /// Names of the applied migrations, in order.
    public func appliedMigrations() throws -> [String] {
        if let sqlite = writer as? SQLiteDatabase { return try sqlite.pool.read { try Self.migrator.appliedMigrations($0) } }
        let applied = Set(try writer.read { tx in try tx.query("SELECT name FROM schema_migrations").map { try $0.string("name") } })
        return Self.migrations.map(\.name).filter(applied.contains)
    }

    /// Value of a `meta` key.
    public func meta(_ key: String) throws -> String? {
        try writer.read { db in try db.one("SELECT value FROM meta WHERE key = ?", key)?.string("value") }
    }

    /// Sets a `meta` key if it is absent and returns the stored value.
    public func metaSetIfAbsent(_ key: String, _ value: String) throws -> String {
        try writer.write { db in
            try db.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT DO NOTHING", key, value)
            return try db.one("SELECT value FROM meta WHERE key = ?", key)!.string("value")
        }
    }
}

/// Advisory lock keys (PostgreSQL): one per purpose, the same on every node.
public enum AdvisoryLock {
    /// Held by the transaction that sequences a ledger batch: one sequencer at a time.
    public static let ledger: Int64 = 0x4341_4D45_4F01
    /// Held while migrating.
    public static let migrations: Int64 = 0x4341_4D45_4F02

    /// A key named `name` (the first 8 bytes of its SHA-256).
    public static func key(_ name: String) -> Int64 {
        Int64(bitPattern: SHA256.hash(Array(("cameoguard:" + name).utf8)).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }
}
