import CellwatchModel
import Foundation

/// Limits on what one upload may carry.
public struct IngestLimits: Sendable, Hashable {
    /// Bytes on the wire (compressed or not).
    public var maxBodyBytes: Int
    /// Bytes after gunzip (a gzip bomb stops here).
    public var maxDecompressedBytes: Int
    /// Observations + suspects + evidence in one batch.
    public var maxRecords: Int
    /// One evidence payload.
    public var maxEvidenceBytes: Int
    /// How far ahead of the collector's clock a sensor time may be.
    public var maxFutureSkew: TimeInterval
    /// Times before this are rejected as absurd (unset clock: 1970).
    public var earliest: Date

    public init(maxBodyBytes: Int = 8 << 20, maxDecompressedBytes: Int = 32 << 20, maxRecords: Int = 10_000,
                maxEvidenceBytes: Int = 4 << 20, maxFutureSkew: TimeInterval = 300,
                earliest: Date = Date(timeIntervalSince1970: 1_577_836_800)) {   // 2020-01-01
        self.maxBodyBytes = maxBodyBytes
        self.maxDecompressedBytes = maxDecompressedBytes
        self.maxRecords = maxRecords
        self.maxEvidenceBytes = maxEvidenceBytes
        self.maxFutureSkew = maxFutureSkew
        self.earliest = earliest
    }
}

/// A report field that is out of range or malformed: `path` names it ("observations[3].observation.
/// identity.mcc"), `problem` says what is wrong.
public struct FieldError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var problem: String
    public init(_ path: String, _ problem: String) {
        self.path = path
        self.problem = problem
    }
    public var description: String { "\(path): \(problem)" }
}

/// Checks every field of a decoded report against the ranges the standards and physics allow, so
/// nothing absurd reaches storage or localization.
public struct ReportValidator: Sendable {
    public var limits: IngestLimits
    public init(limits: IngestLimits = IngestLimits()) { self.limits = limits }

    public func validate(_ r: SensorReport, now: Date) throws(FieldError) {
        guard r.version == SensorReport.currentVersion else {
            throw FieldError("version", "\(r.version) is not supported (this collector speaks version \(SensorReport.currentVersion))")
        }
        try checkIdentifier(r.sensorID, "sensorID", max: 64)
        try checkTime(r.sentAt, "sentAt", now: now)
        guard r.recordCount <= limits.maxRecords else {
            throw FieldError("observations+suspects+evidence", "\(r.recordCount) records; at most \(limits.maxRecords) per batch")
        }
        var seen = Set<String>()
        for (i, rec) in r.observations.enumerated() {
            let p = "observations[\(i)]"
            try checkIdentifier(rec.id, p + ".id", max: 128)
            guard seen.insert(rec.id).inserted else { throw FieldError(p + ".id", "\"\(rec.id)\" appears twice in this batch") }
            try checkObservation(rec.observation, p + ".observation", sensorID: r.sensorID, now: now)
        }
        seen.removeAll()
        for (i, rec) in r.suspects.enumerated() {
            let p = "suspects[\(i)]"
            try checkIdentifier(rec.id, p + ".id", max: 128)
            guard seen.insert(rec.id).inserted else { throw FieldError(p + ".id", "\"\(rec.id)\" appears twice in this batch") }
            try checkSuspect(rec.suspect, p + ".suspect", now: now)
        }
        seen.removeAll()
        for (i, e) in r.evidence.enumerated() {
            let p = "evidence[\(i)]"
            try checkIdentifier(e.id, p + ".id", max: 128)
            guard seen.insert(e.id).inserted else { throw FieldError(p + ".id", "\"\(e.id)\" appears twice in this batch") }
            guard e.payload.count <= limits.maxEvidenceBytes else {
                throw FieldError(p + ".payload", "\(e.payload.count) bytes; at most \(limits.maxEvidenceBytes)")
            }
            guard e.sha256.count == 64, e.sha256.allSatisfy(\.isHexDigit) else {
                throw FieldError(p + ".sha256", "must be 64 hex digits")
            }
            guard e.signature.count == 64 else {
                throw FieldError(p + ".signature", "an Ed25519 signature is 64 bytes, got \(e.signature.count)")
            }
            guard e.publicKey.count == 32 else {
                throw FieldError(p + ".publicKey", "an Ed25519 public key is 32 bytes, got \(e.publicKey.count)")
            }
        }
        if let h = r.health { try checkHealth(h, "health", now: now) }
    }

