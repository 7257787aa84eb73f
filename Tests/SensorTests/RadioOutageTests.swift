import CellwatchModel
import Detection
import DSP
import Foundation
import Logging
import Radio
import Testing
import TestSupport
@testable import Sensor

/// The survey loop's handling of a radio that goes away (`RadioError.deviceGone`), on an injected
/// clock: the back-off between attempts (1 s doubling to 30 s), the recovery, and what is counted.
/// (The real daemon under the libusb shim: USBRadiosTests/SensorReplugTests.)
@Suite struct RadioOutageTests {
    /// A tunable radio of silence that can be unplugged: while `failuresLeft` > 0 every tune and read
    /// throws `deviceGone` and counts one down.
    final class FlakyRadio: RadioDevice {
        var failuresLeft = 0
        var otherError: RadioError?
        var centre = Hertz(0)
        var segment = 0
        var served: Int64 = 0
        let name = "flaky radio"
        let sampleRate = 1e6

        private func check() throws(RadioError) {
            if let e = otherError { throw e }
            if failuresLeft > 0 {
                failuresLeft -= 1
                throw .deviceGone(device: name, reason: "device unplugged or reset (LIBUSB_ERROR_NO_DEVICE)")
            }
        }

        func tune(to frequency: Hertz) throws(RadioError) {
            try check()
            centre = frequency
            segment += 1
        }

        func read(into block: SampleBlock) throws(RadioError) -> Bool {
            try check()
            let n = block.capacity
            for i in 0..<n { block.unsafeSamples[i] = ComplexFloat(Float(i % 7) * 1e-4, 0) }
            block.setFilled(count: n, startSample: served, centreFrequency: centre, sampleRate: sampleRate, segment: segment)
            served += Int64(n)
            return true
        }
    }

    final class ManualClock: @unchecked Sendable {
        private let lock = NSLock()
        private var t = 1000.0
        var now: Double { lock.withLock { t } }
        func advance(_ s: Double) { lock.withLock { t += s } }
    }

    func loop(_ radio: FlakyRadio, clock: ManualClock, metrics: SensorMetrics) throws -> SurveyLoop {
        let dir = TestSupport.temporaryDirectory("radio-outage")
        let spool = try Spool(path: dir.appendingPathComponent("spool.sqlite").path, maxBytes: 1 << 30)
        let key = try SensorKey.loadOrCreate(path: dir.appendingPathComponent("key").path)
        let random = SharedRandom(seed: 3)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let loop = try SurveyLoop(settings: .init(sensorID: "van-07", bands: [.gsm(.egsm900)], dwellSeconds: 0.05, suspectDwellSeconds: 0.05,
                                                  lookSeconds: 0.01),
                                  device: radio, spool: spool, signer: EvidenceSigner(key: key), position: nil,
                                  detector: Detector(baseline: Baseline(), clock: { t0 }), metrics: metrics,
                                  clock: { t0 }, monotonic: { clock.now },
                                  ids: UUIDv7Generator(clock: { t0 }, random: { random.next() }),
                                  logger: Logger(label: "outage-test", factory: { _ in SwiftLogNoOpLogHandler() }))
        loop.sleeper = { clock.advance($0) }
        return loop
    }

    @Test func waitsWithBoundedBackoffAndResumes() throws {
        let radio = FlakyRadio()
        let clock = ManualClock()
        let metrics = SensorMetrics()
        let loop = try loop(radio, clock: clock, metrics: metrics)
        for _ in 0..<4 { #expect(try loop.step()) }
        #expect(loop.outage == nil)
        let samplesBefore = loop.stats.samples
        // Unplugged: the step that meets it and five more attempts fail; the seventh call finds it back.
        radio.failuresLeft = 6
        var waits: [Double] = []
        var steps = 0
        repeat {
            #expect(try loop.step())
            if let w = loop.outage?.wait, waits.last != w { waits.append(w) }
            steps += 1
        } while loop.outage != nil && steps < 10_000
        #expect(loop.outage == nil)
        #expect(waits == [1, 2, 4, 8, 16, 30])
        #expect(loop.stats.radioOutages == 1)
        // 61 s of back-off; the loop waits in slices of at most 0.25 s, so a shutdown is never kept waiting.
        #expect(abs(loop.stats.radioGapSeconds - 61) < 0.01, "\(loop.stats.radioGapSeconds)")
        #expect(steps > 61 * 4)
        #expect(loop.stats.samples > samplesBefore)
        let text = metrics.exposition()
        #expect(text.contains("cellwatch_sensor_radio_disconnects_total 1"), "\(text)")
        #expect(text.contains("cellwatch_sensor_radio_connected 1"))
        #expect(text.contains("cellwatch_sensor_radio_gap_seconds_total 61"))

        // Gone again: a second outage is counted from 1 s again.
        radio.failuresLeft = 1
        #expect(try loop.step())
        #expect(loop.outage?.wait == 1)
        #expect(metrics.exposition().contains("cellwatch_sensor_radio_connected 0"))
        while loop.outage != nil { try loop.step() }
        #expect(loop.stats.radioOutages == 2)
    }

    /// Any other radio failure still stops the daemon (systemd restarts it), with the reason.
    @Test func otherRadioErrorsStillStop() throws {
        let radio = FlakyRadio()
        let loop = try loop(radio, clock: ManualClock(), metrics: SensorMetrics())
        radio.otherError = .io(path: "flaky radio", reason: "streaming failed")
        #expect {
            for _ in 0..<10 { try loop.step() }
        } throws: { e in
            "\(e)".contains("flaky radio: read failed: streaming failed") || "\(e)".contains("failed to tune")
        }
    }
}
