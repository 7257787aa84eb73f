import CellwatchModel
import DSP
import Foundation
import Radio
@testable import Simulation
import Survey
import Testing

/// Passes on the first `limit` samples of a device, then ends: lets a scan look at a slice of an
/// endless or long simulated stream.
final class PrefixDevice: RadioDevice {
    let inner: SimulatedDevice
    let limit: Int64
    var delivered: Int64 = 0
    init(_ inner: SimulatedDevice, limit: Int64) {
        self.inner = inner
        self.limit = limit
    }
    var name: String { inner.name }
    var sampleRate: Double { inner.sampleRate }
    func read(into block: SampleBlock) throws(RadioError) -> Bool {
        guard delivered < limit else { return false }
        let more = try inner.read(into: block, count: Int(min(Int64(block.capacity), limit - delivered)))
        delivered += Int64(block.count)
        return more
    }
}

/// A clock that only counts: real-time pacing asks it to sleep, and it advances by that much.
final class SteppedClock: PacingClock, @unchecked Sendable {
    var now: Double = 1000
    var slept = 0.0
    func sleep(seconds: Double) {
        slept += seconds
        now += seconds
    }
}

@Suite struct DeviceTests {
    /// The fixture plus a DCS1800 cell far from the GSM900 ones.
    static func scenarioWithDCS() throws -> Scenario {
        let text = ScenarioFixture.text.replacingOccurrences(of: "fakes:\n", with: """
              - id: CM-3
                operator: China Mobile
                position: {x_m: 100, y_m: 400}
                arfcn: 600
                bsic: 5
                lac: 22002
                ci: 1003
                power_dbm: 48
            fakes:

            """)
        return try ScenarioReader.parse(text, file: "dcs.yaml")
    }

    func scan(_ device: SimulatedDevice, samples: Int64) throws -> ScanReport {
        var config = ScanConfiguration()
        config.bands = [.gsm(.egsm900), .gsm(.dcs1800)]
        let scanner = try SpectrumScanner(configuration: config, sampleRate: device.sampleRate)
        return try scanner.scan(PrefixDevice(device, limit: samples), source: device.name)
    }

    @Test func retuningChangesWhichEmittersAppear() throws {
        let s = try Self.scenarioWithDCS()
        let device = try SimulatedDevice(scenario: s, sensorID: "CAR", waveforms: .tones, startTime: 20)
        let first = try scan(device, samples: 1 << 18)
        let channels900 = Set(first.carriers.compactMap(\.channel))
        #expect(channels900 == [10, 12, 14], "tuned to ARFCN 12: \(first.carriers.map { ($0.channel ?? -1, $0.snr.value) })")
        // Every carrier sits where the truth puts it, within the frequency errors.
        for c in first.carriers {
            let f = GSMBand.egsm900.downlink(ARFCN(c.channel!))!.value
            #expect(abs(c.frequency!.value - f) < 2_000, "\(c)")
        }
        try device.tune(to: GSMBand.dcs1800.downlink(ARFCN(600))!)
        let second = try scan(device, samples: 1 << 18)
        #expect(Set(second.carriers.compactMap(\.channel)) == [600], "\(second.carriers.map { $0.channel ?? -1 })")
        #expect(second.carriers.allSatisfy { $0.band == .gsm(.dcs1800) })
        // Ground truth agrees on both tunings.
        let truth = ScenarioTimeline(scenario: s)
        let t = device.scenarioTime
        #expect(Set(truth.decodable(sensor: "CAR", at: t, tuning: GSMBand.dcs1800.downlink(ARFCN(600))!)) == ["CM-3"])
        #expect(Set(truth.decodable(sensor: "CAR", at: t, tuning: GSMBand.egsm900.downlink(ARFCN(12))!)) == ["CM-1", "CM-2", "BLASTER"])
    }

