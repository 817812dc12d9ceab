/// Splits free text into lowercase ASCII-alphanumeric words (other characters separate words);
/// the generator keys its scene and music choices off these.
enum PromptWords {
    static func split(_ text: String) -> [String] {
        var words: [String] = []
        var current: [UInt8] = []
        for var c in text.utf8 {
            if c >= 0x41 && c <= 0x5A { c += 0x20 }
            if (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7A) {
                current.append(c)
            } else if !current.isEmpty {
                words.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            }
        }
        if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
        return words
    }
}

/// An 8-bit RGB colour.
struct RGB: Equatable, Sendable {
    var r: UInt8, g: UInt8, b: UInt8

    /// From hue (0…1, wraps), saturation and value (0…1).
    init(h: Double, s: Double, v: Double) {
        let hh = (h - h.rounded(.down)) * 6
        let i = Int(hh) % 6
        let f = hh - Double(Int(hh))
        let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
        let (r, g, b): (Double, Double, Double) = switch i {
        case 0: (v, t, p)
        case 1: (q, v, p)
        case 2: (p, v, t)
        case 3: (p, q, v)
        case 4: (t, p, v)
        default: (v, p, q)
        }
        self.init(r: RGB.byte(r), g: RGB.byte(g), b: RGB.byte(b))
    }

    init(r: UInt8, g: UInt8, b: UInt8) { (self.r, self.g, self.b) = (r, g, b) }

    /// Linear mix: `t` = 0 gives `self`, 1 gives `other`.
    func mixed(with other: RGB, _ t: Double) -> RGB {
        func m(_ a: UInt8, _ b: UInt8) -> UInt8 { RGB.byte((Double(a) + (Double(b) - Double(a)) * t) / 255) }
        return RGB(r: m(r, other.r), g: m(g, other.g), b: m(b, other.b))
    }

    static func byte(_ x: Double) -> UInt8 { UInt8(max(0, min(255, (x * 255).rounded()))) }
}

/// Time of day, read from the prompt; sets sky colours, the sun or moon, and the music mode.
enum Mood: Equatable, Sendable { case day, sunset, night }

/// What covers the ground band.
enum Terrain: Equatable, Sendable { case water, grass, sand, snow, city, plain }

/// What drifts across the frame.
enum Weather: Equatable, Sendable { case motes, rain, snow, stars, bubbles }

/// The scene's colours and kinds, derived only from the prompt's words and the random stream.
struct ScenePalette: Equatable, Sendable {
    let mood: Mood
    let terrain: Terrain
    let weather: Weather
    let skyTop: RGB, skyHorizon: RGB
    let far: RGB, mid: RGB
    let groundNear: RGB, groundFar: RGB
    let sun: RGB, cloud: RGB, particle: RGB
    /// Colours of the floating shapes; one per prompt word that is not a keyword, else random.
    let accents: [RGB]

    init(words: [String], rng: inout Xoshiro256StarStar) {
        let has = { (keys: Set<String>) in words.contains(where: keys.contains) }
        mood = has(["night", "midnight", "moon", "stars", "dark", "starry"]) ? .night
            : has(["sunset", "dusk", "evening", "sunrise", "dawn", "golden"]) ? .sunset : .day
        terrain = has(["ocean", "sea", "beach", "lake", "river", "water", "surf"]) ? .water
            : has(["forest", "jungle", "park", "garden", "grass", "meadow", "field"]) ? .grass
            : has(["desert", "sand", "dune", "dunes", "canyon"]) ? .sand
            : has(["snow", "winter", "ice", "glacier", "ski"]) ? .snow
            : has(["city", "street", "urban", "town", "downtown"]) ? .city : .plain
        weather = has(["rain", "rainy", "storm", "stormy"]) ? .rain
            : (terrain == .snow || has(["snowing", "snowfall"])) ? .snow
            : mood == .night ? .stars
            : terrain == .water ? .bubbles : .motes

        // A hue from the whole prompt tints everything, so different prompts look different
        // even without keywords.
        let tint = Double(FNV1a64.hash(words.joined(separator: " ")) >> 11) * 0x1.0p-53
        switch mood {
        case .day:
            skyTop = RGB(h: 0.58 + (tint - 0.5) * 0.12, s: 0.65, v: 0.85)
            skyHorizon = RGB(h: 0.55 + (tint - 0.5) * 0.1, s: 0.25, v: 0.98)
            sun = RGB(r: 255, g: 244, b: 200)
        case .sunset:
            skyTop = RGB(h: 0.72 + (tint - 0.5) * 0.1, s: 0.55, v: 0.55)
            skyHorizon = RGB(h: 0.07 + (tint - 0.5) * 0.06, s: 0.75, v: 1.0)
            sun = RGB(r: 255, g: 190, b: 90)
        case .night:
            skyTop = RGB(h: 0.66 + (tint - 0.5) * 0.1, s: 0.7, v: 0.12)
            skyHorizon = RGB(h: 0.70 + (tint - 0.5) * 0.1, s: 0.5, v: 0.32)
            sun = RGB(r: 235, g: 235, b: 215)
        }
        let light = mood == .night ? 0.45 : mood == .sunset ? 0.75 : 1.0
        let groundHue: Double, groundSat: Double
        switch terrain {
        case .water: (groundHue, groundSat) = (0.56, 0.7)
        case .grass: (groundHue, groundSat) = (0.30, 0.6)
        case .sand: (groundHue, groundSat) = (0.11, 0.45)
        case .snow: (groundHue, groundSat) = (0.58, 0.06)
        case .city: (groundHue, groundSat) = (0.62, 0.08)
        case .plain: (groundHue, groundSat) = (tint, 0.45)
        }
        let hillHue = terrain == .snow ? 0.6 : (groundHue + 0.04 + rng.double(in: -0.03...0.03))
        far = RGB(h: hillHue + 0.05, s: groundSat * 0.5, v: 0.65 * light).mixed(with: skyHorizon, 0.45)
        mid = RGB(h: hillHue, s: min(1, groundSat * 0.9), v: 0.5 * light)
        groundFar = RGB(h: groundHue, s: groundSat * 0.8, v: (terrain == .snow ? 0.95 : 0.7) * light)
        groundNear = RGB(h: groundHue + 0.02, s: groundSat, v: (terrain == .snow ? 0.85 : 0.45) * light)
        cloud = mood == .night ? RGB(r: 70, g: 72, b: 100) : mood == .sunset ? RGB(r: 250, g: 200, b: 190) : RGB(r: 250, g: 250, b: 252)
        particle = switch weather {
        case .rain: RGB(r: 170, g: 190, b: 230)
        case .snow, .stars: RGB(r: 250, g: 250, b: 255)
        case .bubbles: RGB(r: 200, g: 235, b: 255)
        case .motes: RGB(h: tint + 0.5, s: 0.3, v: 1.0)
        }
        let stopWords: Set<String> = ["a", "an", "the", "of", "in", "on", "at", "and", "with", "to", "by"]
        var accents = words.filter { $0.count > 2 && !stopWords.contains($0) }.prefix(6).map { word in
            RGB(h: Double(FNV1a64.hash(word) >> 11) * 0x1.0p-53, s: 0.75, v: 0.95 * max(light, 0.7))
        }
        while accents.count < 3 { accents.append(RGB(h: rng.unit(), s: 0.7, v: 0.9)) }
        self.accents = accents
    }
}
