import CellwatchModel
import Collector
import Foundation
import Testing
import TestSupport
@testable import Sensor

/// The built `cellwatch sensor` against the built `cellwatch-collector` on loopback, as deployed: the
/// sensor first runs with the collector down and is killed with SIGKILL after spooling; it is started
/// again while the collector is still down; the collector comes up; the backlog of both runs arrives,
/// each observation exactly once.
@Suite("Sensor end to end", .serialized)
struct EndToEndTests {
    static let recording = TestSupport.recording("gsm/ref_c0_clean.sigmf-meta")
    static var collectorBinary: String {
        (SensorBinary.path as NSString).deletingLastPathComponent + "/cellwatch-collector"
    }

    final class Child {
        let process = Process()
        let stderrPath: String
        init(_ binary: String, _ args: [String], stderrPath: String) throws {
            self.stderrPath = stderrPath
            FileManager.default.createFile(atPath: stderrPath, contents: nil)
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = args
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
            try process.run()
        }
        var log: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
        func kill9() { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
        func wait(timeout: Double) -> Bool {
            let end = Date().addingTimeInterval(timeout)
            while process.isRunning && Date() < end { usleep(100_000) }
            return !process.isRunning
        }
    }

    func until(_ timeout: Double, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if condition() { return true }
            usleep(100_000)
        }
        return condition()
    }

    @Test(.enabled(if: recording != nil, "shared GSM reference recording absent"))
    func backlogArrivesOnceAfterKillAndOutage() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.collectorBinary), "cellwatch-collector not built")
        let dir = TestSupport.temporaryDirectory()
        let db = dir.appendingPathComponent("collector.sqlite").path
        let port = 18000 + Int(getpid() % 2000)
        let config = dir.appendingPathComponent("sensor.yaml").path
        try """
            sensor:
              id: van-07
              device: file:\(Self.recording!)
              bands: [GSM900]
              dwell_seconds: 2
            collector:
              url: http://127.0.0.1:\(port)
              token_file: token
            upload:
              batch_size: 50
              interval_seconds: 0.2
              timeout_seconds: 1
            gps:
              source: fixed
              latitude: 52.52
              longitude: 13.405
            storage:
              state_dir: state
            metrics:
              textfile: state/cellwatch.prom
            """.write(toFile: config, atomically: true, encoding: .utf8)

        // Register the sensor's key at the collector; keep the token it prints.
        let key = try TestSupport.trimmedOutput(of: SensorBinary.path, ["sensor", "--config", config, "--print-public-key"])
        #expect(Data(base64Encoded: key)?.count == 32)
        let token = try TestSupport.trimmedOutput(of: Self.collectorBinary, ["sensors", "add", "van-07", "--public-key", key, "--database", "sqlite:" + db])
        try #require(!token.isEmpty, "collector did not register the sensor")
        try token.write(toFile: dir.appendingPathComponent("token").path, atomically: true, encoding: .utf8)

        let spoolPath = dir.appendingPathComponent("state/spool.sqlite").path
        func spooledObservations() -> Int { (try? Spool(path: spoolPath, maxBytes: 1 << 40).depth().observations) ?? 0 }

        // Run 1, collector down: surveys, spools, cannot upload; killed with SIGKILL.
        let first = try Child(SensorBinary.path, ["sensor", "--config", config, "--log-format", "json"],
                              stderrPath: dir.appendingPathComponent("sensor1.log").path)
        defer { first.kill9() }
        #expect(until(120) { first.log.contains("stream ended") }, "run 1 never finished the recording: \(first.log.suffix(400))")
        first.kill9()
        let perRun = spooledObservations()
        try #require(perRun >= 1, "nothing spooled in run 1")

        // Run 2, collector still down at first, then up: both runs' observations arrive.
        let second = try Child(SensorBinary.path, ["sensor", "--config", config],
                               stderrPath: dir.appendingPathComponent("sensor2.log").path)
        defer { second.kill9() }
        #expect(until(120) { second.log.contains("stream ended") && second.log.contains("upload failed") })
        let collector = try Child(Self.collectorBinary, ["serve", "--listen", "127.0.0.1:\(port)", "--database", "sqlite:" + db],
                                  stderrPath: dir.appendingPathComponent("collector.log").path)
        defer { collector.kill9() }
        #expect(second.wait(timeout: 120), "run 2 did not drain its spool: \(second.log.suffix(600))")
        #expect(second.process.terminationStatus == 0)
        #expect(spooledObservations() == 0)

        let store = try SQLiteStore(path: db)
        let stored = try await store.observationCount()
        #expect(stored == 2 * perRun, "collector holds \(stored) observations, the two runs made \(2 * perRun)")
        #expect(second.log.contains("upload failed; will retry"))   // it met the outage
        let metrics = try String(contentsOfFile: dir.appendingPathComponent("state/cellwatch.prom").path, encoding: .utf8)
        #expect(metrics.contains("cellwatch_sensor_cells_decoded_total"))
    }
}
