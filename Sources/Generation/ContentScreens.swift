import FaceMatch

/// Checks the takedown workflow adds to every post-check: likenesses blocked by a removal,
/// and frames matching removed content (the PDQ hash bank). Empty until takedown installs them.
public struct ContentScreens: Sendable {
    /// Subjects whose likeness may not appear in any new clip.
    public var blockedLikenesses: @Sendable () -> Set<String>
    /// Reasons for each sampled frame that matches removed content (empty: no hit).
    public var removedContent: @Sendable ([RGBImage]) -> [String]

    /// Screens that find nothing.
    public init(blockedLikenesses: @escaping @Sendable () -> Set<String> = { [] },
                removedContent: @escaping @Sendable ([RGBImage]) -> [String] = { _ in [] }) {
        self.blockedLikenesses = blockedLikenesses
        self.removedContent = removedContent
    }
}
