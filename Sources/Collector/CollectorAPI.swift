import CellwatchModel
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A rejected request: HTTP status and one clear sentence, sent as `APIError` JSON.
public struct APIFailure: HTTPResponseError, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String
    /// Seconds for `Retry-After` (429).
    public var retryAfter: Double?

    public init(_ status: HTTPResponse.Status, _ message: String, retryAfter: Double? = nil) {
        self.status = status
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { "\(status.code) \(message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter { headers[.retryAfter] = String(Int(retryAfter.rounded(.up)).clamped(1, 86_400)) }
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"cellwatch\"" }
        let body = (try? ReportCoding.encoder().encode(APIError(error: message))) ?? Data("{}".utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension Int {
    func clamped(_ lo: Int, _ hi: Int) -> Int { Swift.min(Swift.max(self, lo), hi) }
}

/// Request context of the collector's router.
public struct CollectorContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection, to read its verified client certificate (mutual TLS).
    let channel: any Channel
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Turns every error into `APIError` JSON: ours keep their status, Hummingbird's (unknown route,
/// body too large) keep theirs, anything else is a 500 that is logged, never a crash.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = CollectorContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as APIFailure {
            return try e.response(from: request, context: context)
        } catch let e as any HTTPResponseError {
            let message = e.status == .notFound ? "no route \(request.method.rawValue) \(request.uri.path)"
                : (e.status.reasonPhrase.isEmpty ? "request failed" : e.status.reasonPhrase)
            return try APIFailure(e.status, message).response(from: request, context: context)
        } catch {
            logger.error("internal error", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return try APIFailure(.internalServerError, "internal error").response(from: request, context: context)
        }
    }
}

/// The HTTP API v1 (see openapi/cellwatch-v1.yaml): routes, authentication, roles, body limits.
public struct CollectorAPI: Sendable {
    /// Every route the router serves, as "METHOD /path" with `{param}` placeholders (the OpenAPI form).
    public static let routes: [String] = [
        "GET /healthz", "GET /metrics",
        "POST /api/v1/reports",
        "POST /api/v1/login", "POST /api/v1/logout",
        "GET /api/v1/alerts", "GET /api/v1/alerts/stream", "GET /api/v1/alerts/{id}",
        "POST /api/v1/alerts/{id}/acknowledge", "POST /api/v1/alerts/{id}/dispatch", "POST /api/v1/alerts/{id}/resolve",
        "GET /api/v1/alerts/{id}/cap",
        "GET /api/v1/export/alerts.geojson",
        "GET /api/v1/suspects",
        "GET /api/v1/sensors", "POST /api/v1/sensors",
        "POST /api/v1/sensors/{id}/enable", "POST /api/v1/sensors/{id}/disable",
        "GET /api/v1/users", "POST /api/v1/users",
        "GET /api/v1/audit",
    ] + Dashboard.apiRoutes

    public let service: CollectorService
    public init(service: CollectorService) { self.service = service }

