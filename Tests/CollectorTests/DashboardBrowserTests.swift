import CellwatchModel
import Collector
import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport

/// The dashboard in a real headless Chromium driven over W3C WebDriver, against the built
/// `cellwatch-collector` on loopback, fed by the built `cellwatch sensor` playing the simulated
/// Fuzhou district (an SMS blaster drives through). Screenshots go to `.build/dashboard-artifacts/`.
///
/// Skipped (with the reason) when chromium or chromedriver is absent; a failure instead when
/// CELLWATCH_REQUIRE_BROWSER=1 (set by .ci/run). CELLWATCH_SKIP_BROWSER_TESTS=1 leaves them out.
@Suite("Dashboard in a browser", .serialized)
struct DashboardBrowserTests {
    /// On when a browser is installed (about 1.5 minutes); CELLWATCH_REQUIRE_BROWSER=1 turns a missing
    /// browser into a failure instead of a skip, CELLWATCH_SKIP_BROWSER_TESTS=1 leaves the suite out.
    static let required = ProcessInfo.processInfo.environment["CELLWATCH_REQUIRE_BROWSER"] == "1"
    static let enabled = ProcessInfo.processInfo.environment["CELLWATCH_SKIP_BROWSER_TESTS"] == nil
        && (WebDriver.available || required)
    static let artifacts = TestSupport.packageRoot.appendingPathComponent(".build/dashboard-artifacts")

