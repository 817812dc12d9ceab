import CameoCore
import CameoCrypto
import FaceMatch
import Foundation
import Ledger
import Testing
import TestSupport

/// Bounded random-mutation fuzzing of the decoders that take outside bytes: images, videos
/// and ledger bundles. Every mutant must give a typed error or a valid result, never a crash.
@Suite struct DecoderMutationFuzzTests {
    static func mutate(_ bytes: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
        var b = bytes
        switch Int.random(in: 0..<4, using: &rng) {
        case 0:  // flip a few bytes
            for _ in 0..<Int.random(in: 1...8, using: &rng) { b[Int.random(in: 0..<b.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng) }
        case 1:  // truncate
            b = Array(b.prefix(Int.random(in: 0..<b.count, using: &rng)))
        case 2:  // splice a random run of junk
            let at = Int.random(in: 0..<b.count, using: &rng)
            b.insert(contentsOf: (0..<Int.random(in: 1...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: at)
        default:  // overwrite a header region
            for i in 0..<min(b.count, 32) where Bool.random(using: &rng) { b[i] = UInt8.random(in: 0...255, using: &rng) }
        }
        return b
    }

    @Test func mutatedImagesGiveTypedErrorsOrImages() throws {
        var rng = SeededGenerator(seed: 0xF022)
        var (errors, decoded) = (0, 0)
        for path in ["faces/obama/4-small.jpg", "faces/alex_lacamoire/1.png", "faces/biden/1.jpg"] {
            let original = [UInt8](try Data(contentsOf: RepositoryPaths.fixtures.appendingPathComponent(path)))
            for _ in 0..<150 {
                do { _ = try ImageDecoder().decode(Self.mutate(original, &rng)); decoded += 1 } catch is any CodedError { errors += 1 }
            }
        }
        print("image mutation fuzz: \(errors + decoded) mutants, \(errors) typed errors, \(decoded) decoded")
        #expect(errors + decoded == 450 && errors > 100)
    }

    @Test func mutatedBundlesNeverVerifyAndNeverCrash() throws {
        var rng = SeededGenerator(seed: 0xB0D1)
        let key = try Ed25519PrivateKey.generate()
        let tree = InMemoryTree()
        var jsonl: [UInt8] = []
        for i in 0..<20 {
            let e = try LedgerEntry(type: "fuzz.entry", time: Date(timeIntervalSince1970: Double(i)), actor: "fuzz", payload: ["i": .int(Int64(i))]).canonicalBytes()
            tree.append(entry: e)
            jsonl += e + [0x0A]
        }
        let note = try SignedNote.sign(text: Checkpoint(origin: "fuzz.example/log", size: 20, root: tree.root).body, name: "fuzz.example/log", key: key).serialized
        #expect(throws: Never.self) { try BundleVerifier.verify(entriesJSONL: jsonl, checkpointNote: note, publicKey: key.publicKey) }
        var rejected = 0
        for i in 0..<400 {
            let mutantEntries = i % 2 == 0 ? Self.mutate(jsonl, &rng) : jsonl
            let mutantNote = i % 2 == 1 ? String(decoding: Self.mutate(Array(note.utf8), &rng), as: UTF8.self) : note
            do {
                _ = try BundleVerifier.verify(entriesJSONL: mutantEntries, checkpointNote: mutantNote, publicKey: key.publicKey)
                // Only a mutation that changed nothing that is signed may still verify.
                let sameText = try SignedNote(parsing: mutantNote).text == SignedNote(parsing: note).text
                #expect(mutantEntries == jsonl && sameText)
            } catch is any CodedError { rejected += 1 }
        }
        print("bundle mutation fuzz: 400 mutants, \(rejected) rejected with typed errors")
        #expect(rejected > 350)
    }

    @Test func mutatedVideosGiveTypedErrors() throws {
        var rng = SeededGenerator(seed: 0x71DE0)
        let original = [UInt8](try Data(contentsOf: RepositoryPaths.fixtures.appendingPathComponent("video/short_hamilton_clip.mp4")))
        var outcomes = [0, 0]
        for i in 0..<12 {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-\(i)-\(UUID().uuidString).mp4")
            try Data(Self.mutate(original, &rng)).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            do { _ = try VideoFrames().sample(file, sampling: VideoSampling(framesPerSecond: 1, includeLastFrame: false, maxDimension: 160, maxFrames: 5)); outcomes[0] += 1 }
            catch is any CodedError { outcomes[1] += 1 }
        }
        print("video mutation fuzz: 12 mutants, \(outcomes[1]) typed errors, \(outcomes[0]) decoded")
        #expect(outcomes[0] + outcomes[1] == 12)
    }
}
