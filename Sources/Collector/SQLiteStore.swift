import CellwatchModel
import Foundation
import GRDB

/// `CollectorStore` on one SQLite file through GRDB: WAL (`DatabasePool`: one writer, concurrent
/// readers), schema by `DatabaseMigrator`, every call one transaction. Times are stored as Unix
/// seconds (REAL), structured fields as JSON text in the wire format's coding.
public final class SQLiteStore: CollectorStore {
    public let path: String
    let pool: DatabasePool

    /// Opens (creating if needed) the database at `path` and migrates it to the current schema.
    public init(path: String) throws {
        self.path = path
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        pool = try DatabasePool(path: path, configuration: config)
        try Self.migrator.migrate(pool)
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE sensors (
                    id TEXT PRIMARY KEY NOT NULL,
                    token_sha256 TEXT NOT NULL UNIQUE,
                    public_key BLOB NOT NULL,
                    enabled INTEGER NOT NULL DEFAULT 1,
                    created_at REAL NOT NULL,
                    last_seen REAL,
                    health_json TEXT,
                    records_accepted INTEGER NOT NULL DEFAULT 0
                );
                CREATE TABLE users (
                    name TEXT PRIMARY KEY NOT NULL,
                    role TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    enabled INTEGER NOT NULL DEFAULT 1,
                    created_at REAL NOT NULL
                );
                CREATE TABLE sessions (
                    token_sha256 TEXT PRIMARY KEY NOT NULL,
                    user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
                    created_at REAL NOT NULL,
                    expires_at REAL NOT NULL
                );
                CREATE TABLE observations (
                    sensor_id TEXT NOT NULL,
                    record_id TEXT NOT NULL,
                    emitter_key TEXT,
                    time REAL NOT NULL,
                    latitude REAL,
                    longitude REAL,
                    accuracy_m REAL,
                    power_dbm REAL,
                    power_dbfs REAL,
                    received_at REAL NOT NULL,
                    body TEXT NOT NULL,
                    PRIMARY KEY (sensor_id, record_id)
                ) WITHOUT ROWID;
                CREATE INDEX observations_emitter ON observations(emitter_key, time);
                CREATE TABLE suspect_records (
                    sensor_id TEXT NOT NULL,
                    record_id TEXT NOT NULL,
                    PRIMARY KEY (sensor_id, record_id)
                ) WITHOUT ROWID;
                CREATE TABLE suspects (
                    sensor_id TEXT NOT NULL,
                    suspect_key TEXT NOT NULL,
                    record_id TEXT NOT NULL,
                    last_seen REAL NOT NULL,
                    received_at REAL NOT NULL,
                    body TEXT NOT NULL,
                    PRIMARY KEY (sensor_id, suspect_key)
                );
                CREATE TABLE evidence (
                    sensor_id TEXT NOT NULL,
                    record_id TEXT NOT NULL,
                    suspect_key TEXT NOT NULL,
                    payload BLOB NOT NULL,
                    sha256 TEXT NOT NULL,
                    signature BLOB NOT NULL,
                    public_key BLOB NOT NULL,
                    verified INTEGER NOT NULL,
                    received_at REAL NOT NULL,
                    PRIMARY KEY (sensor_id, record_id)
                );
                CREATE INDEX evidence_suspect ON evidence(suspect_key);
                CREATE TABLE alerts (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    suspect_key TEXT NOT NULL UNIQUE,
                    severity TEXT NOT NULL,
                    score REAL NOT NULL,
                    state TEXT NOT NULL,
                    rat TEXT NOT NULL,
                    identity_json TEXT NOT NULL,
                    channel_json TEXT NOT NULL,
                    reasons_json TEXT NOT NULL,
                    sensors_json TEXT NOT NULL,
                    first_seen REAL NOT NULL,
                    last_seen REAL NOT NULL,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    revision INTEGER NOT NULL,
                    position_json TEXT,
                    latitude REAL,
                    longitude REAL,
                    ellipse_major_m REAL,
                    ellipse_minor_m REAL,
                    ellipse_bearing_deg REAL,
                    heading_deg REAL,
                    speed_mps REAL,
                    track_json TEXT NOT NULL DEFAULT '[]',
                    state_changed_by TEXT
                );
                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    time REAL NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target TEXT,
                    detail TEXT
                );
                """)
        }
        return m
    }

    // MARK: Sensors

    public func addSensor(_ s: SensorAccount) async throws {
        try await pool.write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM sensors WHERE id = ?", arguments: [s.id]) != nil {
                throw StoreError.duplicate("sensor \(s.id)")
            }
            try db.execute(sql: """
                INSERT INTO sensors (id, token_sha256, public_key, enabled, created_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [s.id, s.tokenSHA256, s.publicKey, s.enabled, s.createdAt.timeIntervalSince1970])
        }
    }

    public func sensor(id: String) async throws -> SensorAccount? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sensors WHERE id = ?", arguments: [id]).map(Self.makeSensor)
        }
    }

    public func sensor(tokenSHA256: String) async throws -> SensorAccount? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sensors WHERE token_sha256 = ?", arguments: [tokenSHA256])
                .map(Self.makeSensor)
        }
    }

    public func sensors() async throws -> [SensorAccount] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM sensors ORDER BY id").map(Self.makeSensor)
        }
    }

    public func setSensorEnabled(id: String, enabled: Bool) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE sensors SET enabled = ? WHERE id = ?", arguments: [enabled, id])
            if db.changesCount == 0 { throw StoreError.notFound("sensor \(id)") }
        }
    }

    private static func makeSensor(_ r: Row) -> SensorAccount {
        let healthJSON: String? = r["health_json"]
        return SensorAccount(
            id: r["id"], tokenSHA256: r["token_sha256"], publicKey: r["public_key"], enabled: r["enabled"],
            createdAt: date(r["created_at"]), lastSeen: (r["last_seen"] as Double?).map(date),
            health: healthJSON.flatMap { try? decode(SensorHealth.self, $0) },
            recordsAccepted: r["records_accepted"])
    }

    // MARK: Users and sessions

    public func addUser(_ u: UserAccount) async throws {
        try await pool.write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM users WHERE name = ?", arguments: [u.name]) != nil {
                throw StoreError.duplicate("user \(u.name)")
            }
            try db.execute(sql: "INSERT INTO users (name, role, password_hash, enabled, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [u.name, u.role.rawValue, u.passwordHash, u.enabled, u.createdAt.timeIntervalSince1970])
        }
    }

    public func user(name: String) async throws -> UserAccount? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM users WHERE name = ?", arguments: [name]).map(Self.makeUser)
        }
    }

    public func users() async throws -> [UserAccount] {
        try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY name").map(Self.makeUser) }
    }

    private static func makeUser(_ r: Row) -> UserAccount {
        UserAccount(name: r["name"], role: Role(rawValue: r["role"]) ?? .viewer, passwordHash: r["password_hash"],
                    enabled: r["enabled"], createdAt: date(r["created_at"]))
    }

    public func addSession(_ s: SessionRecord) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE expires_at < ?", arguments: [s.createdAt.timeIntervalSince1970])
            try db.execute(sql: "INSERT INTO sessions (token_sha256, user_name, created_at, expires_at) VALUES (?, ?, ?, ?)",
                           arguments: [s.tokenSHA256, s.userName, s.createdAt.timeIntervalSince1970,
                                       s.expiresAt.timeIntervalSince1970])
        }
    }

    public func sessionUser(tokenSHA256: String, now: Date) async throws -> UserAccount? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT users.* FROM sessions JOIN users ON users.name = sessions.user_name
                WHERE sessions.token_sha256 = ? AND sessions.expires_at > ? AND users.enabled = 1
                """, arguments: [tokenSHA256, now.timeIntervalSince1970]).map(Self.makeUser)
        }
    }

    public func deleteSession(tokenSHA256: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE token_sha256 = ?", arguments: [tokenSHA256])
        }
    }

    // MARK: Ingest

    public func ingest(_ batch: IngestBatch) async throws -> IngestResult {
        let encoder = ReportCoding.encoder()
        // Encode outside the write lock. Observation bodies keep dates as Unix seconds (numbers): the
        // RFC 3339 formatter costs about half of all ingest time, and the rows are read by us only.
        let bodyEncoder = JSONEncoder()
        bodyEncoder.dateEncodingStrategy = .secondsSince1970
        bodyEncoder.nonConformingFloatEncodingStrategy = .throw
        let obsBodies = try batch.observations.map { try String(decoding: bodyEncoder.encode($0.record.observation), as: UTF8.self) }
        let suspectBodies = try batch.suspects.map { try String(decoding: encoder.encode($0.suspect), as: UTF8.self) }
        let healthJSON = try batch.health.map { try String(decoding: encoder.encode($0), as: UTF8.self) }
        let received = batch.receivedAt.timeIntervalSince1970

        return try await pool.write { db in
            var accepted = 0
            var duplicates = 0
            var sighted = Set<String>()
            let insertObs = try db.cachedStatement(sql: """
                INSERT INTO observations (sensor_id, record_id, emitter_key, time, latitude, longitude, accuracy_m,
                                          power_dbm, power_dbfs, received_at, body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """)
            for (i, item) in batch.observations.enumerated() {
                let o = item.record.observation
                try insertObs.execute(arguments: [
                    batch.sensorID, item.record.id, item.emitterKey, o.time.timeIntervalSince1970,
                    o.position?.latitudeDegrees, o.position?.longitudeDegrees, o.position?.horizontalAccuracyMeters,
                    o.powerDBm?.value, o.powerDBFS?.value, received, obsBodies[i],
                ])
                if db.changesCount == 1 {
                    accepted += 1
                    if let key = item.emitterKey, o.position != nil, o.powerDBm != nil || o.powerDBFS != nil {
                        sighted.insert(key)
                    }
                } else {
                    duplicates += 1
                }
            }

            var changedAlertIDs = Set<Int64>()
            for (i, record) in batch.suspects.enumerated() {
                try db.execute(sql: "INSERT INTO suspect_records (sensor_id, record_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                               arguments: [batch.sensorID, record.id])
                guard db.changesCount == 1 else { duplicates += 1; continue }
                accepted += 1
                let s = record.suspect
                // Keep the newest snapshot: a late retry of an older one does not overwrite it.
                try db.execute(sql: """
                    INSERT INTO suspects (sensor_id, suspect_key, record_id, last_seen, received_at, body)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (sensor_id, suspect_key) DO UPDATE SET
                        record_id = excluded.record_id, last_seen = excluded.last_seen,
                        received_at = excluded.received_at, body = excluded.body
                    WHERE excluded.last_seen >= suspects.last_seen
                    """, arguments: [batch.sensorID, s.id, record.id, s.lastSeen.timeIntervalSince1970, received,
                                     suspectBodies[i]])
                if s.alertRaised || s.severity >= .medium {
                    if let id = try Self.upsertAlert(db, suspect: s, sensorID: batch.sensorID, now: batch.receivedAt) {
                        changedAlertIDs.insert(id)
                    }
                }
            }

            for item in batch.evidence {
                let e = item.record
                try db.execute(sql: """
                    INSERT INTO evidence (sensor_id, record_id, suspect_key, payload, sha256, signature, public_key,
                                          verified, received_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT DO NOTHING
                    """, arguments: [batch.sensorID, e.id, item.suspectKey, e.payload, e.sha256, e.signature,
                                     e.publicKey, received])
                if db.changesCount == 1 { accepted += 1 } else { duplicates += 1 }
            }

            try db.execute(sql: """
                UPDATE sensors SET last_seen = ?, health_json = COALESCE(?, health_json),
                                   records_accepted = records_accepted + ?
                WHERE id = ?
                """, arguments: [received, healthJSON, accepted, batch.sensorID])

            let changed = try changedAlertIDs.sorted().compactMap { try Self.fetchAlert(db, id: $0) }
            // Only emitters with an open alert are relocated: one query, not one per emitter.
            if !sighted.isEmpty {
                let open = Set(try String.fetchAll(db, sql: "SELECT suspect_key FROM alerts WHERE state != 'resolved'"))
                sighted.formIntersection(open)
            }
            return IngestResult(accepted: accepted, duplicates: duplicates, changedAlerts: changed,
                                sightedEmitters: sighted)
        }
    }

    /// Creates the emitter's alert or folds the snapshot into it. Returns the alert id when it changed.
    private static func upsertAlert(_ db: Database, suspect s: Suspect, sensorID: String, now: Date) throws -> Int64? {
        let t = now.timeIntervalSince1970
        if let row = try Row.fetchOne(db, sql: "SELECT * FROM alerts WHERE suspect_key = ?", arguments: [s.id]) {
            let old = try makeAlert(row)
            var sensors = Set(old.sensors).union(s.sensors)
            sensors.insert(sensorID)
            let severity = max(old.state == .resolved ? .none : old.severity, s.severity)
            // A resolved alert whose emitter is raised again after it was resolved comes back as new.
            let reopen = old.state == .resolved && s.lastSeen > old.updatedAt
            if old.state == .resolved && !reopen { return nil }
            try db.execute(sql: """
                UPDATE alerts SET severity = ?, score = ?, reasons_json = ?, sensors_json = ?,
                    first_seen = MIN(first_seen, ?), last_seen = MAX(last_seen, ?), updated_at = ?,
                    revision = revision + 1, state = ?
                WHERE id = ?
                """, arguments: [severity.rawValue, max(s.score, reopen ? 0 : old.score), try json(s.reasons),
                                 try json(sensors.sorted()), s.firstSeen.timeIntervalSince1970,
                                 s.lastSeen.timeIntervalSince1970, t,
                                 reopen ? AlertState.new.rawValue : old.state.rawValue, old.id])
            return old.id
        }
        var sensors = Set(s.sensors)
        sensors.insert(sensorID)
        try db.execute(sql: """
            INSERT INTO alerts (suspect_key, severity, score, state, rat, identity_json, channel_json, reasons_json,
                                sensors_json, first_seen, last_seen, created_at, updated_at, revision)
            VALUES (?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
            """, arguments: [s.id, s.severity.rawValue, s.score, s.rat.rawValue, try json(s.identity),
                             try json(s.channel), try json(s.reasons), try json(sensors.sorted()),
                             s.firstSeen.timeIntervalSince1970, s.lastSeen.timeIntervalSince1970, t, t])
        return db.lastInsertedRowID
    }

    // MARK: Reading

    public func alerts(includeResolved: Bool) async throws -> [AlertRecord] {
        try await pool.read { db in
            let sql = includeResolved
                ? "SELECT * FROM alerts ORDER BY updated_at DESC, id DESC"
                : "SELECT * FROM alerts WHERE state != 'resolved' ORDER BY updated_at DESC, id DESC"
            return try Row.fetchAll(db, sql: sql).map(Self.makeAlert)
        }
    }

    public func alert(id: Int64) async throws -> AlertRecord? {
        try await pool.read { db in try Self.fetchAlert(db, id: id) }
    }

    public func alert(suspectKey: String) async throws -> AlertRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM alerts WHERE suspect_key = ?", arguments: [suspectKey]).map(Self.makeAlert)
        }
    }

    private static func fetchAlert(_ db: Database, id: Int64) throws -> AlertRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM alerts WHERE id = ?", arguments: [id]).map(makeAlert)
    }

    private static func makeAlert(_ r: Row) throws -> AlertRecord {
        let positionJSON: String? = r["position_json"]
        return AlertRecord(
            id: r["id"], suspectKey: r["suspect_key"],
            severity: Severity(rawValue: r["severity"]) ?? .none, score: r["score"],
            state: AlertState(rawValue: r["state"]) ?? .new, rat: RAT(rawValue: r["rat"]) ?? .unknown,
            identity: try decode(CellIdentity.self, r["identity_json"]),
            channel: try decode(RadioChannel.self, r["channel_json"]),
            reasons: try decode([Finding].self, r["reasons_json"]),
            sensors: try decode([String].self, r["sensors_json"]),
            firstSeen: date(r["first_seen"]), lastSeen: date(r["last_seen"]),
            createdAt: date(r["created_at"]), updatedAt: date(r["updated_at"]), revision: r["revision"],
            position: try positionJSON.map { try decode(EmitterFix.self, $0) },
            track: try decode([EmitterFix].self, r["track_json"]),
            stateChangedBy: r["state_changed_by"])
    }

    public func suspects() async throws -> [SuspectSnapshot] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM suspects ORDER BY last_seen DESC").map { r in
                SuspectSnapshot(sensorID: r["sensor_id"], recordID: r["record_id"], receivedAt: date(r["received_at"]),
                                suspect: try decode(Suspect.self, r["body"]))
            }
        }
    }

    public func evidence(suspectKey: String) async throws -> [EvidenceRow] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM evidence WHERE suspect_key = ? ORDER BY received_at",
                             arguments: [suspectKey]).map { r in
                EvidenceRow(sensorID: r["sensor_id"], recordID: r["record_id"], suspectKey: r["suspect_key"],
                            payload: r["payload"], sha256: r["sha256"], signature: r["signature"],
                            publicKey: r["public_key"], verified: r["verified"], receivedAt: date(r["received_at"]))
            }
        }
    }

    public func sightings(emitterKey: String, limit: Int) async throws -> [Sighting] {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT sensor_id, time, latitude, longitude, accuracy_m, power_dbm, power_dbfs FROM observations
                WHERE emitter_key = ? AND latitude IS NOT NULL AND (power_dbm IS NOT NULL OR power_dbfs IS NOT NULL)
                ORDER BY time DESC LIMIT ?
                """, arguments: [emitterKey, limit])
            return rows.reversed().map { r in
                let t = date(r["time"])
                return Sighting(sensorID: r["sensor_id"], time: t,
                                position: GeoFix(latitudeDegrees: r["latitude"], longitudeDegrees: r["longitude"],
                                                 horizontalAccuracyMeters: r["accuracy_m"] ?? 0, time: t),
                                powerDBm: r["power_dbm"], powerDBFS: r["power_dbfs"])
            }
        }
    }

    public func observationCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM observations") ?? 0 }
    }

    // MARK: Alert changes

    public func transitionAlert(id: Int64, to state: AlertState, by actor: String, at time: Date) async throws -> AlertRecord {
        try await pool.write { db in
            guard let old = try Self.fetchAlert(db, id: id) else { throw StoreError.notFound("alert \(id)") }
            guard old.state.canMove(to: state) else { throw StoreError.invalidTransition(from: old.state, to: state) }
            try db.execute(sql: """
                UPDATE alerts SET state = ?, state_changed_by = ?, updated_at = ?, revision = revision + 1 WHERE id = ?
                """, arguments: [state.rawValue, actor, time.timeIntervalSince1970, id])
            guard let new = try Self.fetchAlert(db, id: id) else { throw StoreError.notFound("alert \(id)") }
            return new
        }
    }

    public func updateAlertPosition(id: Int64, fix: EmitterFix, trackLimit: Int, at time: Date) async throws -> AlertRecord {
        try await pool.write { db in
            guard let old = try Self.fetchAlert(db, id: id) else { throw StoreError.notFound("alert \(id)") }
            var track = old.track
            track.append(fix)
            if track.count > trackLimit { track.removeFirst(track.count - trackLimit) }
            try db.execute(sql: """
                UPDATE alerts SET position_json = ?, latitude = ?, longitude = ?, ellipse_major_m = ?,
                    ellipse_minor_m = ?, ellipse_bearing_deg = ?, heading_deg = ?, speed_mps = ?, track_json = ?,
                    updated_at = ?, revision = revision + 1
                WHERE id = ?
                """, arguments: [try json(fix), fix.latitudeDegrees, fix.longitudeDegrees, fix.ellipseMajorMeters,
                                 fix.ellipseMinorMeters, fix.ellipseBearingDegrees, fix.headingDegrees,
                                 fix.speedMetersPerSecond, try json(track), time.timeIntervalSince1970, id])
            guard let new = try Self.fetchAlert(db, id: id) else { throw StoreError.notFound("alert \(id)") }
            return new
        }
    }

    // MARK: Audit

    public func appendAudit(_ e: AuditEntry) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO audit_log (time, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                           arguments: [e.time.timeIntervalSince1970, e.actor, e.action, e.target, e.detail])
        }
    }

    public func audit(limit: Int) async throws -> [AuditEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", arguments: [limit]).map { r in
                AuditEntry(id: r["id"], time: date(r["time"]), actor: r["actor"], action: r["action"],
                           target: r["target"], detail: r["detail"])
            }
        }
    }
}

extension SQLiteStore: CollectorStoreGauges {
    public func ping() async throws {
        try await pool.read { db in _ = try Int.fetchOne(db, sql: "SELECT 1") }
    }

    public func openAlertCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM alerts WHERE state != 'resolved'") ?? 0 }
    }

    public func sensorCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sensors") ?? 0 }
    }
}

// MARK: Coding helpers

private func date(_ t: Double) -> Date { Date(timeIntervalSince1970: t) }

private func json<T: Encodable>(_ v: T) throws -> String {
    String(decoding: try ReportCoding.encoder().encode(v), as: UTF8.self)
}

private func decode<T: Decodable>(_ type: T.Type, _ s: String) throws -> T {
    try ReportCoding.decoder().decode(T.self, from: Data(s.utf8))
}