    static var binDir: URL {
        let env = ProcessInfo.processInfo.environment
        if let b = env["CELLWATCH_BIN"] { return URL(fileURLWithPath: b).deletingLastPathComponent() }
        let here = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent()
        for dir in [here, here.deletingLastPathComponent(), TestSupport.packageRoot.appendingPathComponent(".build/debug")]
        where FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("cellwatch-collector").path) {
            return dir
        }
        return TestSupport.packageRoot.appendingPathComponent(".build/debug")
    }
    static var collectorBinary: String { binDir.appendingPathComponent("cellwatch-collector").path }
    static var sensorBinary: String { binDir.appendingPathComponent("cellwatch").path }

    // MARK: Harness

    /// A child process with its stderr in a file.
    final class Child: @unchecked Sendable {
        let process = Process()
        let logPath: String
        init(_ binary: String, _ args: [String], log: String) throws {
            logPath = log
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            _ = FileManager.default.createFile(atPath: log + ".out", contents: nil)
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = args
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log + ".out"))
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            try process.run()
        }
        var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
        func stop() {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
    }

    /// A collector process on a fresh database with an operator ("officer") and an admin.
    final class Collector: @unchecked Sendable {
        let dir: URL
        let port: Int
        let db: String
        let config: String
        var child: Child?
        var url: String { "http://127.0.0.1:\(port)" }

        init(_ dir: URL) throws {
            self.dir = dir
            port = TestSupport.freeLoopbackPort()
            db = dir.appendingPathComponent("collector.sqlite").path
            config = dir.appendingPathComponent("collector.json").path
            try #"{"heartbeatSeconds": 2, "sensorRatePerSecond": 1000, "sensorBurst": 1000, "dashboard": {"leafletPath": "/usr/share/javascript/leaflet"}}"#
                .write(toFile: config, atomically: true, encoding: .utf8)
            for (name, role) in [("officer", "operator"), ("chief", "admin")] {
                let pw = dir.appendingPathComponent("\(name).pw").path
                try "correct horse \(name)\n".write(toFile: pw, atomically: true, encoding: .utf8)
                _ = try TestSupport.trimmedOutput(
                    of: DashboardBrowserTests.collectorBinary,
                    ["users", "add", name, "--role", role, "--password-file", pw, "--database", "sqlite:" + db, "--config", config])
            }
        }

        func start() async throws {
            child = try Child(DashboardBrowserTests.collectorBinary,
                              ["serve", "--listen", "127.0.0.1:\(port)", "--database", "sqlite:" + db, "--config", config],
                              log: dir.appendingPathComponent("collector-\(Date().timeIntervalSince1970).log").path)
            for _ in 0..<300 {
                if let (_, r) = try? await WebDriver.fetch(URLRequest(url: URL(string: url + "/healthz")!, timeoutInterval: 1)),
                   (r as? HTTPURLResponse)?.statusCode == 200 { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw WebDriver.Failure(description: "collector did not start: \(child?.log.suffix(500) ?? "")")
        }

        func stop() { child?.stop() }

        func registerSensor(_ id: String, publicKey: String) throws -> String {
            try TestSupport.trimmedOutput(of: DashboardBrowserTests.collectorBinary,
                                          ["sensors", "add", id, "--public-key", publicKey, "--database", "sqlite:" + db])
        }

        /// JSON request with a bearer token.
        func call(_ method: String, _ path: String, token: String? = nil, body: Data? = nil) async throws -> (Int, Data) {
            var req = URLRequest(url: URL(string: url + path)!, timeoutInterval: 60)
            req.httpMethod = method
            if let token { req.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
            if let body {
                req.httpBody = body
                req.setValue("application/json", forHTTPHeaderField: "Content-Type")
            }
            let (data, r) = try await WebDriver.fetch(req)
            return ((r as? HTTPURLResponse)?.statusCode ?? 0, data)
        }

        func login(_ name: String) async throws -> String {
            let body = try JSONEncoder().encode(LoginRequest(name: name, password: "correct horse \(name)"))
            let (status, data) = try await call("POST", "/api/v1/login", body: body)
            guard status == 200 else { throw WebDriver.Failure(description: "login \(name): \(status)") }
            return try ReportCoding.decoder().decode(LoginResponse.self, from: data).token
        }
    }

    /// Saves a screenshot as an artifact and returns its path.
    @discardableResult
    static func shot(_ browser: WebDriver, _ name: String) async throws -> String {
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let path = artifacts.appendingPathComponent(name + ".png").path
        try await browser.screenshot().write(to: URL(fileURLWithPath: path))
        print("dashboard screenshot: \(path)")
        return path
    }

    static func openBrowser(_ dir: URL) async throws -> WebDriver {
        try await WebDriver(port: TestSupport.freeLoopbackPort(), profile: dir.appendingPathComponent("chromium-profile"),
                            log: dir.appendingPathComponent("chromedriver.log"))
    }

    static func signIn(_ browser: WebDriver, _ c: Collector, next: String = "/") async throws {
        try await browser.navigate(c.url + next)
        #expect(await browser.wait(20) { try await browser.currentURL().contains("/login") }, "not sent to the login page")
        #expect(await browser.wait(20) { try await browser.findAll("#login-button").count == 1 })
        try await browser.type(try await browser.find("#name"), "officer")
        try await browser.type(try await browser.find("#password"), "correct horse officer")
        try await shot(browser, "01-login")
        try await browser.click(css: "#login-button")
        #expect(await browser.wait(30) { !(try await browser.currentURL().contains("/login")) }, "login did not leave the login page")
    }

    // MARK: The officer's scenario

    @Test(.enabled(if: DashboardBrowserTests.enabled, "CELLWATCH_SKIP_BROWSER_TESTS is set, or chromium/chromium-driver are not installed"),
          .timeLimit(.minutes(20)))
    func officerSeesTheBlasterAppearLiveOpensItAndAcknowledgesIt() async throws {
        try #require(WebDriver.available, "CELLWATCH_REQUIRE_BROWSER=1, but chromium/chromedriver are not installed")
        try #require(FileManager.default.isExecutableFile(atPath: Self.collectorBinary), "\(Self.collectorBinary) not built")
        try #require(FileManager.default.isExecutableFile(atPath: Self.sensorBinary), "\(Self.sensorBinary) not built")
        let dir = TestSupport.temporaryDirectory()
        print("dashboard test files: \(dir.path); screenshots: \(Self.artifacts.path)")
        let c = try Collector(dir)
        try await c.start()
        defer { c.stop() }

        // The sensor: the simulated patrol car PATROL-1 of the Fuzhou scene, as fast as the CPU goes.
        let sensorConfig = dir.appendingPathComponent("sensor.yaml").path
        try """
            sensor:
              id: PATROL-1
              device: sim:fuzhou-gulou
              bands: [PGSM900]
              dwell_seconds: 1
              suspect_dwell_seconds: 1
            collector:
              url: \(c.url)
              token_file: token
            upload:
              batch_size: 200
              interval_seconds: 0.2
              timeout_seconds: 5
            storage:
              state_dir: sensor-state
            """.write(toFile: sensorConfig, atomically: true, encoding: .utf8)
        let key = try TestSupport.trimmedOutput(of: Self.sensorBinary, ["sensor", "--config", sensorConfig, "--print-public-key"])
        let token = try c.registerSensor("PATROL-1", publicKey: key)
        try #require(!token.isEmpty, "the collector did not register the sensor")
        try token.write(toFile: dir.appendingPathComponent("token").path, atomically: true, encoding: .utf8)

        let browser = try await Self.openBrowser(dir)
        var sensor: Child?
        defer { sensor?.stop() }
        do {
            try await Self.signIn(browser, c)
            #expect(await browser.wait(30) { try await browser.textOf("#stream-state") == "Live" }, "the live stream did not connect")
            #expect(try await browser.findAll("#alert-list li").isEmpty)
            // A marker that a reload would wipe: the alert must arrive without one.
            _ = try await browser.execute("window.cellwatchNoReload = 'still here'; return 1;")
            try await Self.shot(browser, "02-map-before")

            let started = Date()
            sensor = try Child(Self.sensorBinary, ["sensor", "--config", sensorConfig, "--device", "sim:fuzhou-gulou",
                                                   "--as-fast-as-possible", "--log-format", "json"],
                               log: dir.appendingPathComponent("sensor.log").path)
            let appeared = await browser.wait(900, every: 1) { try await !browser.findAll("#alert-list li.alert-item").isEmpty }
            let waited = Date().timeIntervalSince(started)
            try #require(appeared, "no alert appeared within 900 s; sensor log tail: \(sensor?.log.suffix(1500) ?? "")")
            print("dashboard: the blaster's alert appeared \(String(format: "%.0f", waited)) s after the sensor started")
            #expect(try await browser.execute("return window.cellwatchNoReload;") as? String == "still here", "the page was reloaded")
            let itemText = try await browser.textOf("#alert-list li.alert-item") ?? ""
            #expect(itemText.contains("460-00"), "alert item: \(itemText)")          // the blaster shows China Mobile's identity
            #expect(itemText.contains("ARFCN 18"), "alert item: \(itemText)")
            let alertID = try #require(try await browser.execute(
                "return document.querySelector('#alert-list li.alert-item').dataset.alertId;") as? String)
            try await Self.shot(browser, "03-alert-appeared-live")

            // Wait until the emitter is located and its evidence is in (both come with later uploads).
            let admin = try await c.login("chief")
            let ready = await browser.wait(600, every: 2) {
                let (status, data) = try await c.call("GET", "/api/v1/alerts/\(alertID)", token: admin)
                guard status == 200 else { return false }
                let d = try ReportCoding.decoder().decode(AlertDetail.self, from: data)
                return d.alert.position != nil && d.evidence.contains { $0.evidence?.iq != nil }
            }
            try #require(ready, "alert \(alertID) got no position or no evidence with IQ; sensor log tail: \(sensor?.log.suffix(1500) ?? "")")
            // The open map follows by itself: the alert update the position brought redraws it (no reload).
            #expect(await browser.wait(30) {
                try await browser.execute("return String(window.cellwatchMapCounts ? window.cellwatchMapCounts.emitters : 0);") as? String != "0"
            }, "the live map did not draw the located emitter")
            try await Self.shot(browser, "04-map-with-emitter")
            #expect(await browser.wait(30) { (try await browser.execute("return window.cellwatchMapCounts ? window.cellwatchMapCounts.emitters : 0;") as? Int ?? 0) >= 1 })

            // Open it from the list.
            try await browser.click(css: "#alert-list li[data-alert-id='\(alertID)'] a.alert-link")
            #expect(await browser.wait(30) { try await browser.currentURL().hasSuffix("/alerts/\(alertID)") })
            #expect(await browser.wait(30) { (try await browser.textOf("#alert-position") ?? "").contains("26.0") }, "no position shown")
            #expect(await browser.wait(30) { try await !browser.findAll(".signature.sig-valid").isEmpty }, "no valid signature shown")
            #expect(await browser.wait(30) {
                try await browser.execute("const i = document.querySelector('img.spectrum'); return !!i && i.complete && i.naturalWidth === 512;") as? Bool == true
            }, "the spectrum image did not load")
            #expect(try await browser.findAll("table.rf tbody tr").count >= 1, "no RF measurements")
            #expect(try await browser.findAll("table.params tbody tr").count >= 1, "no decoded parameters")
            #expect((try await browser.textOf("#alert-cgi") ?? "").contains("460-00"))
            try await Self.shot(browser, "05-alert-page")

            // Acknowledge it.
            try await browser.click(css: "#act-acknowledge")
            #expect(await browser.wait(30) {
                try await browser.execute("return document.getElementById('alert-state').dataset.state;") as? String == "acknowledged"
            })
            #expect((try await browser.textOf("#action-result") ?? "").contains("acknowledged"))
            try await Self.shot(browser, "06-acknowledged")
            let (_, auditData) = try await c.call("GET", "/api/v1/audit?limit=500", token: admin)
            let audit = try ReportCoding.decoder().decode([AuditEntry].self, from: auditData)
            #expect(audit.contains { $0.actor == "officer" && $0.action == "alert.acknowledge" && $0.target == "alert:\(alertID)" })
            #expect(audit.contains { $0.actor == "officer" && $0.action == "alert.view" })

            // Chinese interface.
            try await browser.click(css: "#lang-switch")
            #expect(await browser.wait(10) { (try await browser.textOf("#alert-state") ?? "") == "已确认" })
            try await Self.shot(browser, "07-alert-page-zh")
            try await browser.click(css: "#lang-switch")
            sensor?.stop()

            // The stream drops (the collector goes away) and comes back; the page follows without a reload.
            try await browser.navigate(c.url + "/")
            #expect(await browser.wait(30) { try await browser.execute("return document.getElementById('stream-state').dataset.state;") as? String == "live" })
            _ = try await browser.execute("window.cellwatchNoReload = 'again'; return 1;")
            c.stop()
            #expect(await browser.wait(30) { try await browser.execute("return document.getElementById('stream-state').dataset.state;") as? String == "reconnecting" },
                    "no reconnecting state shown when the stream dropped")
            #expect((try await browser.textOf("#stream-state") ?? "").contains("reconnecting"))
            try await Self.shot(browser, "08-stream-dropped")
            try await c.start()
            #expect(await browser.wait(60) { try await browser.execute("return document.getElementById('stream-state').dataset.state;") as? String == "live" },
                    "the page did not reconnect")
            let officer = try await c.login("officer")
            let (status, _) = try await c.call("POST", "/api/v1/alerts/\(alertID)/dispatch", token: officer)
            #expect(status == 200)
            #expect(await browser.wait(30) {
                try await browser.execute("const li = document.querySelector(\"#alert-list li[data-alert-id='\(alertID)']\"); return li ? li.dataset.state : null;") as? String == "dispatched"
            }, "the dispatch made after the reconnect did not reach the list")
            #expect(try await browser.execute("return window.cellwatchNoReload;") as? String == "again", "the page was reloaded")
            try await Self.shot(browser, "09-after-reconnect")
        } catch {
            _ = try? await Self.shot(browser, "99-failure")
            await browser.quit()
            throw error
        }
        await browser.quit()
    }

    // MARK: Page load with thousands of observations

    /// Ingests N observations (default 5000; CELLWATCH_DASHBOARD_OBSERVATIONS) from eight sensors driving
    /// around, then loads the map page and reads the browser's navigation timing. Prints the figures
    /// (Benchmarks/dashboard.md); asserts only that everything was drawn.
    @Test(.enabled(if: DashboardBrowserTests.enabled, "CELLWATCH_SKIP_BROWSER_TESTS is set, or chromium/chromium-driver are not installed"),
          .timeLimit(.minutes(10)))
    func mapPageLoadsWithThousandsOfObservations() async throws {
        try #require(WebDriver.available, "CELLWATCH_REQUIRE_BROWSER=1, but chromium/chromedriver are not installed")
        try #require(FileManager.default.isExecutableFile(atPath: Self.collectorBinary), "\(Self.collectorBinary) not built")
        let total = ProcessInfo.processInfo.environment["CELLWATCH_DASHBOARD_OBSERVATIONS"].flatMap(Int.init) ?? 5000
        let dir = TestSupport.temporaryDirectory()
        let c = try Collector(dir)
        try await c.start()
        defer { c.stop() }

        let sensors = 8, cellsPerSensor = 40
        var g = SeededGenerator(seed: 2026)
        let start = Date().addingTimeInterval(-3600)
        for s in 0..<sensors {
            let id = "van-\(s)"
            let key = Curve25519.Signing.PrivateKey()
            let token = try c.registerSensor(id, publicKey: key.publicKey.rawRepresentation.base64EncodedString())
            let n = total / sensors + (s < total % sensors ? 1 : 0)
            var records: [ObservationRecord] = []
            for i in 0..<n {
                // Each van drives a loop through Gulou at ~10 m/s, one observation a second.
                let angle = Double(i) / Double(n) * 2 * .pi + Double(s)
                let lat = 26.082 + 0.012 * sin(angle) + 0.002 * Double(s % 3)
                let lon = 119.296 + 0.014 * cos(angle) - 0.002 * Double(s % 4)
                let t = start.addingTimeInterval(Double(i))
                let cell = (s * 7 + i) % cellsPerSensor
                records.append(ObservationRecord(id: "\(id)-\(i)", observation: CellObservation(
                    rat: .gsm, channel: .arfcn(ARFCN(1 + cell)),
                    identity: CellIdentity(mcc: "460", mnc: "00", areaCode: 22801, cellId: 10000 + cell, bsic: cell % 64),
                    powerDBm: Decibels(-60 - 30 * Double.random(in: 0..<1, using: &g)),
                    sensorID: id, position: GeoFix(latitudeDegrees: lat, longitudeDegrees: lon, horizontalAccuracyMeters: 5, time: t),
                    time: t)))
            }
            for chunk in stride(from: 0, to: records.count, by: 2000) {
                var report = SensorReport(sensorID: id, sentAt: Date(), observations: Array(records[chunk..<min(records.count, chunk + 2000)]))
                if s == 0 {
                    // One van's radio is unplugged: it still uploads, and the map must show it as not listening.
                    report.health = SensorHealth(radioConnected: false, radioDownSince: Date().addingTimeInterval(-120),
                                                 radioDisconnects: 1, radioGapSeconds: 120)
                }
                let (status, data) = try await c.call("POST", "/api/v1/reports", token: token, body: try ReportCoding.encoder().encode(report))
                try #require(status == 200, "ingest: \(status) \(String(decoding: data, as: UTF8.self))")
            }
        }

        let browser = try await Self.openBrowser(dir)
        do {
            try await Self.signIn(browser, c)
            #expect(await browser.wait(60) { (try await browser.execute("return window.cellwatchMapDrawnAt ? 1 : 0;") as? Int) == 1 })
            var loads: [[String: Double]] = []
            for _ in 0..<5 {
                try await browser.navigate(c.url + "/")
                _ = await browser.wait(60) { (try await browser.execute("return window.cellwatchMapDrawnAt ? 1 : 0;") as? Int) == 1 }
                let timing = try await browser.execute("""
                    const n = performance.getEntriesByType('navigation')[0];
                    return {domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd, mapDrawn: window.cellwatchMapDrawnAt,
                            transferKB: performance.getEntriesByType('resource').reduce((s, r) => s + r.transferSize, n.transferSize) / 1024};
                    """) as? [String: Any] ?? [:]
                loads.append(timing.compactMapValues { ($0 as? NSNumber)?.doubleValue })
            }
            let counts = try await browser.execute("return window.cellwatchMapCounts;") as? [String: Any] ?? [:]
            #expect(counts["sensors"] as? Int == sensors)
            #expect(counts["deafSensors"] as? Int == 1)
            #expect(counts["cells"] as? Int == min(cellsPerSensor, total))
            #expect((try await browser.textOf("#observation-count") ?? "").contains("\(total)"))
            try await Self.shot(browser, "10-map-\(total)-observations")
            // The first load warms the browser's cache of Leaflet; report the median of the others.
            func median(_ k: String) -> Double {
                let v = loads.dropFirst().compactMap { $0[k] }.sorted()
                return v.isEmpty ? .nan : v[v.count / 2]
            }
            let (_, mapData) = try await c.call("GET", "/api/v1/map", token: try await c.login("officer"))
            print(String(format: "dashboard page load, %d observations, %d sensors: DOMContentLoaded %.0f ms, load %.0f ms, map drawn %.0f ms (median of 4 warm loads; first load %.0f ms); /api/v1/map %d KB; track points drawn %@",
                         total, sensors, median("domContentLoaded"), median("load"), median("mapDrawn"), loads.first?["mapDrawn"] ?? .nan,
                         mapData.count / 1024, "\(counts["trackPoints"] ?? "?")"))
        } catch {
            _ = try? await Self.shot(browser, "99-load-failure")
            await browser.quit()
            throw error
        }
        await browser.quit()
    }
}
