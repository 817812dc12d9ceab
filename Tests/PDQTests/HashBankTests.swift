import Testing
import PDQTestSupport
import PDQ

/// `hash` with the given bit positions flipped (a position listed twice flips back).
func flipping(_ hash: PDQHash, bits: [Int]) -> PDQHash {
    var w = [hash.words.0, hash.words.1, hash.words.2, hash.words.3]
    for b in bits { w[b / 64] ^= 1 << UInt64(b % 64) }
    return PDQHash(words: (w[0], w[1], w[2], w[3]))
}

@Suite("HashBank exact nearest-neighbour scan")
struct HashBankTests {
    @Test("an empty bank finds nothing")
    func emptyBankFindsNothing() {
        let bank = HashBank()
        #expect(bank.isEmpty && bank.count == 0)
        #expect(bank.nearest(to: .zero, maxDistance: 256).isEmpty)
    }

    @Test("matches come nearest first, ties by id, and maxDistance is inclusive")
    func matchesAreOrderedAndBounded() {
        var rng = SplitMix64(seed: 9)
        let query = rng.hash()
        var bank = HashBank()
        bank.add(id: "far", hash: flipping(query, bits: Array(0..<40)))
        bank.add(id: "b-31", hash: flipping(query, bits: Array(100..<131)))
        bank.add(id: "a-31", hash: flipping(query, bits: Array(0..<31)))
        bank.add(id: "exact", hash: query)
        bank.add(id: "five", hash: flipping(query, bits: [1, 70, 140, 200, 255]))
        let hits = bank.nearest(to: query, maxDistance: 31)
        #expect(hits.map(\.id) == ["exact", "five", "a-31", "b-31"])
        #expect(hits.map(\.distance) == [0, 5, 31, 31])
        #expect(bank.nearest(to: query, maxDistance: 30).map(\.id) == ["exact", "five"])
        #expect(bank.nearest(to: query, maxDistance: 31, limit: 2).map(\.id) == ["exact", "five"])
        #expect(bank.nearest(to: query, maxDistance: 31, limit: 0).isEmpty)
    }

    @Test("adding an existing id replaces its hash")
    func addingExistingIdReplaces() {
        var rng = SplitMix64(seed: 10)
        let old = rng.hash(), new = rng.hash()
        var bank = HashBank([(id: "clip-1", hash: old), (id: "clip-2", hash: rng.hash())])
        bank.add(id: "clip-1", hash: new)
        #expect(bank.count == 2)
        #expect(bank.hash(for: "clip-1") == new)
        #expect(bank.nearest(to: old, maxDistance: 31).isEmpty)
        #expect(bank.nearest(to: new, maxDistance: 0).map(\.id) == ["clip-1"])
    }

    @Test("removal keeps every other entry findable")
    func removalKeepsOthersFindable() {
        var rng = SplitMix64(seed: 11)
        let entries = (0..<50).map { (id: "h\($0)", hash: rng.hash()) }
        var bank = HashBank(entries)
        for i in stride(from: 0, to: 50, by: 3) {
            #expect(bank.remove(id: "h\(i)") == entries[i].hash)
        }
        #expect(bank.remove(id: "h0") == nil)
        #expect(bank.remove(id: "never-added") == nil)
        #expect(bank.count == 50 - 17)
        for (i, entry) in entries.enumerated() {
            let hits = bank.nearest(to: entry.hash, maxDistance: 0).map(\.id)
            #expect(hits == (i % 3 == 0 ? [] : [entry.id]))
            #expect(bank.hash(for: entry.id) == (i % 3 == 0 ? nil : entry.hash))
        }
        #expect(Set(bank.entries.map(\.id)) == Set(entries.indices.filter { $0 % 3 != 0 }.map { "h\($0)" }))
    }

    @Test("the scan agrees with a brute-force distance check", arguments: [0, 8, 31, 100, 128])
    func scanAgreesWithBruteForce(maxDistance: Int) {
        var rng = SplitMix64(seed: UInt64(20 + maxDistance))
        var entries = (0..<3000).map { (id: "r\($0)", hash: rng.hash()) }
        // Plant near neighbours of the query so small thresholds have something to find.
        let query = rng.hash()
        for k in 0..<40 {
            let bits = (0..<(k % 35)).map { _ in Int(rng.next() % 256) }
            entries.append((id: "n\(k)", hash: flipping(query, bits: bits)))
        }
        let bank = HashBank(entries)
        let expected = entries.map { (id: $0.id, distance: $0.hash.hammingDistance(to: query)) }
            .filter { $0.distance <= maxDistance }
            .sorted { ($0.distance, $0.id) < ($1.distance, $1.id) }
        let hits = bank.nearest(to: query, maxDistance: maxDistance)
        #expect(hits.map(\.id) == expected.map(\.id))
        #expect(hits.map(\.distance) == expected.map(\.distance))
    }

    @Test("a mirrored copy is caught through the dihedral hashes, not the plain one")
    func mirroredCopyIsCaughtViaDihedralHashes() throws {
        let removed = try PDQFixtures.pixels(PDQFixtures.named("bridge-320"))
        var bank = HashBank()
        bank.add(id: "removed-clip/frame-0", hash: try removed.pdq().hash)
        for name in ["q0746", "q2821", "pen-64"] {
            bank.add(id: name, hash: try PDQFixtures.pixels(PDQFixtures.named(name)).pdq().hash)
        }
        let mirrored = removed.transformed(.flipY)
        #expect(bank.nearest(to: try mirrored.pdq().hash, maxDistance: 31).isEmpty)
        let variants = try PDQHasher.dihedralHashes(rgb: mirrored.bytes, width: mirrored.width, height: mirrored.height).hashes
        let hits = bank.nearest(to: variants, maxDistance: 31)
        #expect(hits.map(\.id) == ["removed-clip/frame-0"])
    }
}
