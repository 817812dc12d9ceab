import CameoCore
import Foundation
import GRDB

/// The SQLite database (GRDB `DatabasePool`, WAL, `synchronous=FULL`) and its migrations.
/// Callers depend on `any DatabaseWriter` so tests can run the same code on other setups.
public struct AppDatabase: Sendable {
    /// The underlying writer.
    public let writer: any DatabaseWriter

    /// Opens (creating if needed) the database at `path` and migrates it.
    public init(path: String) throws {
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")  // an acknowledged write survives power loss
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            try db.execute(sql: "PRAGMA secure_delete = ON")  // erased keys are zeroed on disk, not left in free pages
        }
        config.busyMode = .timeout(10)
        do {
            let pool = try DatabasePool(path: path, configuration: config)
            try Self.migrator.migrate(pool)
            self.writer = pool
        } catch let e as DatabaseError {
            throw StoreError("database_open_failed", "cannot open \(path): \(e.message ?? "\(e)")")
        }
    }

    /// Migrations as ordered code; never edit a published migration, add a new one.
    public static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1_ledger") { db in
            try db.execute(sql: """
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
                """)
        }
        m.registerMigration("v1_api_keys") { db in
            try db.execute(sql: """
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    role TEXT NOT NULL,
                    secret_hash TEXT NOT NULL,    -- argon2id PHC string, never the secret
                    created_at REAL NOT NULL,
                    revoked_at REAL,
                    ledger_index INTEGER NOT NULL
                );
                """)
        }
        m.registerMigration("v2_consent") { db in
            try db.execute(sql: """
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
                """)
        }
        m.registerMigration("v3_identity") { db in
            try db.execute(sql: """
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
                """)
        }
        m.registerMigration("v4_generations") { db in
            try db.execute(sql: """
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
                """)
        }
        m.registerMigration("v5_takedown") { db in
            try db.execute(sql: """
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
                """)
        }
        return m
    }

    /// Value of a `meta` key.
    public func meta(_ key: String) throws -> String? {
        try writer.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) }
    }

    /// Sets a `meta` key if it is absent and returns the stored value.
    public func metaSetIfAbsent(_ key: String, _ value: String) throws -> String {
        try writer.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)", arguments: [key, value])
            return try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key])!
        }
    }
}
