import CellwatchModel
import Foundation

/// Everything the collector keeps, behind one protocol so SQLite (one file, zero set-up) and
/// PostgreSQL (fleets) can be swapped without touching the API. Every method is one transaction.
public protocol CollectorStore: Sendable {
    // MARK: Sensors
    func addSensor(_ sensor: SensorAccount) async throws
    func sensor(id: String) async throws -> SensorAccount?
    func sensor(tokenSHA256: String) async throws -> SensorAccount?
    func sensors() async throws -> [SensorAccount]
    func setSensorEnabled(id: String, enabled: Bool) async throws

    // MARK: Users and sessions
    func addUser(_ user: UserAccount) async throws
    func user(name: String) async throws -> UserAccount?
    func users() async throws -> [UserAccount]
    func addSession(_ session: SessionRecord) async throws
    /// The session's user when the session exists and has not expired at `now`.
    func sessionUser(tokenSHA256: String, now: Date) async throws -> UserAccount?
    func deleteSession(tokenSHA256: String) async throws

    // MARK: Ingest
    /// Stores a validated batch in one transaction: each (sensor, record id) once, the latest suspect
    /// snapshot per (sensor, suspect), evidence, sensor health; creates or updates the alert of every
    /// emitter whose snapshot is raised or at least medium severity.
    func ingest(_ batch: IngestBatch) async throws -> IngestResult

    // MARK: Reading
    func alerts(includeResolved: Bool) async throws -> [AlertRecord]
    func alert(id: Int64) async throws -> AlertRecord?
    func alert(suspectKey: String) async throws -> AlertRecord?
    func suspects() async throws -> [SuspectSnapshot]
    func evidence(suspectKey: String) async throws -> [EvidenceRow]
    /// Sightings of one emitter with a sensor position, oldest first, at most `limit` (the newest).
    func sightings(emitterKey: String, limit: Int) async throws -> [Sighting]
    func observationCount() async throws -> Int

    // MARK: Alert changes
    /// Moves an alert along its lifecycle; throws `StoreError.invalidTransition` for a move the
    /// lifecycle does not allow.
    func transitionAlert(id: Int64, to state: AlertState, by actor: String, at time: Date) async throws -> AlertRecord
    /// Stores a new position estimate (and appends it to the track, keeping the last `trackLimit`).
    func updateAlertPosition(id: Int64, fix: EmitterFix, trackLimit: Int, at time: Date) async throws -> AlertRecord

    // MARK: Audit
    func appendAudit(_ entry: AuditEntry) async throws
    func audit(limit: Int) async throws -> [AuditEntry]
}
