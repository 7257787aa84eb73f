import Foundation

// The report wire format: what a sensor POSTs to the collector (`POST /api/v1/reports`).
//
// Versioned: `version` is checked first and a collector answers 400 to a version it does not know.
// Keys are the Swift property names (camelCase); dates are RFC 3339 UTC with milliseconds
// (`ReportCoding`), so a report round-trips without losing time resolution.
//
// Idempotency: every record carries an `id` that the sensor assigns once, when it spools the record
// (a UUID string). The collector stores each (sensorID, id) once; a retried batch is accepted and its
// already-stored records are counted as duplicates, never stored twice.

/// One upload from one sensor: a batch of spooled records, oldest first.
public struct SensorReport: Codable, Sendable, Hashable {
    /// The wire format version this file describes.
    public static let currentVersion = 1

    public var version: Int
    /// The sensor's configured ID; must match the credentials the request is authenticated with.
    public var sensorID: String
    /// When the sensor sent this batch (its clock).
    public var sentAt: Date
    public var observations: [ObservationRecord]
    public var suspects: [SuspectRecord]
    public var evidence: [SignedEvidence]
    /// The sensor's health at sending time, so the collector can show fleet health.
    public var health: SensorHealth?

    public init(version: Int = SensorReport.currentVersion, sensorID: String, sentAt: Date,
                observations: [ObservationRecord] = [], suspects: [SuspectRecord] = [],
                evidence: [SignedEvidence] = [], health: SensorHealth? = nil) {
        self.version = version
        self.sensorID = sensorID
        self.sentAt = sentAt
        self.observations = observations
        self.suspects = suspects
        self.evidence = evidence
        self.health = health
    }

    /// Records in the batch, all kinds together.
    public var recordCount: Int { observations.count + suspects.count + evidence.count }
}

/// An observation with the sensor-assigned idempotency ID.
public struct ObservationRecord: Codable, Sendable, Hashable {
    public var id: String
    public var observation: CellObservation
    public init(id: String, observation: CellObservation) {
        self.id = id
        self.observation = observation
    }
}

/// A snapshot of one suspect as the sensor's detector saw it; later snapshots of the same `suspect.id`
/// supersede earlier ones at the collector.
public struct SuspectRecord: Codable, Sendable, Hashable {
    public var id: String
    public var suspect: Suspect
    public init(id: String, suspect: Suspect) {
        self.id = id
        self.suspect = suspect
    }
}

/// What a sensor captured about one suspect: the observations, the decoded messages and a short IQ
/// snippet of the carrier. It travels as the exact bytes that were hashed and signed
/// (`SignedEvidence.payload`), so the collector verifies what the sensor signed.
public struct Evidence: Codable, Sendable, Hashable {
    public var id: String
    public var sensorID: String
    /// `Suspect.id` the evidence is about.
    public var suspectID: String
    public var capturedAt: Date
    public var observations: [CellObservation]
    public var messages: [DecodedMessage]
    public var iq: IQSnippet?

    public init(id: String, sensorID: String, suspectID: String, capturedAt: Date,
                observations: [CellObservation], messages: [DecodedMessage], iq: IQSnippet?) {
        self.id = id
        self.sensorID = sensorID
        self.suspectID = suspectID
        self.capturedAt = capturedAt
        self.observations = observations
        self.messages = messages
        self.iq = iq
    }
}

/// One decoded broadcast block as the receiver produced it (identity-bearing blocks redacted: a
/// paging request carries subscriber identities, which are never stored or sent).
public struct DecodedMessage: Codable, Sendable, Hashable {
    /// GSM frame number of the block's first burst (or LTE SFN).
    public var frameNumber: Int
    /// "BCCH", "CCCH", "BCH", "DL-SCH".
    public var channel: String
    /// Message name, e.g. "System Information Type 3".
    public var name: String
    /// The L2 block in hex, or nil when redacted.
    public var l2Hex: String?
    /// Decoded fields as one JSON object (the `decode gsm --json` "message" value).
    public var fieldsJSON: String?

    public init(frameNumber: Int, channel: String, name: String, l2Hex: String?, fieldsJSON: String?) {
        self.frameNumber = frameNumber
        self.channel = channel
        self.name = name
        self.l2Hex = l2Hex
        self.fieldsJSON = fieldsJSON
    }
}

/// A short recording of the suspect's carrier: SigMF metadata and the data file's bytes (cf32_le or a
/// smaller integer format), small enough (≈100 ms) to travel in a report.
public struct IQSnippet: Codable, Sendable, Hashable {
    /// The `.sigmf-meta` JSON text.
    public var sigmfMeta: String
    /// The `.sigmf-data` bytes.
    public var data: Data
    /// SHA-256 of `data`, lowercase hex.
    public var dataSHA256: String

    public init(sigmfMeta: String, data: Data, dataSHA256: String) {
        self.sigmfMeta = sigmfMeta
        self.data = data
        self.dataSHA256 = dataSHA256
    }
}

