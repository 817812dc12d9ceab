/// The result of recognising a spoken digit string.
public struct DigitTranscript: Sendable, Equatable {
    /// Recognised digits as ASCII, e.g. `"3719"`; spoken "oh" is mapped to `"0"`.
    ///
    /// Usually `digitCount` long. It can be shorter (even empty) when the decoder never reached
    /// the end of the grammar — treat any length mismatch as a failed read.
    public let digits: String
    /// The recognised words in order, e.g. `["three", "seven", "one", "nine"]` (pronunciation
    /// variant suffixes such as `(2)` removed).
    public let words: [String]
    /// PocketSphinx path score of the best hypothesis (log domain, base 1.0001; closer to 0 is
    /// better). Only comparable between decodes of the same audio.
    public let score: Int32
    /// Log posterior probability of the hypothesis from the lattice (base 1.0001, 0 = certain),
    /// or `nil` when the decoder produced no hypothesis.
    public let probability: Int32?

    /// Creates a transcript (normally only the recogniser does this).
    public init(digits: String, words: [String], score: Int32, probability: Int32?) {
        self.digits = digits
        self.words = words
        self.score = score
        self.probability = probability
    }
}