    @Test func blocksCarryTuningAndSegments() throws {
        let s = try Self.scenarioWithDCS()
        let device = try SimulatedDevice(scenario: s, sensorID: "CAR", waveforms: .tones)
        let block = SampleBlock(capacity: 1000)
        #expect(try device.read(into: block))
        #expect(block.count == 1000 && block.startSample == 0 && block.segment == 0 && block.sampleRate == 2e6)
        #expect(block.centreFrequency == GSMBand.egsm900.downlink(ARFCN(12)))
        try device.tune(to: .megahertz(1850))
        #expect(try device.read(into: block))
        #expect(block.startSample == 1000 && block.segment == 1 && block.centreFrequency == .megahertz(1850))
        #expect(throws: RadioError.self) { try device.tune(to: Hertz(100)) }
    }

    @Test func scenarioTimeAndPositionAdvanceWithSamples() throws {
        let s = try ScenarioFixture.scenario()
        let device = try SimulatedDevice(scenario: s, sensorID: "CAR", waveforms: .tones, startTime: 59.9)
        #expect(device.totalSamples == 120_000_000)
        let block = SampleBlock(capacity: 100_000)
        let p0 = s.frame.enu(device.truePosition)
        #expect(abs(p0.north - (100 + 600 * 59.9 / 60)) < 0.01)
        #expect(try device.read(into: block))
        #expect(abs(device.scenarioTime - 59.95) < 1e-9)
        #expect(device.currentDate == s.startTime.addingTimeInterval(device.scenarioTime))
        // The GPS fix mid-route: 600 m in 60 s.
        let mid = try SimulatedDevice(scenario: s, sensorID: "CAR", waveforms: .tones, startTime: 30)
        let fix = mid.positionFix
        #expect(abs(fix.speedMetersPerSecond! - 10) < 0.01)
        #expect(abs(GeoFix.distanceMeters(fix.latitudeDegrees, fix.longitudeDegrees, s.origin.latitude, s.origin.longitude) - 400) < 0.5)
        #expect(fix.time == s.startTime.addingTimeInterval(30))
        // The scenario ends at 60 s: one more partial block, then the end.
        #expect(try device.read(into: block))
        #expect(block.count == 100_000)
        #expect(try device.read(into: block) == false)
    }

    @Test func deviceFromACommandLineSpec() throws {
        let d = try SimulatedDevice(spec: "sim:fuzhou-gulou@ROOF-1", waveforms: .tones)
        #expect(d.sensor.id == "ROOF-1" && d.scenario.name == "Fuzhou Gulou")
        #expect(try SimulatedDevice(spec: "sim:legit-only", waveforms: .tones).sensor.id == "PATROL-TJ")
        #expect(throws: SimulationError.unknownSensor(scenario: "legit-only.yaml", sensor: "BUS", known: ["PATROL-TJ", "ROOF-TJ"])) {
            _ = try SimulatedDevice(spec: "sim:legit-only@BUS", waveforms: .tones)
        }
        do { _ = try SimulatedDevice(spec: "sim:/nowhere/x.yaml"); Issue.record("accepted") } catch {
            #expect(error.description == "/nowhere/x.yaml: no such file")
        }
    }

    @Test func realTimePacingWaitsOnTheInjectedClock() throws {
        let s = try ScenarioFixture.scenario()
        let clock = SteppedClock()
        let device = try SimulatedDevice(scenario: s, sensorID: "CAR", waveforms: .tones, pacing: .realTime(clock))
        let block = SampleBlock(capacity: 20_000)
        for _ in 0..<50 { _ = try device.read(into: block) } // 0.5 s of samples
        #expect(abs(clock.slept - 0.5) < 1e-6, "slept \(clock.slept)")
        let fast = try SimulatedDevice(scenario: s, sensorID: "CAR", waveforms: .tones)
        for _ in 0..<5 { _ = try fast.read(into: block) }
        #expect(fast.scenarioTime == 0.05)
    }
}
