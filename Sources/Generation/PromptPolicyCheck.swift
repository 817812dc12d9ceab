import CameoCore
import Foundation
import Policy

/// The prompt pre-check: which content tags a prompt carries, and whether policy blocks it.
public enum PromptPolicyCheck {
    /// The outcome: tags found, and the rule that blocked it, if any.
    public struct Outcome: Sendable, Equatable {
        public let tags: [String]
        public let blockedBy: String?
    }

    /// Tags `prompt` by whole-word (and whole-phrase) matches of the policy's word lists.
    public static func evaluate(_ prompt: String, policy: ContentPolicy) -> Outcome {
        let words = prompt.lowercased().split { !$0.isLetter && !$0.isNumber && $0 != "'" }.map(String.init)
        let joined = " " + words.joined(separator: " ") + " "
        var tags: [String] = []
        for (tag, terms) in policy.tags where terms.contains(where: { joined.contains(" " + $0 + " ") }) {
            tags.append(tag)
        }
        tags.sort()
        if let t = policy.blocked.sorted().first(where: tags.contains) {
            return Outcome(tags: tags, blockedBy: "content tag \(t) is not allowed")
        }
        if let combo = policy.blockedTogether.first(where: { $0.allSatisfy(tags.contains) }) {
            return Outcome(tags: tags, blockedBy: "content tags \(combo.joined(separator: " + ")) are not allowed together")
        }
        return Outcome(tags: tags, blockedBy: nil)
    }
}
