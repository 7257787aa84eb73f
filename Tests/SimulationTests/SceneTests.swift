import CellwatchModel
import DSP
import Foundation
import Radio
@testable import Simulation
import Survey
import Testing

/// Measurements on rendered IQ, independent of the renderer's own bookkeeping.
enum Measure {
    static func meanPower(_ x: [ComplexFloat]) -> Double {
        x.reduce(0.0) { $0 + Double($1.magnitudeSquared) } / Double(x.count)
    }

    /// Power of the component at `frequency` hertz (coherent: mixed to DC and averaged).
    static func tonePower(_ x: [ComplexFloat], frequency: Double, sampleRate: Double) -> Double {
        var re = 0.0, im = 0.0
        let w = -2 * Double.pi * frequency / sampleRate
        for (n, s) in x.enumerated() {
            let c = cos(w * Double(n)), si = sin(w * Double(n))
            re += Double(s.real) * c - Double(s.imag) * si
            im += Double(s.real) * si + Double(s.imag) * c
        }
        re /= Double(x.count)
        im /= Double(x.count)
        return re * re + im * im
    }

    static func dB(_ p: Double) -> Double { 10 * log10(p) }
}

@Suite struct SceneTests {
    func render(_ scenario: Scenario, sensor: String = "CAR", at t: Double, count: Int, tuning: Hertz? = nil,
                waveforms: WaveformFactory = .tones) throws -> [ComplexFloat] {
        let r = try SceneRenderer(scenario: scenario, sensorID: sensor, waveforms: waveforms)
        var out = [ComplexFloat](repeating: .zero, count: count)
        out.withUnsafeMutableBufferPointer { buf in
            _ = r.render(into: buf, startTime: t, tuning: tuning ?? r.sensor.receiver.tuning(at: t))
        }
        return out
    }

    @Test func pathLossFollowsTheConfiguredExponent() throws {
        var p = PropagationSettings()
        p.pathLossExponent = 3.2
        p.referenceDistance = 1000
        p.referenceLoss = 130
        #expect(abs(p.pathLoss(distance: 1000, frequency: 9e8) - 130) < 1e-9)
        #expect(abs(p.pathLoss(distance: 10_000, frequency: 9e8) - 162) < 1e-9)
        var q = PropagationSettings()
        q.referenceLoss = nil
        // Free space at 1 m, 900 MHz: 20·log10(4π/λ) = 31.5 dB.
        #expect(abs(q.pathLoss(distance: 1, frequency: 9e8) - 31.53) < 0.01)
    }

    /// The rendered carrier's power falls with distance as the exponent says (shadowing off, no taps).
    @Test func renderedPowerMatchesPathLoss() throws {
        let s = try ScenarioFixture.scenario()
        let link = LinkBudget(scenario: s)
        let fs = s.sensors[0].receiver.sampleRate
        let lo = s.sensors[0].receiver.tuning[0].value
        var measured: [(Double, Double)] = []
        for t in [0.0, 30, 59] {
            let x = try render(s, at: t, count: 1 << 15)
            let i = s.transmitters.firstIndex { $0.id == "CM-1" }!
            let p = Measure.dB(Measure.tonePower(x, frequency: link.transmittedFrequency(i) - lo, sampleRate: fs))
            let l = link.link(i, receiver: s.sensors[0].trajectory, at: t + Double(1 << 14) / fs)
            #expect(abs(p - (l.powerDBm + 50)) < 0.2, "t=\(t): \(p) dBFS vs \(l.powerDBm + 50)")
            measured.append((log10(l.distance), p))
        }
        // Slope of power against log-distance: −10·n.
        let slope = (measured[2].1 - measured[0].1) / (measured[2].0 - measured[0].0)
        #expect(abs(slope + 35) < 0.5, "slope \(slope)")
    }

