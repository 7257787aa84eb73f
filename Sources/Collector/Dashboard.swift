import CellwatchModel
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Dashboard settings (`dashboard` object of the collector's JSON config file).
///
///     "dashboard": { "leafletPath": "/usr/share/javascript/leaflet",
///                    "tileURL": "https://tiles.police.example/{z}/{x}/{y}.png",
///                    "tileAttribution": "© our map service", "tileMaxZoom": 19,
///                    "assetsPath": null, "mapHours": 24, "trackPoints": 2000 }
public struct DashboardSettings: Sendable, Equatable {
    /// Where Debian's libjs-leaflet installs Leaflet (leaflet.js, leaflet.css, images/).
    public var leafletPath = "/usr/share/javascript/leaflet"
    /// Basemap tile URL template with {z} {x} {y} (and optionally {s}); nil = the built-in offline
    /// graticule only.
    public var tileURL: String?
    public var tileAttribution: String?
    public var tileMaxZoom = 19
    /// A directory that replaces the bundled pages and scripts (development); nil = bundled.
    public var assetsPath: String?
    /// Hours of observations the map shows (sensor tracks, observed cells), back from the newest.
    public var mapHours = 24.0
    /// Points per sensor track at most (the newest).
    public var trackPoints = 2000

    public init() {}

    public init(file: DashboardConfigFile?) throws(ConfigError) {
        guard let file else { return }
        if let p = file.leafletPath {
            guard p.hasPrefix("/") else { throw ConfigError("dashboard.leafletPath: \"\(p)\" is not an absolute path") }
            leafletPath = p
        }
        if let t = file.tileURL, !t.isEmpty {
            guard let url = URL(string: t.replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")),
                  url.scheme == "http" || url.scheme == "https", url.host != nil,
                  t.contains("{z}"), t.contains("{x}"), t.contains("{y}") else {
                throw ConfigError("dashboard.tileURL: \"\(t)\" is not an http(s) URL template with {z}, {x} and {y}")
            }
            tileURL = t
        }
        tileAttribution = file.tileAttribution
        if let z = file.tileMaxZoom {
            guard (1...22).contains(z) else { throw ConfigError("dashboard.tileMaxZoom: \(z) is not in 1…22") }
            tileMaxZoom = z
        }
        if let a = file.assetsPath {
            guard a.hasPrefix("/") else { throw ConfigError("dashboard.assetsPath: \"\(a)\" is not an absolute path") }
            assetsPath = a
        }
        if let h = file.mapHours {
            guard h > 0, h <= 24 * 366 else { throw ConfigError("dashboard.mapHours: must be in (0, 8784]") }
            mapHours = h
        }
        if let n = file.trackPoints {
            guard (2...100_000).contains(n) else { throw ConfigError("dashboard.trackPoints: \(n) is not in 2…100000") }
            trackPoints = n
        }
    }
}

public struct DashboardConfigFile: Codable, Sendable, Equatable {
    public var leafletPath: String?
    public var tileURL: String?
    public var tileAttribution: String?
    public var tileMaxZoom: Int?
    public var assetsPath: String?
    public var mapHours: Double?
    public var trackPoints: Int?
    public init() {}
}

/// The police dashboard: pages (login, map, alert), their scripts, Leaflet from the system, the
/// cookie session the pages use, the map snapshot and the evidence spectrum image.
///
/// Pages need a session cookie (`cw_session`, HttpOnly, SameSite=Strict) set by
/// `POST /api/v1/session`; the cookie stands in for `Authorization: Bearer` on the API — on GET,
/// and on POST/DELETE only with `X-Cellwatch-CSRF: 1`, a header no other site can make a browser
/// send (cross-site request forgery).
public struct Dashboard: Sendable {
    /// API routes this adds ("METHOD /path", OpenAPI form); part of `CollectorAPI.routes`.
    public static let apiRoutes: [String] = [
        "POST /api/v1/session", "GET /api/v1/session", "DELETE /api/v1/session",
        "GET /api/v1/map",
        "GET /api/v1/alerts/{id}/spectrum.png",
    ]
    /// Page and asset routes (HTML, scripts; not part of the API document).
    public static let pageRoutes: [String] = ["GET /", "GET /login", "GET /alerts/{id}", "GET /ui/{file}",
                                              "GET /static/leaflet/{file}", "GET /static/leaflet/images/{file}"]
    public static let cookieName = "cw_session"
    public static let csrfHeader = HTTPField.Name("X-Cellwatch-CSRF")!

    public let service: CollectorService
    public let settings: DashboardSettings
    let assets: [String: StaticFile]
    let leaflet: LeafletFiles
    let map: MapSource?

    public init(service: CollectorService) {
        self.service = service
        settings = service.settings.dashboard
        assets = Self.loadAssets(settings.assetsPath, logger: service.logger)
        leaflet = LeafletFiles(directory: settings.leafletPath, logger: service.logger)
        map = (service.store as? SQLiteStore).map { SQLiteMapSource(path: $0.path) }
    }

    struct StaticFile: Sendable {
        var data: Data
        var type: String
    }

    static func contentType(_ name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "png": "image/png"
        case "svg": "image/svg+xml"
        case "json": "application/json"
        default: "application/octet-stream"
        }
    }

    /// The bundled assets (or `assetsPath`), read once.
    static func loadAssets(_ override: String?, logger: Logger) -> [String: StaticFile] {
        let dir = override ?? Bundle.module.resourceURL?.appendingPathComponent("DashboardAssets").path
        guard let dir, let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
            logger.error("dashboard assets not found; the dashboard pages will answer 404",
                         metadata: ["path": "\(dir ?? "<no resource bundle>")"])
            return [:]
        }
        var out: [String: StaticFile] = [:]
        for n in names where isSafeName(n) {
            if let d = FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent(n)) {
                out[n] = StaticFile(data: d, type: contentType(n))
            }
        }
        return out
    }

    static func isSafeName(_ n: String) -> Bool {
        !n.isEmpty && n.count <= 64 && !n.hasPrefix(".")
            && n.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0) }
    }

    // MARK: Registration

    /// Adds the cookie middleware (applies to every route registered after it, so call this before
    /// the API routes), the dashboard's API routes through `api` (CollectorAPI's registrar, so the
    /// route list check covers them) and the pages.
    public func register(_ router: Router<CollectorContext>,
                         api: (HTTPRequest.Method, String, @escaping @Sendable (Request, CollectorContext) async throws -> Response) -> Void) {
        router.add(middleware: SessionCookieMiddleware())
        let d = self
        let s = service

        api(.post, "/api/v1/session") { req, _ in
            let body = try await CollectorAPI.decodeSmall(LoginRequest.self, req)
            guard let session = try await s.login(name: body.name, password: body.password) else {
                throw APIFailure(.unauthorized, "wrong user name or password")
            }
            var r = try CollectorAPI.json(SessionView(user: session.user.name, role: session.user.role, expiresAt: session.expires))
            r.headers[.setCookie] = d.cookie(session.token, maxAge: Int(s.settings.sessionLifetime))
            r.headers[.cacheControl] = "no-store"
            return r
        }
        api(.get, "/api/v1/session") { req, _ in
            let user = try await CollectorAPI.user(req, s, at: .viewer)
            return try CollectorAPI.json(SessionView(user: user.name, role: user.role, expiresAt: nil))
        }
        api(.delete, "/api/v1/session") { req, _ in
            if let token = CollectorAPI.bearer(req) {
                let hash = Tokens.hash(token)
                if let user = try await s.store.sessionUser(tokenSHA256: hash, now: s.clock()) {
                    try await s.store.deleteSession(tokenSHA256: hash)
                    try await s.audit(user.name, "logout")
                }
            }
            var r = Response(status: .noContent)
            r.headers[.setCookie] = d.cookie("", maxAge: 0)
            return r
        }
        api(.get, "/api/v1/map") { req, _ in
            _ = try await CollectorAPI.user(req, s, at: .viewer)
            let all = req.uri.queryParameters.get("all") == "true"
            var hours = d.settings.mapHours
            if let h = req.uri.queryParameters.get("hours") {
                guard let v = Double(h), v > 0, v <= 24 * 366 else {
                    throw APIFailure(.badRequest, "hours: \"\(h.prefix(16))\" is not a number of hours in (0, 8784]")
                }
                hours = v
            }
            return try CollectorAPI.json(try await d.snapshot(includeResolved: all, hours: hours))
        }
        api(.get, "/api/v1/alerts/{id}/spectrum.png") { req, ctx in
            _ = try await CollectorAPI.user(req, s, at: .viewer)
            let a = try await CollectorAPI.alert(ctx, s)
            let wanted = req.uri.queryParameters.get("evidence").map { String($0) }
            let rows = try await s.store.evidence(suspectKey: a.suspectKey)
            var chosen: IQSnippet?
            for row in rows where wanted == nil || row.recordID == wanted {
                if let iq = (try? SignedEvidence(id: row.recordID, payload: row.payload, sha256: row.sha256,
                                                 signature: row.signature, publicKey: row.publicKey).decodedEvidence())?.iq {
                    chosen = iq
                    break
                }
            }
            guard let chosen else {
                throw APIFailure(.notFound, wanted.map { "alert \(a.id) has no evidence \($0.prefix(64)) with an IQ snippet" }
                                 ?? "alert \(a.id) has no evidence with an IQ snippet")
            }
            let png: Data
            do throws(SpectrogramError) {
                png = try Spectrogram(SnippetSamples(chosen)).image().png()
            } catch {
                throw APIFailure(.unprocessableContent, "the evidence IQ snippet cannot be drawn: \(error.description)")
            }
            return Response(status: .ok, headers: [.contentType: "image/png", .cacheControl: "private, max-age=300"],
                            body: .init(byteBuffer: ByteBuffer(bytes: png)))
        }

        // Pages: a session cookie or the login page.
        for (path, file) in [("/", "index.html"), ("/alerts/:id", "alert.html")] {
            router.on(RouterPath(path), method: .get) { req, _ in
                guard try await d.cookieUser(req) != nil else {
                    let next = req.uri.path
                    return Response(status: .seeOther, headers: [.location: "/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"),
                                                                 .cacheControl: "no-store"])
                }
                return try d.page(file)
            }
        }
        router.on("/login", method: .get) { _, _ in try d.page("login.html") }
        router.on("/ui/:file", method: .get) { _, ctx in
            let name = ctx.parameters.get("file") ?? ""
            guard Self.isSafeName(name), let f = d.assets[name] else {
                throw APIFailure(.notFound, "no dashboard file \(name.prefix(64))")
            }
            return Response(status: .ok, headers: [.contentType: f.type, .cacheControl: "no-cache"],
                            body: .init(byteBuffer: ByteBuffer(bytes: f.data)))
        }
        for prefix in ["/static/leaflet/", "/static/leaflet/images/"] {
            router.on(RouterPath(prefix + ":file"), method: .get) { req, ctx in
                let name = (prefix.hasSuffix("images/") ? "images/" : "") + (ctx.parameters.get("file") ?? "")
                let f = try d.leaflet.file(name)
                return Response(status: .ok, headers: [.contentType: Self.contentType(name), .cacheControl: "public, max-age=86400"],
                                body: .init(byteBuffer: ByteBuffer(bytes: f)))
            }
        }
    }

    func cookie(_ value: String, maxAge: Int) -> String {
        let secure = service.settings.publicBaseURL?.lowercased().hasPrefix("https:") == true ? "; Secure" : ""
        return "\(Self.cookieName)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict\(secure)"
    }

    func cookieUser(_ req: Request) async throws -> UserAccount? {
        guard let token = req.cookies[Self.cookieName]?.value, !token.isEmpty, token.utf8.count <= 512 else { return nil }
        return try await service.store.sessionUser(tokenSHA256: Tokens.hash(token), now: service.clock())
    }

    /// Content-Security-Policy: our own scripts only; images also from the tile server when set.
    var contentSecurityPolicy: String {
        var img = "'self' data:"
        if let t = settings.tileURL, let origin = Self.origin(of: t) { img += " " + origin }
        return "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src \(img); "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    }

    /// "https://{s}.tile.example:8080/{z}/…" → "https://*.tile.example:8080".
    static func origin(of template: String) -> String? {
        guard let schemeEnd = template.range(of: "://") else { return nil }
        let rest = template[schemeEnd.upperBound...]
        let host = rest.prefix { $0 != "/" }.replacingOccurrences(of: "{s}", with: "*")
        guard !host.isEmpty, !host.contains("{"), !host.contains(" "), !host.contains(";") else { return nil }
        return template[..<schemeEnd.upperBound] + host
    }

    func page(_ name: String) throws -> Response {
        guard let f = assets[name] else { throw APIFailure(.notFound, "dashboard page \(name) is not installed") }
        return Response(status: .ok,
                        headers: [.contentType: f.type, .cacheControl: "no-store",
                                  .contentSecurityPolicy: contentSecurityPolicy,
                                  HTTPField.Name("Referrer-Policy")!: "no-referrer",
                                  HTTPField.Name("X-Content-Type-Options")!: "nosniff"],
                        body: .init(byteBuffer: ByteBuffer(bytes: f.data)))
    }

    // MARK: Map

    public func snapshot(includeResolved: Bool, hours: Double) async throws -> MapSnapshot {
        let now = service.clock()
        let alerts = try await service.store.alerts(includeResolved: includeResolved)
        let accounts = try await service.store.sensors()
        let data = try await map?.read(hours: hours, trackPoints: settings.trackPoints)
        var alertByKey: [String: Int64] = [:]
        for a in alerts { alertByKey[a.suspectKey] = a.id }
        let sensors = accounts.map { acc -> MapSensor in
            let track = data?.tracks[acc.id] ?? []
            let healthPos = acc.health?.position.map { [$0.latitudeDegrees, $0.longitudeDegrees, $0.time.timeIntervalSince1970] }
            // The newest position known: from the sensor's health report or its last positioned observation.
            var position = track.last
            if let h = healthPos, (position == nil || h[2] >= position![2]) { position = h }
            return MapSensor(id: acc.id, enabled: acc.enabled, lastSeen: acc.lastSeen,
                             stale: acc.lastSeen.map { now.timeIntervalSince($0) > service.settings.staleAfter } ?? true,
                             position: position, track: track,
                             radioDownSince: acc.health?.radioConnected == false ? acc.health?.radioDownSince : nil)
        }
        let cells = (data?.cells ?? []).map { c in
            var c = c
            c.alertID = alertByKey[c.key]
            return c
        }
        let emitters = alerts.map { a in
            MapEmitter(alertID: a.id, suspectKey: a.suspectKey, severity: a.severity, state: a.state, score: a.score,
                       lastSeen: a.lastSeen, position: a.position,
                       ellipse: a.position.map { EllipseGeometry.polygon($0) } ?? [],
                       track: a.track.map { [$0.latitudeDegrees, $0.longitudeDegrees, $0.time.timeIntervalSince1970] })
        }
        return MapSnapshot(generatedAt: now,
                           basemap: Basemap(tileURL: settings.tileURL, attribution: settings.tileAttribution,
                                            maxZoom: settings.tileMaxZoom, leafletInstalled: leaflet.installed),
                           observationCount: data?.observationCount, sensors: sensors, cells: cells, emitters: emitters,
                           note: map == nil ? "sensor tracks and observed cells need the SQLite store" : nil)
    }
}

