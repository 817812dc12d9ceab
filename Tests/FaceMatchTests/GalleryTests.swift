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

    @Test("batched search (BLAS path) equals per-query search and brute force, serial and parallel",
          arguments: [(5_000, Int.max), (40_000, 4_096)])
    func batchedMatchesBruteForce(size: Int, parallelThreshold: Int) throws {
        var rng = SplitMix64(seed: UInt64(size) &+ 7)
        var gallery = Gallery()
        var entries: [(String, FaceDescriptor)] = []
        for i in 0..<size {
            let d = Self.randomDescriptor(&rng)
            try gallery.add(id: "e\(i)", descriptor: d)
            entries.append(("e\(i)", d))
        }
        // Half the queries sit close to an entry (a re-seen face), half are fresh.
        let queries: [FaceDescriptor] = try (0..<24).map { i in
            if i % 2 == 0 { return Self.randomDescriptor(&rng) }
            let base = entries[Int(rng.next() % UInt64(size))].1.values
            return try FaceDescriptor(base.map { $0 + Float.random(in: -0.01...0.01, using: &rng) })
        }
        let batched = gallery.nearest(toEach: queries, k: 5, parallelThreshold: parallelThreshold)
        #expect(batched.count == queries.count)
        for (query, found) in zip(queries, batched) {
            #expect(found.map(\.id) == Self.bruteForce(entries, query, k: 5))
            // Same ids and bit-identical distances as the one-query path.
            #expect(found == gallery.nearest(to: query, k: 5, parallelThreshold: parallelThreshold))
        }
        #expect(gallery.decide(each: queries).map { decision -> String? in
            if case .match(let m) = decision { return m.id } else { return nil }
        } == queries.map { gallery.decide($0) }.map { decision -> String? in
            if case .match(let m) = decision { return m.id } else { return nil }
        })
    }

    @Test("exact ties keep the earlier entry first on the BLAS path; removal keeps norms in step")
    func tiesAndRemovalOnBLASPath() throws {
        var rng = SplitMix64(seed: 21)
        var gallery = Gallery()
        let twin = Self.randomDescriptor(&rng)
        for i in 0..<3_000 { try gallery.add(id: "r\(i)", descriptor: i % 1_000 == 500 ? twin : Self.randomDescriptor(&rng)) }
        let query = try FaceDescriptor(twin.values.map { $0 + 0.001 })
        // r500, r1500 and r2500 hold the same vector: equal distances, storage order decides.
        for found in [gallery.nearest(toEach: [query, query], k: 3)[0], gallery.nearest(to: query, k: 3)] {
            #expect(found.map(\.id) == ["r500", "r1500", "r2500"])
            #expect(Set(found.map(\.distance)).count == 1)
        }
        // Removing r500 moves the last entry (r2999) into its row, norm included.
        gallery.remove(id: "r500")
        let moved = try #require(gallery.descriptor(for: "r2999"))
        #expect(gallery.nearest(toEach: [query, moved], k: 2).map { $0.map(\.id) }[1].first == "r2999")
        #expect(gallery.nearest(toEach: [query, moved], k: 2)[0].map(\.id) == ["r1500", "r2500"])
    }

    @Test("copies are independent values (copy-on-write storage, large enough for huge pages)")
    func copyOnWrite() throws {
        var rng = SplitMix64(seed: 31)
        var original = Gallery()
        // 10 000 rows = 5 MB of storage: the allocation takes the huge-page path.
        for i in 0..<10_000 { try original.add(id: "c\(i)", descriptor: Self.randomDescriptor(&rng)) }
        let snapshot = original
        let first = try #require(original.descriptor(for: "c0"))
        let extra = Self.randomDescriptor(&rng)
        var copy = original
        copy.remove(id: "c0")                 // moves c9999 into row 0 of the copy only
        try copy.add(id: "new", descriptor: extra)
        #expect(original.count == 10_000 && copy.count == 10_000)
        #expect(original.descriptor(for: "c0") == first && copy.descriptor(for: "c0") == nil)
        #expect(original.nearest(to: first).first?.id == "c0")
        #expect(copy.nearest(toEach: [extra, first], k: 1).map { $0.first?.id } == ["new", copy.nearest(to: first).first?.id])
        #expect(snapshot.nearest(toEach: [first], k: 1)[0].first == GalleryMatch(id: "c0", distance: 0))
    }

    @Test("huge components fall back to the direct scan and still find the nearest entry")
    func hugeComponents() throws {
        var gallery = Gallery()
        var rng = SplitMix64(seed: 8)
        var entries: [(String, FaceDescriptor)] = []
        for i in 0..<3_000 {
            let d = try FaceDescriptor((0..<128).map { _ in Float.random(in: -1...1, using: &rng) * 1e15 })
            try gallery.add(id: "h\(i)", descriptor: d)
            entries.append(("h\(i)", d))
        }
        let queries = [entries[17].1, entries[2_222].1]
        #expect(gallery.nearest(toEach: queries, k: 1).map { $0.first?.id } == ["h17", "h2222"])
    }

    @Test("descriptors reject wrong sizes and non-finite values")
    func descriptorValidation() {
        #expect(throws: FaceMatchError.self) { try FaceDescriptor([1, 2, 3]) }
        #expect(throws: FaceMatchError.self) { try FaceDescriptor([Float](repeating: .nan, count: 128)) }
    }
}
