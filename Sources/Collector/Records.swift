import CellwatchModel
import Foundation

// Rows the collector keeps, as the storage protocol hands them out. Independent of the backend.

/// What a user may do. Each role includes the ones before it.
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    /// Reads alerts, suspects, sensors, exports.
    case viewer
    /// + acknowledges, dispatches and resolves alerts.
    case `operator`
    /// + manages sensors and users.
    case admin

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .operator: 1
        case .admin: 2
        }
    }
    public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
}

/// A registered sensor. The token itself is never stored, only its SHA-256.
public struct SensorAccount: Sendable, Hashable, Codable {
    public var id: String
    public var tokenSHA256: String
    /// Raw 32-byte Ed25519 public key the sensor signs evidence with.
    public var publicKey: Data
    public var enabled: Bool
    public var createdAt: Date
    public var lastSeen: Date?
    public var health: SensorHealth?
    /// Records accepted from this sensor, all kinds.
    public var recordsAccepted: Int

    public init(id: String, tokenSHA256: String, publicKey: Data, enabled: Bool = true, createdAt: Date,
                lastSeen: Date? = nil, health: SensorHealth? = nil, recordsAccepted: Int = 0) {
        self.id = id
        self.tokenSHA256 = tokenSHA256
        self.publicKey = publicKey
        self.enabled = enabled
        self.createdAt = createdAt
        self.lastSeen = lastSeen
        self.health = health
        self.recordsAccepted = recordsAccepted
    }
}

public struct UserAccount: Sendable, Hashable, Codable {
    public var name: String
    public var role: Role
    /// `PasswordHasher` string: "pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>".
    public var passwordHash: String
    public var enabled: Bool
    public var createdAt: Date

    public init(name: String, role: Role, passwordHash: String, enabled: Bool = true, createdAt: Date) {
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.enabled = enabled
        self.createdAt = createdAt
    }
}