// MARK: Session cookie

/// Lets the pages' session cookie stand in for `Authorization: Bearer`. Safe methods always; others
/// only with `X-Cellwatch-CSRF: 1` (a custom header: cross-site forms and scripts cannot send it
/// without a CORS preflight, which this server never grants).
struct SessionCookieMiddleware: RouterMiddleware {
    typealias Context = CollectorContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.headers[.authorization] == nil, request.uri.path.hasPrefix("/api/"),
              let token = request.cookies[Dashboard.cookieName]?.value, !token.isEmpty else {
            return try await next(request, context)
        }
        let safe = request.method == .get || request.method == .head
        let path = request.uri.path
        if !safe && request.headers[Dashboard.csrfHeader] != "1" {
            if path == "/api/v1/session" || path == "/api/v1/login" { return try await next(request, context) }
            throw APIFailure(.forbidden, "a session cookie is accepted on \(request.method.rawValue) only with the header X-Cellwatch-CSRF: 1")
        }
        var head = request.head
        head.headerFields[.authorization] = "Bearer \(token)"
        return try await next(Request(head: head, body: request.body), context)
    }
}

// MARK: Leaflet

/// Leaflet as Debian's libjs-leaflet installs it, read from disk once (and again while missing, so
/// installing the package needs no restart).
final class LeafletFiles: Sendable {
    static let names = ["leaflet.min.js", "leaflet.js", "leaflet.css", "images/marker-icon.png", "images/marker-icon-2x.png",
                        "images/marker-shadow.png", "images/layers.png", "images/layers-2x.png"]
    let directory: String
    let logger: Logger
    private let cache: LockedCache

