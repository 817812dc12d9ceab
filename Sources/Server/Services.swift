import CameoCore
import CameoCrypto
import Foundation
import Generation
import Identity
import Takedown
import Ledger
import Logging
import Policy
import Store
import Synchronization

/// Everything a running node holds open: database, ledger, signing key, policies and the
/// domain services. The CLI's local verbs and the HTTP server share it.
public final class Services: Sendable {
    /// The data directory.
    public let dataDirectory: DataDirectory
    /// The database (SQLite by default, or PostgreSQL).
    public let database: AppDatabase
    /// The durable ledger.
    public let ledger: LedgerStore
    /// Key that signs checkpoints and receipts.
    public let signingKey: Ed25519PrivateKey
    /// Validated policies.
    public let policies: PolicySet
    /// API keys and authentication.
    public let apiKeys: APIKeyService
    /// Consent state and checks.
    public let consent: ConsentStore
    /// Likeness verification, enrollment and erasure (and the face runtime).
    public let likenesses: LikenessService
    /// The generation pipeline.
    public let generations: GenerationService
    /// Reports, the moderator queue, strikes and the hash bank.
    public let takedowns: TakedownService
    /// Owner device keys (registered at verified enrollment).
    public let ownerKeys: OwnerKeyStore
    /// Checks the owner signature on consent writes.
    public let ownerSignatures: OwnerStatementVerifier
    /// The same, but never in migration mode: key changes and direct revocations, which have no other credential.
    public let ownerSignaturesAlways: OwnerStatementVerifier

    /// Opens the data directory (which must have keys: `cameo keys init`) with `policies`.
    /// Keeps this node in step with other nodes' commits (started by `start()`).
    let follower: LedgerFollower
    private let background = Mutex<Task<Void, Never>?>(nil)

    /// Opens the data directory (which must have keys: `cameo keys init`) with `policies`.
    /// `node` names this node in job claims (several nodes on PostgreSQL need distinct names).
    public init(dataDirectory: DataDirectory, policies: PolicySet, modelsDirectory: URL? = nil,
                generator: (any VideoGenerator)? = nil, node: String = ProcessInfo.processInfo.hostName) throws {
        guard dataDirectory.exists else {
            throw StoreError("data_dir_missing", "data directory \(dataDirectory.url.path) does not exist; run `cameo keys init --data-dir \(dataDirectory.url.path)`", kind: .invalidInput)
        }
        self.dataDirectory = dataDirectory
        self.signingKey = try dataDirectory.loadSigningKey()
        self.database = try AppDatabase.open(dataDirectory.databaseLocation)
        self.ledger = try LedgerStore(database: database)
        self.policies = policies
        self.apiKeys = APIKeyService(repository: APIKeyRepository(ledger: ledger), hasher: policies.security.hasher,
                                     cacheTTL: TimeInterval(policies.security.authCacheSeconds))
        self.consent = try ConsentStore(ledger: ledger)
        self.likenesses = try LikenessService(store: LikenessStore(ledger: ledger, masterKey: dataDirectory.loadMasterKey()), consent: consent,
                                              faces: FaceRuntime(modelsDirectory: modelsDirectory, matching: policies.matching),
                                              policy: policies.identity, policyHash: policies.hash,
                                              disputeSLA: (policies.takedown.slaHours["likeness_dispute"] ?? 48) * 3600)
        self.ownerKeys = likenesses.ownerKeys
        self.ownerSignatures = OwnerStatementVerifier(keys: ownerKeys, window: policies.consent.signatureWindow,
                                                      required: policies.consent.requireOwnerSignature)
        self.ownerSignaturesAlways = OwnerStatementVerifier(keys: ownerKeys, window: policies.consent.signatureWindow, required: true)
        let (key, origin) = (signingKey, ledger.origin)
        self.generations = try GenerationService(ledger: ledger, consent: consent, likenesses: likenesses, policies: policies,
                                                 generator: generator ?? EmbeddedGenerator(), videos: dataDirectory.url.appendingPathComponent("videos"),
                                                 sign: { try SignedStatement.sign($0, keyName: origin, key: key) }, node: node)
        self.takedowns = try TakedownService(ledger: ledger, generations: generations, likenesses: likenesses, consent: consent, policy: policies.takedown)
        let (ledger, consent, likenesses, takedowns, apiKeys) = (ledger, consent, likenesses, takedowns, apiKeys)
        self.follower = LedgerFollower(ledger: ledger) { from, to in
            Services.catchUp(from: from, to: to, ledger: ledger, consent: consent, likenesses: likenesses, takedowns: takedowns, apiKeys: apiKeys)
        }
    }

    /// Brings what this node holds in memory up to other nodes' commits in `[from, to)`.
    static func catchUp(from: UInt64, to: UInt64, ledger: LedgerStore, consent: ConsentStore, likenesses: LikenessService,
                        takedowns: TakedownService, apiKeys: APIKeyService) {
        do {
            try consent.catchUp()  // also edges and memberships, which have no entry of their own
            guard to > from else { return }
            let types = try ledger.entryTypes(start: from, end: to)
            if types.contains(where: { $0.hasPrefix("likeness.") }) { try likenesses.reloadGallery() }
            if types.contains(where: { $0.hasPrefix("case.") }) { try takedowns.reloadScreens() }
            if types.contains("api_key.revoked") { apiKeys.clearCache() }
        } catch {
            Logger(label: "cameoguard.follower").error("catch-up failed", metadata: ["error": "\(error)"])
        }
    }

    /// Starts background work: resumes interrupted generations and runs the workers.
    public func start() async throws {
        follower.start()
        try await generations.start()
        let timers = Task.detached { [takedowns] in
            while !Task.isCancelled {
                _ = try? await takedowns.tick()  // counter-notice put-backs; safe on every node (compare-and-set)
                try? await Task.sleep(for: .seconds(60))
            }
        }
        background.withLock { $0 = timers }
    }

    /// Stops background work: catch-up, job workers (each finishes the job it holds), timers.
    public func stop() {
        follower.stop()
        generations.stop()
        background.withLock { $0?.cancel(); $0 = nil }
    }

    /// The face runtime.
    public var faces: FaceRuntime { likenesses.faces }

    /// Signs a statement (receipt, manifest) with the ledger key under the ledger origin.
    public func sign(_ statement: JSONValue) throws -> SignedStatement {
        try SignedStatement.sign(statement, keyName: ledger.origin, key: signingKey)
    }

    /// The ledger's verification key.
    public var publicKey: Ed25519PublicKey { signingKey.publicKey }
}
