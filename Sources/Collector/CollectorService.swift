import CellwatchModel
import Foundation
import Logging

/// Turns the power sightings of one emitter into a position (and, for a moving one, heading and
/// speed). The Localization target provides the real one; nil means "cannot say yet".
public protocol PositionEstimator: Sendable {
    func estimate(_ sightings: [Sighting], previous: EmitterFix?) -> EmitterFix?
}

/// Settings of one collector instance.
public struct CollectorSettings: Sendable {
    public var limits: IngestLimits
    /// Per-sensor uploads per second and burst.
    public var sensorRatePerSecond: Double
    public var sensorBurst: Int
    /// Login attempts per user name per second and burst.
    public var loginRatePerSecond: Double
    public var loginBurst: Int
    public var sessionLifetime: TimeInterval
    /// SSE heartbeat comment interval.
    public var heartbeatSeconds: Double
    /// A sensor not heard from for this long is shown as stale.
    public var staleAfter: TimeInterval
    /// Sightings per emitter fed to localization (the newest), and track points kept per alert.
    public var localizationWindow: Int
    public var trackLimit: Int
    public var passwordRounds: Int
    public var capSender: String
    /// Public base URL of the API (for CAP resource links), e.g. "https://collector.example/api/v1".
    public var publicBaseURL: String?
    /// Web dashboard: Leaflet location, basemap tiles, map window.
    public var dashboard: DashboardSettings
    /// How sensors authenticate (bearer token, client certificate, or either).
    public var sensorAuthentication: SensorAuthentication

    public init(limits: IngestLimits = IngestLimits(), sensorRatePerSecond: Double = 5, sensorBurst: Int = 20,
                loginRatePerSecond: Double = 0.2, loginBurst: Int = 10, sessionLifetime: TimeInterval = 12 * 3600,
                heartbeatSeconds: Double = 15, staleAfter: TimeInterval = 600, localizationWindow: Int = 2000,
                trackLimit: Int = 200, passwordRounds: Int = 210_000, capSender: String = "cellwatch-collector",
                publicBaseURL: String? = nil, dashboard: DashboardSettings = DashboardSettings(),
                sensorAuthentication: SensorAuthentication = .token) {
        self.limits = limits
        self.sensorRatePerSecond = sensorRatePerSecond
        self.sensorBurst = sensorBurst
        self.loginRatePerSecond = loginRatePerSecond
        self.loginBurst = loginBurst
        self.sessionLifetime = sessionLifetime
        self.heartbeatSeconds = heartbeatSeconds
        self.staleAfter = staleAfter
        self.localizationWindow = localizationWindow
        self.trackLimit = trackLimit
        self.passwordRounds = passwordRounds
        self.capSender = capSender
        self.publicBaseURL = publicBaseURL
        self.dashboard = dashboard
        self.sensorAuthentication = sensorAuthentication
    }
}

/// The collector's behaviour, independent of HTTP: ingest, alerts, accounts. `CollectorAPI` maps
/// routes onto it; the admin subcommands call it directly.
public final class CollectorService: Sendable {
    public let store: any CollectorStore
    public let hub: AlertHub
    public let metrics: CollectorMetrics
    public let settings: CollectorSettings
    public let clock: @Sendable () -> Date
    public let estimator: (any PositionEstimator)?
    public let logger: Logger
    let sensorLimiter: RateLimiter
    let loginLimiter: RateLimiter
    /// All login attempts together: per-name buckets alone let a client spread a password-guessing
    /// flood (each attempt costs a full PBKDF2 run) over fresh names.
    let allLoginsLimiter: RateLimiter
    let validator: ReportValidator
    let passwords: PasswordHasher

    public init(store: any CollectorStore, settings: CollectorSettings = CollectorSettings(),
                estimator: (any PositionEstimator)? = nil, hub: AlertHub = AlertHub(),
                clock: @escaping @Sendable () -> Date = { Date() },
                logger: Logger = Logger(label: "cellwatch.collector")) {
        self.store = store
        self.settings = settings
        self.estimator = estimator
        self.hub = hub
        self.clock = clock
        self.logger = logger
        self.metrics = CollectorMetrics()
        self.sensorLimiter = RateLimiter(ratePerSecond: settings.sensorRatePerSecond, burst: settings.sensorBurst)
        self.loginLimiter = RateLimiter(ratePerSecond: settings.loginRatePerSecond, burst: settings.loginBurst)
        self.allLoginsLimiter = RateLimiter(ratePerSecond: settings.loginRatePerSecond * 20, burst: settings.loginBurst * 20)
        self.validator = ReportValidator(limits: settings.limits)
        self.passwords = PasswordHasher(rounds: settings.passwordRounds)
    }

