import Foundation
import Testing
@testable import FaceMatch

/// Real photos: the same person stays under the 0.6 threshold, different people exceed it.
@Suite("Matching real faces")
struct FaceMatchingTests {
    static let people: [String: [String]] = [
        "obama": ["faces/obama/1.jpg", "faces/obama/2.jpg", "faces/obama/3-720p.jpg", "faces/obama/4-small.jpg"],
        "biden": ["faces/biden/1.jpg", "faces/biden/2.jpg"],
        "kit_harington": ["faces/kit_harington/1.jpg", "faces/kit_harington/2.jpg"],
        "rose_leslie": ["faces/rose_leslie/1.jpg", "faces/rose_leslie/2.jpg"],
        "alex_lacamoire": ["faces/alex_lacamoire/1.png", "faces/alex_lacamoire/2.jpg"],
        "lin_manuel_miranda": ["faces/lin_manuel_miranda/1.png"],
    ]

    /// The single face of a portrait fixture.
    static func descriptor(_ path: String) throws -> FaceDescriptor {
        let faces = try Fixtures.sharedEngine().detectFaces(in: Fixtures.image(path))
        try #require(faces.count == 1, "\(path) should show exactly one face, found \(faces.count)")
        return faces[0].descriptor
    }

    @Test("photos of the same person are closer than 0.6, of different people farther")
    func sameAndDifferentPeople() throws {
        var descriptors: [(person: String, path: String, descriptor: FaceDescriptor)] = []
        for (person, paths) in Self.people.sorted(by: { $0.key < $1.key }) {
            for path in paths { descriptors.append((person, path, try Self.descriptor(path))) }
        }
        var sameMax: Float = 0
        var differentMin: Float = .infinity
        for i in descriptors.indices {
            for j in descriptors.indices where j > i {
                let a = descriptors[i], b = descriptors[j]
                let comparison = a.descriptor.compare(with: b.descriptor)
                if a.person == b.person {
                    sameMax = max(sameMax, comparison.distance)
                    #expect(comparison == .samePerson(distance: comparison.distance), "\(a.path) vs \(b.path)")
                } else {
                    differentMin = min(differentMin, comparison.distance)
                    #expect(comparison == .differentPerson(distance: comparison.distance), "\(a.path) vs \(b.path)")
                }
            }
        }
        print("matching: max same-person distance \(sameMax), min different-person distance \(differentMin)")
    }

    @Test("the group photo yields two faces of two different people")
    func groupPhotoHasTwoFaces() throws {
        let faces = try Fixtures.sharedEngine().detectFaces(in: Fixtures.image("groups/two_people.jpg"))
        #expect(faces.count == 2)
        if faces.count == 2 {
            #expect(faces[0].descriptor.distance(to: faces[1].descriptor) > FaceDescriptor.defaultThreshold)
        }
    }

    @Test("descriptor distance is symmetric, zero to itself and consistent with the gallery")
    func distanceProperties() throws {
        let a = try Self.descriptor("faces/obama/1.jpg")
        let b = try Self.descriptor("faces/biden/1.jpg")
        #expect(a.distance(to: a) == 0)
        #expect(a.distance(to: b) == b.distance(to: a))
        var gallery = Gallery()
        try gallery.add(id: "biden", descriptor: b)
        try gallery.add(id: "obama", descriptor: a)
        let query = try Self.descriptor("faces/obama/2.jpg")
        guard case .match(let best) = gallery.decide(query) else {
            Issue.record("obama/2.jpg should match the enrolled Obama")
            return
        }
        #expect(best.id == "obama")
        #expect(abs(best.distance - query.distance(to: a)) < 1e-5)
    }

    @Test("face chips have the requested size and bad sizes are rejected")
    func faceChipSizes() throws {
        let engine = try Fixtures.sharedEngine()
        let image = try Fixtures.image("faces/obama/1.jpg")
        let location = try #require(try engine.locateFaces(in: image).first)
        let chip = try engine.faceChip(for: location, in: image)
        #expect(chip.width == 150 && chip.height == 150)
        let big = try engine.faceChip(for: location, in: image, size: 300, padding: 0.5)
        #expect(big.width == 300 && big.height == 300)
        #expect(throws: FaceMatchError.self) { try engine.faceChip(for: location, in: image, size: 0) }
        #expect(throws: FaceMatchError.self) { try engine.faceChip(for: location, in: image, padding: -1) }
    }
}
