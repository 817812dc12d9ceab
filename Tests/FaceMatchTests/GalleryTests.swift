import Testing
@testable import FaceMatch

/// Exact search must agree with a plain brute-force scan, serially and in parallel.
@Suite("Gallery search")
struct GalleryTests {
    /// A random descriptor with components in -0.25...0.25 (the range real ones occupy).
    static func randomDescriptor(_ rng: inout SplitMix64) -> FaceDescriptor {
        try! FaceDescriptor((0..<128).map { _ in Float.random(in: -0.25...0.25, using: &rng) })
    }

    /// Brute force in Double precision, ties broken by insertion order.
    static func bruteForce(_ entries: [(String, FaceDescriptor)], _ query: FaceDescriptor, k: Int) -> [String] {
        let scored = entries.enumerated().map { index, entry -> (Double, Int, String) in
            let d = zip(entry.1.values, query.values).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
            return (d, index, entry.0)
        }
        return scored.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.prefix(k).map(\.2)
    }

    @Test("top-1 and top-5 equal brute force on random vectors", arguments: [(500, 1_000_000), (40_000, 4_096)])
    func matchesBruteForce(size: Int, parallelThreshold: Int) throws {
        var rng = SplitMix64(seed: UInt64(size))
        var gallery = Gallery()
        var entries: [(String, FaceDescriptor)] = []
        for i in 0..<size {
            let d = Self.randomDescriptor(&rng)
            try gallery.add(id: "e\(i)", descriptor: d)
            entries.append(("e\(i)", d))
        }
        for _ in 0..<20 {
            let query = Self.randomDescriptor(&rng)
            let expected = Self.bruteForce(entries, query, k: 5)
            let found = gallery.nearest(to: query, k: 5, parallelThreshold: parallelThreshold)
            #expect(found.map(\.id) == expected)
            #expect(found.first?.id == expected.first)
            #expect(zip(found, found.dropFirst()).allSatisfy { $0.distance <= $1.distance })
            let exact = query.distance(to: try #require(gallery.descriptor(for: expected[0])))
            #expect(abs((found.first?.distance ?? -1) - exact) < 1e-5)
        }
    }

    @Test("parallel and serial search return identical results")
    func parallelEqualsSerial() throws {
        var rng = SplitMix64(seed: 99)
        var gallery = Gallery()
        for i in 0..<20_000 { try gallery.add(id: "p\(i)", descriptor: Self.randomDescriptor(&rng)) }
        let query = Self.randomDescriptor(&rng)
        #expect(gallery.nearest(to: query, k: 10, parallelThreshold: 1) == gallery.nearest(to: query, k: 10, parallelThreshold: .max))
    }

    @Test("an enrolled vector is its own nearest neighbour at distance 0")
    func findsItself() throws {
        var rng = SplitMix64(seed: 5)
        var gallery = Gallery()
        var all: [FaceDescriptor] = []
        for i in 0..<300 {
            let d = Self.randomDescriptor(&rng)
            all.append(d)
            try gallery.add(id: "x\(i)", descriptor: d)
        }
        #expect(gallery.nearest(to: all[123]) == [GalleryMatch(id: "x123", distance: 0)])
        #expect(gallery.decide(all[7]) == .match(GalleryMatch(id: "x7", distance: 0)))
    }

    @Test("add, remove and upsert keep ids and storage in step")
    func addRemove() throws {
        var rng = SplitMix64(seed: 11)
        let a = Self.randomDescriptor(&rng), b = Self.randomDescriptor(&rng), c = Self.randomDescriptor(&rng)
        var gallery = Gallery()
        try gallery.add(id: "a", descriptor: a)
        try gallery.add(id: "b", descriptor: b)
        try gallery.add(id: "c", descriptor: c)
        #expect(throws: FaceMatchError.self) { try gallery.add(id: "b", descriptor: c) }
        #expect(throws: FaceMatchError.self) { try gallery.add(id: "", descriptor: c) }
        let removed = gallery.remove(id: "a")
        let removedAgain = gallery.remove(id: "a")
        #expect(removed && !removedAgain)
        #expect(gallery.count == 2 && !gallery.contains(id: "a"))
        // "c" moved into a's slot; its vector must have moved with it.
        #expect(gallery.descriptor(for: "c") == c)
        #expect(gallery.nearest(to: c).first?.id == "c")
        #expect(gallery.nearest(to: a, k: 10).count == 2)
        try gallery.upsert(id: "b", descriptor: a)
        #expect(gallery.descriptor(for: "b") == a)
        gallery.remove(id: "b")
        gallery.remove(id: "c")
        #expect(gallery.isEmpty)
        #expect(gallery.nearest(to: a).isEmpty)
        #expect(gallery.decide(a) == .noMatch(nearest: nil))
    }

    @Test("decide applies the threshold to the nearest entry")
    func thresholdDecision() throws {
        var values = [Float](repeating: 0, count: 128)
        let origin = try FaceDescriptor(values)
        values[0] = 0.5
        let near = try FaceDescriptor(values)
        values[0] = 0.7
        let far = try FaceDescriptor(values)
        var gallery = Gallery()
        try gallery.add(id: "origin", descriptor: origin)
        #expect(gallery.decide(near) == .match(GalleryMatch(id: "origin", distance: 0.5)))
        #expect(gallery.decide(far) == .noMatch(nearest: GalleryMatch(id: "origin", distance: 0.7)))
        #expect(gallery.decide(far, threshold: 0.75) == .match(GalleryMatch(id: "origin", distance: 0.7)))
    }

    @Test("descriptors reject wrong sizes and non-finite values")
    func descriptorValidation() {
        #expect(throws: FaceMatchError.self) { try FaceDescriptor([1, 2, 3]) }
        #expect(throws: FaceMatchError.self) { try FaceDescriptor([Float](repeating: .nan, count: 128)) }
    }
}