    // MARK: Accounts

    /// Registers a sensor with its Ed25519 public key; returns the bearer token (shown once; only its
    /// hash is stored).
    public func registerSensor(id: String, publicKey: Data, actor: String) async throws -> String {
        do {
            try validator.checkIdentifier(id, "id", max: 64)
        } catch {
            throw APIFailure(.badRequest, error.description)
        }
        guard publicKey.count == 32 else {
            throw APIFailure(.badRequest, "publicKey: an Ed25519 public key is 32 raw bytes (base64), got \(publicKey.count)")
        }
        let token = Tokens.generate()
        try await store.addSensor(SensorAccount(id: id, tokenSHA256: Tokens.hash(token), publicKey: publicKey,
                                                createdAt: clock()))
        try await audit(actor, "sensor.add", target: id)
        return token
    }

    public func addUser(name: String, role: Role, password: String, actor: String) async throws {
        do {
            try validator.checkIdentifier(name, "name", max: 64)
        } catch {
            throw APIFailure(.badRequest, error.description)
        }
        guard password.count >= 8 else { throw APIFailure(.badRequest, "password: at least 8 characters") }
        guard password.utf8.count <= 1024 else { throw APIFailure(.badRequest, "password: at most 1024 bytes") }
        let hash = try passwords.hash(password)
        try await store.addUser(UserAccount(name: name, role: role, passwordHash: hash, createdAt: clock()))
        try await audit(actor, "user.add", target: name, detail: "role=\(role.rawValue)")
    }

    /// Checks a password and opens a session. Returns nil (and audits the failure) when wrong.
    public func login(name: String, password: String) async throws -> (token: String, user: UserAccount, expires: Date)? {
        let now = clock()
        let overall = allLoginsLimiter.take("*", now: now)
        guard overall.allowed else {
            throw APIFailure(.tooManyRequests, "too many login attempts on this collector; retry later",
                             retryAfter: overall.retryAfter)
        }
        let decision = loginLimiter.take("user:" + name, now: now)
        guard decision.allowed else {
            throw APIFailure(.tooManyRequests, "too many login attempts for \"\(name.prefix(64))\"; retry later",
                             retryAfter: decision.retryAfter)
        }
        let user = try await store.user(name: name)
        // Run the KDF even for an unknown user so response time does not reveal which names exist.
        let stored = user?.passwordHash ?? "pbkdf2-sha256$\(passwords.rounds)$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        let ok = passwords.verify(password, against: stored) && user?.enabled == true
        metrics.login(ok: ok)
        guard ok, let user else {
            try await audit(String(name.prefix(64)), "login.failed")
            return nil
        }
        let token = Tokens.generate()
        let expires = now.addingTimeInterval(settings.sessionLifetime)
        try await store.addSession(SessionRecord(tokenSHA256: Tokens.hash(token), userName: user.name,
                                                 createdAt: now, expiresAt: expires))
        try await audit(user.name, "login")
        return (token, user, expires)
    }

    public func audit(_ actor: String, _ action: String, target: String? = nil, detail: String? = nil) async throws {
        try await store.appendAudit(AuditEntry(time: clock(), actor: actor, action: action, target: target, detail: detail))
    }

    // MARK: Ingest

