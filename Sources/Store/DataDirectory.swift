import CameoCore
import CameoCrypto
import Foundation

/// The on-disk layout of a CameoGuard data directory. This is the one place that knows where
/// files live: `cameo.sqlite`, `keys/ledger.pem` (PKCS#8, 0600), `keys/ledger.pub.pem` (SPKI).
public struct DataDirectory: Sendable {
    /// The directory itself.
    public let url: URL
    /// A PostgreSQL URL (`postgres://…`) when the node runs on PostgreSQL; nil for the embedded SQLite file.
    public let database: String?

    /// Wraps `path` (not created until needed); `database` selects PostgreSQL instead of the SQLite file.
    public init(path: String, database: String? = nil) {
        self.url = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
        self.database = database.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The SQLite database file.
    public var databasePath: String { url.appendingPathComponent("cameo.sqlite").path }
    /// What `AppDatabase.open` takes: the PostgreSQL URL, or the SQLite file.
    public var databaseLocation: String { database ?? databasePath }
    /// The ledger signing key.
    public var privateKeyPath: String { url.appendingPathComponent("keys/ledger.pem").path }
    /// The ledger verification key.
    public var publicKeyPath: String { url.appendingPathComponent("keys/ledger.pub.pem").path }

    /// The master key that wraps per-subject likeness keys (32 random bytes, 0600).
    public var masterKeyPath: String { url.appendingPathComponent("keys/master.key").path }

    /// Loads the master key, creating it on first use. Creation is exclusive (link(2) of a
    /// complete temp file): of nodes starting together on one data directory, all end up with
    /// the key that won, never each with their own.
    public func loadMasterKey() throws -> [UInt8] {
        if let key = try readMasterKey() { return key }
        try create()
        let tmp = masterKeyPath + ".tmp-\(getpid())-\(Hex.encode(secureRandomBytes(4)))"
        try writeAtomically(secureRandomBytes(32), to: tmp, mode: 0o600)
        defer { unlink(tmp) }
        guard link(tmp, masterKeyPath) == 0 || errno == EEXIST else {
            throw StoreError("write_failed", "cannot create \(masterKeyPath): \(String(cString: strerror(errno)))")
        }
        guard let key = try readMasterKey() else { throw StoreError("master_key_invalid", "\(masterKeyPath) vanished") }
        return key
    }

    private func readMasterKey() throws -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: masterKeyPath) else { return nil }
        guard data.count == 32 else { throw StoreError("master_key_invalid", "\(masterKeyPath) must hold 32 bytes") }
        return [UInt8](data)
    }

    /// Whether the directory exists.
    public var exists: Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
    }

    /// Creates the directory (0700) if needed.
    public func create() throws {
        do {
            try FileManager.default.createDirectory(at: url.appendingPathComponent("keys"), withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw StoreError("data_dir_unwritable", "cannot create data directory \(url.path): \(error.localizedDescription)", kind: .invalidInput)
        }
    }

    /// Creates the ledger key pair (and the master key) if absent. Returns true if a ledger key was created.
    /// The private key is written to a temporary file with mode 0600 and renamed into place,
    /// so a crash never leaves a half-written key.
    @discardableResult
    public func initKeys() throws -> Bool {
        try create()
        _ = try loadMasterKey()  // the whole key set exists before any node starts
        if FileManager.default.fileExists(atPath: privateKeyPath) {
            _ = try loadSigningKey()
            return false
        }
        let key = try Ed25519PrivateKey.generate()
        try writeAtomically(Array(try key.pemPKCS8().utf8), to: privateKeyPath, mode: 0o600)
        try writeAtomically(Array(try key.publicKey.pemSPKI().utf8), to: publicKeyPath, mode: 0o644)
        return true
    }

    /// Loads the ledger signing key; `keys_missing` tells the user to run `cameo keys init`.
    public func loadSigningKey() throws -> Ed25519PrivateKey {
        guard let data = FileManager.default.contents(atPath: privateKeyPath) else {
            throw StoreError("keys_missing", "no ledger key at \(privateKeyPath); run `cameo keys init --data-dir \(url.path)`", kind: .invalidInput)
        }
        return try Ed25519PrivateKey(pem: String(decoding: data, as: UTF8.self))
    }

    /// Writes `bytes` to `path` via a temp file, fsync and rename.
    public func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        let tmp = path + ".tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard fd >= 0 else { throw StoreError("write_failed", "cannot write \(tmp): \(String(cString: strerror(errno)))") }
        var ok = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) == $0.count }
        ok = ok && fsync(fd) == 0
        close(fd)
        guard ok, rename(tmp, path) == 0 else {
            unlink(tmp)
            throw StoreError("write_failed", "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