    final class LockedCache: @unchecked Sendable {
        private let lock = NSLock()
        private var files: [String: Data] = [:]
        func get(_ k: String) -> Data? { lock.withLock { files[k] } }
        func set(_ k: String, _ v: Data) { lock.withLock { files[k] = v } }
    }

    init(directory: String, logger: Logger) {
        self.directory = directory
        self.logger = logger
        cache = LockedCache()
        if !installed {
            logger.error("Leaflet not found; the dashboard map cannot draw. Install Debian's libjs-leaflet or set dashboard.leafletPath",
                         metadata: ["path": "\(directory)/leaflet.min.js"])
        }
    }

    var installed: Bool { FileManager.default.isReadableFile(atPath: (directory as NSString).appendingPathComponent("leaflet.min.js")) }

    func file(_ name: String) throws -> Data {
        guard Self.names.contains(name) else { throw APIFailure(.notFound, "no Leaflet file \(name.prefix(64))") }
        if let d = cache.get(name) { return d }
        let path = (directory as NSString).appendingPathComponent(name)
        guard let d = FileManager.default.contents(atPath: path) else {
            logger.error("Leaflet file missing", metadata: ["path": "\(path)"])
            throw APIFailure(.notFound, "\(path) is missing: install Debian's libjs-leaflet or set dashboard.leafletPath in the collector config")
        }
        cache.set(name, d)
        return d
    }
}

