import CDlib

extension FaceEngine {
    /// Finds every face in `image` and computes its descriptor, highest confidence first.
    ///
    /// With default options this reproduces `face_recognition.face_locations` followed by
    /// `face_recognition.face_encodings` (HOG, one upsample, no jitter).
    public func detectFaces(in image: RGBImage, options: DetectionOptions = DetectionOptions()) throws -> [DetectedFace] {
        try withHandle { handle in
            let locations = try Self.locate(handle, image, options)
            let descriptors = try Self.describe(handle, image, locations)
            return zip(locations, descriptors).map { DetectedFace(location: $0, descriptor: $1) }
        }
    }

    /// Finds faces and their landmarks without computing descriptors (cheaper).
    public func locateFaces(in image: RGBImage, options: DetectionOptions = DetectionOptions()) throws -> [FaceLocation] {
        try withHandle { handle in try Self.locate(handle, image, options) }
    }

    /// Computes descriptors for faces already located in `image`.
    public func descriptors(for locations: [FaceLocation], in image: RGBImage) throws -> [FaceDescriptor] {
        try withHandle { handle in try Self.describe(handle, image, locations) }
    }

    /// Extracts the aligned face chip dlib feeds to the recognition model: `size` x `size` RGB,
    /// eyes and nose at fixed positions, `padding` times the face size added on each side.
    public func faceChip(for location: FaceLocation, in image: RGBImage,
                         size: Int = 150, padding: Double = 0.25) throws -> RGBImage {
        guard (1...4096).contains(size), (0.0...4.0).contains(padding) else {
            throw FaceMatchError(.invalidArgument, "chip size must be 1...4096 and padding 0...4")
        }
        var rect = Self.shimRect(location)
        var points = Self.shimPoints(location.landmarks)
        return try RGBImage(width: size, height: size) { out in
            var error = cdlib_error()
            let status = image.pixels.withUnsafeBufferPointer { px in
                cdlib_face_chip(px.baseAddress, Int32(image.width), Int32(image.height), &rect,
                                &points, Int32(size), padding, out.baseAddress, &error)
            }
            try Self.check(status, error, "face chip")
        }
    }

    // MARK: - Shim calls (the caller holds the lock)

    private static func locate(_ handle: OpaquePointer, _ image: RGBImage,
                               _ options: DetectionOptions) throws -> [FaceLocation] {
        guard (0...4).contains(options.upsample) else {
            throw FaceMatchError(.invalidArgument, "upsample must be 0...4, got \(options.upsample)")
        }
        let detector: cdlib_detector = options.detector == .hog ? CDLIB_DETECTOR_HOG : CDLIB_DETECTOR_CNN
        var rects = [cdlib_rect](repeating: cdlib_rect(), count: maxFacesPerImage)
        var count: Int32 = 0
        var error = cdlib_error()
        let status = image.pixels.withUnsafeBufferPointer { px in
            cdlib_detect(handle, px.baseAddress, Int32(image.width), Int32(image.height),
                         Int32(detector.rawValue), Int32(options.upsample),
                         &rects, Int32(rects.count), &count, &error)
        }
        try check(status, error, "face detection")
        var locations: [FaceLocation] = []
        for var rect in rects.prefix(min(Int(count), maxFacesPerImage)) {
            var points = [cdlib_point](repeating: cdlib_point(), count: 5)
            let status = image.pixels.withUnsafeBufferPointer { px in
                cdlib_landmarks(handle, px.baseAddress, Int32(image.width), Int32(image.height),
                                &rect, &points, &error)
            }
            try check(status, error, "landmarks")
            let landmarks = try FaceLandmarks(points: points.map { FacePoint(x: Int($0.x), y: Int($0.y)) })
            let box = FaceBox(left: Int(rect.left), top: Int(rect.top), right: Int(rect.right), bottom: Int(rect.bottom))
            locations.append(FaceLocation(box: box, confidence: rect.confidence, landmarks: landmarks))
        }
        return locations
    }

    private static func describe(_ handle: OpaquePointer, _ image: RGBImage,
                                 _ locations: [FaceLocation]) throws -> [FaceDescriptor] {
        guard !locations.isEmpty else { return [] }
        var rects = locations.map(shimRect)
        var points = locations.flatMap { shimPoints($0.landmarks) }
        var out = [Float](repeating: 0, count: locations.count * FaceDescriptor.dimension)
        var error = cdlib_error()
        let status = image.pixels.withUnsafeBufferPointer { px in
            cdlib_descriptors(handle, px.baseAddress, Int32(image.width), Int32(image.height),
                              &rects, &points, Int32(locations.count), &out, &error)
        }
        try check(status, error, "descriptors")
        return (0..<locations.count).map { i in
            let start = i * FaceDescriptor.dimension
            return FaceDescriptor(unchecked: Array(out[start..<start + FaceDescriptor.dimension]))
        }
    }

    private static func shimRect(_ location: FaceLocation) -> cdlib_rect {
        let b = location.box
        return cdlib_rect(left: Int64(b.left), top: Int64(b.top), right: Int64(b.right),
                          bottom: Int64(b.bottom), confidence: location.confidence)
    }

    private static func shimPoints(_ landmarks: FaceLandmarks) -> [cdlib_point] {
        landmarks.points.map { cdlib_point(x: Int64($0.x), y: Int64($0.y)) }
    }
}
