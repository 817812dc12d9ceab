import CameoCore
import Foundation

/// A report as submitted by the backend on behalf of the reporter.
public struct ReportIn: Sendable, Codable, Equatable {
    /// `copyright`, `likeness` or `misuse`.
    public let type: String
    /// The client's id for idempotent retries.
    public let clientReportID: String
    /// The reported generation.
    public let generationID: String
    /// Reporter's subject id (likeness: the person; copyright/misuse: optional).
    public let reporter: SubjectID?
    /// Copyright: the DMCA §512(c)(3) notice.
    public let notice: CopyrightNotice?
    /// Misuse: category and free text.
    public let category: String?
    public let details: String?

    enum CodingKeys: String, CodingKey {
        case type, reporter, notice, category, details
        case clientReportID = "client_report_id", generationID = "generation_id"
    }

    /// Creates a report.
    public init(type: String, clientReportID: String, generationID: String, reporter: SubjectID?, notice: CopyrightNotice?, category: String?, details: String?) {
        self.type = type; self.clientReportID = clientReportID; self.generationID = generationID; self.reporter = reporter
        self.notice = notice; self.category = category; self.details = details
    }
}

/// The elements of a DMCA notification, 17 U.S.C. §512(c)(3)(A)(i)–(vi).
public struct CopyrightNotice: Sendable, Codable, Equatable {
    public let complainantName: String?
    public let complainantContact: String?
    /// (i) physical or electronic signature of the person authorized to act.
    public let signature: String?
    /// (ii) identification of the copyrighted work claimed to be infringed.
    public let copyrightedWork: String?
    /// (iii) identification of the infringing material (a generation id or URL).
    public let infringingMaterial: String?
    /// (v) good-faith belief that the use is not authorized.
    public let goodFaithStatement: Bool?
    /// (vi) accuracy, under penalty of perjury, and authority to act.
    public let accuracyStatement: Bool?
    public let authorityToAct: Bool?

    enum CodingKeys: String, CodingKey {
        case signature
        case complainantName = "complainant_name", complainantContact = "complainant_contact"
        case copyrightedWork = "copyrighted_work", infringingMaterial = "infringing_material"
        case goodFaithStatement = "good_faith_statement", accuracyStatement = "accuracy_statement", authorityToAct = "authority_to_act"
    }

    /// The names of missing or false elements (empty when the notice is complete).
    public var missingElements: [String] {
        var m: [String] = []
        func text(_ v: String?, _ name: String) { if (v ?? "").trimmingCharacters(in: .whitespaces).isEmpty { m.append(name) } }
        text(complainantName, "complainant_name")
        text(complainantContact, "complainant_contact")
        text(signature, "signature")
        text(copyrightedWork, "copyrighted_work")
        text(infringingMaterial, "infringing_material")
        if goodFaithStatement != true { m.append("good_faith_statement") }
        if accuracyStatement != true { m.append("accuracy_statement") }
        if authorityToAct != true { m.append("authority_to_act") }
        return m
    }
}

/// The elements of a counter-notification, 17 U.S.C. §512(g)(3).
public struct CounterNotice: Sendable, Codable, Equatable {
    public let name: String?
    public let contact: String?
    public let signature: String?
    /// (B) identification of the removed material.
    public let materialIdentified: String?
    /// (C) statement under penalty of perjury of good-faith belief of mistake or misidentification.
    public let mistakeStatement: Bool?
    /// (D) consent to jurisdiction and to accept service of process.
    public let consentToJurisdiction: Bool?

    enum CodingKeys: String, CodingKey {
        case name, contact, signature
        case materialIdentified = "material_identified", mistakeStatement = "mistake_statement", consentToJurisdiction = "consent_to_jurisdiction"
    }

    /// Missing or false elements.
    public var missingElements: [String] {
        var m: [String] = []
        for (v, n) in [(name, "name"), (contact, "contact"), (signature, "signature"), (materialIdentified, "material_identified")]
            where (v ?? "").trimmingCharacters(in: .whitespaces).isEmpty { m.append(n) }
        if mistakeStatement != true { m.append("mistake_statement") }
        if consentToJurisdiction != true { m.append("consent_to_jurisdiction") }
        return m
    }
}