// MARK: Map data

public struct SessionView: Codable, Sendable {
    public var user: String
    public var role: Role
    public var expiresAt: Date?
}

public struct Basemap: Codable, Sendable {
    public var tileURL: String?
    public var attribution: String?
    public var maxZoom: Int
    public var leafletInstalled: Bool
}

/// Points are `[latitude, longitude, unixSeconds]`, compact for thousands of points.
public struct MapSensor: Codable, Sendable {
    public var id: String
    public var enabled: Bool
    public var lastSeen: Date?
    public var stale: Bool
    public var position: [Double]?
    public var track: [[Double]]
    /// Set while the sensor's last health report says its radio is gone: it uploads but hears nothing.
    public var radioDownSince: Date?
}

/// A cell the sensors heard: where it was heard strongest (not where the mast is), how often, when last.
public struct MapCell: Codable, Sendable, Equatable {
    public var key: String
    public var observations: Int
    public var lastSeen: Date
    public var strongest: [Double]
    public var powerDBm: Double?
    public var powerDBFS: Double?
    public var alertID: Int64?
}

public struct MapEmitter: Codable, Sendable {
    public var alertID: Int64
    public var suspectKey: String
    public var severity: Severity
    public var state: AlertState
    public var score: Double
    public var lastSeen: Date
    public var position: EmitterFix?
    /// The uncertainty ellipse as a closed ring of `[latitude, longitude]`.
    public var ellipse: [[Double]]
    public var track: [[Double]]
}

