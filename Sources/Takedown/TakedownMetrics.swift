import Foundation
import Metrics

/// Takedown metrics (swift-metrics; exported by the server's Prometheus registry).
enum TakedownMetrics {
    /// Records a human decision: time from intake, and whether the SLA deadline had passed.
    static func decided(_ c: TakedownCase, now: Date) {
        Timer(label: "cameo_takedown_time_to_decision_seconds", dimensions: [("type", c.report.type)])
            .recordNanoseconds(Int64(max(0, now.timeIntervalSince(c.createdAt)) * 1e9))
        if now > c.slaDeadline {
            Counter(label: "cameo_takedown_sla_breaches_total", dimensions: [("type", c.report.type)]).increment()
        }
    }

    /// Records a report at intake.
    static func received(_ type: String, automatic: Bool) {
        Counter(label: "cameo_takedown_reports_total", dimensions: [("type", type), ("automatic_action", String(automatic))]).increment()
    }
}

extension TakedownService {
    /// Sets the queue-depth gauges (called when metrics are scraped).
    public func recordQueueDepth(now: Date = Date()) {
        let waiting = (try? queue(type: nil, now: now, limit: 100_000)) ?? []
        for type in ["copyright", "likeness", "misuse"] {
            let items = waiting.filter { $0.report.type == type }
            Gauge(label: "cameo_takedown_queue_depth", dimensions: [("type", type)]).record(items.count)
            Gauge(label: "cameo_takedown_overdue", dimensions: [("type", type)]).record(items.filter { now > $0.slaDeadline }.count)
        }
    }
}
