import AsyncHTTPClient
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import NIOCore

/// A W3C WebDriver client (https://www.w3.org/TR/webdriver2/) for Debian's chromedriver driving a
/// headless Chromium: just the commands the dashboard tests need, spoken as HTTP/JSON directly.
final class WebDriver: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The WebDriver element reference key (W3C WebDriver §12.1).
    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let chromedriver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static var available: Bool { chromium != nil && chromedriver != nil }
    /// With the suite enabled, CI=1 and `CELLWATCH_REQUIRE_BROWSER=1` turn a missing browser into a failure.
    static var required: Bool {
        let env = ProcessInfo.processInfo.environment
        return env["CI"] == "1" || env["CI"] == "true" || env["CELLWATCH_REQUIRE_BROWSER"] == "1"
    }

    let base: String
    let driver: Process
    let session: String

    /// Starts chromedriver on `port` and opens a session with a fresh headless Chromium profile.
    init(port: Int, profile: URL, log: URL) async throws {
        guard let chromium = Self.chromium, let chromedriver = Self.chromedriver else {
            throw Failure(description: "chromium or chromedriver is not installed (Debian packages chromium, chromium-driver)")
        }
        base = "http://127.0.0.1:\(port)"
        driver = Process()
        driver.executableURL = URL(fileURLWithPath: chromedriver)
        driver.arguments = ["--port=\(port)", "--log-path=\(log.path)"]
        driver.standardOutput = FileHandle.nullDevice
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        var ready = false
        for _ in 0..<600 {   // up to a minute: chromedriver starts slowly on a loaded machine
            if let status = try? await Self.call("GET", base + "/status", nil, timeout: 2) as? [String: Any],
               status["ready"] as? Bool == true { ready = true; break }
            try await Task.sleep(for: .milliseconds(100))
        }
        guard ready else {
            kill(driver.processIdentifier, SIGKILL)
            throw Failure(description: "chromedriver did not become ready on port \(port)")
        }
        // --no-sandbox: Chromium refuses to run as root with its sandbox (CI runs as root).
        let args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
                    "--user-data-dir=\(profile.path)", "--lang=en-US", "--no-first-run", "--disable-extensions"]
        let caps: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome", "goog:chromeOptions": ["binary": chromium, "args": args],
        ] as [String: Any]]]
        let value: Any
        do {
            value = try await Self.call("POST", base + "/session", caps, timeout: 60)
        } catch {
            kill(driver.processIdentifier, SIGKILL)
            throw error
        }
        guard let id = (value as? [String: Any])?["sessionId"] as? String else {
            kill(driver.processIdentifier, SIGKILL)
            throw Failure(description: "new session: no sessionId in \(value)")
        }
        session = id
    }

    func quit() async {
        _ = try? await command("DELETE", "", nil)
        // chromedriver does not always exit on SIGTERM (seen here: still running minutes later, so
        // waitUntilExit never returned); the session is closed, so SIGKILL loses nothing.
        if driver.isRunning {
            kill(driver.processIdentifier, SIGKILL)
            driver.waitUntilExit()
        }
    }

    // MARK: Commands

    func navigate(_ url: String) async throws { _ = try await command("POST", "/url", ["url": url]) }
    func currentURL() async throws -> String { try await command("GET", "/url", nil) as? String ?? "" }

    func find(_ css: String) async throws -> String {
        let v = try await command("POST", "/element", ["using": "css selector", "value": css])
        guard let id = (v as? [String: Any])?[Self.elementKey] as? String else { throw Failure(description: "find \(css): \(v)") }
        return id
    }

    func findAll(_ css: String) async throws -> [String] {
        let v = try await command("POST", "/elements", ["using": "css selector", "value": css])
        return (v as? [[String: Any]] ?? []).compactMap { $0[Self.elementKey] as? String }
    }

    func click(_ element: String) async throws { _ = try await command("POST", "/element/\(element)/click", [:]) }

    /// Finds and clicks `css`, finding it again when the page replaced the element in between (a live
    /// list redrawn by a stream update answers "stale element reference").
    func click(css: String, attempts: Int = 5) async throws {
        for attempt in 1...attempts {
            do {
                try await click(try await find(css))
                return
            } catch let e as Failure where e.description.contains("stale element") && attempt < attempts {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }
    func type(_ element: String, _ text: String) async throws {
        _ = try await command("POST", "/element/\(element)/value", ["text": text])
    }
    func text(_ element: String) async throws -> String { try await command("GET", "/element/\(element)/text", nil) as? String ?? "" }

    /// Runs `script` (a function body; `arguments` are its arguments) in the page and returns its value.
    func execute(_ script: String, _ arguments: [Any] = []) async throws -> Any {
        try await command("POST", "/execute/sync", ["script": script, "args": arguments])
    }

    func screenshot() async throws -> Data {
        guard let b64 = try await command("GET", "/screenshot", nil) as? String, let png = Data(base64Encoded: b64) else {
            throw Failure(description: "screenshot: no PNG")
        }
        return png
    }

    /// Polls `condition` until it is true or `timeout` seconds pass; returns whether it became true.
    func wait(_ timeout: Double, every: Double = 0.25, _ condition: () async throws -> Bool) async -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if (try? await condition()) == true { return true }
            try? await Task.sleep(for: .milliseconds(Int(every * 1000)))
        }
        return (try? await condition()) == true
    }

    /// Text of the first element matching `css`, or nil.
    func textOf(_ css: String) async throws -> String? {
        try await execute("const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", [css]) as? String
    }

    // MARK: HTTP

    private func command(_ method: String, _ path: String, _ body: Any?) async throws -> Any {
        try await Self.call(method, base + "/session/" + session + path, body, timeout: 120)
    }

    /// One WebDriver command. Through AsyncHTTPClient, not URLSession: chromedriver writes its header
    /// lines without a space after the colon (`Content-Length:250`), which Linux Foundation's URLSession
    /// rejects ("Failed writing header").
    static func call(_ method: String, _ url: String, _ body: Any?, timeout: Double) async throws -> Any {
        var req = HTTPClientRequest(url: url)
        req.method = .RAW(value: method)
        if let body {
            let data = try JSONSerialization.data(withJSONObject: body)
            req.body = .bytes(ByteBuffer(bytes: data))
            req.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        }
        let response = try await HTTPClient.shared.execute(req, timeout: .milliseconds(Int64(timeout * 1000)))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let data = Data(bytes.readableBytesView)
        let json = (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) as? [String: Any]
        let value = json?["value"] ?? NSNull()
        if response.status.code >= 400 {
            let v = value as? [String: Any]
            throw Failure(description: "WebDriver \(method) \(url): \(response.status.code) \(v?["error"] ?? "") \(String(describing: v?["message"] ?? String(decoding: data.prefix(300), as: UTF8.self)).prefix(400))")
        }
        return value
    }

    static func fetch(_ req: URLRequest) async throws -> (Data, URLResponse) {
        try await withCheckedThrowingContinuation { c in
            URLSession.shared.dataTask(with: req) { data, response, error in
                if let error { c.resume(throwing: error) } else { c.resume(returning: (data ?? Data(), response!)) }
            }.resume()
        }
    }
}
