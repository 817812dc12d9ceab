// PDQ benchmark and parity report (release build: `swift run -c release PDQBench`).
//
//   PDQBench speed [--json]   hashes/s for 1280×720, 720×1280 and 64×64 images and a bank scan
//                             of 1M hashes; --json adds one line of seconds per call
//   PDQBench parity [DIR]     bit differences against the reference (and pdqhash, and the
//                             hashes ThreatExchange publishes) for DIR/manifest.json
//                             (default fixtures/pdq; see scripts/make_pdq_fixtures.py --full-dir)
//
// Benchmarks/pdq.sh runs `speed` next to the pdqhash and reference C++ peers and prints ratios.
import Foundation
import PDQ
import PDQTestSupport

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Best of `rounds` timings of `iterations` calls, in seconds per call.
func perCall(iterations: Int, rounds: Int = 5, _ body: () throws -> Void) rethrows -> Double {
    var best = Double.infinity
    for _ in 0..<rounds {
        best = min(best, try seconds { for _ in 0..<iterations { try body() } } / Double(iterations))
    }
    return best
}

func speed(json: Bool) throws {
    var sink = 0
    var results: [String: Double] = [:]
    for (w, h, n) in [(1280, 720, 40), (720, 1280, 40), (64, 64, 4000)] {
        let image = RGBPixels.scene(width: w, height: h, seed: 7)
        let t = try perCall(iterations: n) { sink &+= try image.pdq().hash.setBitCount }
        let td = try perCall(iterations: n) {
            sink &+= try PDQHasher.dihedralHashes(rgb: image.bytes, width: w, height: h).quality
        }
        results["\(w)x\(h)"] = t
        results["\(w)x\(h)_dihedral"] = td
        print(String(format: "pdq %dx%d: %.0f hashes/s (%.3f ms); with 8 dihedral: %.0f/s", w, h, 1 / t, t * 1e3, 1 / td))
    }
    var rng = SplitMix64(seed: 1)
    var bank = HashBank()
    for i in 0..<1_000_000 { bank.add(id: "h\(i)", hash: rng.hash()) }
    let queries = (0..<20).map { _ in rng.hash() }
    var qi = 0
    let scan = perCall(iterations: 20) {
        sink &+= bank.nearest(to: queries[qi % 20], maxDistance: 31).count
        qi += 1
    }
    results["bank_scan_1M"] = scan
    print(String(format: "bank scan 1M hashes: %.2f ms per query (%.2f ns per hash)", scan * 1e3, scan * 1e9 / 1e6))
    if json {
        let data = try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
    if sink == 42 { print("") }  // keeps the optimiser from dropping the work
}

func parity(_ directory: URL) throws {
    func bits(_ a: PDQHash, _ b: PDQHash?) -> String { b.map { "\(a.hammingDistance(to: $0))" } ?? "-" }
    print("image                    size       ref-bits quality(ours/ref) dihedral-bits pdqhash-bits published-bits")
    for fixture in try PDQFixtures.load(from: directory) {
        let pixels = try PDQFixtures.pixels(fixture, in: directory)
        let (hash, quality) = try pixels.pdq()
        let dihedral = try PDQHasher.dihedralHashes(rgb: pixels.bytes, width: pixels.width, height: pixels.height)
        let dihedralBits = zip(dihedral.hashes.all, fixture.reference.dihedral ?? [])
            .map { "\($0.hammingDistance(to: $1))" }.joined(separator: ",")
        let published = (fixture.published ?? [:]).sorted { $0.key < $1.key }
            .map { "\($0.value.hammingDistance(to: hash)) (\($0.key))" }.joined(separator: "; ")
        let size = "\(fixture.width)x\(fixture.height)"
        print(fixture.name.padding(toLength: 24, withPad: " ", startingAt: 0), size.padding(toLength: 10, withPad: " ", startingAt: 0),
              bits(hash, fixture.reference.hash), "       \(quality)/\(fixture.reference.quality)",
              "  ", dihedralBits, "  ", bits(hash, fixture.pdqhash?.hash), "  ", published)
    }
}

let args = CommandLine.arguments.dropFirst()
switch args.first {
case "parity":
    try parity(args.count > 1 ? URL(fileURLWithPath: args[args.startIndex + 1]) : PDQFixtures.directory)
case "speed", nil:
    try speed(json: args.contains("--json"))
default:
    print("usage: PDQBench [speed [--json] | parity [DIR]]")
    exit(2)
}
