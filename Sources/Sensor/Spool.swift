import CellwatchModel
import Foundation
import GRDB

/// What a spooled record is; the raw value is stored.
public enum SpoolKind: String, Sendable, CaseIterable, Codable {
    case observation
    case suspect
    case evidence

    /// Upload and eviction value: observations are routine and may be evicted under pressure; suspects
    /// and evidence never are.
    public var priority: Int {
        switch self {
        case .observation: 0
        case .suspect: 2
        case .evidence: 3
        }
    }
}

/// One spooled record: the JSON of an `ObservationRecord`, `SuspectRecord` or `SignedEvidence`
/// (`ReportCoding` encoder), under the idempotency ID the collector deduplicates on.
public struct SpoolRecord: Sendable, Hashable {
    public var id: String
    public var kind: SpoolKind
    public var createdAt: Date
    public var payload: Data

    public init(id: String, kind: SpoolKind, createdAt: Date, payload: Data) {
        self.id = id
        self.kind = kind
        self.createdAt = createdAt
        self.payload = payload
    }

    public static func observation(_ r: ObservationRecord, at date: Date) throws -> SpoolRecord {
        SpoolRecord(id: r.id, kind: .observation, createdAt: date, payload: try ReportCoding.encoder().encode(r))
    }
    public static func suspect(_ r: SuspectRecord, at date: Date) throws -> SpoolRecord {
        SpoolRecord(id: r.id, kind: .suspect, createdAt: date, payload: try ReportCoding.encoder().encode(r))
    }
    public static func evidence(_ r: SignedEvidence, at date: Date) throws -> SpoolRecord {
        SpoolRecord(id: r.id, kind: .evidence, createdAt: date, payload: try ReportCoding.encoder().encode(r))
    }
}

public struct SpoolError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ path: String, _ error: any Error) { description = "\(path): spool: \(error)" }
    init(_ description: String) { self.description = description }
}

/// Counts of pending (not yet uploaded) records and their payload bytes.
public struct SpoolDepth: Sendable, Equatable {
    public var observations = 0
    public var suspects = 0
    public var evidence = 0
    public var quarantined = 0
    public var payloadBytes: Int64 = 0
    /// Creation time of the oldest pending record (upload lag = now − this).
    public var oldest: Date?
    public var total: Int { observations + suspects + evidence }
}

/// The store-and-forward spool: every record is committed here before anything is sent, and deleted
/// only when the collector's 200 receipt covers it.
///
/// SQLite in WAL mode (one writer, readers never block it), through GRDB.
///
/// fsync policy: `synchronous=FULL` on every commit. In WAL mode that syncs the WAL at each commit, so a
/// record whose `append` returned survives both `kill -9` (which WAL with NORMAL already survives) and a
/// power cut (which NORMAL may lose the last commits to). The cost is one fsync per commit; the survey
/// loop commits once per dwell (all observations of the dwell in one transaction), so that is about one
/// fsync a second — negligible next to the radio work, and a sensor on a mast loses power often.
///
/// Bound: `maxBytes` caps the payload bytes of pending records. Over it, the oldest observations are
/// evicted (and counted) until it fits; suspects and evidence are never evicted, even if that leaves
/// the spool over its bound (then `append` still succeeds: they are what the sensor is for).
public final class Spool: @unchecked Sendable {
    public let path: String
    public let maxBytes: Int64
    private let db: DatabasePool
    private let lock = NSLock()
    private var evictedCount = 0

