import ArgumentParser
import Foundation
import Logging
import Policy
import Server
import Store

/// `cameo serve`: the HTTP service, on the embedded SQLite store or (`--database`) PostgreSQL.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the HTTP service.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Port to bind (0 picks a free one).") var port = 8080
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel = "info"
    @Option(help: "This node's name in job claims; nodes sharing a PostgreSQL database need distinct names (default: host:port).") var nodeID: String?

    func run() async throws {
        try await runReporting(json: global.json) {
            LoggingSystem.bootstrap { label in
                var h = StreamLogHandler.standardError(label: label)
                h.logLevel = Logger.Level(rawValue: logLevel) ?? .info
                return h
            }
            let logger = Logger(label: "cameoguard")
            let services = try Services(dataDirectory: global.directory,
                                        policies: PolicySet.load(directory: global.policies),
                                        node: nodeID ?? "\(ProcessInfo.processInfo.hostName):\(port)")
            try await services.start()
            logger.info("starting", metadata: ["data_dir": "\(global.dataDir)", "database": "\(services.database.dialect)", "ledger_size": "\(services.ledger.size)",
                                               "policy_hash": "\(services.policies.hash)"])
            try await CameoServer.run(services, host: host, port: port, logger: logger) { port in
                logger.notice("listening", metadata: ["url": "http://\(host):\(port)", "openapi": "http://\(host):\(port)/openapi.json"])
            }
            services.stop()  // after graceful shutdown: in-flight requests and ledger batches are done
        }
    }
}
