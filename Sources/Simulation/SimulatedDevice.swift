import CellwatchModel
import DSP
import Foundation
import Radio

/// The clock real-time pacing waits on: monotonic seconds and a way to wait. Injected so tests need
/// not sleep.
public protocol PacingClock: AnyObject, Sendable {
    /// Monotonic seconds since an arbitrary origin.
    var now: Double { get }
    func sleep(seconds: Double)
}

/// The process's monotonic clock.
public final class MonotonicPacingClock: PacingClock {
    public init() {}
    public var now: Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
    public func sleep(seconds: Double) {
        guard seconds > 0 else { return }
        usleep(useconds_t(min(seconds, 10) * 1e6))
    }
}

/// A radio that plays a scenario: the IQ one sensor receives at its position and the scenario time,
/// which advances with every sample read. Tuned like hardware (`tune(to:)` starts a new segment).
/// Runs as fast as the CPU allows, or paced to real time by an injected clock. Also tells where the
/// sensor truly is, which is what its simulated GPS reports.
public final class SimulatedDevice: RadioDevice {
    public enum Pacing {
        case asFastAsPossible
        case realTime(any PacingClock)
    }

    public let scenario: Scenario
    public let sensor: SensorSpec
    public let renderer: SceneRenderer
    public let pacing: Pacing
    /// Whether the stream ends with the scenario (else it runs on past the scenario's duration).
    public let stopsAtEnd: Bool
    public let sampleRate: Double
    public private(set) var centreFrequency: Hertz
    /// Samples delivered so far.
    public private(set) var samplesRead: Int64 = 0
    /// Scenario seconds at the next sample to be read.
    public private(set) var scenarioTime: Double
    private var segment = 0
    private var pacingStart: (clock: Double, scenario: Double)?

    public init(scenario: Scenario, sensorID: String, waveforms: WaveformFactory = .standard,
                pacing: Pacing = .asFastAsPossible, startTime: Double = 0, stopsAtEnd: Bool = true) throws(SimulationError) {
        renderer = try SceneRenderer(scenario: scenario, sensorID: sensorID, waveforms: waveforms)
        self.scenario = scenario
        sensor = renderer.sensor
        self.pacing = pacing
        self.stopsAtEnd = stopsAtEnd
        sampleRate = sensor.receiver.sampleRate
        scenarioTime = startTime
        centreFrequency = sensor.receiver.tuning(at: startTime)
    }

    /// A device named as on the command line: `sim:SCENARIO[@SENSOR]` (`--device sim:fuzhou-gulou@PATROL-1`),
    /// SCENARIO a bundled name or a file path; without `@SENSOR` the scenario's first sensor.
    public convenience init(spec: String, waveforms: WaveformFactory = .standard, pacing: Pacing = .asFastAsPossible,
                            stopsAtEnd: Bool = true) throws(SimulationError) {
        var body = spec.hasPrefix("sim:") ? String(spec.dropFirst(4)) : spec
        var sensorID: String?
        if let at = body.lastIndex(of: "@") {
            sensorID = String(body[body.index(after: at)...])
            body = String(body[..<at])
        }
        let scenario: Scenario
        do {
            scenario = body.contains("/") || body.hasSuffix(".yaml") || body.hasSuffix(".yml")
                ? try ScenarioReader.read(path: body) : try Scenario.bundled(named: body)
        } catch {
            throw .scenario(error)
        }
        try self.init(scenario: scenario, sensorID: sensorID ?? scenario.sensors[0].id, waveforms: waveforms,
                      pacing: pacing, stopsAtEnd: stopsAtEnd)
    }

    public var name: String { "sim \(scenario.source) sensor \(sensor.id)" }

    public var totalSamples: Int64? {
        stopsAtEnd ? Int64(((scenario.duration - 0) * renderer.trueSampleRate).rounded(.down)) : nil
    }

    public func tune(to frequency: Hertz) throws(RadioError) {
        guard frequency.value > 1e6, frequency.value < 6e9 else {
            throw .badArguments("\(name): cannot tune to \(frequency); the simulated receiver covers 1 MHz–6 GHz")
        }
        if frequency != centreFrequency {
            centreFrequency = frequency
            segment += 1
        }
    }

    public func read(into block: SampleBlock) throws(RadioError) -> Bool {
        try read(into: block, count: block.capacity)
    }

    /// Reads at most `count` samples (at most the block's capacity): lets a recorder stop exactly at a
    /// dwell or capture boundary.
    public func read(into block: SampleBlock, count: Int) throws(RadioError) -> Bool {
        var n = max(1, min(count, block.capacity))
        if stopsAtEnd {
            let left = (totalSamples ?? 0) - Int64((scenarioTime * renderer.trueSampleRate).rounded())
            if left <= 0 { return false }
            n = Int(min(Int64(n), left))
        }
        let out = UnsafeMutableBufferPointer(rebasing: block.unsafeSamples[0..<n])
        let start = scenarioTime
        scenarioTime = renderer.render(into: out, startTime: start, tuning: centreFrequency)
        block.setFilled(count: n, startSample: samplesRead, centreFrequency: centreFrequency, sampleRate: sampleRate, segment: segment)
        samplesRead += Int64(n)
        if case .realTime(let clock) = pacing {
            if pacingStart == nil { pacingStart = (clock.now, start) }
            let due = pacingStart!.clock + (scenarioTime - pacingStart!.scenario)
            let wait = due - clock.now
            if wait > 0 { clock.sleep(seconds: wait) }
        }
        return true
    }

    /// Wall-clock time of the next sample.
    public var currentDate: Date { scenario.startTime.addingTimeInterval(scenarioTime) }

    /// Where the sensor really is now.
    public var truePosition: GeoPoint { sensor.trajectory.point(at: scenarioTime, in: scenario.frame) }

    /// The fix a GPS receiver would give now (exact position, 5 m accuracy, speed from the route).
    public var positionFix: GeoFix {
        let p = truePosition
        return GeoFix(latitudeDegrees: p.latitude, longitudeDegrees: p.longitude, horizontalAccuracyMeters: 5, time: currentDate,
                      speedMetersPerSecond: sensor.trajectory.speed(at: scenarioTime, in: scenario.frame))
    }
}
