import CellwatchModel
import Foundation
import GRDB

/// What the map needs from stored observations: each sensor's recent track and the cells heard.
public struct MapData: Sendable {
    public var tracks: [String: [[Double]]]
    public var cells: [MapCell]
    public var observationCount: Int
}

protocol MapSource: Sendable {
    func read(hours: Double, trackPoints: Int) async throws -> MapData
}

/// Reads the SQLite store's observations through its own read-only connection pool (the store's
/// writer is untouched; WAL lets both work at once).
final class SQLiteMapSource: MapSource {
    let path: String
    private let pool: LazyPool

    init(path: String) {
        self.path = path
        pool = LazyPool(path: path)
    }

    /// Opened on first use: the store has created and migrated the file by then.
    final class LazyPool: @unchecked Sendable {
        private let lock = NSLock()
        private var pool: DatabasePool?
        let path: String
        init(path: String) { self.path = path }
        func get() throws -> DatabasePool {
            try lock.withLock {
                if let pool { return pool }
                var config = Configuration()
                config.readonly = true
                config.busyMode = .timeout(10)
                let p = try DatabasePool(path: path, configuration: config)
                pool = p
                return p
            }
        }
    }

    /// Thinning distance for tracks: a point closer than this to the previous kept one is dropped.
    static let trackStepMeters = 15.0

    func read(hours: Double, trackPoints: Int) async throws -> MapData {
        let db = try pool.get()
        return try await db.read { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM observations") ?? 0
            guard let newest = try Double.fetchOne(db, sql: "SELECT MAX(time) FROM observations") else {
                return MapData(tracks: [:], cells: [], observationCount: count)
            }
            let since = newest - hours * 3600
            var tracks: [String: [[Double]]] = [:]
            var current: String?
            var points: [[Double]] = []
            func flush() {
                guard let id = current else { return }
                if points.count > trackPoints { points.removeFirst(points.count - trackPoints) }
                tracks[id] = points
            }
            let rows = try Row.fetchCursor(db, sql: """
                SELECT sensor_id, time, latitude, longitude FROM observations
                WHERE latitude IS NOT NULL AND longitude IS NOT NULL AND time >= ?
                ORDER BY sensor_id, time
                """, arguments: [since])
            while let r = try rows.next() {
                let id: String = r[0]
                if id != current {
                    flush()
                    current = id
                    points = []
                }
                let p = [r[2] as Double, r[3] as Double, r[1] as Double]
                if let last = points.last,
                   GeoFix.distanceMeters(last[0], last[1], p[0], p[1]) < Self.trackStepMeters {
                    points[points.count - 1][2] = p[2]   // still here: keep the point, move its time on
                    continue
                }
                points.append(p)
            }
            flush()
            // Count and last time per cell; then where each was heard strongest: SQLite fills the bare
            // columns from the row holding the one MAX() of the query (its documented rule for bare
            // columns in an aggregate query), so that needs its own query.
            var stats: [String: (n: Int, last: Double)] = [:]
            for r in try Row.fetchAll(db, sql: """
                SELECT emitter_key, COUNT(*), MAX(time) FROM observations
                WHERE emitter_key IS NOT NULL AND latitude IS NOT NULL AND time >= ? GROUP BY emitter_key
                """, arguments: [since]) {
                stats[r[0]] = (r[1], r[2])
            }
            let cells = try Row.fetchAll(db, sql: """
                SELECT emitter_key, MAX(COALESCE(power_dbm, power_dbfs, -1000)), latitude, longitude, power_dbm, power_dbfs
                FROM observations
                WHERE emitter_key IS NOT NULL AND latitude IS NOT NULL AND time >= ?
                GROUP BY emitter_key ORDER BY emitter_key
                """, arguments: [since]).map { r -> MapCell in
                let key: String = r[0]
                let s = stats[key] ?? (0, since)
                return MapCell(key: key, observations: s.n, lastSeen: Date(timeIntervalSince1970: s.last),
                               strongest: [r[2], r[3]], powerDBm: r[4], powerDBFS: r[5], alertID: nil)
            }
            return MapData(tracks: tracks, cells: cells, observationCount: count)
        }
    }
}