    /// Checks the evidence inside a signed payload (after its signature verified).
    public func validate(evidence ev: Evidence, signedID: String, sensorID: String, path p: String, now: Date) throws(FieldError) {
        guard ev.id == signedID else { throw FieldError(p + ".payload.id", "\"\(ev.id.prefix(64))\" differs from the record id \"\(signedID)\"") }
        guard ev.sensorID == sensorID else {
            throw FieldError(p + ".payload.sensorID", "\"\(ev.sensorID.prefix(64))\" is not the reporting sensor \"\(sensorID)\"")
        }
        try checkText(ev.suspectID, p + ".payload.suspectID", max: 200)
        try checkTime(ev.capturedAt, p + ".payload.capturedAt", now: now)
        guard ev.observations.count <= 10_000 else { throw FieldError(p + ".payload.observations", "too many (\(ev.observations.count))") }
        for (i, o) in ev.observations.enumerated() {
            try checkObservation(o, p + ".payload.observations[\(i)]", sensorID: sensorID, now: now)
            // Evidence carries the observations of the emitter it is about, so they name its key.
            let key = EmitterKey(o).description
            guard key == ev.suspectID else {
                throw FieldError(p + ".payload.observations[\(i)]", "is of emitter \"\(key)\", not of suspectID \"\(ev.suspectID.prefix(200))\"")
            }
        }
        guard ev.messages.count <= 10_000 else { throw FieldError(p + ".payload.messages", "too many (\(ev.messages.count))") }
        if let iq = ev.iq {
            guard iq.dataSHA256.count == 64, iq.dataSHA256.allSatisfy(\.isHexDigit) else {
                throw FieldError(p + ".payload.iq.dataSHA256", "must be 64 hex digits")
            }
            guard sha256Hex(iq.data) == iq.dataSHA256.lowercased() else {
                throw FieldError(p + ".payload.iq.dataSHA256", "does not match the SHA-256 of iq.data")
            }
        }
    }

    // MARK: Parts

    func checkObservation(_ o: CellObservation, _ p: String, sensorID: String, now: Date) throws(FieldError) {
        guard o.sensorID == sensorID else {
            throw FieldError(p + ".sensorID", "\"\(o.sensorID.prefix(64))\" is not the reporting sensor \"\(sensorID)\"")
        }
        try checkCell(rat: o.rat, identity: o.identity, channel: o.channel, p)
        try checkTime(o.time, p + ".time", now: now)
        if let pos = o.position { try checkFix(pos, p + ".position", now: now) }
        // TS 44.018 §10.5.2.34/§10.5.2.35 (SI3 rest octets, control channel description) field widths.
        try range(o.cellReselectOffset, 0...63, p + ".cellReselectOffset")
        try range(o.temporaryOffset, 0...7, p + ".temporaryOffset")
        try range(o.penaltyTime, 0...31, p + ".penaltyTime")
        try range(o.t3212DeciHours, 0...255, p + ".t3212DeciHours")
        try range(o.ccchConf, 0...7, p + ".ccchConf")
        try range(o.bsPaMfrms, 0...7, p + ".bsPaMfrms")
        if let n = o.neighbourARFCNs {
            guard n.count <= 1024 else { throw FieldError(p + ".neighbourARFCNs", "\(n.count) entries; at most 1024") }
            for (i, a) in n.enumerated() { try range(a.value, 0...1023, p + ".neighbourARFCNs[\(i)]") }
        }
        try range(o.pagingRequestCount, 0...10_000_000, p + ".pagingRequestCount")
        try range(o.immediateAssignmentCount, 0...10_000_000, p + ".immediateAssignmentCount")
        try range(o.countWindowSeconds, 0...86_400, p + ".countWindowSeconds")
        // Received power: -160 dBm is far below any receiver's floor, +30 dBm would burn its front end.
        try range(o.powerDBm?.value, -160...30, p + ".powerDBm")
        try range(o.powerDBFS?.value, -200...10, p + ".powerDBFS")
        try range(o.snrDB?.value, -50...100, p + ".snrDB")
        try range(o.carrierOffset?.value, -1_000_000...1_000_000, p + ".carrierOffset")
        try range(o.carrierOffsetPPM, -1000...1000, p + ".carrierOffsetPPM")
    }