    /// Validates, verifies and stores one decoded report from an authenticated sensor; publishes
    /// the alerts it changed and relocates their emitters.
    public func ingest(_ report: SensorReport, from sensor: SensorAccount) async throws -> ReportReceipt {
        let start = ContinuousClock.now
        let now = clock()
        guard report.sensorID == sensor.id else {
            throw APIFailure(.forbidden, "sensorID \"\(report.sensorID.prefix(64))\" does not match the credentials (sensor \"\(sensor.id)\")")
        }
        do {
            try validator.validate(report, now: now)
        } catch {
            throw APIFailure(.badRequest, error.description)
        }
        var evidence: [(record: SignedEvidence, suspectKey: String)] = []
        for (i, e) in report.evidence.enumerated() {
            do {
                try EvidenceVerifier.verify(e, registeredKey: sensor.publicKey)
            } catch {
                throw APIFailure(.badRequest, "evidence[\(i)]: \(error.description)")
            }
            let decoded: Evidence
            do {
                decoded = try e.decodedEvidence()
            } catch let error as DecodingError {
                throw APIFailure(.badRequest, "evidence[\(i)].payload: \(error.clearMessage)")
            }
            do {
                try validator.validate(evidence: decoded, signedID: e.id, sensorID: sensor.id,
                                       path: "evidence[\(i)]", now: now)
            } catch {
                throw APIFailure(.badRequest, error.description)
            }
            evidence.append((e, decoded.suspectID))
        }
        let observations = report.observations.map { rec -> (record: ObservationRecord, emitterKey: String?) in
            (rec, EmitterKey(rec.observation).description)
        }
        let batch = IngestBatch(sensorID: sensor.id, receivedAt: now, observations: observations,
                                suspects: report.suspects, evidence: evidence, health: report.health)
        let result = try await store.ingest(batch)

        var published = Set<Int64>()
        for a in result.changedAlerts {
            let kind = a.revision == 1 ? "created" : "updated"
            var latest = a
            if let moved = try await relocate(a) { latest = moved }
            hub.publish(latest, kind: kind)
            metrics.alertPublished()
            published.insert(a.id)
        }
        // Emitters with an alert that got new sightings without a new suspect snapshot. Several are read
        // in one query of the open alerts rather than one query each.
        let sighted = result.sightedEmitters.subtracting(result.changedAlerts.map(\.suspectKey))
        var openAlerts: [String: AlertRecord] = [:]
        if sighted.count > 1 {
            for a in try await store.alerts(includeResolved: false) where sighted.contains(a.suspectKey) { openAlerts[a.suspectKey] = a }
        } else if let key = sighted.first, let a = try await store.alert(suspectKey: key) {
            openAlerts[key] = a
        }
        for key in sighted.sorted() {
            guard let a = openAlerts[key], !published.contains(a.id), a.state != .resolved,
                  let moved = try await relocate(a) else { continue }
            hub.publish(moved, kind: "moved")
            metrics.alertPublished()
        }
        let seconds = Double((ContinuousClock.now - start).components.attoseconds) / 1e18
            + Double((ContinuousClock.now - start).components.seconds)
        metrics.reportAccepted(observations: report.observations.count, suspects: report.suspects.count,
                               evidence: report.evidence.count, duplicates: result.duplicates, seconds: seconds)
        return ReportReceipt(accepted: result.accepted, duplicates: result.duplicates)
    }

    /// Recomputes the emitter's position from all its sightings; stores it when there is one.
    func relocate(_ alert: AlertRecord) async throws -> AlertRecord? {
        guard let estimator else { return nil }
        let sightings = try await store.sightings(emitterKey: alert.suspectKey, limit: settings.localizationWindow)
        guard !sightings.isEmpty, let fix = estimator.estimate(sightings, previous: alert.position) else { return nil }
        return try await store.updateAlertPosition(id: alert.id, fix: fix, trackLimit: settings.trackLimit, at: clock())
    }

    // MARK: Alert actions

    public func transition(alertID: Int64, to state: AlertState, by user: UserAccount) async throws -> AlertRecord {
        let a: AlertRecord
        do {
            a = try await store.transitionAlert(id: alertID, to: state, by: user.name, at: clock())
        } catch let e as StoreError {
            switch e {
            case .notFound: throw APIFailure(.notFound, "alert \(alertID) not found")
            case .invalidTransition: throw APIFailure(.conflict, e.description)
            case .duplicate: throw APIFailure(.conflict, e.description)
            }
        }
        try await audit(user.name, "alert.\(Self.verb(state))", target: "alert:\(alertID)")
        hub.publish(a, kind: state.rawValue)
        metrics.alertPublished()
        return a
    }

    static func verb(_ s: AlertState) -> String {
        switch s {
        case .new: "reopen"
        case .acknowledged: "acknowledge"
        case .dispatched: "dispatch"
        case .resolved: "resolve"
        }
    }
}
