import Foundation

/// Liveness and gauges a store can answer without reading whole tables. Kept apart from
/// `CollectorStore` so a store that does not adopt it still works: the service then falls back to the
/// protocol's general reads (slower, same answers).
public protocol CollectorStoreGauges: Sendable {
    /// Throws when the database cannot be read.
    func ping() async throws
    /// Alerts not resolved.
    func openAlertCount() async throws -> Int
    /// Registered sensors.
    func sensorCount() async throws -> Int
}

extension CollectorService {
    /// One cheap read that proves the database answers (`GET /healthz`).
    public func checkStorage() async throws {
        if let g = store as? any CollectorStoreGauges { try await g.ping() } else { _ = try await store.audit(limit: 1) }
    }

    public func openAlertCount() async throws -> Int {
        if let g = store as? any CollectorStoreGauges { return try await g.openAlertCount() }
        return try await store.alerts(includeResolved: false).count
    }

    public func sensorCount() async throws -> Int {
        if let g = store as? any CollectorStoreGauges { return try await g.sensorCount() }
        return try await store.sensors().count
    }
}
