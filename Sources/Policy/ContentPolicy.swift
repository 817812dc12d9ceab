/// `Policies/content.yaml`: prompt tagging rules.
public struct ContentPolicy: Sendable, Codable, Equatable {
    /// Tag → words/phrases that set it.
    public var tags: [String: [String]]
    /// Tags that reject a prompt outright.
    public var blocked: [String]
    /// Tag combinations that reject a prompt together.
    public var blockedTogether: [[String]]
    /// Longest prompt in characters.
    public var maxPromptLength: Int

    enum CodingKeys: String, CodingKey {
        case tags, blocked, blockedTogether = "blocked_together", maxPromptLength = "max_prompt_length"
    }

    func validate() throws {
        let valid = { (t: String) in !t.isEmpty && t.utf8.count <= 32 && t.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F } }
        for (t, words) in tags {
            guard valid(t) else { throw PolicyError("policy_invalid", "content.yaml: tag \(t.debugDescription) must be [a-z_]{1,32}") }
            guard !words.isEmpty, words.allSatisfy({ !$0.isEmpty && $0 == $0.lowercased() }) else {
                throw PolicyError("policy_invalid", "content.yaml: tag \(t) needs non-empty lowercase words")
            }
        }
        for t in blocked + blockedTogether.flatMap({ $0 }) where tags[t] == nil {
            throw PolicyError("policy_invalid", "content.yaml: rule names unknown tag \(t)")
        }
        guard (1...20_000).contains(maxPromptLength) else { throw PolicyError("policy_invalid", "content.yaml: max_prompt_length must be 1-20000") }
    }
}

/// `Policies/generation.yaml`: output format and worker count.
public struct GenerationPolicy: Sendable, Codable, Equatable {
    public var width: Int
    public var height: Int
    public var fps: Int
    public var duration: Double
    public var maxCameos: Int
    public var workers: Int
    /// How long a node's claim on a job lasts; a job whose node died is run again after this.
    public var jobLeaseSeconds: Int
    /// How often idle workers look for jobs submitted on other nodes.
    public var jobPollMilliseconds: Int

    enum CodingKeys: String, CodingKey {
        case width, height, fps, duration, maxCameos = "max_cameos", workers
        case jobLeaseSeconds = "job_lease_seconds", jobPollMilliseconds = "job_poll_milliseconds"
    }

    func validate() throws {
        guard (64...1920).contains(width), (64...1920).contains(height), width % 2 == 0, height % 2 == 0 else {
            throw PolicyError("policy_invalid", "generation.yaml: width/height must be even, 64-1920")
        }
        guard (1...60).contains(fps), duration > 0, duration <= 60 else { throw PolicyError("policy_invalid", "generation.yaml: fps 1-60, duration (0, 60]") }
        guard (1...4).contains(maxCameos), (1...8).contains(workers) else { throw PolicyError("policy_invalid", "generation.yaml: max_cameos 1-4, workers 1-8") }
        guard (30...86_400).contains(jobLeaseSeconds), (10...60_000).contains(jobPollMilliseconds) else {
            throw PolicyError("policy_invalid", "generation.yaml: job_lease_seconds 30-86400, job_poll_milliseconds 10-60000")
        }
    }
}
