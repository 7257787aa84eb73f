import ArgumentParser
import Foundation
import Simulation

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render a simulated district to SigMF recordings, one per sensor, with its ground truth.",
        discussion: """
            SCENARIO is a scenario file (YAML, see docs/scenarios.md) or a bundled scenario: sim:fuzhou-gulou,
            sim:legit-only. For each sensor the output folder gets SENSOR.sigmf-meta/.sigmf-data in the sensor's
            ADC format (cu8, ci8 or cf32_le; --cf32 for float), one capture per tuning step and, for a vehicle,
            per second with core:geolocation; and truth.jsonl: every transmitter (identity, parameters, position
            over time) and, per sensor and second, what it should see (power, SNR, decodable).
            Recordings are large: 2 MS/s in cu8 is 4 MB per second per sensor; --duration renders less.

            Examples:
              cellwatch simulate sim:fuzhou-gulou --out /tmp/gulou --duration 30
              cellwatch simulate my-district.yaml --out runs/1 --sensor PATROL-1
            """
    )

    @Argument(help: "Scenario file, or sim:NAME for a bundled scenario.")
    var scenario: String

    @Option(name: .long, help: ArgumentHelp("Folder for the recordings and truth.jsonl (created if missing).", valueName: "DIR"))
    var out: String?

    @Option(name: .long, help: ArgumentHelp("Seconds to render from the start (default: the whole scenario).", valueName: "S"))
    var duration: Double?

    @Option(name: .long, help: ArgumentHelp("Record only this sensor; repeat for several.", valueName: "ID"))
    var sensor: [String] = []

    @Flag(name: .long, help: "Write cf32_le samples instead of each sensor's ADC format.")
    var cf32 = false

    @Flag(name: .long, help: "No progress on stderr.")
    var quiet = false

    @Flag(name: .long, help: "Only measure the render speed of each sensor (nothing is written).")
    var measureSpeed = false

    @Flag(name: .long, help: "Print the scenario's sensor IDs, one per line, and exit (nothing is rendered).")
    var listSensors = false

    func run() throws {
        if let d = duration, !(d > 0 && d.isFinite) {
            fail("--duration \(d) must be a positive number of seconds", code: 64)
        }
        let s: Scenario
        do { s = try Scenario.load(scenario) } catch { fail(error.description) }
        if listSensors {
            for sensor in s.sensors { print(sensor.id) }
            return
        }
        guard let out = out ?? (measureSpeed ? FileManager.default.temporaryDirectory.path : nil) else {
            fail("--out DIR is required: the folder for the recordings and truth.jsonl", code: 64)
        }
        var recorder = ScenarioRecorder(scenario: s, outputDirectory: out)
        recorder.duration = duration
        recorder.sensorIDs = sensor.isEmpty ? nil : sensor
        recorder.forceCF32 = cf32
        let seconds = min(duration ?? s.duration, s.duration)
        do { try recorder.validate() } catch { fail(error.description) }
        if measureSpeed {
            for id in recorder.sensorIDs ?? s.sensors.map(\.id) {
                do {
                    let elapsed = try recorder.measureRenderTime(sensor: id, seconds: seconds)
                    let inWindow = ScenarioTimeline(scenario: s).visibility(sensor: id, at: 0).filter { $0.inTunedWindow && $0.rendered }.count
                    print("\(id): \(seconds) s of IQ at \(s.sensor(id)!.receiver.sampleRate / 1e6) MS/s with \(inWindow) carriers in the window rendered in \(String(format: "%.3f", elapsed)) s (\(String(format: "%.2f", elapsed / seconds)) s per simulated second)")
                } catch {
                    fail(error.description)
                }
            }
            return
        }
        if !quiet {
            FileHandle.standardError.write(Data("cellwatch: simulating \(s.name) (\(s.source)): \(seconds) s, sensors \((recorder.sensorIDs ?? s.sensors.map(\.id)).joined(separator: ", "))\n".utf8))
        }
        let started = Date()
        do {
            let result = try recorder.run { id, fraction in
                guard !quiet else { return }
                FileHandle.standardError.write(Data("cellwatch: \(id) \(Int((fraction * 100).rounded())) %\n".utf8))
            }
            if !quiet {
                let elapsed = Date().timeIntervalSince(started)
                FileHandle.standardError.write(Data("cellwatch: wrote \(result.recordings.count) recording(s) and \(result.truthPath) in \(String(format: "%.1f", elapsed)) s\n".utf8))
            }
            for r in result.recordings { print(r) }
            print(result.truthPath)
        } catch {
            fail(error.description)
        }
    }
}