    public func router() -> Router<CollectorContext> {
        let router = Router(context: CollectorContext.self)
        router.add(middleware: ErrorMiddleware(logger: service.logger))
        var registered: [String] = []
        func on(_ method: HTTPRequest.Method, _ path: String,
                _ handler: @escaping @Sendable (Request, CollectorContext) async throws -> Response) {
            registered.append("\(method.rawValue) \(path)")
            let hbPath = path.replacingOccurrences(of: "{id}", with: ":id")
            router.on(RouterPath(hbPath), method: method, use: handler)
        }
        let s = service
        Dashboard(service: s).register(router, api: on)   // before the API routes: its cookie middleware covers them

        on(.get, "/healthz") { _, _ in
            try await s.checkStorage()
            return Self.text("ok\n")
        }
        on(.get, "/metrics") { _, _ in
            let open = try await s.openAlertCount()
            let sensors = try await s.sensorCount()
            return Self.text(s.metrics.exposition(openAlerts: open, sensors: sensors, streamSubscribers: s.hub.subscriberCount),
                             type: "text/plain; version=0.0.4; charset=utf-8")
        }
        on(.post, "/api/v1/reports") { req, ctx in try await Self.postReport(req, ctx, s) }
        on(.post, "/api/v1/login") { req, _ in
            let body = try await Self.decodeSmall(LoginRequest.self, req)
            guard let session = try await s.login(name: body.name, password: body.password) else {
                throw APIFailure(.unauthorized, "wrong user name or password")
            }
            return try Self.json(LoginResponse(token: session.token, user: session.user.name, role: session.user.role,
                                               expiresAt: session.expires))
        }
        on(.post, "/api/v1/logout") { req, _ in
            _ = try await Self.user(req, s, at: .viewer)
            if let token = Self.bearer(req) { try await s.store.deleteSession(tokenSHA256: Tokens.hash(token)) }
            return Response(status: .noContent)
        }
        on(.get, "/api/v1/alerts") { req, _ in
            _ = try await Self.user(req, s, at: .viewer)
            let all = req.uri.queryParameters.get("all") == "true"
            var alerts = try await s.store.alerts(includeResolved: all || req.uri.queryParameters.get("state") == "resolved")
            if let st = req.uri.queryParameters.get("state") {
                guard let state = AlertState(rawValue: st) else {
                    throw APIFailure(.badRequest, "state: \"\(st.prefix(32))\" is not one of new, acknowledged, dispatched, resolved")
                }
                alerts = alerts.filter { $0.state == state }
            }
            return try Self.json(alerts)
        }
        on(.get, "/api/v1/alerts/stream") { req, _ in
            _ = try await Self.user(req, s, at: .viewer)
            return try Self.stream(req, s)
        }
        on(.get, "/api/v1/alerts/{id}") { req, ctx in
            let user = try await Self.user(req, s, at: .viewer)
            let a = try await Self.alert(ctx, s)
            let rows = try await s.store.evidence(suspectKey: a.suspectKey)
            var keys: [String: Data] = [:]          // only the sensors that sent this alert's evidence
            for id in Set(rows.map(\.sensorID)) { keys[id] = try await s.store.sensor(id: id)?.publicKey }
            let evidence = rows.map { row -> EvidenceView in
                let signed = SignedEvidence(id: row.recordID, payload: row.payload, sha256: row.sha256,
                                            signature: row.signature, publicKey: row.publicKey)
                var check = "valid"
                if let key = keys[row.sensorID] {
                    do throws(EvidenceVerifier.Failure) { try EvidenceVerifier.verify(signed, registeredKey: key) } catch { check = error.description }
                } else {
                    check = "sensor \(row.sensorID) is no longer registered"
                }
                return EvidenceView(id: row.recordID, sensorID: row.sensorID, sha256: row.sha256,
                                    verifiedOnArrival: row.verified, verification: check, receivedAt: row.receivedAt,
                                    evidence: try? signed.decodedEvidence())
            }
            try await s.audit(user.name, "alert.view", target: "alert:\(a.id)")
            return try Self.json(AlertDetail(alert: a, evidence: evidence))
        }
        for (verb, state) in [("acknowledge", AlertState.acknowledged), ("dispatch", .dispatched), ("resolve", .resolved)] {
            on(.post, "/api/v1/alerts/{id}/\(verb)") { req, ctx in
                let user = try await Self.user(req, s, at: .operator)
                let id = try Self.alertID(ctx)
                return try Self.json(try await s.transition(alertID: id, to: state, by: user))
            }
        }
        on(.get, "/api/v1/alerts/{id}/cap") { req, ctx in
            let user = try await Self.user(req, s, at: .viewer)
            let a = try await Self.alert(ctx, s)
            let evidence = try await s.store.evidence(suspectKey: a.suspectKey)
            try await s.audit(user.name, "alert.cap", target: "alert:\(a.id)")
            let xml = CAPWriter(sender: s.settings.capSender, baseURL: s.settings.publicBaseURL)
                .message(for: a, evidence: evidence, sent: s.clock())
            return Self.text(xml, type: "application/cap+xml; charset=utf-8")
        }
        on(.get, "/api/v1/export/alerts.geojson") { req, _ in
            let user = try await Self.user(req, s, at: .viewer)
            let alerts = try await s.store.alerts(includeResolved: req.uri.queryParameters.get("all") == "true")
            try await s.audit(user.name, "export.geojson")
            let data = try GeoJSONExport.featureCollection(alerts)
            return Response(status: .ok, headers: [.contentType: "application/geo+json"],
                            body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        on(.get, "/api/v1/suspects") { req, _ in
            _ = try await Self.user(req, s, at: .viewer)
            return try Self.json(try await s.store.suspects())
        }
        on(.get, "/api/v1/sensors") { req, _ in
            _ = try await Self.user(req, s, at: .viewer)
            let now = s.clock()
            let views = try await s.store.sensors().map { a in
                SensorView(id: a.id, enabled: a.enabled, createdAt: a.createdAt, lastSeen: a.lastSeen,
                           stale: a.lastSeen.map { now.timeIntervalSince($0) > s.settings.staleAfter } ?? true,
                           recordsAccepted: a.recordsAccepted, health: a.health, publicKey: a.publicKey)
            }
            return try Self.json(views)
        }
        on(.post, "/api/v1/sensors") { req, _ in
            let user = try await Self.user(req, s, at: .admin)
            let body = try await Self.decodeSmall(NewSensorRequest.self, req)
            guard let key = Data(base64Encoded: body.publicKey) else {
                throw APIFailure(.badRequest, "publicKey: not base64")
            }
            do {
                let token = try await s.registerSensor(id: body.id, publicKey: key, actor: user.name)
                return try Self.json(NewSensorResponse(id: body.id, token: token), status: .created)
            } catch StoreError.duplicate(let what) {
                throw APIFailure(.conflict, "\(what) already exists")
            }
        }
        for (verb, enabled) in [("enable", true), ("disable", false)] {
            on(.post, "/api/v1/sensors/{id}/\(verb)") { req, ctx in
                let user = try await Self.user(req, s, at: .admin)
                let id = try ctx.parameters.require("id")
                do {
                    try await s.store.setSensorEnabled(id: id, enabled: enabled)
                } catch StoreError.notFound {
                    throw APIFailure(.notFound, "sensor \(id.prefix(64)) not found")
                }
                try await s.audit(user.name, "sensor.\(verb)", target: id)
                return Response(status: .noContent)
            }
        }
        on(.get, "/api/v1/users") { req, _ in
            _ = try await Self.user(req, s, at: .admin)
            return try Self.json(try await s.store.users().map { UserView(name: $0.name, role: $0.role, enabled: $0.enabled) })
        }
        on(.post, "/api/v1/users") { req, _ in
            let user = try await Self.user(req, s, at: .admin)
            let body = try await Self.decodeSmall(NewUserRequest.self, req)
            do {
                try await s.addUser(name: body.name, role: body.role, password: body.password, actor: user.name)
            } catch StoreError.duplicate(let what) {
                throw APIFailure(.conflict, "\(what) already exists")
            }
            return try Self.json(UserView(name: body.name, role: body.role, enabled: true), status: .created)
        }
        on(.get, "/api/v1/audit") { req, _ in
            _ = try await Self.user(req, s, at: .admin)
            let limit = req.uri.queryParameters.get("limit").flatMap { Int($0) } ?? 200
            return try Self.json(try await s.store.audit(limit: limit.clamped(1, 10_000)))
        }
        precondition(Set(registered) == Set(Self.routes), "CollectorAPI.routes is out of date")
        return router
    }

    // MARK: Ingest

    static func postReport(_ req: Request, _ ctx: CollectorContext, _ s: CollectorService) async throws -> Response {
        do {
            let sensor = try await sensor(req, ctx, s)
            let decision = s.sensorLimiter.take(sensor.id, now: s.clock())
            guard decision.allowed else {
                throw APIFailure(.tooManyRequests, "sensor \(sensor.id) is over its rate limit of \(s.settings.sensorRatePerSecond) uploads/s",
                                 retryAfter: decision.retryAfter)
            }
            if let type = req.headers[.contentType] {
                let media = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
                guard media == "application/json" else {
                    throw APIFailure(.unsupportedMediaType, "Content-Type \"\(type.prefix(64))\" is not application/json")
                }
            }
            let encoding = req.headers[.contentEncoding]?.trimmingCharacters(in: .whitespaces).lowercased() ?? "identity"
            guard encoding == "identity" || encoding == "gzip" else {
                throw APIFailure(.unsupportedMediaType, "Content-Encoding \"\(encoding.prefix(32))\" is not supported (use gzip or none)")
            }
            let limits = s.settings.limits
            if let length = req.headers[.contentLength].flatMap({ Int($0) }), length > limits.maxBodyBytes {
                throw APIFailure(.contentTooLarge, "body is \(length) bytes; at most \(limits.maxBodyBytes)")
            }
            var data = try await collect(req, limit: limits.maxBodyBytes)
            if encoding == "gzip" {
                do {
                    data = try Gzip.decompress(data, limit: limits.maxDecompressedBytes)
                } catch {
                    switch error {
                    case .tooLarge: throw APIFailure(.contentTooLarge, error.description)
                    case .corrupt: throw APIFailure(.badRequest, error.description)
                    }
                }
            }
            let report: SensorReport
            do {
                report = try ReportCoding.decoder().decode(SensorReport.self, from: data)
            } catch let e as DecodingError {
                throw APIFailure(.badRequest, e.clearMessage)
            } catch {
                throw APIFailure(.badRequest, "body is not a valid report: \(error)")
            }
            let receipt = try await s.ingest(report, from: sensor)
            return try json(receipt)
        } catch let e as APIFailure {
            s.metrics.reportRejected(status: Int(e.status.code))
            throw e
        }
    }

    static func collect(_ req: Request, limit: Int) async throws -> Data {
        do {
            let buffer = try await req.body.collect(upTo: limit)
            return Data(buffer.readableBytesView)
        } catch let e as any HTTPResponseError where e.status == .contentTooLarge {
            throw APIFailure(.contentTooLarge, "body is larger than \(limit) bytes")
        }
    }

    static func decodeSmall<T: Decodable>(_ type: T.Type, _ req: Request) async throws -> T {
        let data = try await collect(req, limit: 64 << 10)
        do {
            return try ReportCoding.decoder().decode(T.self, from: data)
        } catch let e as DecodingError {
            throw APIFailure(.badRequest, e.clearMessage)
        }
    }

    // MARK: Authentication

    static func bearer(_ req: Request) -> String? {
        guard let h = req.headers[.authorization] else { return nil }
        let parts = h.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty || token.utf8.count > 512 ? nil : token
    }

    /// The sensor a request comes from, by its bearer token and/or its verified client certificate
    /// (subject CN = sensor id), as `settings.sensorAuthentication` allows. Both present: they must agree.
    static func sensor(_ req: Request, _ ctx: CollectorContext, _ s: CollectorService) async throws -> SensorAccount {
        let mode = s.settings.sensorAuthentication
        var byCertificate: SensorAccount?
        if mode != .token, let cert = await ClientCertificate.peer(of: ctx.channel) {
            guard let der = try? cert.toDERBytes(), let cn = ClientCertificate.subjectCommonName(der: der), !cn.isEmpty else {
                throw APIFailure(.unauthorized, "the client certificate has no subject common name (it must be the sensor id)")
            }
            guard let account = try await s.store.sensor(id: cn) else {
                throw APIFailure(.unauthorized, "the client certificate names sensor \"\(cn.prefix(64))\", which is not registered")
            }
            byCertificate = account
        }
        var byToken: SensorAccount?
        if let token = bearer(req) {
            guard let account = try await s.store.sensor(tokenSHA256: Tokens.hash(token)) else {
                throw APIFailure(.unauthorized, "the sensor token is not valid")
            }
            byToken = account
        }
        let sensor: SensorAccount
        switch (byCertificate, byToken) {
        case (let c?, let t?):
            guard c.id == t.id else {
                throw APIFailure(.unauthorized, "the client certificate names sensor \(c.id) but the token belongs to \(t.id)")
            }
            sensor = c
        case (let c?, nil):
            sensor = c
        case (nil, let t?):
            guard mode != .certificate else {
                throw APIFailure(.unauthorized, "this collector accepts sensors by client certificate only; present the sensor's certificate")
            }
            sensor = t
        case (nil, nil):
            switch mode {
            case .token: throw APIFailure(.unauthorized, "Authorization: Bearer <sensor token> is required")
            case .certificate: throw APIFailure(.unauthorized, "a sensor client certificate is required (mutual TLS)")
            case .either: throw APIFailure(.unauthorized, "a sensor client certificate or Authorization: Bearer <sensor token> is required")
            }
        }
        guard sensor.enabled else { throw APIFailure(.forbidden, "sensor \(sensor.id) is disabled") }
        return sensor
    }

    static func user(_ req: Request, _ s: CollectorService, at role: Role) async throws -> UserAccount {
        guard let token = bearer(req) else {
            throw APIFailure(.unauthorized, "Authorization: Bearer <session token> is required (POST /api/v1/login)")
        }
        guard let user = try await s.store.sessionUser(tokenSHA256: Tokens.hash(token), now: s.clock()) else {
            throw APIFailure(.unauthorized, "the session is not valid or has expired")
        }
        guard user.role >= role else {
            throw APIFailure(.forbidden, "user \(user.name) has role \(user.role.rawValue); this needs \(role.rawValue)")
        }
        return user
    }

    static func alertID(_ ctx: CollectorContext) throws -> Int64 {
        guard let raw = ctx.parameters.get("id"), let id = Int64(raw), id > 0 else {
            throw APIFailure(.badRequest, "alert id must be a positive integer")
        }
        return id
    }

    static func alert(_ ctx: CollectorContext, _ s: CollectorService) async throws -> AlertRecord {
        let id = try alertID(ctx)
        guard let a = try await s.store.alert(id: id) else { throw APIFailure(.notFound, "alert \(id) not found") }
        return a
    }

    // MARK: Live stream

    /// Server-Sent Events: `id:` (monotonic), `event: alert`, `data:` the alert JSON; a `: heartbeat`
    /// comment every few seconds. `Last-Event-ID` replays what the client missed; `?limit=N` closes
    /// the stream after N events (for scripts and tests).
    static func stream(_ req: Request, _ s: CollectorService) throws -> Response {
        let lastID = req.headers[HTTPField.Name("Last-Event-ID")!].flatMap { Int($0) }
            ?? req.uri.queryParameters.get("lastEventId").flatMap { Int($0) }
        let limit = req.uri.queryParameters.get("limit").flatMap { Int($0) }
        let heartbeat = s.settings.heartbeatSeconds
        let hub = s.hub
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        return Response(status: .ok, headers: headers, body: .init { writer in
            let (subscriber, events) = hub.subscribe(after: lastID)
            let beat = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(heartbeat))
                    if !Task.isCancelled { hub.heartbeat(subscriber) }
                }
            }
            defer {
                beat.cancel()
                hub.unsubscribe(subscriber)
            }
            try await writer.write(ByteBuffer(string: ": cellwatch alert stream\nretry: 3000\n\n"))
            var sent = 0
            let encoder = ReportCoding.encoder()
            for await item in events {
                switch item {
                case .heartbeat:
                    try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                case .event(let e):
                    let data = String(decoding: try encoder.encode(AlertEventBody(kind: e.kind, alert: e.alert)), as: UTF8.self)
                    try await writer.write(ByteBuffer(string: "id: \(e.id)\nevent: alert\ndata: \(data)\n\n"))
                    sent += 1
                    if let limit, sent >= limit {
                        try await writer.finish(nil)
                        return
                    }
                }
            }
            try await writer.finish(nil)
        })
    }

    // MARK: Responses

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try ReportCoding.encoder().encode(value)
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func text(_ s: String, type: String = "text/plain; charset=utf-8") -> Response {
        Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: s)))
    }
}

