import CellwatchModel
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Where a PostgreSQL store connects, parsed from a libpq-style URL:
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require][&host=/socket/dir][&pool=N]`.
/// `host=` (a directory, as libpq has it) selects a Unix socket instead of TCP.
public struct PostgresSettings: Sendable, Equatable {
    public enum TLSMode: String, Sendable, Equatable { case disable, prefer, require }

    public var host: String
    public var port: Int
    /// Path of the server's socket file (`DIR/.s.PGSQL.PORT`) when connecting through a Unix socket.
    public var unixSocketPath: String?
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// Connections this instance keeps at most (one of them is the alert listener's).
    public var maxConnections: Int
    /// NOTIFY channel the instances of one database use for alert fan-out.
    public var channel: String

    public init(host: String = "127.0.0.1", port: Int = 5432, unixSocketPath: String? = nil, username: String,
                password: String? = nil, database: String, tls: TLSMode = .prefer, maxConnections: Int = 16,
                channel: String = "cellwatch_alerts") {
        self.host = host
        self.port = port
        self.unixSocketPath = unixSocketPath
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.maxConnections = maxConnections
        self.channel = channel
    }

    /// Parses `url`; a password in the URL wins over `password` (from a file or the environment).
    public init(url: String, password: String? = nil) throws(ConfigError) {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"),
              let c = URLComponents(string: url) else {
            throw ConfigError("database: \"\(Self.redacted(url))\" is not a postgres://USER@HOST/DATABASE URL")
        }
        let query = Dictionary((c.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        for key in query.keys where !["sslmode", "host", "pool"].contains(key) {
            throw ConfigError("database: unknown URL parameter \"\(key)\" (known: sslmode, host, pool)")
        }
        port = c.port ?? 5432
        guard (1...65535).contains(port) else { throw ConfigError("database: port \(port) is out of range") }
        guard let user = c.user, !user.isEmpty else {
            throw ConfigError("database: \"\(Self.redacted(url))\" names no user (postgres://USER@HOST/DATABASE)")
        }
        username = user
        self.password = c.password ?? password
        let db = String(c.path.drop(while: { $0 == "/" }))
        guard !db.isEmpty, !db.contains("/") else {
            throw ConfigError("database: \"\(Self.redacted(url))\" names no database (postgres://USER@HOST/DATABASE)")
        }
        database = db
        if let dir = query["host"], !dir.isEmpty {
            guard dir.hasPrefix("/") else { throw ConfigError("database: host=\(dir) must be an absolute socket directory") }
            unixSocketPath = dir.hasSuffix(".s.PGSQL.\(port)") ? dir : dir + "/.s.PGSQL.\(port)"
            host = (c.host?.isEmpty == false ? c.host : nil) ?? "localhost"
        } else {
            guard let h = c.host, !h.isEmpty else {
                throw ConfigError("database: \"\(Self.redacted(url))\" names no host (or ?host=/socket/dir)")
            }
            host = h
            unixSocketPath = nil
        }
        let mode = query["sslmode"] ?? "prefer"
        guard let t = TLSMode(rawValue: mode) else {
            throw ConfigError("database: sslmode=\(mode) is not disable, prefer or require")
        }
        tls = t
        if let p = query["pool"] {
            guard let n = Int(p), (2...1000).contains(n) else { throw ConfigError("database: pool=\(p) must be 2…1000") }
            maxConnections = n
        } else {
            maxConnections = 16
        }
        channel = "cellwatch_alerts"
    }

    /// The URL with any password replaced, for messages and logs.
    public static func redacted(_ url: String) -> String {
        guard var c = URLComponents(string: url), c.password != nil else { return url }
        c.password = "***"
        return c.string ?? "postgres://…"
    }

    var clientConfiguration: PostgresClient.Configuration {
        var config: PostgresClient.Configuration
        if let unixSocketPath {
            config = .init(unixSocketPath: unixSocketPath, username: username, password: password, database: database)
        } else {
            let tlsConfig: PostgresClient.Configuration.TLS = switch tls {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
            config = .init(host: host, port: port, username: username, password: password, database: database, tls: tlsConfig)
        }
        config.options.maximumConnections = maxConnections
        config.options.minimumConnections = 0
        config.options.connectTimeout = .seconds(10)
        config.options.additionalStartupParameters = [("application_name", "cellwatch-collector")]
        return config
    }
}

/// `CollectorStore` on PostgreSQL, for fleets: several collector instances share one database.
///
/// Same tables and semantics as `SQLiteStore`: idempotent ingest on (sensor, record id) with
/// `ON CONFLICT DO NOTHING`, every method one transaction, a versioned schema migrated on open. What
/// SQLite gets from its single writer, PostgreSQL gets from constraints and locks: one alert per
/// emitter is a unique key plus a transaction-scoped advisory lock per emitter taken (in sorted order)
/// before the alert is read and written; transactions that still meet a deadlock or serialization
/// failure are retried. Times are Unix seconds (`double precision`), structured fields JSON text.
///
/// Alert fan-out between instances: `announce` sends `NOTIFY cellwatch_alerts, 'INSTANCE ID KIND'`;
/// `deliverAlerts(to:)` LISTENs, skips its own instance's notes, reads the alert and hands it to the
/// local `AlertHub` (without announcing it again).
public final class PostgresStore: CollectorStore {
    public let settings: PostgresSettings
    /// Tells this instance's notifications from the others'.
    public let instanceID: String
    private let client: PostgresClient
    private let runTask: Task<Void, Never>
    private let logger: Logger
    private let outbox: AsyncStream<String>.Continuation
    private let outboxStream: AsyncStream<String>
    private let listening = Atomic<Bool>(false)

    /// Advisory lock namespace (first key of `pg_advisory_xact_lock(int, int)`): "CW".
    static let lockNamespace: Int32 = 0x4357
    /// The current schema version; `migrations[i]` brings a database from version i to i + 1.
    static let schemaVersion = PostgresStore.migrations.count

    private init(settings: PostgresSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        instanceID = UUID().uuidString.lowercased()
        let client = PostgresClient(configuration: settings.clientConfiguration, backgroundLogger: logger)
        self.client = client
        runTask = Task { await client.run() }
        (outboxStream, outbox) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(4096))
    }

    /// Connects, migrates the schema to the current version and returns the store. `close()` it when done.
    public static func open(_ settings: PostgresSettings, logger: Logger = Logger(label: "cellwatch.collector.postgres")) async throws -> PostgresStore {
        let store = PostgresStore(settings: settings, logger: logger)
        do {
            try await store.migrate()
        } catch {
            store.close()
            throw error
        }
        return store
    }

    /// Stops the connection pool (and with it the alert listener).
    public func close() {
        outbox.finish()
        runTask.cancel()
    }

    deinit { runTask.cancel() }

    // MARK: Schema

    static let migrations: [String] = [
        """
        CREATE TABLE sensors (
            id TEXT PRIMARY KEY,
            token_sha256 TEXT NOT NULL UNIQUE,
            public_key BYTEA NOT NULL,
            enabled BOOLEAN NOT NULL DEFAULT TRUE,
            created_at DOUBLE PRECISION NOT NULL,
            last_seen DOUBLE PRECISION,
            health_json TEXT,
            records_accepted BIGINT NOT NULL DEFAULT 0
        );
        CREATE TABLE users (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            enabled BOOLEAN NOT NULL DEFAULT TRUE,
            created_at DOUBLE PRECISION NOT NULL
        );
        CREATE TABLE sessions (
            token_sha256 TEXT PRIMARY KEY,
            user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
            created_at DOUBLE PRECISION NOT NULL,
            expires_at DOUBLE PRECISION NOT NULL
        );
        CREATE TABLE observations (
            sensor_id TEXT NOT NULL,
            record_id TEXT NOT NULL,
            emitter_key TEXT,
            time DOUBLE PRECISION NOT NULL,
            latitude DOUBLE PRECISION,
            longitude DOUBLE PRECISION,
            accuracy_m DOUBLE PRECISION,
            power_dbm DOUBLE PRECISION,
            power_dbfs DOUBLE PRECISION,
            received_at DOUBLE PRECISION NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (sensor_id, record_id)
        );
        CREATE INDEX observations_emitter ON observations(emitter_key, time);
        CREATE TABLE suspect_records (
            sensor_id TEXT NOT NULL,
            record_id TEXT NOT NULL,
            PRIMARY KEY (sensor_id, record_id)
        );
        CREATE TABLE suspects (
            sensor_id TEXT NOT NULL,
            suspect_key TEXT NOT NULL,
            record_id TEXT NOT NULL,
            last_seen DOUBLE PRECISION NOT NULL,
            received_at DOUBLE PRECISION NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (sensor_id, suspect_key)
        );
        CREATE TABLE evidence (
            sensor_id TEXT NOT NULL,
            record_id TEXT NOT NULL,
            suspect_key TEXT NOT NULL,
            payload BYTEA NOT NULL,
            sha256 TEXT NOT NULL,
            signature BYTEA NOT NULL,
            public_key BYTEA NOT NULL,
            verified BOOLEAN NOT NULL,
            received_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (sensor_id, record_id)
        );
        CREATE INDEX evidence_suspect ON evidence(suspect_key);
        CREATE TABLE alerts (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            suspect_key TEXT NOT NULL UNIQUE,
            severity TEXT NOT NULL,
            score DOUBLE PRECISION NOT NULL,
            state TEXT NOT NULL,
            rat TEXT NOT NULL,
            identity_json TEXT NOT NULL,
            channel_json TEXT NOT NULL,
            reasons_json TEXT NOT NULL,
            sensors_json TEXT NOT NULL,
            first_seen DOUBLE PRECISION NOT NULL,
            last_seen DOUBLE PRECISION NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            revision BIGINT NOT NULL,
            position_json TEXT,
            latitude DOUBLE PRECISION,
            longitude DOUBLE PRECISION,
            ellipse_major_m DOUBLE PRECISION,
            ellipse_minor_m DOUBLE PRECISION,
            ellipse_bearing_deg DOUBLE PRECISION,
            heading_deg DOUBLE PRECISION,
            speed_mps DOUBLE PRECISION,
            track_json TEXT NOT NULL DEFAULT '[]',
            state_changed_by TEXT
        );
        CREATE INDEX alerts_open ON alerts(state, updated_at);
        CREATE TABLE audit_log (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            time DOUBLE PRECISION NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT,
            detail TEXT
        );
        """,
    ]

    /// Brings the schema to `schemaVersion`. Instances starting together serialize on an advisory
    /// lock, so each migration runs once; each runs in the transaction that records it.
    func migrate() async throws {
        try await transaction { conn in
            try await conn.query("SELECT pg_advisory_xact_lock(\(Self.lockNamespace), 0)", logger: self.logger)
            try await conn.query("""
                CREATE TABLE IF NOT EXISTS cellwatch_schema (
                    version INTEGER PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)
                """, logger: self.logger)
            var current = 0
            for try await v in try await conn.query("SELECT COALESCE(MAX(version), 0) FROM cellwatch_schema",
                                                    logger: self.logger).decode(Int32.self) {
                current = Int(v)
            }
            guard current <= Self.schemaVersion else {
                throw ConfigError("database \(self.settings.database): schema version \(current) is newer than this collector's (\(Self.schemaVersion)); upgrade the collector")
            }
            for version in current..<Self.schemaVersion {
                // The extended protocol takes one statement at a time (no ';' inside the migrations' literals).
                for statement in Self.migrations[version].split(separator: ";")
                where !statement.allSatisfy({ $0.isWhitespace }) {
                    try await conn.query(PostgresQuery(unsafeSQL: String(statement)), logger: self.logger)
                }
                try await conn.query("INSERT INTO cellwatch_schema (version, applied_at) VALUES (\(Int32(version + 1)), \(Date().timeIntervalSince1970))",
                                     logger: self.logger)
            }
        }
    }

    // MARK: Transactions

    /// Runs `body` in one transaction on one pooled connection; retried (whole) when PostgreSQL
    /// reports a deadlock or serialization failure. Errors thrown by `body` come out unwrapped.
    private func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await client.withConnection { conn in
                    try await conn.query("BEGIN", logger: self.logger)
                    do {
                        let value = try await body(conn)
                        try await conn.query("COMMIT", logger: self.logger)
                        return value
                    } catch {
                        _ = try? await conn.query("ROLLBACK", logger: self.logger)
                        throw error
                    }
                }
            } catch let e as PSQLError where attempt < 6 && Self.isRetryable(e) {
                logger.debug("retrying transaction", metadata: ["sqlstate": "\(e.serverInfo?[.sqlState] ?? "")", "attempt": "\(attempt)"])
                try await Task.sleep(for: .milliseconds(5 * attempt * attempt))
            }
        }
    }

    /// 40001 serialization_failure, 40P01 deadlock_detected.
    static func isRetryable(_ e: PSQLError) -> Bool {
        guard let state = e.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }

    /// One statement outside an explicit transaction (PostgreSQL wraps it in its own).
    private func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await client.withConnection { conn in
            try await conn.query(query, logger: self.logger).collect().map { $0.makeRandomAccess() }
        }
    }

    // MARK: Sensors

    public func addSensor(_ s: SensorAccount) async throws {
        let inserted = try await rows("""
            INSERT INTO sensors (id, token_sha256, public_key, enabled, created_at)
            VALUES (\(s.id), \(s.tokenSHA256), \(s.publicKey), \(s.enabled), \(s.createdAt.timeIntervalSince1970))
            ON CONFLICT (id) DO NOTHING RETURNING id
            """)
        if inserted.isEmpty { throw StoreError.duplicate("sensor \(s.id)") }
    }

    public func sensor(id: String) async throws -> SensorAccount? {
        try await rows("SELECT * FROM sensors WHERE id = \(id)").first.map(Self.makeSensor)
    }

    public func sensor(tokenSHA256: String) async throws -> SensorAccount? {
        try await rows("SELECT * FROM sensors WHERE token_sha256 = \(tokenSHA256)").first.map(Self.makeSensor)
    }

    public func sensors() async throws -> [SensorAccount] {
        try await rows("SELECT * FROM sensors ORDER BY id").map(Self.makeSensor)
    }

    public func setSensorEnabled(id: String, enabled: Bool) async throws {
        let changed = try await rows("UPDATE sensors SET enabled = \(enabled) WHERE id = \(id) RETURNING id")
        if changed.isEmpty { throw StoreError.notFound("sensor \(id)") }
    }

    private static func makeSensor(_ r: PostgresRandomAccessRow) throws -> SensorAccount {
        let healthJSON = try r["health_json"].decode(String?.self)
        return SensorAccount(
            id: try r["id"].decode(String.self), tokenSHA256: try r["token_sha256"].decode(String.self),
            publicKey: try r["public_key"].decode(Data.self), enabled: try r["enabled"].decode(Bool.self),
            createdAt: date(try r["created_at"].decode(Double.self)),
            lastSeen: try r["last_seen"].decode(Double?.self).map(date),
            health: healthJSON.flatMap { try? decode(SensorHealth.self, $0) },
            recordsAccepted: Int(try r["records_accepted"].decode(Int64.self)))
    }

    // MARK: Users and sessions

    public func addUser(_ u: UserAccount) async throws {
        let inserted = try await rows("""
            INSERT INTO users (name, role, password_hash, enabled, created_at)
            VALUES (\(u.name), \(u.role.rawValue), \(u.passwordHash), \(u.enabled), \(u.createdAt.timeIntervalSince1970))
            ON CONFLICT (name) DO NOTHING RETURNING name
            """)
        if inserted.isEmpty { throw StoreError.duplicate("user \(u.name)") }
    }

    public func user(name: String) async throws -> UserAccount? {
        try await rows("SELECT * FROM users WHERE name = \(name)").first.map(Self.makeUser)
    }

    public func users() async throws -> [UserAccount] {
        try await rows("SELECT * FROM users ORDER BY name").map(Self.makeUser)
    }

    private static func makeUser(_ r: PostgresRandomAccessRow) throws -> UserAccount {
        UserAccount(name: try r["name"].decode(String.self),
                    role: Role(rawValue: try r["role"].decode(String.self)) ?? .viewer,
                    passwordHash: try r["password_hash"].decode(String.self), enabled: try r["enabled"].decode(Bool.self),
                    createdAt: date(try r["created_at"].decode(Double.self)))
    }

    public func addSession(_ s: SessionRecord) async throws {
        try await transaction { conn in
            try await conn.query("DELETE FROM sessions WHERE expires_at < \(s.createdAt.timeIntervalSince1970)", logger: self.logger)
            try await conn.query("""
                INSERT INTO sessions (token_sha256, user_name, created_at, expires_at)
                VALUES (\(s.tokenSHA256), \(s.userName), \(s.createdAt.timeIntervalSince1970), \(s.expiresAt.timeIntervalSince1970))
                """, logger: self.logger)
        }
    }

    public func sessionUser(tokenSHA256: String, now: Date) async throws -> UserAccount? {
        try await rows("""
            SELECT users.* FROM sessions JOIN users ON users.name = sessions.user_name
            WHERE sessions.token_sha256 = \(tokenSHA256) AND sessions.expires_at > \(now.timeIntervalSince1970)
              AND users.enabled
            """).first.map(Self.makeUser)
    }

    public func deleteSession(tokenSHA256: String) async throws {
        _ = try await rows("DELETE FROM sessions WHERE token_sha256 = \(tokenSHA256)")
    }

    // MARK: Ingest

    /// One observation row as `json_to_recordset` reads it: the whole batch travels as one JSON
    /// parameter, so a batch is one INSERT whatever its size.
    private struct ObservationRow: Encodable {
        var record_id: String
        var emitter_key: String?
        var time: Double
        var latitude: Double?
        var longitude: Double?
        var accuracy_m: Double?
        var power_dbm: Double?
        var power_dbfs: Double?
        var body: String
    }

    public func ingest(_ batch: IngestBatch) async throws -> IngestResult {
        let encoder = ReportCoding.encoder()
        let bodyEncoder = JSONEncoder()
        bodyEncoder.dateEncodingStrategy = .secondsSince1970
        bodyEncoder.nonConformingFloatEncodingStrategy = .throw
        // Sorted by record id: two instances inserting overlapping batches take row locks in one order.
        let obsRows = try batch.observations.map { item -> ObservationRow in
            let o = item.record.observation
            return ObservationRow(
                record_id: item.record.id, emitter_key: item.emitterKey, time: o.time.timeIntervalSince1970,
                latitude: o.position?.latitudeDegrees, longitude: o.position?.longitudeDegrees,
                accuracy_m: o.position?.horizontalAccuracyMeters, power_dbm: o.powerDBm?.value,
                power_dbfs: o.powerDBFS?.value,
                body: String(decoding: try bodyEncoder.encode(o), as: UTF8.self))
        }.sorted { $0.record_id < $1.record_id }
        let rowEncoder = JSONEncoder()
        rowEncoder.nonConformingFloatEncodingStrategy = .throw
        let obsJSON = String(decoding: try rowEncoder.encode(obsRows), as: UTF8.self)
        let suspectBodies = try batch.suspects.map { try String(decoding: encoder.encode($0.suspect), as: UTF8.self) }
        let healthJSON = try batch.health.map { try String(decoding: encoder.encode($0), as: UTF8.self) }
        let received = batch.receivedAt.timeIntervalSince1970
        let sensorID = batch.sensorID
        let alertKeys = Set(batch.suspects.map(\.suspect).filter { $0.alertRaised || $0.severity >= .medium }.map(\.id)).sorted()

        return try await transaction { conn in
            var accepted = 0
            var duplicates = 0
            var sighted = Set<String>()
            // One alert per emitter: hold the emitter's lock (sorted order, no deadlock between
            // instances) from before its alert is read until the transaction ends.
            for key in alertKeys {
                try await conn.query("SELECT pg_advisory_xact_lock(\(Self.lockNamespace), hashtext(\(key)))", logger: self.logger)
            }
            if !obsRows.isEmpty {
                let inserted = try await conn.query("""
                    INSERT INTO observations (sensor_id, record_id, emitter_key, time, latitude, longitude, accuracy_m,
                                              power_dbm, power_dbfs, received_at, body)
                    SELECT \(sensorID), r.record_id, r.emitter_key, r.time, r.latitude, r.longitude, r.accuracy_m,
                           r.power_dbm, r.power_dbfs, \(received), r.body
                    FROM json_to_recordset(\(obsJSON)::json) AS r(record_id TEXT, emitter_key TEXT, time DOUBLE PRECISION,
                        latitude DOUBLE PRECISION, longitude DOUBLE PRECISION, accuracy_m DOUBLE PRECISION,
                        power_dbm DOUBLE PRECISION, power_dbfs DOUBLE PRECISION, body TEXT)
                    ON CONFLICT DO NOTHING
                    RETURNING emitter_key, (latitude IS NOT NULL AND (power_dbm IS NOT NULL OR power_dbfs IS NOT NULL))
                    """, logger: self.logger)
                for try await (key, isSighting) in inserted.decode((String?, Bool).self) {
                    accepted += 1
                    if let key, isSighting { sighted.insert(key) }
                }
                duplicates += obsRows.count - accepted
            }

            var changedAlertIDs = Set<Int64>()
            for (i, record) in batch.suspects.enumerated() {
                let s = record.suspect
                let fresh = try await conn.query("""
                    INSERT INTO suspect_records (sensor_id, record_id) VALUES (\(sensorID), \(record.id))
                    ON CONFLICT DO NOTHING RETURNING record_id
                    """, logger: self.logger).collect()
                if fresh.isEmpty {
                    duplicates += 1
                    continue
                }
                accepted += 1
                try await conn.query("""
                    INSERT INTO suspects (sensor_id, suspect_key, record_id, last_seen, received_at, body)
                    VALUES (\(sensorID), \(s.id), \(record.id), \(s.lastSeen.timeIntervalSince1970), \(received), \(suspectBodies[i]))
                    ON CONFLICT (sensor_id, suspect_key) DO UPDATE SET
                        record_id = excluded.record_id, last_seen = excluded.last_seen,
                        received_at = excluded.received_at, body = excluded.body
                    WHERE excluded.last_seen >= suspects.last_seen
                    """, logger: self.logger)
                if s.alertRaised || s.severity >= .medium {
                    if let id = try await self.upsertAlert(conn, suspect: s, sensorID: sensorID, now: batch.receivedAt) {
                        changedAlertIDs.insert(id)
                    }
                }
            }

            for item in batch.evidence {
                let e = item.record
                let fresh = try await conn.query("""
                    INSERT INTO evidence (sensor_id, record_id, suspect_key, payload, sha256, signature, public_key,
                                          verified, received_at)
                    VALUES (\(sensorID), \(e.id), \(item.suspectKey), \(e.payload), \(e.sha256), \(e.signature),
                            \(e.publicKey), TRUE, \(received))
                    ON CONFLICT DO NOTHING RETURNING record_id
                    """, logger: self.logger).collect()
                if fresh.isEmpty { duplicates += 1 } else { accepted += 1 }
            }

            try await conn.query("""
                UPDATE sensors SET last_seen = \(received), health_json = COALESCE(\(healthJSON), health_json),
                                   records_accepted = records_accepted + \(Int64(accepted))
                WHERE id = \(sensorID)
                """, logger: self.logger)

            var changed: [AlertRecord] = []
            for id in changedAlertIDs.sorted() {
                if let a = try await Self.fetchAlert(conn, id: id, logger: self.logger) { changed.append(a) }
            }
            if !sighted.isEmpty {
                var open = Set<String>()
                for try await key in try await conn.query("""
                    SELECT suspect_key FROM alerts WHERE state <> 'resolved' AND suspect_key = ANY(\(Array(sighted)))
                    """, logger: self.logger).decode(String.self) {
                    open.insert(key)
                }
                sighted.formIntersection(open)
            }
            return IngestResult(accepted: accepted, duplicates: duplicates, changedAlerts: changed, sightedEmitters: sighted)
        }
    }

    /// Creates the emitter's alert or folds the snapshot into it (the caller holds the emitter's
    /// advisory lock). Returns the alert id when it changed.
    private func upsertAlert(_ conn: PostgresConnection, suspect s: Suspect, sensorID: String, now: Date) async throws -> Int64? {
        let t = now.timeIntervalSince1970
        let existing = try await conn.query("SELECT * FROM alerts WHERE suspect_key = \(s.id) FOR UPDATE",
                                            logger: logger).collect().first
        if let existing {
            let old = try Self.makeAlert(existing.makeRandomAccess())
            var sensors = Set(old.sensors).union(s.sensors)
            sensors.insert(sensorID)
            let severity = max(old.state == .resolved ? .none : old.severity, s.severity)
            // A resolved alert whose emitter is raised again after it was resolved comes back as new.
            let reopen = old.state == .resolved && s.lastSeen > old.updatedAt
            if old.state == .resolved && !reopen { return nil }
            try await conn.query("""
                UPDATE alerts SET severity = \(severity.rawValue), score = \(max(s.score, reopen ? 0 : old.score)),
                    reasons_json = \(try json(s.reasons)), sensors_json = \(try json(sensors.sorted())),
                    first_seen = LEAST(first_seen, \(s.firstSeen.timeIntervalSince1970)),
                    last_seen = GREATEST(last_seen, \(s.lastSeen.timeIntervalSince1970)), updated_at = \(t),
                    revision = revision + 1, state = \(reopen ? AlertState.new.rawValue : old.state.rawValue)
                WHERE id = \(old.id)
                """, logger: logger)
            return old.id
        }
        var sensors = Set(s.sensors)
        sensors.insert(sensorID)
        let inserted = try await conn.query("""
            INSERT INTO alerts (suspect_key, severity, score, state, rat, identity_json, channel_json, reasons_json,
                                sensors_json, first_seen, last_seen, created_at, updated_at, revision)
            VALUES (\(s.id), \(s.severity.rawValue), \(s.score), 'new', \(s.rat.rawValue), \(try json(s.identity)),
                    \(try json(s.channel)), \(try json(s.reasons)), \(try json(sensors.sorted())),
                    \(s.firstSeen.timeIntervalSince1970), \(s.lastSeen.timeIntervalSince1970), \(t), \(t), 1)
            RETURNING id
            """, logger: logger).collect()
        return try inserted.first?.decode(Int64.self)
    }

    // MARK: Reading

    public func alerts(includeResolved: Bool) async throws -> [AlertRecord] {
        let q: PostgresQuery = includeResolved
            ? "SELECT * FROM alerts ORDER BY updated_at DESC, id DESC"
            : "SELECT * FROM alerts WHERE state <> 'resolved' ORDER BY updated_at DESC, id DESC"
        return try await rows(q).map(Self.makeAlert)
    }

    public func alert(id: Int64) async throws -> AlertRecord? {
        try await rows("SELECT * FROM alerts WHERE id = \(id)").first.map(Self.makeAlert)
    }

    public func alert(suspectKey: String) async throws -> AlertRecord? {
        try await rows("SELECT * FROM alerts WHERE suspect_key = \(suspectKey)").first.map(Self.makeAlert)
    }

    private static func fetchAlert(_ conn: PostgresConnection, id: Int64, logger: Logger) async throws -> AlertRecord? {
        try await conn.query("SELECT * FROM alerts WHERE id = \(id)", logger: logger).collect().first
            .map { try makeAlert($0.makeRandomAccess()) }
    }

    private static func makeAlert(_ r: PostgresRandomAccessRow) throws -> AlertRecord {
        let positionJSON = try r["position_json"].decode(String?.self)
        return AlertRecord(
            id: try r["id"].decode(Int64.self), suspectKey: try r["suspect_key"].decode(String.self),
            severity: Severity(rawValue: try r["severity"].decode(String.self)) ?? .none,
            score: try r["score"].decode(Double.self),
            state: AlertState(rawValue: try r["state"].decode(String.self)) ?? .new,
            rat: RAT(rawValue: try r["rat"].decode(String.self)) ?? .unknown,
            identity: try decode(CellIdentity.self, try r["identity_json"].decode(String.self)),
            channel: try decode(RadioChannel.self, try r["channel_json"].decode(String.self)),
            reasons: try decode([Finding].self, try r["reasons_json"].decode(String.self)),
            sensors: try decode([String].self, try r["sensors_json"].decode(String.self)),
            firstSeen: date(try r["first_seen"].decode(Double.self)), lastSeen: date(try r["last_seen"].decode(Double.self)),
            createdAt: date(try r["created_at"].decode(Double.self)), updatedAt: date(try r["updated_at"].decode(Double.self)),
            revision: Int(try r["revision"].decode(Int64.self)),
            position: try positionJSON.map { try decode(EmitterFix.self, $0) },
            track: try decode([EmitterFix].self, try r["track_json"].decode(String.self)),
            stateChangedBy: try r["state_changed_by"].decode(String?.self))
    }

    public func suspects() async throws -> [SuspectSnapshot] {
        try await rows("SELECT * FROM suspects ORDER BY last_seen DESC").map { r in
            SuspectSnapshot(sensorID: try r["sensor_id"].decode(String.self), recordID: try r["record_id"].decode(String.self),
                            receivedAt: date(try r["received_at"].decode(Double.self)),
                            suspect: try decode(Suspect.self, try r["body"].decode(String.self)))
        }
    }

    public func evidence(suspectKey: String) async throws -> [EvidenceRow] {
        try await rows("SELECT * FROM evidence WHERE suspect_key = \(suspectKey) ORDER BY received_at, sensor_id, record_id").map { r in
            EvidenceRow(sensorID: try r["sensor_id"].decode(String.self), recordID: try r["record_id"].decode(String.self),
                        suspectKey: try r["suspect_key"].decode(String.self), payload: try r["payload"].decode(Data.self),
                        sha256: try r["sha256"].decode(String.self), signature: try r["signature"].decode(Data.self),
                        publicKey: try r["public_key"].decode(Data.self), verified: try r["verified"].decode(Bool.self),
                        receivedAt: date(try r["received_at"].decode(Double.self)))
        }
    }

    public func sightings(emitterKey: String, limit: Int) async throws -> [Sighting] {
        let rows = try await rows("""
            SELECT sensor_id, time, latitude, longitude, accuracy_m, power_dbm, power_dbfs FROM observations
            WHERE emitter_key = \(emitterKey) AND latitude IS NOT NULL AND (power_dbm IS NOT NULL OR power_dbfs IS NOT NULL)
            ORDER BY time DESC LIMIT \(Int64(max(0, limit)))
            """)
        return try rows.reversed().map { r in
            let t = date(try r["time"].decode(Double.self))
            return Sighting(sensorID: try r["sensor_id"].decode(String.self), time: t,
                            position: GeoFix(latitudeDegrees: try r["latitude"].decode(Double.self),
                                             longitudeDegrees: try r["longitude"].decode(Double.self),
                                             horizontalAccuracyMeters: try r["accuracy_m"].decode(Double?.self) ?? 0, time: t),
                            powerDBm: try r["power_dbm"].decode(Double?.self), powerDBFS: try r["power_dbfs"].decode(Double?.self))
        }
    }

    public func observationCount() async throws -> Int {
        Int(try await rows("SELECT COUNT(*) FROM observations").first?[0].decode(Int64.self) ?? 0)
    }

    // MARK: Alert changes

    public func transitionAlert(id: Int64, to state: AlertState, by actor: String, at time: Date) async throws -> AlertRecord {
        try await transaction { conn in
            guard let row = try await conn.query("SELECT * FROM alerts WHERE id = \(id) FOR UPDATE", logger: self.logger)
                .collect().first else { throw StoreError.notFound("alert \(id)") }
            let old = try Self.makeAlert(row.makeRandomAccess())
            guard old.state.canMove(to: state) else { throw StoreError.invalidTransition(from: old.state, to: state) }
            try await conn.query("""
                UPDATE alerts SET state = \(state.rawValue), state_changed_by = \(actor),
                    updated_at = \(time.timeIntervalSince1970), revision = revision + 1
                WHERE id = \(id)
                """, logger: self.logger)
            guard let new = try await Self.fetchAlert(conn, id: id, logger: self.logger) else { throw StoreError.notFound("alert \(id)") }
            return new
        }
    }

    public func updateAlertPosition(id: Int64, fix: EmitterFix, trackLimit: Int, at time: Date) async throws -> AlertRecord {
        try await transaction { conn in
            guard let row = try await conn.query("SELECT * FROM alerts WHERE id = \(id) FOR UPDATE", logger: self.logger)
                .collect().first else { throw StoreError.notFound("alert \(id)") }
            let old = try Self.makeAlert(row.makeRandomAccess())
            var track = old.track
            track.append(fix)
            if track.count > trackLimit { track.removeFirst(track.count - trackLimit) }
            try await conn.query("""
                UPDATE alerts SET position_json = \(try json(fix)), latitude = \(fix.latitudeDegrees),
                    longitude = \(fix.longitudeDegrees), ellipse_major_m = \(fix.ellipseMajorMeters),
                    ellipse_minor_m = \(fix.ellipseMinorMeters), ellipse_bearing_deg = \(fix.ellipseBearingDegrees),
                    heading_deg = \(fix.headingDegrees), speed_mps = \(fix.speedMetersPerSecond),
                    track_json = \(try json(track)), updated_at = \(time.timeIntervalSince1970), revision = revision + 1
                WHERE id = \(id)
                """, logger: self.logger)
            guard let new = try await Self.fetchAlert(conn, id: id, logger: self.logger) else { throw StoreError.notFound("alert \(id)") }
            return new
        }
    }

    // MARK: Audit

    public func appendAudit(_ e: AuditEntry) async throws {
        _ = try await rows("""
            INSERT INTO audit_log (time, actor, action, target, detail)
            VALUES (\(e.time.timeIntervalSince1970), \(e.actor), \(e.action), \(e.target), \(e.detail))
            """)
    }

    public func audit(limit: Int) async throws -> [AuditEntry] {
        try await rows("SELECT * FROM audit_log ORDER BY id DESC LIMIT \(Int64(max(0, limit)))").map { r in
            AuditEntry(id: try r["id"].decode(Int64.self), time: date(try r["time"].decode(Double.self)),
                       actor: try r["actor"].decode(String.self), action: try r["action"].decode(String.self),
                       target: try r["target"].decode(String?.self), detail: try r["detail"].decode(String?.self))
        }
    }

    // MARK: Alert fan-out between instances

    /// Queues a notification of a change made on this instance for the other instances (sent in
    /// order by `deliverAlerts`). Never blocks; the newest 4096 wait when the database is away.
    public func announce(alertID: Int64, kind: String) {
        outbox.yield("\(instanceID) \(alertID) \(kind)")
    }

    /// True while the listener is subscribed to the channel (changes made elsewhere reach this hub).
    public var isListening: Bool { listening.load(ordering: .acquiring) }

    /// Until cancelled: sends this instance's announcements and delivers the other instances'
    /// alert changes to `hub` (read fresh from the database, published without announcing again).
    /// Reconnects with a growing pause when the connection drops.
    public func deliverAlerts(to hub: AlertHub) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.sendAnnouncements() }
            group.addTask { await self.listenLoop(hub) }
            await group.waitForAll()
        }
    }

    private func sendAnnouncements() async {
        for await payload in outboxStream {
            var pause = 0.05
            while !Task.isCancelled {
                do {
                    _ = try await rows("SELECT pg_notify(\(settings.channel), \(payload))")
                    break
                } catch {
                    logger.warning("cannot send alert notification; retrying", metadata: ["error": "\(String(reflecting: error))"])
                    try? await Task.sleep(for: .seconds(pause))
                    pause = min(pause * 2, 5)
                }
            }
            if Task.isCancelled { return }
        }
    }

    private func listenLoop(_ hub: AlertHub) async {
        var pause = 0.1
        while !Task.isCancelled {
            do {
                try await client.withConnection { conn in
                    try await conn.listen(on: self.settings.channel) { notifications in
                        self.listening.store(true, ordering: .releasing)
                        pause = 0.1
                        for try await n in notifications {
                            await self.handle(n.payload, hub: hub)
                        }
                    }
                }
            } catch is CancellationError {
                break
            } catch {
                if Task.isCancelled { break }
                logger.warning("alert listener lost its connection; reconnecting", metadata: ["error": "\(String(reflecting: error))"])
            }
            listening.store(false, ordering: .releasing)
            try? await Task.sleep(for: .seconds(pause))
            pause = min(pause * 2, 5)
        }
        listening.store(false, ordering: .releasing)
    }

    private func handle(_ payload: String, hub: AlertHub) async {
        let parts = payload.split(separator: " ", maxSplits: 2).map(String.init)
        guard parts.count == 3, let id = Int64(parts[1]) else {
            logger.warning("ignoring malformed alert notification", metadata: ["payload": "\(payload.prefix(200))"])
            return
        }
        guard parts[0] != instanceID else { return }   // ours: already published here
        do {
            guard let alert = try await alert(id: id) else { return }
            hub.publish(alert, kind: parts[2], relay: false)
        } catch {
            logger.warning("cannot read notified alert", metadata: ["alert": "\(id)", "error": "\(String(reflecting: error))"])
        }
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

/// Runs `PostgresStore.deliverAlerts(to:)` in a collector's `ServiceGroup` until graceful shutdown.
public struct AlertFanOutService: Service {
    public let store: PostgresStore
    public let hub: AlertHub
    public init(store: PostgresStore, hub: AlertHub) {
        self.store = store
        self.hub = hub
    }
    public func run() async throws {
        await cancelWhenGracefulShutdown { await store.deliverAlerts(to: hub) }
    }
}
