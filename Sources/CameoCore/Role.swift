/// The roles an API key can hold. Each endpoint names the roles it admits.
public enum Role: String, Sendable, Codable, CaseIterable {
    /// The app backend: subjects, grants, checks, generations, reports.
    case service
    /// A moderator working the takedown queue.
    case moderator
    /// A senior moderator: escalations and appeals.
    case senior
    /// An auditor: read-only access to the ledger.
    case auditor
    /// An administrator: keys and operations.
    case admin
}
