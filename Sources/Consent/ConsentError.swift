import CameoCore

/// The one error type of the `Consent` module: a stable code from `ConsentError.Code`, a human
/// message, the coarse `ErrorKind` the HTTP layer maps to a status, and the source location
/// that raised it (for logs; never shown to clients).
public struct ConsentError: CodedError, Equatable {
    /// Stable machine codes. Raw values are published API: never reword one.
    public enum Code: String, Sendable, CaseIterable {
        /// A use is not `[a-z_]{1,32}` (or `*` where a wildcard is not allowed).
        case invalidUse = "invalid_use"
        /// A content tag is not `[a-z_]{1,32}`.
        case invalidTag = "invalid_tag"
        /// A grant is structurally wrong (empty uses, misplaced wildcard, self in list…).
        case invalidGrant = "invalid_grant"
        /// A grant's expiry is not after the time it is created.
        case expiryInPast = "expiry_in_past"
        /// A grant would live longer than `ConsentLimits.maxLifetime`.
        case grantLifetimeExceeded = "grant_lifetime_exceeded"
        /// An approved list is longer than `ConsentLimits.maxApprovedList`.
        case approvedListTooLong = "approved_list_too_long"
        /// A grant's free-text preferences exceed `Grant.maxPreferencesLength` characters.
        case preferencesTooLong = "preferences_too_long"
        /// `ConsentLimits` values are out of range (non-positive, default above maximum).
        case invalidLimits = "invalid_limits"
        /// A check request is malformed (no cameos, duplicate cameos, wildcard use).
        case invalidRequest = "invalid_request"
        /// A check names more cameos than `ConsentRequest.maxCameos`.
        case tooManyCameos = "too_many_cameos"
        /// A relationship event is malformed (a subject following itself).
        case invalidRelationship = "invalid_relationship"
        /// An event or request names a subject the index does not know.
        case unknownSubject = "unknown_subject"
        /// A revocation names a grant the index does not know.
        case unknownGrant = "unknown_grant"
        /// A grant id is already taken.
        case duplicateGrant = "duplicate_grant"
        /// A grant is revoked a second time.
        case grantAlreadyRevoked = "grant_already_revoked"
        /// An erased subject would be brought back (erasure is final).
        case subjectErased = "subject_erased"

        /// The coarse class each code belongs to.
        public var kind: ErrorKind {
            switch self {
            case .unknownSubject, .unknownGrant: .notFound
            case .duplicateGrant, .grantAlreadyRevoked, .subjectErased: .conflict
            case .tooManyCameos: .tooLarge
            default: .invalidInput
            }
        }
    }

    /// The stable code as an enum, for exhaustive matching.
    public let errorCode: Code
    /// Human-readable explanation; may change between releases.
    public let message: String
    /// The `#fileID` that raised the error.
    public let file: String
    /// The line that raised the error.
    public let line: Int

    /// Creates an error; `file` and `line` default to the caller's location.
    public init(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) {
        self.errorCode = code
        self.message = message
        self.file = file
        self.line = line
    }

    /// The stable string code, e.g. `approved_list_too_long`.
    public var code: String { errorCode.rawValue }
    /// The coarse class, derived from the code.
    public var kind: ErrorKind { errorCode.kind }

    /// Errors are equal when code and message are; the source location is not part of identity.
    public static func == (a: ConsentError, b: ConsentError) -> Bool {
        a.errorCode == b.errorCode && a.message == b.message
    }
}