// MARK: API bodies

public struct LoginRequest: Codable, Sendable {
    public var name: String
    public var password: String
    public init(name: String, password: String) {
        self.name = name
        self.password = password
    }
}

public struct LoginResponse: Codable, Sendable {
    public var token: String
    public var user: String
    public var role: Role
    public var expiresAt: Date
}

public struct NewSensorRequest: Codable, Sendable {
    public var id: String
    /// Raw 32-byte Ed25519 public key, base64.
    public var publicKey: String
    public init(id: String, publicKey: String) {
        self.id = id
        self.publicKey = publicKey
    }
}

public struct NewSensorResponse: Codable, Sendable {
    public var id: String
    /// Shown once; the collector keeps only its SHA-256.
    public var token: String
}

public struct NewUserRequest: Codable, Sendable {
    public var name: String
    public var role: Role
    public var password: String
    public init(name: String, role: Role, password: String) {
        self.name = name
        self.role = role
        self.password = password
    }
}

public struct UserView: Codable, Sendable {
    public var name: String
    public var role: Role
    public var enabled: Bool
}

public struct SensorView: Codable, Sendable {
    public var id: String
    public var enabled: Bool
    public var createdAt: Date
    public var lastSeen: Date?
    public var stale: Bool
    public var recordsAccepted: Int
    public var health: SensorHealth?
    public var publicKey: Data
}

public struct EvidenceView: Codable, Sendable {
    public var id: String
    public var sensorID: String
    public var sha256: String
    public var verifiedOnArrival: Bool
    /// "valid", or why the signature does not verify now (against the currently registered key).
    public var verification: String
    public var receivedAt: Date
    public var evidence: Evidence?
}

public struct AlertDetail: Codable, Sendable {
    public var alert: AlertRecord
    public var evidence: [EvidenceView]
}

public struct AlertEventBody: Codable, Sendable {
    public var kind: String
    public var alert: AlertRecord
}