    /// Through three taps a tone comes out scaled by the channel's response at its frequency,
    /// H(f) = Σ g·e^(−j2πf·τ); the taps carry unit total power.
    @Test func multipathScalesEachToneByTheChannelResponse() throws {
        let text = ScenarioFixture.text.replacingOccurrences(of: "multipath_taps: 1", with: "multipath_taps: 3\n  delay_spread_us: 1")
        let s = try ScenarioReader.parse(text, file: "t.yaml")
        let link = LinkBudget(scenario: s)
        let fs = 2e6, lo = s.sensors[0].receiver.tuning[0].value
        let x = try render(s, at: 30, count: 1 << 15 + 1)
        for id in ["CM-1", "CM-2"] {
            let i = link.transmitters.firstIndex { $0.id == id }!
            let ch = MultipathChannel(taps: 3, delaySpread: 1e-6, sampleRate: fs, seed: s.seed &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15)
            #expect(ch.delays == [0, 2, 4])
            #expect(abs(ch.gains.reduce(0.0) { $0 + Double($1.magnitudeSquared) } - 1) < 1e-5)
            let f = link.transmittedFrequency(i) - lo
            var hr = 0.0, hi = 0.0
            for (g, d) in zip(ch.gains, ch.delays) {
                let ph = -2 * Double.pi * f * Double(d) / fs
                hr += Double(g.real) * cos(ph) - Double(g.imag) * sin(ph)
                hi += Double(g.real) * sin(ph) + Double(g.imag) * cos(ph)
            }
            let l = link.link(i, receiver: s.sensors[0].trajectory, at: 30 + Double(1 << 14) / fs)
            let expected = l.powerDBm + 50 + Measure.dB(hr * hr + hi * hi)
            let p = Measure.dB(Measure.tonePower(x, frequency: f, sampleRate: fs))
            #expect(abs(p - expected) < 0.2, "\(id): \(p) dBFS vs \(expected)")
        }
    }

    @Test func shadowingHasTheConfiguredSpreadAndCorrelation() {
        let f = ShadowingField(sigma: 8, correlationDistance: 50, seed: 99)
        var values: [Double] = []
        var rng = SplitMix64(seed: 5)
        for _ in 0..<4000 {
            let p = ENU(east: Double(rng.next() % 2_000_000) / 10, north: Double(rng.next() % 2_000_000) / 10)
            values.append(f.value(at: p))
        }
        let mean = values.reduce(0, +) / Double(values.count)
        let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
        #expect(abs(mean) < 0.6, "mean \(mean)")
        #expect(abs(sd - 8) < 0.5, "sigma \(sd)")
        func correlation(at lag: Double) -> Double {
            var a: [Double] = [], b: [Double] = []
            var r = SplitMix64(seed: 11)
            for _ in 0..<4000 {
                let p = ENU(east: Double(r.next() % 2_000_000) / 10, north: Double(r.next() % 2_000_000) / 10)
                let th = Double(r.next() % 6283) / 1000
                a.append(f.value(at: p))
                b.append(f.value(at: ENU(east: p.east + lag * cos(th), north: p.north + lag * sin(th))))
            }
            let ma = a.reduce(0, +) / Double(a.count), mb = b.reduce(0, +) / Double(b.count)
            var c = 0.0, va = 0.0, vb = 0.0
            for i in a.indices {
                c += (a[i] - ma) * (b[i] - mb)
                va += (a[i] - ma) * (a[i] - ma)
                vb += (b[i] - mb) * (b[i] - mb)
            }
            return c / (va * vb).squareRoot()
        }
        let c5 = correlation(at: 5), c50 = correlation(at: 50), c200 = correlation(at: 200)
        #expect(c5 > 0.9, "ρ(5 m) \(c5)")
        #expect(c50 > 0.2 && c50 < 0.55, "ρ(50 m) \(c50), Gudmundson 1/e")
        #expect(abs(c200) < 0.1, "ρ(200 m) \(c200)")
        // Deterministic: the same seed gives the same field, another seed another.
        #expect(ShadowingField(sigma: 8, correlationDistance: 50, seed: 99).value(at: ENU(east: 3, north: 4)) == f.value(at: ENU(east: 3, north: 4)))
        #expect(ShadowingField(sigma: 8, correlationDistance: 50, seed: 98).value(at: ENU(east: 3, north: 4)) != f.value(at: ENU(east: 3, north: 4)))
    }

    /// Tuned where nothing transmits, a cf32 receiver shows kTB + NF + gain over its sample rate.
    @Test(arguments: [(6.0, 50.0), (10.0, 60.0)])
    func noiseFloorIsKTBPlusNoiseFigurePlusGain(nf: Double, gain: Double) throws {
        let text = ScenarioFixture.text
            .replacingOccurrences(of: "noise_figure_db: 6", with: "noise_figure_db: \(nf)")
            .replacingOccurrences(of: "gain_db: 50", with: "gain_db: \(gain)")
        let s = try ScenarioReader.parse(text, file: "t.yaml")
        let x = try render(s, at: 1, count: 1 << 17, tuning: .megahertz(1200))
        let measured = Measure.dB(Measure.meanPower(x))
        let expected = -174 + nf + 10 * log10(2e6) + gain
        #expect(abs(measured - expected) < 0.1, "\(measured) dBFS vs \(expected)")
        #expect(abs(FrontEnd(s.sensors[0].receiver).noiseFloorDBFS - expected) < 1e-9)
    }