public struct SessionRecord: Sendable, Hashable {
    public var tokenSHA256: String
    public var userName: String
    public var createdAt: Date
    public var expiresAt: Date
    public init(tokenSHA256: String, userName: String, createdAt: Date, expiresAt: Date) {
        self.tokenSHA256 = tokenSHA256
        self.userName = userName
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// Alert lifecycle (CAD convention): new → acknowledged → dispatched → resolved. A resolved alert
/// whose emitter is raised again is reopened as new.
public enum AlertState: String, Sendable, Codable, CaseIterable {
    case new, acknowledged, dispatched, resolved

    /// The states an operator action may move to from this one.
    public func canMove(to next: AlertState) -> Bool {
        switch (self, next) {
        case (.new, .acknowledged), (.new, .dispatched), (.new, .resolved): true
        case (.acknowledged, .dispatched), (.acknowledged, .resolved): true
        case (.dispatched, .resolved): true
        default: false
        }
    }
}

/// Where the emitter is believed to be: the estimate, its uncertainty ellipse (at `ellipseConfidence`)
/// and, when it moves, heading and speed.
public struct EmitterFix: Sendable, Hashable, Codable {
    public var latitudeDegrees: Double
    public var longitudeDegrees: Double
    /// Semi-axes of the ellipse (metres) and the major axis' bearing (degrees from north).
    public var ellipseMajorMeters: Double
    public var ellipseMinorMeters: Double
    public var ellipseBearingDegrees: Double
    /// Probability that the emitter lies inside the ellipse (e.g. 0.95).
    public var ellipseConfidence: Double
    public var headingDegrees: Double?
    public var speedMetersPerSecond: Double?
    /// Method that produced it ("nls", "centroid", …) and how many observations went in.
    public var method: String
    public var observationCount: Int
    public var time: Date
    /// Why the position may be unreliable (too few places, mirror ambiguity, …), in words.
    public var caveats: [String]

    public init(latitudeDegrees: Double, longitudeDegrees: Double, ellipseMajorMeters: Double,
                ellipseMinorMeters: Double, ellipseBearingDegrees: Double, ellipseConfidence: Double = 0.95,
                headingDegrees: Double? = nil,
                speedMetersPerSecond: Double? = nil, method: String, observationCount: Int, time: Date,
                caveats: [String] = []) {
        self.latitudeDegrees = latitudeDegrees
        self.longitudeDegrees = longitudeDegrees
        self.ellipseMajorMeters = ellipseMajorMeters
        self.ellipseMinorMeters = ellipseMinorMeters
        self.ellipseBearingDegrees = ellipseBearingDegrees
        self.ellipseConfidence = ellipseConfidence
        self.headingDegrees = headingDegrees
        self.speedMetersPerSecond = speedMetersPerSecond
        self.method = method
        self.observationCount = observationCount
        self.time = time
        self.caveats = caveats
    }
}

/// One alert per emitter (`suspectKey` = `Suspect.id`), updated as reports arrive.
public struct AlertRecord: Sendable, Hashable, Codable {
    public var id: Int64
    public var suspectKey: String
    public var severity: Severity
    public var score: Double
    public var state: AlertState
    public var rat: RAT
    public var identity: CellIdentity
    public var channel: RadioChannel
    public var reasons: [Finding]
    public var sensors: [String]
    public var firstSeen: Date
    public var lastSeen: Date
    public var createdAt: Date
    public var updatedAt: Date
    /// Increases with every change; the SSE event id is built from it.
    public var revision: Int
    public var position: EmitterFix?
    /// Recent positions of a moving emitter, oldest first.
    public var track: [EmitterFix]
    public var stateChangedBy: String?

    public init(id: Int64, suspectKey: String, severity: Severity, score: Double, state: AlertState, rat: RAT,
                identity: CellIdentity, channel: RadioChannel, reasons: [Finding], sensors: [String],
                firstSeen: Date, lastSeen: Date, createdAt: Date, updatedAt: Date, revision: Int,
                position: EmitterFix? = nil, track: [EmitterFix] = [], stateChangedBy: String? = nil) {
        self.id = id
        self.suspectKey = suspectKey
        self.severity = severity
        self.score = score
        self.state = state
        self.rat = rat
        self.identity = identity
        self.channel = channel
        self.reasons = reasons
        self.sensors = sensors
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.revision = revision
        self.position = position
        self.track = track
        self.stateChangedBy = stateChangedBy
    }
}

/// Latest snapshot of one suspect as one sensor reported it.
public struct SuspectSnapshot: Sendable, Hashable, Codable {
    public var sensorID: String
    public var recordID: String
    public var receivedAt: Date
    public var suspect: Suspect
    public init(sensorID: String, recordID: String, receivedAt: Date, suspect: Suspect) {
        self.sensorID = sensorID
        self.recordID = recordID
        self.receivedAt = receivedAt
        self.suspect = suspect
    }
}

/// Stored evidence: the exact signed bytes and the result of verifying them on arrival.
public struct EvidenceRow: Sendable, Hashable, Codable {
    public var sensorID: String
    public var recordID: String
    public var suspectKey: String
    public var payload: Data
    public var sha256: String
    public var signature: Data
    public var publicKey: Data
    public var verified: Bool
    public var receivedAt: Date
    public init(sensorID: String, recordID: String, suspectKey: String, payload: Data, sha256: String,
                signature: Data, publicKey: Data, verified: Bool, receivedAt: Date) {
        self.sensorID = sensorID
        self.recordID = recordID
        self.suspectKey = suspectKey
        self.payload = payload
        self.sha256 = sha256
        self.signature = signature
        self.publicKey = publicKey
        self.verified = verified
        self.receivedAt = receivedAt
    }
}

/// One power sighting of an emitter: where a sensor was and what it received.
public struct Sighting: Sendable, Hashable, Codable {
    public var sensorID: String
    public var time: Date
    public var position: GeoFix
    public var powerDBm: Double?
    public var powerDBFS: Double?
    public init(sensorID: String, time: Date, position: GeoFix, powerDBm: Double?, powerDBFS: Double?) {
        self.sensorID = sensorID
        self.time = time
        self.position = position
        self.powerDBm = powerDBm
        self.powerDBFS = powerDBFS
    }
}

public struct AuditEntry: Sendable, Hashable, Codable {
    public var id: Int64?
    public var time: Date
    /// User name, "sensor:<id>" or "system".
    public var actor: String
    /// "login", "login-failed", "alert.view", "alert.acknowledge", "sensor.add", …
    public var action: String
    public var target: String?
    public var detail: String?
    public init(id: Int64? = nil, time: Date, actor: String, action: String, target: String? = nil,
                detail: String? = nil) {
        self.id = id
        self.time = time
        self.actor = actor
        self.action = action
        self.target = target
        self.detail = detail
    }
}

/// A validated report, ready to store: evidence already verified, emitter keys computed.
public struct IngestBatch: Sendable {
    public var sensorID: String
    public var receivedAt: Date
    public var observations: [(record: ObservationRecord, emitterKey: String?)]
    public var suspects: [SuspectRecord]
    public var evidence: [(record: SignedEvidence, suspectKey: String)]
    public var health: SensorHealth?

    public init(sensorID: String, receivedAt: Date, observations: [(record: ObservationRecord, emitterKey: String?)],
                suspects: [SuspectRecord], evidence: [(record: SignedEvidence, suspectKey: String)],
                health: SensorHealth?) {
        self.sensorID = sensorID
        self.receivedAt = receivedAt
        self.observations = observations
        self.suspects = suspects
        self.evidence = evidence
        self.health = health
    }
}

public struct IngestResult: Sendable, Hashable {
    public var accepted: Int
    public var duplicates: Int
    /// Alerts created or changed by this batch (after the transaction committed).
    public var changedAlerts: [AlertRecord]
    /// Emitters that got new power sightings (observations with a position) in this batch.
    public var sightedEmitters: Set<String>
    public init(accepted: Int, duplicates: Int, changedAlerts: [AlertRecord], sightedEmitters: Set<String>) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.changedAlerts = changedAlerts
        self.sightedEmitters = sightedEmitters
    }
}

public enum StoreError: Error, Equatable, CustomStringConvertible {
    case duplicate(String)
    case notFound(String)
    case invalidTransition(from: AlertState, to: AlertState)

    public var description: String {
        switch self {
        case .duplicate(let what): "\(what) already exists"
        case .notFound(let what): "\(what) not found"
        case .invalidTransition(let from, let to): "an alert cannot go from \(from.rawValue) to \(to.rawValue)"
        }
    }
}
