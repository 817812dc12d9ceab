import CameoCore
import CameoCrypto
import Foundation
import Yams

/// All policies, loaded from one directory of YAML files, validated, with the SHA-256 of
/// the files' bytes (recorded in every decision so a decision names the rules it used).
public struct PolicySet: Sendable {
    /// `security.yaml`.
    public let security: SecurityPolicy
    /// `consent.yaml`.
    public let consent: ConsentPolicy
    /// `matching.yaml`.
    public let matching: MatchingPolicy
    /// `identity.yaml`.
    public let identity: IdentityPolicy
    /// `content.yaml`.
    public let content: ContentPolicy
    /// `generation.yaml`.
    public let generation: GenerationPolicy
    /// `takedown.yaml`.
    public let takedown: TakedownPolicy
    /// Hex SHA-256 over `name\0bytes\0` of every file, in name order.
    public let hash: String
    /// The directory the policies came from.
    public let directory: String

    /// Loads and validates every known file in `directory`.
    public static func load(directory: String) throws -> PolicySet {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw PolicyError("policies_missing", "policy directory \(directory) not found; pass --policies DIR or set CAMEO_POLICIES")
        }
        var texts: [String: [UInt8]] = [:]
        func read<T: Decodable>(_ name: String, as: T.Type) throws -> T {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw PolicyError("policy_missing", "\(path) is missing")
            }
            texts[name] = [UInt8](data)
            do {
                return try YAMLDecoder().decode(T.self, from: String(decoding: data, as: UTF8.self))
            } catch {
                throw PolicyError("policy_invalid", "\(name): \(JSONValue.describe(error))")
            }
        }
        let security = try read("security.yaml", as: SecurityPolicy.self)
        try security.validate()
        let consent = try read("consent.yaml", as: ConsentPolicy.self)
        try consent.validate()
        let matching = try read("matching.yaml", as: MatchingPolicy.self)
        try matching.validate()
        var identity = try read("identity.yaml", as: IdentityPolicy.self)
        try identity.validate()
        // A JWKS file is part of the policy: it is read here and covered by the hash.
        for (i, issuer) in identity.issuers.enumerated() {
            guard let file = issuer.jwksFile else { continue }
            let path = file.hasPrefix("/") ? file : (directory as NSString).appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw PolicyError("policy_missing", "identity.yaml: issuer \(issuer.iss): \(path) is missing")
            }
            texts["identity.yaml#" + issuer.iss] = [UInt8](data)
            identity.issuers[i].jwks = String(decoding: data, as: UTF8.self)
        }
        let content = try read("content.yaml", as: ContentPolicy.self)
        try content.validate()
        let generation = try read("generation.yaml", as: GenerationPolicy.self)
        try generation.validate()
        let takedown = try read("takedown.yaml", as: TakedownPolicy.self)
        try takedown.validate()
        var parts: [[UInt8]] = []
        for name in texts.keys.sorted() { parts.append(Array(name.utf8) + [0] + texts[name]! + [0]) }
        return PolicySet(security: security, consent: consent, matching: matching, identity: identity, content: content, generation: generation, takedown: takedown, hash: Hex.encode(SHA256.hash(parts: parts)), directory: directory)
    }

    /// A copy with `identity` replaced; the hash also covers `extraHashInput`.
    public func replacing(identity: IdentityPolicy, extraHashInput: [UInt8]) -> PolicySet {
        PolicySet(security: security, consent: consent, matching: matching, identity: identity, content: content, generation: generation,
                  takedown: takedown, hash: Hex.encode(SHA256.hash(Array(hash.utf8), [0], extraHashInput)), directory: directory)
    }

    /// Finds the policy directory: `$CAMEO_POLICIES`, else `./Policies`, else the checkout the
    /// running binary was built in (`<repo>/.build/<config>/cameo` → `<repo>/Policies`).
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let env = environment["CAMEO_POLICIES"] { return env }
        if FileManager.default.fileExists(atPath: "Policies/security.yaml") { return "Policies" }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = url.appendingPathComponent("Policies")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("security.yaml").path) { return candidate.path }
            url.deleteLastPathComponent()
        }
        return "Policies"
    }
}