    @Test(arguments: ["cu8", "cs8", "cf32"])
    func adcClipsAndQuantises(format: String) throws {
        // 80 dB of gain: the nearest cell lands far above full scale.
        let text = ScenarioFixture.text.replacingOccurrences(of: "adc: cf32", with: "adc: \(format)")
            .replacingOccurrences(of: "gain_db: 50", with: "gain_db: 110")
        let s = try ScenarioReader.parse(text, file: "t.yaml")
        let x = try render(s, at: 0, count: 1 << 14)
        let rails = x.flatMap { [$0.real, $0.imag] }
        #expect(rails.allSatisfy { abs($0) <= 1 })
        let atFullScale = rails.filter { abs($0) >= 0.99 }.count
        #expect(atFullScale > rails.count / 4, "clipped rails: \(atFullScale) of \(rails.count)")
        switch format {
        case "cu8": #expect(rails.allSatisfy { v in let c = v * 127.5 + 127.5; return abs(c - c.rounded()) < 1e-3 })
        case "cs8": #expect(rails.allSatisfy { v in let c = v * 128; return abs(c - c.rounded()) < 1e-3 && c <= 127 })
        default: break
        }
        // At normal gain an 8-bit receiver's samples are still on the grid but rarely at full scale.
        let normal = try render(try ScenarioReader.parse(ScenarioFixture.text.replacingOccurrences(of: "adc: cf32", with: "adc: \(format)"),
                                                         file: "t.yaml"), at: 0, count: 1 << 14)
        let normalRails = normal.flatMap { [$0.real, $0.imag] }
        #expect(normalRails.filter { abs($0) >= 0.99 }.isEmpty)
        #expect(Set(normalRails).count > (format == "cf32" ? 10_000 : 10), "cf32 keeps values between the 8-bit grid's steps")
        #expect(Set(normalRails).count <= (format == "cf32" ? Int.max : 256))
    }

    /// Ground truth's in-channel SNR is what the rendered signal shows, with shadowing on and receiver
    /// clock error, for every transmitter in the window.
    @Test func truthSNRAgreesWithRenderedSNR() throws {
        let text = ScenarioFixture.text.replacingOccurrences(of: "shadowing_sigma_db: 0", with: "shadowing_sigma_db: 8")
            .replacingOccurrences(of: "gain_db: 50", with: "gain_db: 50\n      clock_error_ppm: 2")
        let s = try ScenarioReader.parse(text, file: "t.yaml")
        let truth = ScenarioTimeline(scenario: s)
        let fs = s.sensors[0].receiver.sampleRate
        let lo = s.sensors[0].receiver.tuning[0].value * (1 + 2e-6)
        let t = 30.0
        let count = 1 << 16
        let x = try render(s, at: t, count: count)
        let vis = truth.visibility(sensor: "CAR", at: t + Double(count) / 2 / fs)
        let inWindow = vis.filter { $0.inTunedWindow && $0.active }
        #expect(inWindow.count == 3, "\(vis.map(\.transmitterID))")
        let link = LinkBudget(scenario: s)
        var tones = 0.0
        var measured: [String: Double] = [:]
        for v in inWindow {
            let i = link.transmitters.firstIndex { $0.id == v.transmitterID }!
            let p = Measure.tonePower(x, frequency: link.transmittedFrequency(i) - lo, sampleRate: fs * (1 + 2e-6))
            tones += p
            measured[v.transmitterID] = p
        }
        let noisePer200k = (Measure.meanPower(x) - tones) * 200e3 / fs
        for v in inWindow {
            let snr = Measure.dB(measured[v.transmitterID]! / noisePer200k)
            #expect(abs(snr - v.snrDB) < 1.0, "\(v.transmitterID): rendered \(snr) dB, truth \(v.snrDB) dB")
            #expect(v.decodable == (v.snrDB >= 9))
        }
    }

