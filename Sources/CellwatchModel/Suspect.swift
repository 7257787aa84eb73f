import Foundation

/// A possibly fake emitter: one cell identity on one channel, however many sensors hear it.
public struct Suspect: Hashable, Sendable, Codable {
    /// Stable key "GSM:460-0-9345-10001@ARFCN 60" (RAT, CGI, channel).
    public var id: String
    public var rat: RAT
    public var identity: CellIdentity
    public var channel: RadioChannel
    /// Combined suspicion 0–100.
    public var score: Double
    public var severity: Severity
    /// True while the alert is raised (hysteresis: raised at the raise threshold, cleared below the
    /// clear threshold).
    public var alertRaised: Bool
    /// The evidence behind the score, strongest first.
    public var reasons: [Finding]
    public var firstSeen: Date
    public var lastSeen: Date
    /// Sensors that observed this emitter, sorted.
    public var sensors: [String]
    /// The last position of each sensor when it observed this emitter, keyed by sensor ID.
    public var lastPositions: [String: GeoFix]

    public init(id: String, rat: RAT, identity: CellIdentity, channel: RadioChannel, score: Double,
                severity: Severity, alertRaised: Bool, reasons: [Finding], firstSeen: Date, lastSeen: Date,
                sensors: [String], lastPositions: [String: GeoFix]) {
        self.id = id
        self.rat = rat
        self.identity = identity
        self.channel = channel
        self.score = score
        self.severity = severity
        self.alertRaised = alertRaised
        self.reasons = reasons
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.sensors = sensors
        self.lastPositions = lastPositions
    }
}
