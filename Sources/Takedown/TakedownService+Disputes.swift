import CameoCore
import CameoCrypto
import Foundation
import Identity
import Ledger
import Store

/// Likeness disputes and protection: the senior-moderator side of identity.
extension TakedownService {
    /// Open disputes by deadline, or all.
    public func disputes(status: String? = "open") throws -> [DisputeRow] {
        if let status, !["open", "decided"].contains(status) {
            throw TakedownError("invalid_status", "status must be open or decided")
        }
        return try likenesses.disputes.disputes(status: status)
    }

    /// One dispute.
    public func dispute(_ id: String) throws -> DisputeRow { try likenesses.disputes.dispute(id) }

    /// Settles dispute `id` (senior moderators only, a reason of 10-5000 characters):
    /// - `different_people`: both likenesses stand;
    /// - `keep_earlier`: the later enrollment is erased;
    /// - `transfer`: the earlier (squatting) likeness is erased and its grants revoked, every
    ///   generation showing it is withheld, and its account gets a strike.
    /// Each step is a ledger entry.
    public func decideDispute(_ id: String, _ decision: DisputeDecision, reason: String, moderator: String, isSenior: Bool, now: Date = Date()) async throws -> DisputeRow {
        guard isSenior else { throw TakedownError("senior_only", "likeness disputes are decided by a senior moderator", kind: .forbidden) }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (10...5000).contains(reason.count) else { throw TakedownError("reason_required", "a written reason of 10-5000 characters is required") }
        let (erased, _) = try await likenesses.disputes.decide(id, decision, reason: reason, by: moderator, now: now)
        if let erased {
            likenesses.faces.remove(erased)
            likenesses.ownerKeys.forget(subject: erased)
        }
        if decision == .transfer, let squatter = erased {
            for g in try generations.appearances(of: squatter) where g.status == .released {
                try await generations.withhold(g.id, reason: "likeness dispute \(id): transferred", actor: moderator, now: now)
            }
            try await rows.addStrike(account: squatter.rawValue, caseID: id, at: now)
            try await enforceStrikes(squatter.rawValue, caseID: id, now: now)  // strike.added entry; suspension at the limit
        }
        return try likenesses.disputes.dispute(id)
    }

    /// Both enrollments' reference chips side by side with their subjects and distance (PNG).
    public func disputeSheet(_ id: String) throws -> [UInt8] {
        let d = try dispute(id)
        let chips = [d.earlierSubject, d.subject].map { s in (s, try? likenesses.referenceChip(s)) }
        let size = 150, pad = 10, header = 24
        let (w, h) = (size * 2 + pad * 3, size + pad * 2 + header * 2)
        var canvas = [UInt8](repeating: 24, count: w * h * 3)
        for (i, (_, chip)) in chips.enumerated() {
            guard let chip, chip.width == size, chip.height == size else { continue }
            let ox = pad + i * (size + pad), oy = pad + header
            for y in 0..<size {
                let dst = ((oy + y) * w + ox) * 3
                canvas.replaceSubrange(dst..<(dst + size * 3), with: chip.pixels[(y * size * 3)..<((y + 1) * size * 3)])
            }
        }
        var filters: [String] = []
        for (i, (subject, chip)) in chips.enumerated() {
            let label = "\(i == 0 ? "earlier" : "later") \(subject.rawValue)\(chip == nil ? " (erased)" : "")"
            filters.append("drawtext=fontfile=\(Self.font):text='\(label)':x=\(pad + i * (size + pad)):y=\(pad + 4):fontsize=11:fontcolor=white")
        }
        let verdict = String(format: "distance %.3f (dispute below %.2f)%@", d.distance, d.threshold, d.protected ? " protected" : "")
        filters.append("drawtext=fontfile=\(Self.font):text='\(verdict)':x=\(pad):y=\(h - header + 4):fontsize=12:fontcolor=yellow")
        return try Self.encodePNG(canvas, width: w, height: h, filters: filters)
    }

    /// Protects `subject`'s likeness (senior moderators): `public_figure`, `deceased` (at an
    /// estate's request) or `minor`. New enrollments of the face go to a senior dispute.
    public func protect(_ subject: SubjectID, category: String, reason: String, moderator: String, isSenior: Bool, now: Date = Date()) async throws -> UInt64 {
        guard isSenior else { throw TakedownError("senior_only", "likeness protection is set by a senior moderator", kind: .forbidden) }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (10...5000).contains(reason.count) else { throw TakedownError("reason_required", "a written reason of 10-5000 characters is required") }
        return try await likenesses.disputes.protect(subject, category: category, reason: reason, by: moderator, now: now)
    }

    /// Lifts a protection (senior moderators).
    public func unprotect(_ subject: SubjectID, reason: String, moderator: String, isSenior: Bool, now: Date = Date()) async throws -> UInt64 {
        guard isSenior else { throw TakedownError("senior_only", "likeness protection is lifted by a senior moderator", kind: .forbidden) }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (10...5000).contains(reason.count) else { throw TakedownError("reason_required", "a written reason of 10-5000 characters is required") }
        return try await likenesses.disputes.unprotect(subject, reason: reason, by: moderator, now: now)
    }
}
