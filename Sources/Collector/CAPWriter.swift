import CellwatchModel
import Foundation

/// An alert as a CAP 1.2 message (OASIS Common Alerting Protocol v1.2, `urn:oasis:names:tc:emergency:cap:1.2`),
/// restricted to law enforcement. Element order follows the CAP 1.2 schema (§3.2); every text
/// value is XML-escaped.
public struct CAPWriter: Sendable {
    /// CAP `sender` (§3.2.1: no spaces, commas or restricted characters).
    public var sender: String
    public var restriction: String
    /// Base URL the evidence `resource` links point to, e.g. "https://collector.example/api/v1".
    public var baseURL: String?

    public init(sender: String = "cellwatch-collector", restriction: String = "Law enforcement only",
                baseURL: String? = nil) {
        self.sender = sender
        self.restriction = restriction
        self.baseURL = baseURL
    }

    /// The message for the alert's current state: Alert when new, Update while it is handled or
    /// moves, Cancel once resolved (Update and Cancel reference the first message).
    public func message(for a: AlertRecord, evidence: [EvidenceRow], sent: Date) -> String {
        let firstID = identifier(a, revision: 1)
        let msgType: String
        switch a.state {
        case .new: msgType = a.revision == 1 ? "Alert" : "Update"
        case .acknowledged, .dispatched: msgType = "Update"
        case .resolved: msgType = "Cancel"
        }
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        x += "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n"
        x += el("identifier", identifier(a, revision: a.revision), 1)
        x += el("sender", sender, 1)
        x += el("sent", Self.capTime(sent), 1)
        x += el("status", "Actual", 1)
        x += el("msgType", msgType, 1)
        x += el("source", "cellwatch", 1)
        x += el("scope", "Restricted", 1)
        x += el("restriction", restriction, 1)
        if msgType != "Alert" {
            // §3.2.1 references: "sender,identifier,sent" of the earlier message.
            x += el("references", "\(sender),\(firstID),\(Self.capTime(a.createdAt))", 1)
        }
        x += el("incidents", "cellwatch-emitter-\(a.id)", 1)
        x += "  <info>\n"
        x += el("language", "en-US", 2)
        x += el("category", "Security", 2)
        x += el("event", "Fake cellular base station (IMSI catcher / SMS blaster)", 2)
        x += el("responseType", a.state == .resolved ? "AllClear" : "Monitor", 2)
        x += el("urgency", a.state == .resolved ? "Past" : (a.severity == .high ? "Immediate" : "Expected"), 2)
        x += el("severity", Self.capSeverity(a.severity), 2)
        x += el("certainty", a.score >= 70 ? "Likely" : (a.score >= 40 ? "Possible" : "Unlikely"), 2)
        x += el("effective", Self.capTime(a.firstSeen), 2)
        x += el("expires", Self.capTime(a.lastSeen.addingTimeInterval(6 * 3600)), 2)
        x += el("senderName", "Cellwatch collector", 2)
        x += el("headline", "Suspected fake \(a.rat.rawValue) cell \(a.identity) on \(a.channel)", 2)
        var desc = "Score \(Int(a.score.rounded()))/100, state \(a.state.rawValue). Sensors: \(a.sensors.joined(separator: ", "))."
        for r in a.reasons.prefix(10) { desc += "\n- \(r.reason)" }
        x += el("description", desc, 2)
        x += el("instruction", "Do not approach. Dispatch a unit to confirm with a direction-finding receiver.", 2)
        x += param("suspectKey", a.suspectKey)
        x += param("CGI", "\(a.identity)")
        x += param("RAT", a.rat.rawValue)
        x += param("channel", "\(a.channel)")
        x += param("score", String(Int(a.score.rounded())))
        if let p = a.position {
            if let h = p.headingDegrees { x += param("headingDegrees", String(format: "%.0f", h)) }
            if let v = p.speedMetersPerSecond { x += param("speedMetersPerSecond", String(format: "%.1f", v)) }
        }
        for e in evidence.prefix(20) {
            x += param("evidenceSHA256", "\(e.recordID) \(e.sha256) verified=\(e.verified)")
        }
        if let baseURL {
            x += "    <resource>\n"
            x += el("resourceDesc", "Alert with signed evidence", 3)
            x += el("mimeType", "application/json", 3)
            x += el("uri", "\(baseURL)/alerts/\(a.id)", 3)
            x += "    </resource>\n"
        }
        x += "    <area>\n"
        if let p = a.position {
            x += el("areaDesc", "Estimated emitter position (95% radius)", 3)
            // Semi-major axis rescaled to 95 % (2-D Gaussian: r ∝ sqrt(-2 ln(1 - p))).
            let k = { (c: Double) in (-2 * log(1 - min(max(c, 0.01), 0.999))).squareRoot() }
            let radiusKm = max(0.05, p.ellipseMajorMeters * k(0.95) / k(p.ellipseConfidence) / 1000)
            x += el("circle", String(format: "%.6f,%.6f %.3f", p.latitudeDegrees, p.longitudeDegrees, radiusKm), 3)
        } else {
            x += el("areaDesc", "Position not yet estimated; heard by \(a.sensors.joined(separator: ", "))", 3)
        }
        x += "    </area>\n"
        x += "  </info>\n"
        x += "</alert>\n"
        return x
    }

    private func identifier(_ a: AlertRecord, revision: Int) -> String {
        "cellwatch-alert-\(a.id)-r\(revision)"
    }

    private func el(_ name: String, _ value: String, _ depth: Int) -> String {
        String(repeating: "  ", count: depth) + "<\(name)>\(Self.escape(value))</\(name)>\n"
    }

    private func param(_ name: String, _ value: String) -> String {
        "    <parameter>\n" + el("valueName", name, 3) + el("value", value, 3) + "    </parameter>\n"
    }

    static func capSeverity(_ s: Severity) -> String {
        switch s {
        case .high: "Severe"
        case .medium: "Moderate"
        case .low: "Minor"
        case .none: "Unknown"
        }
    }

    /// CAP date-time (§3.3.2): "2026-11-29T03:44:07-00:00" — no "Z", no fractions, UTC as -00:00.
    public static func capTime(_ d: Date) -> String {
        let s = Date(timeIntervalSince1970: d.timeIntervalSince1970.rounded(.down))
            .formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
        return s.dropLast() + "-00:00"
    }

    /// XML 1.0 escaping; characters XML 1.0 cannot carry at all are dropped.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                let v = u.value
                if v == 0x9 || v == 0xA || v == 0xD || (0x20...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v)
                    || (0x10000...0x10FFFF).contains(v) {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out
    }
}