    public init(path: String, maxBytes: Int64) throws(SpoolError) {
        self.path = path
        self.maxBytes = maxBytes
        var config = Configuration()
        config.journalMode = .wal
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            db = try DatabasePool(path: path, configuration: config)
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1") { db in
                // seq orders records by spooling time even when two share a timestamp.
                try db.execute(sql: """
                    CREATE TABLE record (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL UNIQUE,
                        kind TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        priority INTEGER NOT NULL,
                        payload BLOB NOT NULL,
                        size INTEGER NOT NULL,
                        quarantined INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE INDEX record_evict ON record(priority, seq) WHERE quarantined = 0;
                    CREATE TABLE counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
                    """)
            }
            try migrator.migrate(db)
            evictedCount = try db.read { db in
                try Int.fetchOne(db, sql: "SELECT value FROM counter WHERE name = 'evicted'") ?? 0
            }
        } catch {
            throw SpoolError(path, error)
        }
    }

    /// Commits `records` in one transaction (one fsync). A record whose ID is already spooled is left as
    /// it is (appending is idempotent). Evicts old observations if the bound is exceeded.
    public func append(_ records: [SpoolRecord]) throws(SpoolError) {
        guard !records.isEmpty else { return }
        do {
            let evicted = try db.write { db -> Int in
                for r in records {
                    try db.execute(sql: """
                        INSERT INTO record (id, kind, created_at, priority, payload, size) VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT(id) DO NOTHING
                        """, arguments: [r.id, r.kind.rawValue, r.createdAt.timeIntervalSince1970, r.kind.priority,
                                         r.payload, r.payload.count])
                }
                return try evict(db)
            }
            if evicted > 0 { lock.withLock { evictedCount += evicted } }
        } catch {
            throw SpoolError(path, error)
        }
    }

    public func append(_ record: SpoolRecord) throws(SpoolError) { try append([record]) }

    /// Deletes the oldest observations until the pending payload fits `maxBytes`; returns how many.
    private func evict(_ db: Database) throws -> Int {
        var total = try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(size), 0) FROM record WHERE quarantined = 0") ?? 0
        guard total > maxBytes else { return 0 }
        var evicted = 0
        let rows = try Row.fetchCursor(db, sql: """
            SELECT seq, size FROM record WHERE quarantined = 0 AND priority = 0 ORDER BY seq
            """)
        var victims: [Int64] = []
        while total > maxBytes, let row = try rows.next() {
            victims.append(row["seq"])
            total -= row["size"] as Int64
        }
        for chunk in stride(from: 0, to: victims.count, by: 500) {
            let part = victims[chunk..<min(chunk + 500, victims.count)]
            try db.execute(sql: "DELETE FROM record WHERE seq IN (\(part.map(String.init).joined(separator: ",")))")
            evicted += part.count
        }
        if evicted > 0 {
            try db.execute(sql: """
                INSERT INTO counter (name, value) VALUES ('evicted', ?)
                ON CONFLICT(name) DO UPDATE SET value = value + excluded.value
                """, arguments: [evicted])
        }
        return evicted
    }

    /// The oldest `limit` pending records, oldest first.
    public func nextBatch(limit: Int) throws(SpoolError) -> [SpoolRecord] {
        do {
            return try db.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT id, kind, created_at, payload FROM record WHERE quarantined = 0 ORDER BY seq LIMIT ?
                    """, arguments: [limit]).map { row in
                    SpoolRecord(id: row["id"], kind: SpoolKind(rawValue: row["kind"]) ?? .observation,
                                createdAt: Date(timeIntervalSince1970: row["created_at"]), payload: row["payload"])
                }
            }
        } catch {
            throw SpoolError(path, error)
        }
    }

    /// Deletes records the collector has acknowledged.
    public func markUploaded(_ ids: [String]) throws(SpoolError) {
        try update(ids, sql: "DELETE FROM record WHERE id IN")
    }

    /// Sets records aside that the collector rejected as malformed (4xx): kept for inspection, never
    /// retried, never evicted.
    public func quarantine(_ ids: [String]) throws(SpoolError) {
        try update(ids, sql: "UPDATE record SET quarantined = 1 WHERE id IN")
    }

    private func update(_ ids: [String], sql: String) throws(SpoolError) {
        guard !ids.isEmpty else { return }
        do {
            try db.write { db in
                for start in stride(from: 0, to: ids.count, by: 500) {
                    let part = Array(ids[start..<min(start + 500, ids.count)])
                    let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
                    try db.execute(sql: "\(sql) (\(marks))", arguments: StatementArguments(part))
                }
            }
        } catch {
            throw SpoolError(path, error)
        }
    }

    public func depth() throws(SpoolError) -> SpoolDepth {
        do {
            return try db.read { db in
                var d = SpoolDepth()
                for row in try Row.fetchAll(db, sql: """
                    SELECT kind, quarantined, COUNT(*) AS n, SUM(size) AS bytes, MIN(created_at) AS oldest
                    FROM record GROUP BY kind, quarantined
                    """) {
                    let n: Int = row["n"]
                    if (row["quarantined"] as Int) != 0 { d.quarantined += n; continue }
                    d.payloadBytes += row["bytes"] as Int64
                    let oldest = Date(timeIntervalSince1970: row["oldest"])
                    d.oldest = d.oldest.map { min($0, oldest) } ?? oldest
                    switch SpoolKind(rawValue: row["kind"]) {
                    case .observation: d.observations += n
                    case .suspect: d.suspects += n
                    case .evidence: d.evidence += n
                    case nil: break
                    }
                }
                return d
            }
        } catch {
            throw SpoolError(path, error)
        }
    }

    /// Observations evicted over the spool's lifetime (persisted).
    public var evicted: Int { lock.withLock { evictedCount } }

    /// Every pending ID (tests, diagnostics).
    public func allIDs() throws(SpoolError) -> Set<String> {
        do {
            return Set(try db.read { db in try String.fetchAll(db, sql: "SELECT id FROM record") })
        } catch {
            throw SpoolError(path, error)
        }
    }

    /// Truncates the WAL into the main file (on shutdown).
    public func checkpoint() {
        _ = try? db.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
    }
}

/// Time-ordered UUIDs (RFC 9562 §5.7, version 7): 48-bit Unix milliseconds, then random bits, so IDs
/// sort by creation and stay unique across restarts. Clock and randomness are injected.
public struct UUIDv7Generator: Sendable {
    private let clock: @Sendable () -> Date
    private let random: @Sendable () -> UInt64

    public init(clock: @escaping @Sendable () -> Date, random: @escaping @Sendable () -> UInt64) {
        self.clock = clock
        self.random = random
    }

    public func next() -> String {
        let ms = UInt64(max(0, clock().timeIntervalSince1970 * 1000))
        let r1 = random(), r2 = random()
        var b = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { b[i] = UInt8(truncatingIfNeeded: ms >> (40 - 8 * UInt64(i))) }
        b[6] = 0x70 | UInt8(truncatingIfNeeded: r1 & 0x0F)          // version 7
        b[7] = UInt8(truncatingIfNeeded: r1 >> 8)
        b[8] = 0x80 | UInt8(truncatingIfNeeded: (r1 >> 16) & 0x3F)  // variant 10
        for i in 9..<16 { b[i] = UInt8(truncatingIfNeeded: r2 >> (8 * UInt64(i - 9))) }
        let u = UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
        return u.uuidString.lowercased()
    }
}

/// A thread-safe seeded generator (SplitMix64) for IDs and jitter; seed it from the system once at
/// start in the daemon, from a constant in tests.
public final class SharedRandom: @unchecked Sendable {
    private var state: UInt64
    private let lock = NSLock()
    public init(seed: UInt64) { state = seed }
    public func next() -> UInt64 {
        lock.withLock { SplitMix64.step(&state) }
    }
    /// Uniform in [0, 1).
    public func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
