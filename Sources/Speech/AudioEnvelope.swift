/// Pure signal helpers for correlating speech energy with other evidence (e.g. mouth opening).
public enum AudioEnvelope {
    /// RMS energy (in Int16 sample units, 0...32768) of a window of `window` seconds centred on
    /// each of `times` (seconds from the first sample).
    ///
    /// Windows are clamped to the audio: near the ends only the part inside the clip is used, so
    /// the window shrinks rather than shifts. A window with no samples inside the clip (empty
    /// audio, a time far outside it, or a non-positive `sampleRate`) yields 0. A window shorter
    /// than one sample covers exactly the sample at `time`.
    public static func rms(samples: [Int16], sampleRate: Int, at times: [Double], window: Double) -> [Double] {
        guard sampleRate > 0, !samples.isEmpty else { return times.map { _ in 0 } }
        let rate = Double(sampleRate)
        let half = max(window, 0) * rate / 2
        // Prefix sums of squares make each window O(1); Double is exact well past any clip length.
        var prefix = [Double](repeating: 0, count: samples.count + 1)
        for (i, s) in samples.enumerated() {
            let v = Double(s)
            prefix[i + 1] = prefix[i] + v * v
        }
        return times.map { time in
            guard time.isFinite else { return 0 }
            let n = Double(samples.count)
            let centre = time * rate
            var lo = (centre - half).rounded(.toNearestOrEven)
            var hi = (centre + half).rounded(.toNearestOrEven)  // exclusive
            if hi <= lo { lo = centre.rounded(.down); hi = lo + 1 }
            // Clamp in floating point first so huge times cannot overflow Int.
            lo = min(max(lo, 0), n)
            hi = min(max(hi, 0), n)
            let (a, b) = (Int(lo), Int(hi))
            guard b > a else { return 0 }
            return ((prefix[b] - prefix[a]) / Double(b - a)).squareRoot()
        }
    }
}