    func checkCell(rat: RAT, identity id: CellIdentity, channel: RadioChannel, _ p: String) throws(FieldError) {
        // TS 23.003 §2.2: MCC is 3 decimal digits, MNC 2 or 3.
        guard id.mcc.count == 3, id.mcc.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw FieldError(p + ".identity.mcc", "\"\(id.mcc.prefix(16))\" is not 3 decimal digits")
        }
        guard (2...3).contains(id.mnc.count), id.mnc.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw FieldError(p + ".identity.mnc", "\"\(id.mnc.prefix(16))\" is not 2 or 3 decimal digits")
        }
        // LAC (TS 23.003 §4.1) and TAC (§19.4.2.3) are both 16 bits.
        try range(id.areaCode, 0...65535, p + ".identity.areaCode")
        switch rat {
        case .lte: try range(id.cellId, 0...268_435_455, p + ".identity.cellId")   // 28-bit E-UTRAN cell id
        default: try range(id.cellId, 0...65535, p + ".identity.cellId")           // 16-bit GSM CI
        }
        try range(id.bsic, 0...63, p + ".identity.bsic")
        try range(id.pci, 0...503, p + ".identity.pci")                           // TS 36.211 §6.11
        switch channel {
        case .arfcn(let a): try range(a.value, 0...1023, p + ".channel.arfcn")
        case .earfcn(let e): try range(e.value, 0...262_143, p + ".channel.earfcn")
        }
        if rat != .unknown && channel.rat != rat {
            throw FieldError(p + ".channel", "a \(channel.rat.rawValue) channel on a \(rat.rawValue) cell")
        }
    }

    func checkSuspect(_ s: Suspect, _ p: String, now: Date) throws(FieldError) {
        try checkText(s.id, p + ".id", max: 200)
        try checkCell(rat: s.rat, identity: s.identity, channel: s.channel, p)
        // The id is the emitter's key and names the alert it feeds: it must be the one its identity and
        // channel give, or a sensor could fold its snapshot into another emitter's alert.
        let key = EmitterKey(s).description
        guard s.id == key else {
            throw FieldError(p + ".id", "\"\(s.id.prefix(200))\" is not the key of its identity and channel (\"\(key)\")")
        }
        try range(s.score, 0...100, p + ".score")
        guard s.reasons.count <= 64 else { throw FieldError(p + ".reasons", "\(s.reasons.count) reasons; at most 64") }
        for (i, f) in s.reasons.enumerated() {
            try checkText(f.ruleID, p + ".reasons[\(i)].ruleID", max: 64)
            try checkText(f.reason, p + ".reasons[\(i)].reason", max: 1000)
            try range(f.weight, -1000...1000, p + ".reasons[\(i)].weight")
        }
        try checkTime(s.firstSeen, p + ".firstSeen", now: now)
        try checkTime(s.lastSeen, p + ".lastSeen", now: now)
        guard s.firstSeen <= s.lastSeen else { throw FieldError(p + ".firstSeen", "is after lastSeen") }
        guard s.sensors.count <= 1000 else { throw FieldError(p + ".sensors", "\(s.sensors.count) entries; at most 1000") }
        for (i, id) in s.sensors.enumerated() { try checkIdentifier(id, p + ".sensors[\(i)]", max: 64) }
        guard s.lastPositions.count <= 1000 else { throw FieldError(p + ".lastPositions", "too many entries") }
        for (k, fix) in s.lastPositions {
            try checkIdentifier(k, p + ".lastPositions key", max: 64)
            try checkFix(fix, p + ".lastPositions[\(k)]", now: now)
        }
    }

    func checkFix(_ f: GeoFix, _ p: String, now: Date) throws(FieldError) {
        try range(f.latitudeDegrees, -90...90, p + ".latitudeDegrees")
        try range(f.longitudeDegrees, -180...180, p + ".longitudeDegrees")
        try range(f.altitudeMeters, -1000...20_000, p + ".altitudeMeters")
        try range(f.horizontalAccuracyMeters, 0...100_000, p + ".horizontalAccuracyMeters")
        try range(f.speedMetersPerSecond, 0...1000, p + ".speedMetersPerSecond")
        try checkTime(f.time, p + ".time", now: now)
    }

    func checkHealth(_ h: SensorHealth, _ p: String, now: Date) throws(FieldError) {
        try range(h.samplesPerSecond, 0...1e9, p + ".samplesPerSecond")
        try range(h.overflows, 0...Int(Int32.max), p + ".overflows")
        try range(h.cellsDecoded, 0...Int(Int32.max), p + ".cellsDecoded")
        try range(h.spoolDepth, 0...Int(Int32.max), p + ".spoolDepth")
        try range(h.uploadLagSeconds, 0...1e9, p + ".uploadLagSeconds")
        if let pos = h.position { try checkFix(pos, p + ".position", now: now) }
        try range(h.radioDisconnects, 0...Int(Int32.max), p + ".radioDisconnects")
        try range(h.radioGapSeconds, 0...1e10, p + ".radioGapSeconds")
        if let since = h.radioDownSince {
            try checkTime(since, p + ".radioDownSince", now: now)
            if h.radioConnected == true { throw FieldError(p + ".radioDownSince", "is set while radioConnected is true") }
        }
    }

    func checkTime(_ t: Date, _ p: String, now: Date) throws(FieldError) {
        if t > now.addingTimeInterval(limits.maxFutureSkew) {
            throw FieldError(p, "\(ReportCoding.formatDate(t)) is more than \(Int(limits.maxFutureSkew)) s ahead of the collector's clock")
        }
        if t < limits.earliest {
            throw FieldError(p, "\(ReportCoding.formatDate(t)) is before \(ReportCoding.formatDate(limits.earliest)) (clock not set?)")
        }
    }

    /// Record and sensor identifiers: 1…max printable ASCII characters without spaces or quotes.
    func checkIdentifier(_ s: String, _ p: String, max: Int) throws(FieldError) {
        guard !s.isEmpty else { throw FieldError(p, "is empty") }
        guard s.utf8.count <= max else { throw FieldError(p, "is \(s.utf8.count) bytes long; at most \(max)") }
        guard s.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" }) else {
            throw FieldError(p, "may hold only printable ASCII without spaces or quotes")
        }
    }

    func checkText(_ s: String, _ p: String, max: Int) throws(FieldError) {
        guard !s.isEmpty else { throw FieldError(p, "is empty") }
        guard s.utf8.count <= max else { throw FieldError(p, "is \(s.utf8.count) bytes long; at most \(max)") }
        guard !s.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }) else {
            throw FieldError(p, "contains control characters")
        }
    }

    func range<T: Comparable>(_ v: T?, _ r: ClosedRange<T>, _ p: String) throws(FieldError) {
        guard let v else { return }
        guard r.contains(v) else { throw FieldError(p, "\(v) is outside \(r.lowerBound)…\(r.upperBound)") }
    }

    func range(_ v: Double?, _ r: ClosedRange<Double>, _ p: String) throws(FieldError) {
        guard let v else { return }
        guard v.isFinite else { throw FieldError(p, "is not a finite number") }
        guard r.contains(v) else { throw FieldError(p, "\(v) is outside \(r.lowerBound)…\(r.upperBound)") }
    }
}

extension DecodingError {
    /// "observations[2].observation.identity.mcc: expected String, found a number" style text.
    var clearMessage: String {
        func path(_ c: [any CodingKey]) -> String {
            var s = ""
            for k in c {
                if let i = k.intValue { s += "[\(i)]" } else { s += (s.isEmpty ? "" : ".") + k.stringValue }
            }
            return s.isEmpty ? "body" : s
        }
        switch self {
        case .typeMismatch(let type, let ctx):
            return "\(path(ctx.codingPath)): expected \(type) — \(ctx.debugDescription)"
        case .valueNotFound(let type, let ctx):
            return "\(path(ctx.codingPath)): a \(type) is required but the value is null"
        case .keyNotFound(let key, let ctx):
            return "\(path(ctx.codingPath + [key])): required key is missing"
        case .dataCorrupted(let ctx):
            if ctx.codingPath.isEmpty { return "body is not valid JSON" }
            return "\(path(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default:
            return "body does not match the report format"
        }
    }
}