/// Evidence as signed bytes: `payload` is `Evidence` encoded with `ReportCoding.encoder`; `sha256` is
/// the lowercase hex SHA-256 of `payload`; `signature` is the sensor's Ed25519 signature over the
/// 32 raw digest bytes; `publicKey` is the raw 32-byte Ed25519 public key it was made with. The
/// collector checks the key against the one registered for the sensor, recomputes the digest and
/// verifies the signature before it stores anything.
public struct SignedEvidence: Codable, Sendable, Hashable {
    public var id: String
    public var payload: Data
    public var sha256: String
    public var signature: Data
    public var publicKey: Data

    public init(id: String, payload: Data, sha256: String, signature: Data, publicKey: Data) {
        self.id = id
        self.payload = payload
        self.sha256 = sha256
        self.signature = signature
        self.publicKey = publicKey
    }

    /// The evidence inside `payload`.
    public func decodedEvidence() throws -> Evidence {
        try ReportCoding.decoder().decode(Evidence.self, from: payload)
    }
}

/// A sensor's health gauges, sent with each upload.
public struct SensorHealth: Codable, Sendable, Hashable {
    public var samplesPerSecond: Double?
    public var overflows: Int?
    public var cellsDecoded: Int?
    public var spoolDepth: Int?
    /// Age in seconds of the oldest record not yet uploaded.
    public var uploadLagSeconds: Double?
    public var position: GeoFix?
    /// Whether the radio is delivering samples now. False while it is unplugged or failed: the sensor
    /// still uploads (spool, GPS) but hears nothing, so an absence of sightings proves nothing.
    public var radioConnected: Bool?
    /// Since when the radio has been gone (sensor clock, UTC); nil while it is connected.
    public var radioDownSince: Date?
    /// Radio outages since the sensor started.
    public var radioDisconnects: Int?
    /// Seconds without samples since the sensor started, the current outage included.
    public var radioGapSeconds: Double?

    public init(samplesPerSecond: Double? = nil, overflows: Int? = nil, cellsDecoded: Int? = nil,
                spoolDepth: Int? = nil, uploadLagSeconds: Double? = nil, position: GeoFix? = nil,
                radioConnected: Bool? = nil, radioDownSince: Date? = nil, radioDisconnects: Int? = nil,
                radioGapSeconds: Double? = nil) {
        self.samplesPerSecond = samplesPerSecond
        self.overflows = overflows
        self.cellsDecoded = cellsDecoded
        self.spoolDepth = spoolDepth
        self.uploadLagSeconds = uploadLagSeconds
        self.position = position
        self.radioConnected = radioConnected
        self.radioDownSince = radioDownSince
        self.radioDisconnects = radioDisconnects
        self.radioGapSeconds = radioGapSeconds
    }
}

/// The collector's answer to `POST /api/v1/reports` (200): what was stored and what was already there.
public struct ReportReceipt: Codable, Sendable, Hashable {
    public var accepted: Int
    public var duplicates: Int
    public init(accepted: Int, duplicates: Int) {
        self.accepted = accepted
        self.duplicates = duplicates
    }
}

/// The collector's answer to a rejected request (4xx/5xx): one clear sentence.
public struct APIError: Codable, Sendable, Hashable, Error {
    public var error: String
    public init(error: String) { self.error = error }
}

/// Encoders and decoders for the wire format: sorted keys (stable bytes for hashing), RFC 3339 UTC
/// dates with milliseconds, Data as base64.
public enum ReportCoding {
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(formatDate(date))
        }
        e.dataEncodingStrategy = .base64
        e.nonConformingFloatEncodingStrategy = .throw
        return e
    }

    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .custom { decoder in
            let c = try decoder.singleValueContainer()
            let s = try c.decode(String.self)
            guard let date = parseDate(s) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription:
                    "\"\(s.prefix(40))\" is not an RFC 3339 UTC time like 2026-11-29T03:44:07.123Z")
            }
            return date
        }
        d.dataDecodingStrategy = .base64
        return d
    }

    /// "2026-11-29T03:44:07.123Z".
    /// Rounds to the nearest millisecond (a formatter would truncate, so 0.123 stored as 0.12299… would
    /// come back as 0.122).
    public static func formatDate(_ date: Date) -> String {
        let ms = (date.timeIntervalSince1970 * 1000).rounded()
        let seconds = (ms / 1000).rounded(.down)
        let whole = Date(timeIntervalSince1970: seconds)
            .formatted(Date.ISO8601FormatStyle(timeZone: .gmt))   // "2026-11-29T03:44:07Z"
        let millis = Int(ms - seconds * 1000)
        let digits = String(millis)
        return whole.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// Parses RFC 3339 with or without fractional seconds.
    public static func parseDate(_ s: String) -> Date? {
        if let d = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt).parse(s) {
            return d
        }
        return try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(s)
    }
}