    /// The blaster drives past the car: its carrier arrives shifted by −f·(dr/dt)/c, as the truth says.
    @Test func dopplerFollowsRelativeMotion() throws {
        let text = ScenarioFixture.text.replacingOccurrences(of: "doppler: false", with: "doppler: true")
        let s = try ScenarioReader.parse(text, file: "t.yaml")
        let link = LinkBudget(scenario: s)
        let i = link.transmitters.firstIndex { $0.id == "BLASTER" }!
        let fs = 2e6, lo = s.sensors[0].receiver.tuning[0].value
        for t in [10.2, 45.0] {
            // At 10.2 s the two close in (≈ +14 Hz); at 45 s the car drives away from it faster than the
            // blaster follows (≈ −29 Hz).
            let x = try render(s, at: t, count: 1 << 16)
            let expected = link.link(i, receiver: s.sensors[0].trajectory, at: t + Double(1 << 15) / fs).doppler
            // Mix the blaster's nominal offset to DC, average in 1000-sample blocks (the other carriers,
            // 400 kHz away, average out), and read the frequency from the phase steps between blocks.
            let f0 = link.transmittedFrequency(i) - lo
            var blocks: [(Double, Double)] = []
            var re = 0.0, im = 0.0
            for (n, v) in x.enumerated() {
                let ph = -2 * Double.pi * f0 * Double(n) / fs
                re += Double(v.real) * cos(ph) - Double(v.imag) * sin(ph)
                im += Double(v.real) * sin(ph) + Double(v.imag) * cos(ph)
                if (n + 1) % 1000 == 0 { blocks.append((re, im)); re = 0; im = 0 }
            }
            var sr = 0.0, si = 0.0
            for k in 1..<blocks.count {
                let (ar, ai) = blocks[k - 1], (br, bi) = blocks[k]
                sr += br * ar + bi * ai
                si += bi * ar - br * ai
            }
            let measured = atan2(si, sr) / (2 * Double.pi) * fs / 1000
            #expect(abs(expected) > 10, "expected a shift of tens of hertz, truth says \(expected)")
            #expect(abs(measured - expected) < 2, "t=\(t): measured \(measured) Hz, truth \(expected) Hz")
        }
    }

    @Test func blasterIsSilentOutsideItsActiveInterval() throws {
        let s = try ScenarioFixture.scenario()
        let link = LinkBudget(scenario: s)
        let i = link.transmitters.firstIndex { $0.id == "BLASTER" }!
        let fs = 2e6, lo = s.sensors[0].receiver.tuning[0].value
        let before = try render(s, at: 5, count: 1 << 14)
        let during = try render(s, at: 20, count: 1 << 14)
        let f = link.transmittedFrequency(i) - lo
        #expect(Measure.dB(Measure.tonePower(before, frequency: f, sampleRate: fs)) < -90)
        #expect(Measure.dB(Measure.tonePower(during, frequency: f, sampleRate: fs)) > -60)
        let truth = ScenarioTimeline(scenario: s)
        #expect(!truth.decodable(sensor: "CAR", at: 5).contains("BLASTER"))
        #expect(truth.decodable(sensor: "CAR", at: 20).contains("BLASTER"))
        // Its position moves along the route at 10 m/s.
        let p0 = s.frame.enu(truth.position(of: "BLASTER", at: 0)!), p1 = s.frame.enu(truth.position(of: "BLASTER", at: 10)!)
        #expect(abs(p1.east - p0.east - 100) < 0.01)
    }

    @Test func renderingIsRepeatableAndContinuousAcrossBlocks() throws {
        let s = try ScenarioFixture.scenario()
        let a = try render(s, at: 12, count: 4096)
        let b = try render(s, at: 12, count: 4096)
        #expect(a == b)
        // One 4096-sample render equals two 2048-sample renders back to back (cf32, noise aside: compare tones).
        let r = try SceneRenderer(scenario: s, sensorID: "CAR", waveforms: .tones)
        var parts = [ComplexFloat](repeating: .zero, count: 4096)
        let tune = s.sensors[0].receiver.tuning[0]
        parts.withUnsafeMutableBufferPointer { buf in
            let t1 = r.render(into: UnsafeMutableBufferPointer(rebasing: buf[0..<2048]), startTime: 12, tuning: tune)
            _ = r.render(into: UnsafeMutableBufferPointer(rebasing: buf[2048..<4096]), startTime: t1, tuning: tune)
        }
        let link = LinkBudget(scenario: s)
        let f = link.transmittedFrequency(0) - tune.value
        let whole = Measure.tonePower(a, frequency: f, sampleRate: 2e6)
        let split = Measure.tonePower(parts, frequency: f, sampleRate: 2e6)
        #expect(abs(Measure.dB(whole) - Measure.dB(split)) < 0.1)
    }