public struct MapSnapshot: Codable, Sendable {
    public var generatedAt: Date
    public var basemap: Basemap
    public var observationCount: Int?
    public var sensors: [MapSensor]
    public var cells: [MapCell]
    public var emitters: [MapEmitter]
    public var note: String?
}

/// The uncertainty ellipse on the ground.
public enum EllipseGeometry {
    /// `points` vertices of the ellipse (semi-axes in metres, major axis bearing from north) around the
    /// fix, closed (first = last), as `[lat, lon]`; local tangent plane (the ellipse is ≪ Earth radius).
    public static func polygon(_ fix: EmitterFix, points: Int = 48) -> [[Double]] {
        let a = max(fix.ellipseMajorMeters, 0), b = max(fix.ellipseMinorMeters, 0)
        let bearing = fix.ellipseBearingDegrees * .pi / 180
        let metresPerDegLat = 111_320.0
        let metresPerDegLon = max(1e-6, 111_320.0 * cos(fix.latitudeDegrees * .pi / 180))
        var ring: [[Double]] = []
        ring.reserveCapacity(points + 1)
        for i in 0...points {
            let t = 2 * Double.pi * Double(i % points) / Double(points)
            let u = a * cos(t), v = b * sin(t)                    // along / across the major axis
            let north = u * cos(bearing) - v * sin(bearing)
            let east = u * sin(bearing) + v * cos(bearing)
            ring.append([fix.latitudeDegrees + north / metresPerDegLat, fix.longitudeDegrees + east / metresPerDegLon])
        }
        return ring
    }
}
