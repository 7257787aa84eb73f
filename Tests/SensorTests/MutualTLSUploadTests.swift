import Collector
import Foundation
import Testing
import TestSupport

/// The built sensor uploads to the built collector over HTTPS with nothing but its client certificate
/// (no token file at all), the collector accepting sensors by certificate only; certificates made by
/// `openssl`.
@Suite("Mutual TLS upload (built sensor and collector)", .serialized)
struct MutualTLSUploadTests {
    @Test(.enabled(if: CrashSafetyTests.binariesBuilt, "cellwatch and cellwatch-collector not built"),
          .enabled(if: TestPKI.opensslAvailable, "openssl not installed"), .timeLimit(.minutes(10)))
    func aSensorWithOnlyItsCertificateReachesACertificateOnlyCollector() async throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pki = try TestPKI(directory: dir.appendingPathComponent("pki"))
        let cert = try pki.clientCertificate("roof-t", commonName: "roof-t")
        let collectorConfig = dir.appendingPathComponent("collector.json").path
        try """
            {"tls": {"certificateFile": "\(pki.serverCertificate)", "keyFile": "\(pki.serverKey)",
                     "clientCAFile": "\(pki.sensorCA)", "sensorAuthentication": "certificate"}}
            """.write(toFile: collectorConfig, atomically: true, encoding: .utf8)
        let collector = CollectorHarness(directory: dir, configFile: collectorConfig, https: true)
        let sensor = try SensorHarness(directory: dir, sensorID: "roof-t", device: "sim:\(CrashSafetyTests.block)@ROOF",
                                       bands: ["GSM450"], dwellSeconds: 0.3, suspectDwellSeconds: 0.3, collector: collector,
                                       collectorYAML: "client_certificate: \(cert.certificate)\n  client_key: \(cert.key)\n  ca_file: \(pki.serverCA)",
                                       extraYAML: CrashSafetyTests.uploadYAML)
        try collector.start()
        defer { collector.child?.kill9() }
        let run = try sensor.start()
        defer { run.kill9() }

        var stored = 0
        let deadline = Date().addingTimeInterval(300)
        while Date() < deadline, run.isRunning, stored < 20 {
            stored = (try? collector.storedRecords(sensorID: "roof-t").all.count) ?? 0
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(stored >= 20, "only \(stored) records arrived over mutual TLS; sensor log: \(run.log.suffix(1200))")
        #expect(run.log.contains("uploads use TLS settings from the config"))
        #expect(!run.log.contains("HTTP 401") && !run.log.contains("HTTP 403"), "the collector refused the sensor: \(run.log.suffix(1200))")
        #expect(run.terminate(timeout: 120), "the sensor did not stop on SIGTERM")
        #expect(collector.stop(), "the collector did not stop on SIGTERM")
        #expect(collector.child == nil)
        let log = try String(contentsOf: dir.appendingPathComponent("collector-1.log"), encoding: .utf8)
        #expect(log.contains("https://127.0.0.1:\(collector.port)") && log.contains("certificate"),
                "the collector did not say it serves HTTPS with certificate authentication: \(log.prefix(800))")
    }
}
