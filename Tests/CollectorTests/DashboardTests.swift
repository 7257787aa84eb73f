import CellwatchModel
@testable import Collector
import CZlib
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Localization
import Testing
import TestSupport

/// The dashboard's server side in memory: cookie sessions and their forgery guard, pages behind the
/// login, assets and Leaflet, the map snapshot, the spectrum image, the string tables.
@Suite("Collector dashboard")
struct DashboardTests {
    static func cookieLogin(_ client: some TestClientProtocol, _ role: Role) async throws -> String {
        let body = try ReportCoding.encoder().encode(LoginRequest(name: role.rawValue + "1", password: "pw-\(role.rawValue)-secret"))
        let r = try await client.execute(uri: "/api/v1/session", method: .post, headers: [.contentType: "application/json"],
                                         body: ByteBuffer(bytes: body))
        #expect(r.status == .ok, "\(errorMessage(r))")
        let setCookie = try #require(r.headers[.setCookie])
        #expect(setCookie.contains("HttpOnly"))
        #expect(setCookie.contains("SameSite=Strict"))
        #expect(setCookie.contains("Path=/"))
        let pair = try #require(setCookie.split(separator: ";").first)
        #expect(pair.hasPrefix("cw_session="))
        return String(pair)
    }

    @Test func cookieSessionStandsInForTheBearerTokenButNotForForgedPosts() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        try await f.app().test(.router) { client in
            let r0 = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.token),
                                              body: try Fixture.encode(try f.report()))
            #expect(r0.status == .ok, "\(errorMessage(r0))")
            let cookie = try await Self.cookieLogin(client, .operator)
            let me = try await client.execute(uri: "/api/v1/session", method: .get, headers: [.cookie: cookie])
            #expect(me.status == .ok)
            #expect(try decodeBody(SessionView.self, me).role == .operator)
            let list = try await client.execute(uri: "/api/v1/alerts", method: .get, headers: [.cookie: cookie])
            #expect(list.status == .ok)
            let alert = try #require(try decodeBody([AlertRecord].self, list).first)

            // A POST with only the cookie could come from any site's form: refused.
            let forged = try await client.execute(uri: "/api/v1/alerts/\(alert.id)/acknowledge", method: .post, headers: [.cookie: cookie])
            #expect(forged.status == .forbidden)
            #expect(errorMessage(forged).contains("X-Cellwatch-CSRF"))
            #expect(try await f.store.alert(id: alert.id)?.state == .new)

            var h: HTTPFields = [.cookie: cookie]
            h[Dashboard.csrfHeader] = "1"
            let ack = try await client.execute(uri: "/api/v1/alerts/\(alert.id)/acknowledge", method: .post, headers: h)
            #expect(ack.status == .ok, "\(errorMessage(ack))")
            #expect(try decodeBody(AlertRecord.self, ack).state == .acknowledged)
            let audit = try await f.store.audit(limit: 50)
            #expect(audit.contains { $0.actor == "operator1" && $0.action == "alert.acknowledge" && $0.target == "alert:\(alert.id)" })

            // Logout ends the session and clears the cookie.
            let out = try await client.execute(uri: "/api/v1/session", method: .delete, headers: h)
            #expect(out.status == .noContent)
            #expect(out.headers[.setCookie]?.contains("Max-Age=0") == true)
            let after = try await client.execute(uri: "/api/v1/alerts", method: .get, headers: [.cookie: cookie])
            #expect(after.status == .unauthorized)
            #expect(try await f.store.audit(limit: 5).contains { $0.actor == "operator1" && $0.action == "logout" })
        }
    }

    @Test func pagesNeedTheLoginAndCarryASafeContentPolicy() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        try await f.app().test(.router) { client in
            for path in ["/", "/alerts/7"] {
                let r = try await client.execute(uri: path, method: .get)
                #expect(r.status == .seeOther, "\(path)")
                #expect(r.headers[.location]?.hasPrefix("/login?next=") == true)
            }
            let bogus = try await client.execute(uri: "/", method: .get, headers: [.cookie: "cw_session=not-a-session"])
            #expect(bogus.status == .seeOther)
            let login = try await client.execute(uri: "/login", method: .get)
            #expect(login.status == .ok)
            #expect(String(buffer: login.body).contains("id=\"login-form\""))

            let cookie = try await Self.cookieLogin(client, .viewer)
            for (path, marker) in [("/", "id=\"alert-list\""), ("/alerts/7", "id=\"evidence\"")] {
                let r = try await client.execute(uri: path, method: .get, headers: [.cookie: cookie])
                #expect(r.status == .ok)
                let html = String(buffer: r.body)
                #expect(html.contains(marker))
                // Nothing from elsewhere: every script and stylesheet is ours or the system's Leaflet.
                #expect(!html.contains("http://") && !html.contains("https://"))
                let csp = try #require(r.headers[.contentSecurityPolicy])
                #expect(csp.contains("script-src 'self'"))
                #expect(csp.contains("frame-ancestors 'none'"))
            }
            let js = try await client.execute(uri: "/ui/map.js", method: .get)
            #expect(js.status == .ok)
            #expect(js.headers[.contentType]?.hasPrefix("text/javascript") == true)
            for bad in ["/ui/..%2FPackage.swift", "/ui/.hidden", "/ui/nothing.js", "/static/leaflet/leaflet.js.map"] {
                let r = try await client.execute(uri: bad, method: .get)
                #expect(r.status == .notFound, "\(bad) → \(r.status)")
            }
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/javascript/leaflet/leaflet.min.js"),
                   "Debian's libjs-leaflet is not installed"))
    func leafletIsServedFromTheSystemAndItsAbsenceIsNamed() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        try await f.app().test(.router) { client in
            let r = try await client.execute(uri: "/static/leaflet/leaflet.min.js", method: .get)
            #expect(r.status == .ok)
            #expect(String(buffer: r.body).contains("Leaflet"))
            let icon = try await client.execute(uri: "/static/leaflet/images/marker-icon.png", method: .get)
            #expect(icon.status == .ok)
            #expect(icon.headers[.contentType] == "image/png")
        }
        var settings = Fixture.settings()
        settings.dashboard.leafletPath = "/nonexistent/leaflet"
        let g = try await Fixture(settings: settings)
        defer { g.cleanup() }
        try await g.app().test(.router) { client in
            let r = try await client.execute(uri: "/static/leaflet/leaflet.min.js", method: .get)
            #expect(r.status == .notFound)
            #expect(errorMessage(r).contains("libjs-leaflet"))
            let viewer = try await Fixture.login(client, .viewer)
            let map = try await client.execute(uri: "/api/v1/map", method: .get, headers: Fixture.bearer(viewer, json: false))
            #expect(try decodeBody(MapSnapshot.self, map).basemap.leafletInstalled == false)
        }
    }

    @Test func mapSnapshotHasTracksCellsAndTheEmitterEllipse() async throws {
        let f = try await Fixture(estimator: LocalizationEstimator())
        defer { f.cleanup() }
        // A drive east along a street past the emitter: 40 sightings 25 m apart.
        let truth = (52.5200, 13.4050)
        var obs: [ObservationRecord] = []
        for i in 0..<40 {
            let lat = truth.0 + (Double(i % 2) * 2 - 1) * 300 / 111_320
            let lon = truth.1 + Double(i - 20) * 25 / (111_320 * cos(truth.0 * .pi / 180))
            var o = f.observation(i, lat: lat, lon: lon)
            o.time = f.clock.date.addingTimeInterval(-100 + Double(i))
            o.position?.time = o.time
            let d = GeoFix.distanceMeters(lat, lon, truth.0, truth.1)
            o.powerDBm = Decibels(-50 - 30 * log10(max(d, 10) / 100))
            obs.append(ObservationRecord(id: "m-\(i)", observation: o))
        }
        var built = try f.report(observations: 0)
        built.observations = obs
        let report = built
        try await f.app().test(.router) { client in
            let r = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.token),
                                             body: try Fixture.encode(report))
            #expect(r.status == .ok, "\(errorMessage(r))")
            let viewer = try await Fixture.login(client, .viewer)
            let m = try await client.execute(uri: "/api/v1/map", method: .get, headers: Fixture.bearer(viewer, json: false))
            #expect(m.status == .ok, "\(errorMessage(m))")
            let snap = try decodeBody(MapSnapshot.self, m)
            #expect(snap.observationCount == 40)
            let s1 = try #require(snap.sensors.first { $0.id == "s1" })
            #expect(s1.track.count == 40)              // 25 m steps: none thinned away
            #expect(s1.position?[1] == s1.track.last?[1])
            #expect(snap.sensors.first { $0.id == "s2" }?.track.isEmpty == true)
            let cell = try #require(snap.cells.first)
            #expect(snap.cells.count == 1)
            #expect(cell.key == Fixture.suspectKey)
            #expect(cell.observations == 40)
            #expect(cell.alertID != nil)
            // Heard strongest at the drive point nearest the emitter.
            #expect(GeoFix.distanceMeters(cell.strongest[0], cell.strongest[1], truth.0, truth.1) < 320)
            let e = try #require(snap.emitters.first)
            let fix = try #require(e.position)
            #expect(e.ellipse.count == 49)
            #expect(e.ellipse.first == e.ellipse.last)
            // Vertex 0 lies on the major axis, `major` metres from the centre.
            let d0 = GeoFix.distanceMeters(fix.latitudeDegrees, fix.longitudeDegrees, e.ellipse[0][0], e.ellipse[0][1])
            #expect(abs(d0 - fix.ellipseMajorMeters) < 0.01 * fix.ellipseMajorMeters + 0.5)
            #expect(snap.basemap.tileURL == nil)

            let bad = try await client.execute(uri: "/api/v1/map?hours=-1", method: .get, headers: Fixture.bearer(viewer, json: false))
            #expect(bad.status == .badRequest)
            let anonymous = try await client.execute(uri: "/api/v1/map", method: .get)
            #expect(anonymous.status == .unauthorized)
        }
    }

    /// A sensor whose radio is unplugged still uploads; its health says so, the map shows it deaf, and a
    /// health report that contradicts itself is refused.
    @Test(arguments: Backend.allCases) func radioOutageInHealthReachesTheMap(_ backend: Backend) async throws {
        let f = try await Fixture(backend)
        defer { f.cleanup() }
        let goneAt = f.clock.date.addingTimeInterval(-95)
        var deaf = try f.report(observations: 2)
        deaf.health = SensorHealth(samplesPerSecond: 0, overflows: 0, cellsDecoded: 12, spoolDepth: 0,
                                   position: GeoFix(latitudeDegrees: 26.08, longitudeDegrees: 119.30, horizontalAccuracyMeters: 5, time: f.clock.date),
                                   radioConnected: false, radioDownSince: goneAt, radioDisconnects: 2, radioGapSeconds: 101.5)
        let report = deaf
        var contradiction = try f.report(observations: 0, idPrefix: "c")
        contradiction.health = SensorHealth(radioConnected: true, radioDownSince: goneAt)
        var negative = try f.report(observations: 0, idPrefix: "n")
        negative.health = SensorHealth(radioConnected: true, radioGapSeconds: -1)
        let bad = [contradiction, negative]
        try await f.app().test(.router) { client in
            let r = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.token),
                                             body: try Fixture.encode(report))
            #expect(r.status == .ok, "\(errorMessage(r))")
            let stored = try #require(try await f.store.sensor(id: "s1")?.health)
            #expect(stored.radioConnected == false && stored.radioDisconnects == 2 && stored.radioGapSeconds == 101.5)
            #expect(stored.radioDownSince.map { abs($0.timeIntervalSince(goneAt)) < 0.001 } == true)
            let viewer = try await Fixture.login(client, .viewer)
            let m = try await client.execute(uri: "/api/v1/map", method: .get, headers: Fixture.bearer(viewer, json: false))
            let snap = try decodeBody(MapSnapshot.self, m)
            let s1 = try #require(snap.sensors.first { $0.id == "s1" })
            #expect(s1.radioDownSince.map { abs($0.timeIntervalSince(goneAt)) < 0.001 } == true)
            #expect(snap.sensors.first { $0.id == "s2" }?.radioDownSince == nil)
            for (report, field) in zip(bad, ["health.radioDownSince", "health.radioGapSeconds"]) {
                let b = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.token),
                                                 body: try Fixture.encode(report))
                #expect(b.status == .badRequest)
                #expect(errorMessage(b).contains(field), "\(errorMessage(b))")
            }
        }
    }

    @Test func ellipseGeometryFollowsTheBearing() {
        let fix = EmitterFix(latitudeDegrees: 26.08, longitudeDegrees: 119.29, ellipseMajorMeters: 400, ellipseMinorMeters: 100,
                             ellipseBearingDegrees: 90, method: "test", observationCount: 1, time: Date(timeIntervalSince1970: 0))
        let ring = EllipseGeometry.polygon(fix, points: 4)
        #expect(ring.count == 5)
        // Bearing 90°: the major axis points east, the minor north.
        #expect(abs(ring[0][0] - 26.08) < 1e-9)
        #expect(abs(GeoFix.distanceMeters(26.08, 119.29, ring[0][0], ring[0][1]) - 400) < 1)
        #expect(ring[0][1] > 119.29)
        #expect(abs(GeoFix.distanceMeters(26.08, 119.29, ring[1][0], ring[1][1]) - 100) < 1)
        #expect(ring[1][0] < 26.08)   // quarter turn clockwise from east is south
    }

    // MARK: Spectrum

    /// A 100 ms cu8 snippet: a tone at +250 kHz in noise, 2 MS/s.
    static func toneSnippet(datatype: String = "cu8", offset: Double = 250e3, n: Int = 200_000) -> IQSnippet {
        var g = SeededGenerator(seed: 5)
        var data = [UInt8]()
        for i in 0..<n {
            let ph = 2 * Double.pi * offset * Double(i) / 2e6
            let re = 0.5 * cos(ph) + 0.02 * g.gaussian(), im = 0.5 * sin(ph) + 0.02 * g.gaussian()
            switch datatype {
            case "cf32_le":
                for v in [Float(re), Float(im)] { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            case "ci16_le":
                for v in [Int16(re * 32000), Int16(im * 32000)] { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
            default:
                data.append(UInt8(max(0, min(255, 127.5 + re * 127))))
                data.append(UInt8(max(0, min(255, 127.5 + im * 127))))
            }
        }
        let meta = #"{"global":{"core:datatype":"\#(datatype)","core:sample_rate":2000000,"core:version":"1.2.0"},"captures":[{"core:sample_start":0,"core:frequency":938600000}],"annotations":[]}"#
        let d = Data(data)
        return IQSnippet(sigmfMeta: meta, data: d, dataSHA256: sha256Hex(d))
    }

    @Test(arguments: ["cu8", "ci16_le", "cf32_le"])
    func spectrogramFindsTheToneWhereItIs(datatype: String) throws {
        let s = try Spectrogram(SnippetSamples(Self.toneSnippet(datatype: datatype)), fftSize: 512)
        #expect(s.rows.count == 160)
        let peak = s.mean.indices.max { s.mean[$0] < s.mean[$1] }!
        // Bin of +250 kHz after the shift: 256 + 250e3 / (2e6 / 512) = 320.
        #expect(peak == 320)
        #expect(s.mean[peak] > -10 && s.mean[peak] < 0)                  // a 0.5 full-scale tone: −6 dBFS
        #expect(s.mean[peak] - s.mean[100] > 30)
        #expect(s.centreFrequency == 938_600_000)
    }

    @Test func spectrogramRejectsWhatItCannotDraw() {
        func problem(_ meta: String, _ data: [UInt8] = [1, 2, 3, 4]) -> String {
            do {
                _ = try Spectrogram(SnippetSamples(IQSnippet(sigmfMeta: meta, data: Data(data), dataSHA256: "")))
                return "accepted"
            } catch {
                return error.description
            }
        }
        #expect(problem("not json").contains("not valid JSON"))
        #expect(problem(#"{"captures":[]}"#).contains("\"global\" is missing"))
        #expect(problem(#"{"global":{"core:sample_rate":1e6}}"#).contains("core:datatype is missing"))
        #expect(problem(#"{"global":{"core:datatype":"cu8","core:sample_rate":-1}}"#).contains("core:sample_rate"))
        #expect(problem(#"{"global":{"core:datatype":"rf64_be","core:sample_rate":1e6}}"#).contains("is not one of"))
        #expect(problem(#"{"global":{"core:datatype":"cf32_le","core:sample_rate":1e6}}"#, [1, 2, 3]).contains("whole number"))
        #expect(problem(#"{"global":{"core:datatype":"cu8","core:sample_rate":1e6}}"#).contains("at least 512"))
    }

    @Test func pngIsWellFormed() throws {
        var img = RGBImage(width: 3, height: 2, fill: (10, 20, 30))
        img.set(2, 1, (255, 0, 128))
        let png = [UInt8](img.png())
        #expect(Array(png[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // Walk the chunks, checking each CRC; inflate IDAT.
        var i = 8
        var types: [String] = []
        var idat = [UInt8]()
        while i < png.count {
            let len = Int(png[i]) << 24 | Int(png[i + 1]) << 16 | Int(png[i + 2]) << 8 | Int(png[i + 3])
            let type = String(decoding: png[(i + 4)..<(i + 8)], as: UTF8.self)
            let body = Array(png[(i + 4)..<(i + 8 + len)])
            let crc = UInt32(png[i + 8 + len]) << 24 | UInt32(png[i + 9 + len]) << 16 | UInt32(png[i + 10 + len]) << 8 | UInt32(png[i + 11 + len])
            #expect(UInt32(crc32(0, body, uInt(body.count))) == crc, "\(type) CRC")
            if type == "IHDR" { #expect(Array(body[4..<17]) == [0, 0, 0, 3, 0, 0, 0, 2, 8, 2, 0, 0, 0]) }
            if type == "IDAT" { idat += body[4...] }
            types.append(type)
            i += 12 + len
        }
        #expect(types == ["IHDR", "IDAT", "IEND"])
        var raw = [UInt8](repeating: 0, count: 64)
        var rawLen = uLongf(raw.count)
        #expect(uncompress(&raw, &rawLen, idat, uLong(idat.count)) == Z_OK)
        #expect(Array(raw[0..<Int(rawLen)]) == [0, 10, 20, 30, 10, 20, 30, 10, 20, 30, 0, 10, 20, 30, 10, 20, 30, 255, 0, 128])
    }

    @Test func spectrumRouteDrawsTheEvidenceSnippet() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        let ev = Evidence(id: "ev-iq", sensorID: "s1", suspectID: Fixture.suspectKey, capturedAt: f.clock.date.addingTimeInterval(-30),
                          observations: [f.observation(0)], messages: [], iq: Self.toneSnippet())
        let payload = try ReportCoding.encoder().encode(ev)
        let signed = SignedEvidence(id: "ev-iq", payload: payload, sha256: sha256Hex(payload),
                                    signature: try f.key.signature(for: Data(SHA256.hash(data: payload))),
                                    publicKey: f.key.publicKey.rawRepresentation)
        try await f.app().test(.router) { client in
            let r0 = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.token),
                                              body: try Fixture.encode(try f.report(evidence: [try f.signedEvidence(), signed])))
            #expect(r0.status == .ok, "\(errorMessage(r0))")
            let alert = try #require(try await f.store.alerts(includeResolved: true).first)
            let viewer = try await Fixture.login(client, .viewer)
            let h = Fixture.bearer(viewer, json: false)
            let png = try await client.execute(uri: "/api/v1/alerts/\(alert.id)/spectrum.png", method: .get, headers: h)
            #expect(png.status == .ok, "\(errorMessage(png))")
            #expect(png.headers[.contentType] == "image/png")
            let bytes = [UInt8](png.body.readableBytesView)
            #expect(bytes.count > 1000)
            #expect(Array(bytes[16..<24]) == [0, 0, 2, 0, 0, 0, 1, 184])   // 512 × (120 + 160·2)
            let named = try await client.execute(uri: "/api/v1/alerts/\(alert.id)/spectrum.png?evidence=ev-1", method: .get, headers: h)
            #expect(named.status == .notFound)                                // ev-1 has no IQ
            #expect(errorMessage(named).contains("ev-1"))
            let none = try await client.execute(uri: "/api/v1/alerts/999/spectrum.png", method: .get, headers: h)
            #expect(none.status == .notFound)
        }
    }

    // MARK: Strings and configuration

    static let assets = TestSupport.packageRoot.appendingPathComponent("Sources/Collector/DashboardAssets")

    static func keys(of lang: String, in js: String) -> Set<String> {
        guard let start = js.range(of: "\n  \(lang): {") else { return [] }
        let lines = js[start.upperBound...].split(separator: "\n").prefix { $0.trimmingCharacters(in: .whitespaces) != "}," }
        return Set(lines.compactMap { line -> String? in
            let l = line.trimmingCharacters(in: .whitespaces)
            guard l.hasPrefix("\""), let end = l.dropFirst().firstIndex(of: "\"") else { return nil }
            return String(l[l.index(after: l.startIndex)..<end])
        })
    }

    @Test func everyInterfaceStringExistsInChineseAndEnglish() throws {
        let i18n = try String(contentsOf: Self.assets.appendingPathComponent("i18n.js"), encoding: .utf8)
        let en = Self.keys(of: "en", in: i18n), zh = Self.keys(of: "zh", in: i18n)
        #expect(en.count > 80)
        #expect(en == zh, "only en: \(en.subtracting(zh).sorted()), only zh: \(zh.subtracting(en).sorted())")
        var used = Set<String>()
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.assets.path) where name.hasSuffix(".html") || name.hasSuffix(".js") {
            let text = try String(contentsOf: Self.assets.appendingPathComponent(name), encoding: .utf8)
            // Any quoted whole key of the tables' namespaces (not the prefix of one built at run time).
            let key = #""((?:app|lang|login|nav|stream|alerts|alert|severity|state|map|evidence|col|error)\.[a-zA-Z.]*[a-zA-Z])""#
            for pattern in [key] {
                let re = try NSRegularExpression(pattern: pattern)
                for m in re.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    used.insert(String(text[Range(m.range(at: 1), in: text)!]))
                }
            }
        }
        // Keys built at run time: severities, states and stream states.
        for s in Severity.allCases { used.insert("severity." + s.rawValue) }
        for s in AlertState.allCases { used.insert("state." + s.rawValue) }
        for s in ["connecting", "live", "reconnecting"] { used.insert("stream." + s) }
        #expect(used.count > 40)
        #expect(used.subtracting(en).sorted() == [], "used but not in the tables")
    }

    @Test func dashboardConfigKeysAreChecked() throws {
        func parse(_ json: String) throws(ConfigError) -> DashboardSettings {
            let file = try! JSONDecoder().decode(DashboardConfigFile.self, from: Data(json.utf8))
            return try DashboardSettings(file: file)
        }
        let ok = try parse(#"{"tileURL":"https://{s}.tiles.police.example/{z}/{x}/{y}.png","leafletPath":"/opt/leaflet","mapHours":6}"#)
        #expect(ok.tileURL == "https://{s}.tiles.police.example/{z}/{x}/{y}.png")
        #expect(ok.leafletPath == "/opt/leaflet")
        #expect(Dashboard.origin(of: ok.tileURL!) == "https://*.tiles.police.example")
        #expect(throws: ConfigError.self) { try parse(#"{"tileURL":"ftp://x/{z}/{x}/{y}"}"#) }
        #expect(throws: ConfigError.self) { try parse(#"{"tileURL":"https://tiles.example/tile.png"}"#) }
        #expect(throws: ConfigError.self) { try parse(#"{"leafletPath":"relative/leaflet"}"#) }
        #expect(throws: ConfigError.self) { try parse(#"{"trackPoints":1}"#) }
        let cfg = try CollectorConfig(file: try JSONDecoder().decode(CollectorConfigFile.self, from: Data(#"{"dashboard":{"tileMaxZoom":17}}"#.utf8)),
                                      listen: nil, database: "sqlite:/tmp/x.sqlite")
        #expect(cfg.collectorSettings.dashboard.tileMaxZoom == 17)
    }
}
