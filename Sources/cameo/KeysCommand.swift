import ArgumentParser
import CameoCore
import Foundation
import Store

/// `cameo keys`: the ledger signing key.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "Manage the ledger signing key.",
                                                     subcommands: [Init.self])

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "init", abstract: "Create the ledger key pair if absent; print the public key path.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await runReporting(json: global.json) {
                let dir = global.directory
                let created = try dir.initKeys()
                if global.json {
                    try printJSON(["created": .bool(created), "public_key": .string(dir.publicKeyPath), "private_key": .string(dir.privateKeyPath)])
                } else {
                    print(dir.publicKeyPath)
                }
            }
        }
    }
}
