import CameoCore
import CameoCrypto
import Foundation
import Ledger

/// Provenance of a released clip. The *claim* (what was asked, by whom, under which consent,
/// made how) is signed before rendering and embedded in the MP4's metadata; the *manifest*
/// adds the content SHA-256 of the final file, the post-check summary and the ledger index,
/// and is signed again. Verification is offline: hash binding, both signatures, claim equality.
public enum ProvenanceManifest {
    /// The MP4 metadata key holding the signed claim.
    public static let metadataKey = "cameoguard_provenance"

    /// Verifies `video` bytes against `manifest` (a signed statement) and the embedded signed
    /// claim text read from the file's metadata; throws a coded error naming the first failure.
    public static func verify(video: [UInt8], manifest: JSONValue, embeddedClaim: String?, keyName: String, publicKey: Ed25519PublicKey) throws -> JSONValue {
        let signed = try SignedStatement(json: manifest)
        try signed.verify(keyName: keyName, publicKey: publicKey)
        let statement = signed.statement
        guard statement["kind"] == "generation.manifest", let expected = statement["content_sha256"]?.stringValue else {
            throw GenerationError("manifest_invalid", "not a generation manifest", kind: .invalidInput)
        }
        let actual = SHA256.hex(video)
        guard constantTimeEquals(Array(actual.utf8), Array(expected.utf8)) else {
            throw GenerationError("manifest_hash_mismatch", "the video's SHA-256 is \(actual), the manifest binds \(expected): the file was altered", kind: .integrity)
        }
        guard let embeddedClaim else {
            throw GenerationError("manifest_claim_missing", "the video carries no \(metadataKey) metadata", kind: .integrity)
        }
        let claim = try SignedStatement(json: JSONValue.parse(Array(embeddedClaim.utf8)))
        try claim.verify(keyName: keyName, publicKey: publicKey)
        guard claim.statement == statement["claim"] else {
            throw GenerationError("manifest_claim_mismatch", "the claim embedded in the video differs from the manifest's", kind: .integrity)
        }
        return statement
    }

    /// The signed claim embedded in an MP4's metadata, read with `ffprobe`; nil if absent.
    public static func embeddedClaim(in video: URL) throws -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ffprobe", "-v", "error", "-show_entries", "format_tags=\(metadataKey)", "-of", "json", video.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        BackgroundWork.deprioritize(p.processIdentifier)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw GenerationError("video_unreadable", "ffprobe cannot read \(video.path)", kind: .invalidInput)
        }
        return try JSONValue.parse([UInt8](data))["format"]?["tags"]?[metadataKey]?.stringValue
    }
}
