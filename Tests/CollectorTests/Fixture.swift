import CellwatchModel
import Collector
import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import TestSupport

/// A settable clock for the collector under test.
final class TestClock: Sendable {
    private let now: Mutex<Date>
    init(_ start: Date) { now = Mutex(start) }
    var date: Date { now.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { now.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A collector on a fresh database of `backend` (a SQLite file, or a new PostgreSQL database) with
/// two registered sensors ("s1", "s2") and one user per role.
struct Fixture: Sendable {
    static let start = ReportCoding.parseDate("2026-11-29T03:00:00.000Z")!
    let backend: Backend
    let dir: URL
    let store: any CollectorStore
    let service: CollectorService
    let clock: TestClock
    let keyBytes: [UInt8]
    var key: Curve25519.Signing.PrivateKey { try! Curve25519.Signing.PrivateKey(rawRepresentation: keyBytes) }
    let token: String
    let otherToken: String
    /// PostgreSQL: where the database is (other instances open it too).
    let postgres: PostgresSettings?
    /// PostgreSQL: the task delivering other instances' alert changes to this one's hub.
    let fanOut: Task<Void, Never>?

    init(_ backend: Backend = .sqlite, settings: CollectorSettings = Fixture.settings(),
         estimator: (any PositionEstimator)? = nil, seed: UInt64 = 1, name: String = #function) async throws {
        self.backend = backend
        dir = TestSupport.temporaryDirectory(name)
        switch backend {
        case .sqlite:
            store = try SQLiteStore(path: dir.appendingPathComponent("collector.sqlite").path)
            postgres = nil
        case .postgres:
            let pg = try await PostgresTestDatabases.create()
            store = try await PostgresStore.open(pg)
            postgres = pg
        }
        clock = TestClock(Self.start)
        let c = clock
        let hub = makeAlertHub(for: store)
        service = CollectorService(store: store, settings: settings, estimator: estimator, hub: hub, clock: { c.date })
        if let pg = store as? PostgresStore {
            fanOut = Task { await pg.deliverAlerts(to: hub) }
        } else {
            fanOut = nil
        }
        var g = SeededGenerator(seed: seed)
        keyBytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &g) }
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: keyBytes)
        token = try await service.registerSensor(id: "s1", publicKey: key.publicKey.rawRepresentation, actor: "test")
        let otherKey = try Curve25519.Signing.PrivateKey(rawRepresentation: (0..<32).map { _ in UInt8.random(in: 0...255, using: &g) })
        otherToken = try await service.registerSensor(id: "s2", publicKey: otherKey.publicKey.rawRepresentation, actor: "test")
        for role in Role.allCases {
            try await service.addUser(name: role.rawValue + "1", role: role, password: "pw-\(role.rawValue)-secret", actor: "test")
        }
    }

    /// The same database opened again (SQLite: the file; PostgreSQL: a new connection pool).
    func reopen() async throws -> any CollectorStore {
        if let postgres { return try await PostgresStore.open(postgres) }
        return try SQLiteStore(path: dir.appendingPathComponent("collector.sqlite").path)
    }

    static func settings(burst: Int = 1000, rate: Double = 1000, limits: IngestLimits = IngestLimits()) -> CollectorSettings {
        CollectorSettings(limits: limits, sensorRatePerSecond: rate, sensorBurst: burst, loginRatePerSecond: 100,
                          loginBurst: 100, heartbeatSeconds: 0.2, passwordRounds: PasswordHasher.minimumRounds)
    }

    func app() -> some ApplicationProtocol {
        Application(router: CollectorAPI(service: service).router())
    }

    func cleanup() {
        try? FileManager.default.removeItem(at: dir)
        fanOut?.cancel()
        if let pg = store as? PostgresStore {
            pg.close()
            PostgresTestDatabases.dropLater(pg.settings.database)
        }
    }

    // MARK: Reports

    static let identity = CellIdentity(mcc: "262", mnc: "01", areaCode: 4711, cellId: 31337, bsic: 12)
    static let suspectKey = "GSM:262-1-4711-31337@ARFCN 60"

