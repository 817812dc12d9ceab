import ArgumentParser
import CameoCore
import Foundation
import Ledger
import Policy
import Server
import Store

/// `cameo api-key`: local administration of API keys (opens the data directory directly).
struct APIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "api-key", abstract: "Create, list and revoke API keys.",
                                                     subcommands: [Create.self, Revoke.self, List.self])

    static func services(_ g: GlobalOptions) throws -> Services {
        try Services(dataDirectory: g.directory, policies: PolicySet.load(directory: g.policies))
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key; the token is printed once and never stored.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Role: service, moderator, senior, auditor, admin.") var role: String
        @Option(help: "A name for the key (who or what uses it).") var name: String

        func run() async throws {
            try await runReporting(json: global.json) {
                guard let role = Role(rawValue: role) else {
                    throw CoreError("invalid_role", "role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                let created = try await APIKeyCommand.services(global).apiKeys.create(name: name, role: role, actor: "cli:\(NSUserName())")
                if global.json { try printJSON(JSONValue.from(created)) } else {
                    print("id:    \(created.id)\nrole:  \(created.role.rawValue)\ntoken: \(created.token)\n(the token is shown once; store it now)")
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Key id.") var id: String

        func run() async throws {
            try await runReporting(json: global.json) {
                let index = try await APIKeyCommand.services(global).apiKeys.revoke(APIKeyID(id), actor: "cli:\(NSUserName())")
                if global.json { try printJSON(["id": .string(id), "ledger_index": .int(Int64(index))]) } else { print("revoked \(id) (ledger index \(index))") }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await runReporting(json: global.json) {
                let keys = try APIKeyCommand.services(global).apiKeys.list()
                if global.json {
                    try printJSON(.array(keys.map { ["id": .string($0.id.rawValue), "name": .string($0.name), "role": .string($0.role.rawValue),
                                                     "created_at": .string(Timestamp.format($0.createdAt)),
                                                     "revoked": .bool($0.revokedAt != nil)] }))
                } else {
                    for k in keys { print("\(k.id)\t\(k.role.rawValue)\t\(k.revokedAt == nil ? "active" : "revoked")\t\(k.name)") }
                }
            }
        }
    }
}
