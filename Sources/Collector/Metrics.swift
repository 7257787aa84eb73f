import Foundation
import Synchronization

/// Counters and gauges for `GET /metrics`, written in the Prometheus text exposition format 0.0.4
/// (names `cellwatch_…`, base units, bounded labels).
public final class CollectorMetrics: Sendable {
    private struct Counters {
        var reports = 0
        var records: [String: Int] = ["observation": 0, "suspect": 0, "evidence": 0]
        var duplicates = 0
        var rejected: [Int: Int] = [:]
        var alertsPublished = 0
        var ingestSeconds = 0.0
        var logins: [String: Int] = ["ok": 0, "failed": 0]
    }
    private let c = Mutex(Counters())

    public init() {}

    func reportAccepted(observations: Int, suspects: Int, evidence: Int, duplicates: Int, seconds: Double) {
        c.withLock {
            $0.reports += 1
            $0.records["observation", default: 0] += observations
            $0.records["suspect", default: 0] += suspects
            $0.records["evidence", default: 0] += evidence
            $0.duplicates += duplicates
            $0.ingestSeconds += seconds
        }
    }

    func reportRejected(status: Int) { c.withLock { $0.rejected[status, default: 0] += 1 } }
    func alertPublished() { c.withLock { $0.alertsPublished += 1 } }
    func login(ok: Bool) { c.withLock { $0.logins[ok ? "ok" : "failed", default: 0] += 1 } }

    /// The exposition text; gauges are passed in by the caller (they come from storage and the hub).
    public func exposition(openAlerts: Int, sensors: Int, streamSubscribers: Int) -> String {
        let s = c.withLock { $0 }
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        family("cellwatch_reports_total", "counter", "Reports accepted from sensors.")
        out += "cellwatch_reports_total \(s.reports)\n"
        family("cellwatch_records_total", "counter", "Records stored, by kind.")
        for k in s.records.keys.sorted() { out += "cellwatch_records_total{kind=\"\(k)\"} \(s.records[k]!)\n" }
        family("cellwatch_duplicate_records_total", "counter", "Records received again and not stored twice.")
        out += "cellwatch_duplicate_records_total \(s.duplicates)\n"
        family("cellwatch_reports_rejected_total", "counter", "Reports rejected, by HTTP status.")
        for k in s.rejected.keys.sorted() { out += "cellwatch_reports_rejected_total{status=\"\(k)\"} \(s.rejected[k]!)\n" }
        family("cellwatch_ingest_seconds_total", "counter", "Time spent handling accepted reports.")
        out += "cellwatch_ingest_seconds_total \(s.ingestSeconds)\n"
        family("cellwatch_alert_events_total", "counter", "Alert changes published to the live stream.")
        out += "cellwatch_alert_events_total \(s.alertsPublished)\n"
        family("cellwatch_logins_total", "counter", "User logins, by result.")
        for k in s.logins.keys.sorted() { out += "cellwatch_logins_total{result=\"\(k)\"} \(s.logins[k]!)\n" }
        family("cellwatch_open_alerts", "gauge", "Alerts not resolved.")
        out += "cellwatch_open_alerts \(openAlerts)\n"
        family("cellwatch_sensors", "gauge", "Registered sensors.")
        out += "cellwatch_sensors \(sensors)\n"
        family("cellwatch_stream_subscribers", "gauge", "Open live alert streams.")
        out += "cellwatch_stream_subscribers \(streamSubscribers)\n"
        return out
    }
}
