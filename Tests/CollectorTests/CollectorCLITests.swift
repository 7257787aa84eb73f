import CellwatchModel
import Collector
import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport

/// Runs the built `cellwatch-collector` binary: admin subcommands, then the server, a real upload over
/// TCP, and a graceful SIGTERM shutdown.
@Suite("cellwatch-collector command", .serialized)
struct CollectorCLITests {
    static let binary: URL = {
        let here = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent()
        let candidates = [here.appendingPathComponent("cellwatch-collector"),
                          here.deletingLastPathComponent().appendingPathComponent("cellwatch-collector"),
                          TestSupport.packageRoot.appendingPathComponent(".build/debug/cellwatch-collector")]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }()

    static func run(_ args: [String], stdin: String? = nil) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test func adminCommandsThenServeIngestAndShutDown() async throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = "sqlite:" + dir.appendingPathComponent("sub/collector.sqlite").path
        var g = SeededGenerator(seed: 5)
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: (0..<32).map { _ in UInt8.random(in: 0...255, using: &g) })
        let b64 = key.publicKey.rawRepresentation.base64EncodedString()

        let (status, out, err) = try Self.run(["sensors", "add", "field-7", "--public-key", b64, "--database", db])
        #expect(status == 0, "\(err)")
        let token = out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.count == 43)
        let dup = try Self.run(["sensors", "add", "field-7", "--public-key", b64, "--database", db])
        #expect(dup.0 != 0)
        let badKey = try Self.run(["sensors", "add", "x", "--public-key", "AAAA", "--database", db])
        #expect(badKey.0 != 0)
        #expect(badKey.2.contains("32"))
        let user = try Self.run(["users", "add", "alice", "--role", "operator", "--database", db], stdin: "s3cret-pass\n")
        #expect(user.0 == 0, "\(user.2)")
        let badRole = try Self.run(["users", "add", "bob", "--role", "chief", "--database", db], stdin: "s3cret-pass\n")
        #expect(badRole.0 != 0)
        let list = try Self.run(["sensors", "list", "--database", db])
        #expect(list.1.contains("field-7\tenabled"))

        // Serve on a loopback port, upload one report, stop with SIGTERM.
        let port = 20_000 + Int(ProcessInfo.processInfo.processIdentifier % 20_000)
        let server = Process()
        server.executableURL = Self.binary
        server.arguments = ["--database", db, "--listen", "127.0.0.1:\(port)"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        var up = false
        for _ in 0..<100 {
            if let (_, r) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!),
               (r as? HTTPURLResponse)?.statusCode == 200 { up = true; break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(up)
        let now = Date()
        let obs = CellObservation(rat: .gsm, channel: .arfcn(ARFCN(60)), identity: Fixture.identity, powerDBm: Decibels(-70),
                                  sensorID: "field-7", time: now)
        let report = SensorReport(sensorID: "field-7", sentAt: now, observations: [ObservationRecord(id: "o1", observation: obs)])
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/v1/reports")!)
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("gzip", forHTTPHeaderField: "Content-Encoding")
        request.httpBody = Gzip.compress(try ReportCoding.encoder().encode(report))
        let (data, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200, "\(String(decoding: data, as: UTF8.self))")
        #expect(try ReportCoding.decoder().decode(ReportReceipt.self, from: data) == ReportReceipt(accepted: 1, duplicates: 0))

        server.terminate()   // SIGTERM
        for _ in 0..<100 where server.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!server.isRunning)
        #expect(server.terminationStatus == 0)
        #expect(server.terminationReason == .exit)
    }
}
