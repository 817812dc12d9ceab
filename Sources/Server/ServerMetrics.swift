import Metrics
import Prometheus
import Synchronization

/// Process-wide metrics: swift-metrics bootstrapped once onto a Prometheus registry, which
/// `/metrics` renders in the text exposition format.
public enum ServerMetrics {
    private static let state = Mutex<PrometheusCollectorRegistry?>(nil)

    /// The registry, bootstrapping the metrics system on first use (bootstrap may run only once).
    public static var registry: PrometheusCollectorRegistry {
        state.withLock { r in
            if let r { return r }
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            r = registry
            return registry
        }
    }
}