    /// A moving sensor, a moving transmitter, three multipath taps and Doppler: the stream must not
    /// depend on how it is read. One long render against the same span read in many odd-sized pieces
    /// (each continuing where the last ended, as `SimulatedDevice` reads), sample by sample; then the
    /// carrier phase of the moving blaster in the long render, in 500-sample steps, must turn smoothly
    /// (no step where the renderer's control intervals or internal blocks join).
    @Test func streamDoesNotDependOnHowItIsReadWithMultipathAndDoppler() throws {
        let text = ScenarioFixture.text
            .replacingOccurrences(of: "doppler: false", with: "doppler: true")
            .replacingOccurrences(of: "multipath_taps: 1", with: "multipath_taps: 3\n  delay_spread_us: 1")
        let s = try ScenarioReader.parse(text, file: "t.yaml")
        let tune = s.sensors[0].receiver.tuning[0]
        let fs = 2e6, count = 150_000, t0 = 30.0

        let long = try SceneRenderer(scenario: s, sensorID: "CAR", waveforms: .tones, maxBlock: 1 << 16)
        var whole = [ComplexFloat](repeating: .zero, count: count)
        whole.withUnsafeMutableBufferPointer { _ = long.render(into: $0, startTime: t0, tuning: tune) }

        let pieces = try SceneRenderer(scenario: s, sensorID: "CAR", waveforms: .tones, maxBlock: 1 << 16)
        var split = [ComplexFloat](repeating: .zero, count: count)
        let sizes = [1, 7, 999, 4097, 333, 2, 12_345, 3, 511, 40_001]
        split.withUnsafeMutableBufferPointer { buf in
            var t = t0, i = 0, k = 0
            while i < count {
                let end = min(count, i + sizes[k % sizes.count])
                t = pieces.render(into: UnsafeMutableBufferPointer(rebasing: buf[i..<end]), startTime: t, tuning: tune)
                i = end
                k += 1
            }
        }
        let rms = Measure.meanPower(whole).squareRoot()
        var worst = 0.0
        for i in 0..<count {
            worst = max(worst, Double((whole[i] - split[i]).magnitudeSquared).squareRoot())
        }
        #expect(worst < 1e-4 * rms, "largest difference \(worst) (rms \(rms))")

        // The blaster (moving, tens of hertz of Doppler) mixed to DC and summed per 500 samples: the
        // phase advance from one sum to the next changes only as fast as the Doppler does.
        let link = LinkBudget(scenario: s)
        let b = link.transmitters.firstIndex { $0.id == "BLASTER" }!
        let f0 = link.transmittedFrequency(b) - tune.value
        var sums: [(Double, Double)] = []
        var re = 0.0, im = 0.0
        for (n, v) in whole.enumerated() {
            let ph = -2 * Double.pi * f0 * Double(n) / fs
            re += Double(v.real) * cos(ph) - Double(v.imag) * sin(ph)
            im += Double(v.real) * sin(ph) + Double(v.imag) * cos(ph)
            if (n + 1) % 500 == 0 { sums.append((re, im)); re = 0; im = 0 }
        }
        var steps: [Double] = []
        for k in 1..<sums.count {
            let (ar, ai) = sums[k - 1], (br, bi) = sums[k]
            steps.append(atan2(bi * ar - br * ai, br * ar + bi * ai))
        }
        let mean = steps.reduce(0, +) / Double(steps.count)
        let doppler = mean / (2 * Double.pi) * fs / 500
        let expected = link.link(b, receiver: s.sensors[0].trajectory, at: t0).doppler
        #expect(abs(expected) > 5 && abs(doppler - expected) < 2, "Doppler \(doppler) Hz, truth \(expected) Hz")
        // Noise moves a step by a few hundredths of a radian; the per-block Doppler of old turned the
        // phase by up to radians where blocks joined.
        let jump = steps.map { abs($0 - mean) }.max()!
        #expect(jump < 0.1, "largest deviation of a 500-sample phase step: \(jump) rad")
    }

    @Test func unknownSensorIsAnError() throws {
        let s = try ScenarioFixture.scenario()
        #expect(throws: SimulationError.unknownSensor(scenario: "test.yaml", sensor: "BUS", known: ["CAR"])) {
            _ = try SceneRenderer(scenario: s, sensorID: "BUS")
        }
    }
}
