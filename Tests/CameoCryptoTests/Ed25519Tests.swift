import CameoCrypto
import Foundation
import Testing
import TestSupport

@Suite struct Ed25519Tests {
    /// RFC 8032 §7.1 test vectors 1–3 and SHA(abc) (secret key, public key, message, signature; hex).
    @Test(arguments: [
        ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
         "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
        ("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
         "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
         "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
    ])
    func rfc8032Vectors(secret: String, publicKey: String, message: String, signature: String) throws {
        let key = try Ed25519PrivateKey(seed: Hex.decode(secret)!)
        #expect(Hex.encode(key.publicKey.raw) == publicKey)
        let msg = Hex.decode(message)!
        let sig = try key.sign(msg)
        #expect(Hex.encode(sig) == signature)
        #expect(key.publicKey.verify(signature: sig, message: msg))
        var bad = sig; bad[10] ^= 1
        #expect(!key.publicKey.verify(signature: bad, message: msg))
        #expect(!key.publicKey.verify(signature: sig, message: msg + [0]))
    }

    @Test func pemRoundTripsAndRejectsOtherKeys() throws {
        let key = try Ed25519PrivateKey.generate()
        let pem = try key.pemPKCS8()
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let again = try Ed25519PrivateKey(pem: pem)
        #expect(again.publicKey == key.publicKey)
        let pub = try Ed25519PublicKey(pem: key.publicKey.pemSPKI())
        #expect(pub == key.publicKey)
        #expect(throws: CryptoError.self) { try Ed25519PrivateKey(pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n") }
        #expect(throws: CryptoError.self) { try Ed25519PublicKey(pem: "garbage") }
    }

    @Test func signaturesVerifyWithTheOpenSSLBinary() throws {
        let dir = NSTemporaryDirectory() + "ed-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let key = try Ed25519PrivateKey.generate()
        let msg = Array("checkpoint body\n".utf8)
        try key.publicKey.pemSPKI().write(toFile: dir + "/pub.pem", atomically: true, encoding: .utf8)
        try Data(msg).write(to: URL(fileURLWithPath: dir + "/msg"))
        try Data(try key.sign(msg)).write(to: URL(fileURLWithPath: dir + "/sig"))
        let ok = try run("openssl", ["pkeyutl", "-verify", "-pubin", "-inkey", dir + "/pub.pem", "-rawin", "-in", dir + "/msg", "-sigfile", dir + "/sig"])
        #expect(ok.status == 0, "openssl rejected our signature: \(ok.output)")
        try Data(msg + [1]).write(to: URL(fileURLWithPath: dir + "/msg"))
        let bad = try run("openssl", ["pkeyutl", "-verify", "-pubin", "-inkey", dir + "/pub.pem", "-rawin", "-in", dir + "/msg", "-sigfile", dir + "/sig"])
        #expect(bad.status != 0)
    }

    @Test func opensslSignaturesVerifyHere() throws {
        let dir = NSTemporaryDirectory() + "ed-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try run("openssl", ["genpkey", "-algorithm", "ed25519", "-out", dir + "/key.pem"]).status == 0)
        let msg = Array("signed by openssl".utf8)
        try Data(msg).write(to: URL(fileURLWithPath: dir + "/msg"))
        #expect(try run("openssl", ["pkeyutl", "-sign", "-inkey", dir + "/key.pem", "-rawin", "-in", dir + "/msg", "-out", dir + "/sig"]).status == 0)
        let key = try Ed25519PrivateKey(pem: String(contentsOfFile: dir + "/key.pem", encoding: .utf8))
        let sig = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/sig")))
        #expect(key.publicKey.verify(signature: sig, message: msg))
        #expect(try key.sign(msg) == sig)  // Ed25519 is deterministic: same key, same message, same bytes
    }

    func run(_ tool: String, _ args: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        let pipe = Pipe()
        p.standardOutput = pipe; p.standardError = pipe
        try p.run(); p.waitUntilExit()
        return (p.terminationStatus, String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }
}