    func observation(_ i: Int, sensor: String = "s1", lat: Double = 52.52, lon: Double = 13.40, dbm: Double = -70) -> CellObservation {
        CellObservation(rat: .gsm, channel: .arfcn(ARFCN(60)), identity: Self.identity, powerDBm: Decibels(dbm),
                        sensorID: sensor,
                        position: GeoFix(latitudeDegrees: lat, longitudeDegrees: lon, horizontalAccuracyMeters: 5,
                                         time: clock.date.addingTimeInterval(-60 + Double(i))),
                        time: clock.date.addingTimeInterval(-60 + Double(i)))
    }

    func suspect(severity: Severity = .high, raised: Bool = true, score: Double = 85, sensor: String = "s1") -> Suspect {
        Suspect(id: Self.suspectKey, rat: .gsm, identity: Self.identity, channel: .arfcn(ARFCN(60)), score: score,
                severity: severity, alertRaised: raised,
                reasons: [Finding(ruleID: "lac-mismatch", weight: 40, reason: "LAC 4711 <unknown> & not in baseline")],
                firstSeen: clock.date.addingTimeInterval(-120), lastSeen: clock.date.addingTimeInterval(-1),
                sensors: [sensor], lastPositions: [:])
    }

    func signedEvidence(id: String = "ev-1", sensor: String = "s1", signer: Curve25519.Signing.PrivateKey? = nil) throws -> SignedEvidence {
        let ev = Evidence(id: id, sensorID: sensor, suspectID: Self.suspectKey, capturedAt: clock.date.addingTimeInterval(-30),
                          observations: [observation(0, sensor: sensor)],
                          messages: [DecodedMessage(frameNumber: 1234, channel: "BCCH", name: "System Information Type 3",
                                                    l2Hex: "49061b7a69", fieldsJSON: nil)], iq: nil)
        let payload = try ReportCoding.encoder().encode(ev)
        let digest = Data(SHA256.hash(data: payload))
        let signer = signer ?? key
        return SignedEvidence(id: id, payload: payload, sha256: sha256Hex(payload),
                              signature: try signer.signature(for: digest), publicKey: key.publicKey.rawRepresentation)
    }

    func report(observations n: Int = 3, idPrefix: String = "obs", suspects: [SuspectRecord]? = nil,
                evidence: [SignedEvidence]? = nil, sensor: String = "s1") throws -> SensorReport {
        SensorReport(sensorID: sensor, sentAt: clock.date,
                     observations: (0..<n).map { ObservationRecord(id: "\(idPrefix)-\($0)", observation: observation($0, sensor: sensor)) },
                     suspects: suspects ?? [SuspectRecord(id: "sus-1", suspect: suspect(sensor: sensor))],
                     evidence: try evidence ?? [signedEvidence(sensor: sensor)],
                     health: SensorHealth(samplesPerSecond: 2e6, overflows: 0, cellsDecoded: 12, spoolDepth: 0))
    }

    static func encode(_ r: SensorReport) throws -> ByteBuffer {
        ByteBuffer(bytes: try ReportCoding.encoder().encode(r))
    }

    static func bearer(_ token: String, json: Bool = true) -> HTTPFields {
        var h: HTTPFields = [.authorization: "Bearer \(token)"]
        if json { h[.contentType] = "application/json" }
        return h
    }

    /// Logs in through the API and returns the session token.
    static func login(_ client: some TestClientProtocol, _ role: Role) async throws -> String {
        let body = try ReportCoding.encoder().encode(LoginRequest(name: role.rawValue + "1", password: "pw-\(role.rawValue)-secret"))
        let r = try await client.execute(uri: "/api/v1/login", method: .post, headers: [.contentType: "application/json"],
                                         body: ByteBuffer(bytes: body))
        guard r.status == .ok else { throw APIError(error: "login failed: \(r.status) \(String(buffer: r.body))") }
        return try ReportCoding.decoder().decode(LoginResponse.self, from: Data(r.body.readableBytesView)).token
    }
}

func decodeBody<T: Decodable>(_ type: T.Type, _ r: TestResponse) throws -> T {
    try ReportCoding.decoder().decode(T.self, from: Data(r.body.readableBytesView))
}

func errorMessage(_ r: TestResponse) -> String {
    (try? decodeBody(APIError.self, r).error) ?? "<not APIError: \(String(buffer: r.body).prefix(200))>"
}
