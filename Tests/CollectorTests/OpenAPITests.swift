import Collector
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

@Suite("Collector OpenAPI document")
struct OpenAPITests {
    static let document = TestSupport.packageRoot.appendingPathComponent("openapi/cellwatch-v1.yaml")

    /// "METHOD /path" for every operation under `paths:` (two-space path keys, four-space methods).
    static func documentedRoutes(_ yaml: String) -> [String] {
        var routes: [String] = []
        var inPaths = false
        var path: String?
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty {
                inPaths = line == "paths:"
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path {
                let key = line.dropFirst(4).split(separator: ":").first.map(String.init) ?? ""
                if methods.contains(key) { routes.append("\(key.uppercased()) \(path)") }
            }
        }
        return routes
    }

    @Test func everyServedRouteIsDocumentedAndViceVersa() throws {
        let yaml = try String(contentsOf: Self.document, encoding: .utf8)
        let documented = Self.documentedRoutes(yaml)
        #expect(documented.count == Set(documented).count, "an operation is listed twice")
        let served = Set(CollectorAPI.routes)
        #expect(Set(documented).subtracting(served).sorted() == [], "documented but not served")
        #expect(served.subtracting(documented).sorted() == [], "served but not documented")
        #expect(documented.count >= 20)
    }

    @Test func theParserCanTellADifference() {
        let yaml = "info:\n  title: x\npaths:\n  /a:\n    get:\n      x: 1\n    post:\n  /b/{id}:\n    put:\ncomponents:\n  /c:\n    get:\n"
        #expect(Self.documentedRoutes(yaml) == ["GET /a", "POST /a", "PUT /b/{id}"])
    }

    /// Every documented route is answered by its handler (an APIError or a success), not by the
    /// router's "no route".
    @Test func everyDocumentedRouteIsRouted() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        let documented = Self.documentedRoutes(try String(contentsOf: Self.document, encoding: .utf8))
        try await f.app().test(.router) { client in
            for route in documented {
                let parts = route.split(separator: " ", maxSplits: 1)
                let method = HTTPRequest.Method(String(parts[0]))!
                let uri = String(parts[1]).replacingOccurrences(of: "{id}", with: "1")
                let r = try await client.execute(uri: uri + (uri.hasSuffix("/stream") ? "?limit=1" : ""), method: method)
                #expect(!errorMessage(r).contains("no route"), "\(route) → \(r.status)")
                #expect(r.status.code < 500, "\(route) → \(r.status)")
            }
        }
    }

    static var hasValidator: Bool {
        ["/root/.pyenv/shims/openapi-spec-validator", "/usr/local/bin/openapi-spec-validator", "/usr/bin/openapi-spec-validator"]
            .contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test(.enabled(if: OpenAPITests.hasValidator, "openapi-spec-validator (PyPI) is not installed"))
    func documentIsValidOpenAPI() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["openapi-spec-validator", Self.document.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(out)")
    }
}
