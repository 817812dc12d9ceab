import ArgumentParser
import CameoCore
import CameoCrypto
import Foundation
import Identity
import Store

/// `cameo owner`: the integrator's tools for owner-signed consent writes.
struct OwnerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "owner", abstract: "Owner device keys and signed statements (local, offline).",
                                                     subcommands: [Keygen.self, Sign.self])

    /// Loads an owner key from a PKCS#8 PEM file.
    static func device(_ path: String) throws -> OwnerDevice {
        guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else { throw CoreError("file_unreadable", "cannot read \(path)") }
        return try OwnerDevice(key: Ed25519PrivateKey(pem: pem))
    }

    struct Keygen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write an Ed25519 owner key pair: PREFIX.pem (PKCS#8, 0600) and PREFIX.pub.pem (SPKI).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Path prefix of the two files.") var out: String

        func run() async throws {
            try await runReporting(json: global.json) {
                let device = try OwnerDevice()
                let priv = out + ".pem", pub = out + ".pub.pem"
                guard !FileManager.default.fileExists(atPath: priv) else { throw CoreError("file_exists", "\(priv) exists; not overwriting a key") }
                guard FileManager.default.createFile(atPath: priv, contents: Data(try device.key.pemPKCS8().utf8), attributes: [.posixPermissions: 0o600]) else {
                    throw CoreError("file_unwritable", "cannot write \(priv)")
                }
                try device.key.publicKey.pemSPKI().write(toFile: pub, atomically: true, encoding: .utf8)
                let r: JSONValue = ["key_id": .string(device.keyID), "private_key": .string(priv), "public_key": .string(pub),
                                    "public_key_base64": .string(Base64.encode(device.publicKey))]
                if global.json { return try printJSON(r) }
                print("owner key \(device.keyID): \(priv) (keep on the device), \(pub) (send as owner_public_key when verifying)")
            }
        }
    }

    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign a request body as its owner; prints the body with owner_signature.",
            discussion: "Fills in subject, action, a fresh nonce and issued_at where the body lacks them, then signs the RFC 8785 bytes of the body without owner_signature (Ed25519).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Owner private key (PKCS#8 PEM).") var key: String
        @Option(help: "Statement subject (the owner), if the body has none.") var subject: String?
        @Option(help: "Statement action (grant.create, grant.revoke, likeness.erase, generation.remove, owner_key.add, owner_key.remove), if the body has none.") var action: String?
        @Argument(help: "JSON body file, or - for standard input.") var body: String

        func run() async throws {
            try await runReporting(json: global.json) {
                let data = body == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: body)
                guard let data else { throw CoreError("file_unreadable", "cannot read \(body)") }
                let device = try OwnerCommand.device(key)
                print(try device.signedText(try JSONValue.parse(data), subject: try subject.map(SubjectID.init), action: action))
            }
        }
    }
}

/// `cameo issuer`: a local test identity vendor (development and tests only).
struct IssuerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "issuer", abstract: "A local TEST identity-verification issuer: attestations for development and tests.",
                                                     subcommands: [Init.self, Attest.self])

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a test issuer in DIR: issuer.pem, issuer.jwks.json, and DIR/policies (your policies, trusting it).",
            discussion: "Serve with --policies DIR/policies to accept its attestations. It vouches for nothing: never use it in production.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Directory to create.") var out: String
        @Option(help: "The iss it writes.") var iss = "https://idv.test.cameoguard.invalid"

        func run() async throws {
            try await runReporting(json: global.json) {
                let fm = FileManager.default
                let issuer = try LocalTestIssuer(iss: iss)
                let policies = (out as NSString).appendingPathComponent("policies")
                try fm.createDirectory(atPath: policies, withIntermediateDirectories: true)
                let keyPath = (out as NSString).appendingPathComponent("issuer.pem")
                guard fm.createFile(atPath: keyPath, contents: Data(try issuer.key.pemPKCS8().utf8), attributes: [.posixPermissions: 0o600]) else {
                    throw CoreError("file_unwritable", "cannot write \(keyPath)")
                }
                try issuer.jwks.write(toFile: (out as NSString).appendingPathComponent("issuer.jwks.json"), atomically: true, encoding: .utf8)
                for name in try fm.contentsOfDirectory(atPath: global.policies) where name.hasSuffix(".yaml") {
                    let target = (policies as NSString).appendingPathComponent(name)
                    try? fm.removeItem(atPath: target)
                    try fm.copyItem(atPath: (global.policies as NSString).appendingPathComponent(name), toPath: target)
                }
                try issuer.jwks.write(toFile: (policies as NSString).appendingPathComponent("test-issuer.jwks.json"), atomically: true, encoding: .utf8)
                let identity = (policies as NSString).appendingPathComponent("identity.yaml")
                let text = try String(contentsOfFile: identity, encoding: .utf8)
                let trusted = "issuers:\n  - iss: \"\(iss)\"\n    jwks_file: test-issuer.jwks.json\n"
                guard text.contains("\nissuers: []\n") else { throw CoreError("policy_invalid", "\(identity) has no `issuers: []` line to replace") }
                try text.replacingOccurrences(of: "\nissuers: []\n", with: "\n" + trusted).write(toFile: identity, atomically: true, encoding: .utf8)
                let r: JSONValue = ["iss": .string(iss), "kid": .string(issuer.kid), "key": .string(keyPath), "policies": .string(policies)]
                if global.json { return try printJSON(r) }
                print("TEST issuer \(iss) (kid \(issuer.kid)) in \(out); serve with --policies \(policies)")
            }
        }
    }

    struct Attest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a test attestation (JWS, EdDSA) that SUBJECT passed liveness for a challenge nonce with a selfie.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The test issuer's directory (cameo issuer init).") var issuer: String
        @Option(help: "The iss it writes.") var iss = "https://idv.test.cameoguard.invalid"
        @Option(help: "Subject id.") var subject: String
        @Option(help: "The challenge nonce.") var nonce: String
        @Option(help: "The selfie (JPEG/PNG) the attestation covers.") var selfie: String

        func run() async throws {
            try await runReporting(json: global.json) {
                let keyPath = (issuer as NSString).appendingPathComponent("issuer.pem")
                guard let pem = try? String(contentsOfFile: keyPath, encoding: .utf8) else { throw CoreError("file_unreadable", "cannot read \(keyPath)") }
                guard let bytes = FileManager.default.contents(atPath: selfie) else { throw CoreError("file_unreadable", "cannot read \(selfie)") }
                let token = try LocalTestIssuer(iss: iss, key: Ed25519PrivateKey(pem: pem)).attest(subject: SubjectID(subject), nonce: nonce, selfie: [UInt8](bytes))
                if global.json { return try printJSON(["attestation": .string(token)]) }
                print(token)
            }
        }
    }
}
