import DSP
import Foundation
import LTE

/// The downlink of one LTE eNodeB (FDD, normal CP) as a function of scenario time: PSS and SSS in
/// subframes 0 and 5 (TS 36.211 §6.11), cell-specific reference signals of ports 0 (and 1) in every
/// slot over the whole bandwidth (§6.10.1), and the PBCH carrying a real MIB in subframe 0 slot 1
/// (§6.6) whose SFN follows absolute time. No PDCCH/PDSCH: the other resource elements are empty.
///
/// Rendering: on the first call at a sample rate the waveform picks an OFDM size N = 128·2^m (sample
/// rate N·15 kHz, at least twice the render rate, at most 2048 points) and synthesises one 40 ms PBCH
/// period (four radio frames) at that rate with the cyclic prefixes of TS 36.211 §6.12 (160/144 at the
/// 2048-point scale). Only subcarriers within ±sampleRate/2 are filled; once the scene has asked it to
/// take the receiver's filter (`shape(to:offset:)`), each subcarrier is instead weighted by the filter's
/// response at its frequency seen from the tuned centre (offset + k·15 kHz), and only those whose whole
/// 15 kHz lies inside ±fs/2 there are filled, so nothing wraps (N then also covers the offset). Everything but the PBCH
/// symbols repeats every frame, so when the 40 ms period changes only the 16 PBCH symbols are
/// synthesised again (one IFFT each) from the 256 coded PBCH periods prepared at set-up. Output
/// samples are linearly interpolated from that buffer (32.32 fixed-point position), then shifted by
/// the frequency offset with a phase accumulator that carries over between contiguous calls, so one
/// long call and many short ones give identical samples.
///
/// Power: `amplitude` is the RMS a fully loaded carrier of this bandwidth would have; every resource
/// element sent carries amplitude²/(12·N_RB), so RSRP is amplitude² / (12·N_RB) at full-scale 0 dB.
/// Why an LTE cell cannot be simulated (bad PCI, port count or bandwidth).
public struct LTEWaveformError: Error, Equatable, Sendable, CustomStringConvertible {
    public var problem: String
    public var description: String { "LTE cell: \(problem)" }
}

public struct LTECellWaveform: EmitterWaveform {
    public let parameters: LTECellParameters
    public static let frameDuration = 0.01
    /// Subcarrier spacing, TS 36.211 §6.2.
    public static let subcarrierSpacing = 15_000.0

    public var occupiedBandwidth: Double { Double(parameters.prb) * 180_000 }

    /// Coded, scrambled PBCH bits of each of the 256 40 ms periods (1920 each).
    private let pbch: [UInt8]
    /// OFDM set-up for the current sample rate, copied on write.
    private var engine: Engine?
    private var group = Int.min
    private var nextStartTime = Double.nan
    private var nextSampleRate = 0.0
    private var nextPhase: UInt32 = 0
    private var nextPosition: UInt64 = 0
    /// The receive filter and nominal offset the spectrum is shaped for (`shape(to:offset:)`).
    private var shaping: Shaping?

    struct Shaping: Equatable {
        var filter: ReceiveFilter
        var offset: Double
    }

    /// Fails with the reason when the parameters cannot be sent (PCI, ports, bandwidth).
    public init(parameters: LTECellParameters) throws(LTEWaveformError) {
        if let problem = parameters.problem { throw LTEWaveformError(problem: problem) }
        self.parameters = parameters
        var bits: [UInt8] = []
        bits.reserveCapacity(256 * 1920)
        for h in 0..<256 { bits += parameters.pbchBits(sfnHigh: h) }
        pbch = bits
    }

    /// SFN of the radio frame on air at scenario time `time`.
    public func sfn(at time: Double) -> Int {
        let a = parameters.firstSFN + Int(((time - parameters.frameTimingOffset) / Self.frameDuration).rounded(.down))
        return ((a % 1024) + 1024) % 1024
    }

    /// Start time of the next radio frame at or after `time` (frame boundary at SFN change).
    public func nextFrameStart(after time: Double) -> Double {
        let k = ((time - parameters.frameTimingOffset) / Self.frameDuration).rounded(.up)
        return parameters.frameTimingOffset + k * Self.frameDuration
    }

    /// Takes the receiver's filter per subcarrier (see the type's notes); the next render sets up again.
    public mutating func shape(to filter: ReceiveFilter, offset: Double) -> Bool {
        let s = Shaping(filter: filter, offset: offset)
        if s != shaping {
            shaping = s
            engine = nil
        }
        return true
    }

    /// Chosen OFDM size for a render rate.
    public static func fftSize(forSampleRate rate: Double) -> Int {
        var n = 128
        while Double(n) * subcarrierSpacing < 2 * rate && n < 2048 { n *= 2 }
        return n
    }

    public mutating func render(into output: UnsafeMutableBufferPointer<ComplexFloat>, startTime: Double,
                                sampleRate: Double, frequencyOffset: Double, amplitude: Float) {
        let n = output.count
        guard n > 0, sampleRate > 0, sampleRate.isFinite, startTime.isFinite else { return }
        if engine == nil || engine!.renderRate != sampleRate {
            engine = Engine(parameters: parameters, renderRate: sampleRate, shaping: shaping)
            group = Int.min
            nextSampleRate = 0
        }
        if !isKnownUniquelyReferenced(&engine!) { engine = engine!.copy() }
        let e = engine!
        let one = 4_294_967_296.0
        let groupLength = UInt64(e.groupLength) << 32
        let step = UInt64((e.rate / sampleRate * one).rounded())
        var carrier: UInt32
        var position: UInt64
        var g: Int
        if sampleRate == nextSampleRate && abs(startTime - nextStartTime) * sampleRate < 0.5 {
            carrier = nextPhase
            position = nextPosition
            g = group
        } else {
            let turns = frequencyOffset * startTime
            carrier = UInt32(truncatingIfNeeded: Int64(((turns - turns.rounded(.down)) * one).rounded()))
            // Frame counter A (SFN before mod 1024) and 40 ms period ⌊A/4⌋ of the first sample.
            let frames = (startTime - parameters.frameTimingOffset) / Self.frameDuration
            let period = ((Double(parameters.firstSFN) + frames) / 4).rounded(.down)
            g = Int(period)
            let periodStart = parameters.frameTimingOffset + (period * 4 - Double(parameters.firstSFN)) * Self.frameDuration
            let offset = max(0, (startTime - periodStart) * e.rate)
            position = min(UInt64((offset * one).rounded()), groupLength - 1)
        }
        let increment = UInt32(truncatingIfNeeded: Int64((frequencyOffset / sampleRate * one).rounded()))
        let shift = UInt32(32 - GMSKTables.circleBits)
        let round = UInt32(1) << (shift - 1)
        var i = 0
        while i < n {
            if position >= groupLength { position -= groupLength; g += 1 }
            if g != group { e.preparePeriod(g, pbch: pbch); group = g }
            // Samples left in this period at this step.
            let left = Int((groupLength - position + step - 1) / step)
            let end = min(n, i + max(1, left))
            e.buffer.withUnsafeBufferPointer { b in
                GMSKTables.unitCircle.withUnsafeBufferPointer { circle in
                    let out = output.baseAddress!
                    let src = b.baseAddress!
                    let scale: Float = 1 / 4_294_967_296
                    for s in i..<end {
                        let k = Int(truncatingIfNeeded: position >> 32)
                        let t = Float(UInt32(truncatingIfNeeded: position)) * scale
                        position &+= step
                        let a = src[k], d = src[k + 1]
                        let vr = (a.real + (d.real - a.real) * t) * amplitude
                        let vi = (a.imag + (d.imag - a.imag) * t) * amplitude
                        let z = circle[Int((carrier &+ round) >> shift)]
                        carrier &+= increment
                        out[s].real += vr * z.real - vi * z.imag
                        out[s].imag += vr * z.imag + vi * z.real
                    }
                }
            }
            i = end
        }
        nextStartTime = startTime + Double(n) / sampleRate
        nextSampleRate = sampleRate
        nextPhase = carrier
        nextPosition = position
    }

    /// The OFDM grid and time-domain buffer at one rate (N = fftSize points per useful symbol).
    final class Engine: @unchecked Sendable {
        let parameters: LTECellParameters
        let renderRate: Double
        let n: Int
        let rate: Double
        let slotLength: Int
        let frameLength: Int
        let groupLength: Int
        /// Four radio frames, plus one guard sample (the first sample of a frame, which never changes).
        var buffer: [ComplexFloat]
        /// Subcarrier k (0 … 12·N_RB − 1) → FFT bin, or −1 when outside the rendered band.
        let bins: [Int]
        /// Subcarrier k's amplitude: the RE amplitude times the receive filter's response (when shaped).
        let binGain: [Float]
        let ifft: FFT
        let reAmplitude: Float
        private var pbchSymbols = [ComplexFloat](repeating: .zero, count: 240)

        init(parameters: LTECellParameters, renderRate: Double, shaping: Shaping? = nil) {
            self.parameters = parameters
            self.renderRate = renderRate
            // Shaped, subcarriers up to fs/2 + |offset| from the carrier's centre can be in the span.
            let n = LTECellWaveform.fftSize(forSampleRate: renderRate + 2 * abs(shaping?.offset ?? 0))
            self.n = n
            rate = Double(n) * LTECellWaveform.subcarrierSpacing
            slotLength = 15 * n / 2
            frameLength = 20 * slotLength
            groupLength = 4 * frameLength
            let half = 6 * parameters.prb
            let spacing = LTECellWaveform.subcarrierSpacing
            // Subcarrier k's frequency relative to the carrier, in subcarriers (DC skipped, TS 36.211 §6.2.3).
            let offsets = (0..<(12 * parameters.prb)).map { k in k < half ? k - half : k - half + 1 }
            bins = offsets.map { f in
                guard abs(f) < n / 2 else { return -1 }
                if let shaping {
                    guard abs(shaping.offset + Double(f) * spacing) + spacing / 2 < shaping.filter.nyquist else { return -1 }
                } else {
                    guard Double(abs(f)) * spacing <= renderRate / 2 else { return -1 }
                }
                return (f + n) % n
            }
            let re = Float(1 / (12 * Double(parameters.prb)).squareRoot())
            reAmplitude = re
            binGain = offsets.map { f in re * Float(shaping.map { $0.filter.amplitude(at: $0.offset + Double(f) * spacing) } ?? 1) }
            // FFT plans of powers of two ≥ 128 do not fail; a failure here is a broken FFTW installation.
            ifft = try! FFT(size: n, direction: .inverse)
            buffer = [ComplexFloat](repeating: .zero, count: groupLength + 1)
            for ns in 0..<20 {
                for l in 0..<7 where !(ns == 1 && l < 4) {
                    guard fill(slot: ns, symbol: l) else { continue }
                    emit(at: ns * slotLength + Self.symbolStart(l, n))
                }
            }
            for f in 1..<4 {
                for j in 0..<frameLength { buffer[f * frameLength + j] = buffer[j] }
            }
            buffer[groupLength] = buffer[0]
        }

        init(copying o: Engine) {
            parameters = o.parameters; renderRate = o.renderRate; n = o.n; rate = o.rate
            slotLength = o.slotLength; frameLength = o.frameLength; groupLength = o.groupLength
            buffer = o.buffer; bins = o.bins; binGain = o.binGain; reAmplitude = o.reAmplitude
            ifft = try! FFT(size: o.n, direction: .inverse)
        }

        func copy() -> Engine { Engine(copying: self) }

        static func cyclicPrefix(_ l: Int, _ n: Int) -> Int { l == 0 ? 160 * n / 2048 : 144 * n / 2048 }
        /// Start of symbol l (its cyclic prefix) within a slot, TS 36.211 §6.12.
        static func symbolStart(_ l: Int, _ n: Int) -> Int { l == 0 ? 0 : (160 * n / 2048 + n) + (l - 1) * (144 * n / 2048 + n) }

        /// Puts value on subcarrier k of the IFFT input, if rendered.
        @inline(__always) private func put(_ k: Int, _ v: ComplexFloat) {
            let b = bins[k]
            if b >= 0 { ifft.unsafeInput[b] = ifft.unsafeInput[b] + v * binGain[k] }
        }

        /// Resource grid of symbol l of slot ns, except the PBCH, into the IFFT input; false when empty.
        private func fill(slot ns: Int, symbol l: Int) -> Bool {
            for i in 0..<n { ifft.unsafeInput[i] = .zero }
            let p = parameters, half = 6 * p.prb
            var any = false
            if l == 0 || l == 4 { // ports 0 and 1: l ∈ {0, N_symb − 3}, TS 36.211 §6.10.1.2
                let cInit = UInt32(1 << 10) &* UInt32(7 * (ns + 1) + l + 1) &* UInt32(2 * p.pci + 1) &+ UInt32(2 * p.pci + 1)
                let c = GoldSequence.bits(cInit: cInit, length: 4 * 110)
                let s = Float(1 / 2.0.squareRoot())
                for port in 0..<p.ports {
                    let off = CellReferenceSignals.offset(port: port, slot: ns, symbol: l, pci: p.pci)
                    for m in 0..<(2 * p.prb) {
                        let mp = m + 110 - p.prb
                        put(6 * m + off, ComplexFloat(s * (1 - 2 * Float(c[2 * mp])), s * (1 - 2 * Float(c[2 * mp + 1]))))
                    }
                }
                any = true
            }
            if ns == 0 || ns == 10 {
                if l == 6 { // PSS, §6.11.1.2
                    let d = SynchronizationSignals.pss(nid2: p.pci % 3)
                    for i in 0..<62 { put(i - 31 + half, d[i]) }
                    any = true
                } else if l == 5 { // SSS, §6.11.2.2
                    let d = SynchronizationSignals.sss(nid1: p.pci / 3, nid2: p.pci % 3, subframe5: ns == 10)
                    for i in 0..<62 { put(i - 31 + half, ComplexFloat(d[i], 0)) }
                    any = true
                }
            }
            return any
        }

        /// IFFT of the prepared grid, written with its cyclic prefix at buffer[start…].
        private func emit(at start: Int) {
            ifft.execute()
            let l0 = start % slotLength == 0
            let cp = l0 ? 160 * n / 2048 : 144 * n / 2048
            buffer.withUnsafeMutableBufferPointer { b in
                let out = ifft.unsafeOutput
                for j in 0..<cp { b[start + j] = out[n - cp + j] }
                for j in 0..<n { b[start + cp + j] = out[j] }
            }
        }

        /// The PBCH symbols (slot 1, symbols 0…3 of each of the four frames) of 40 ms period g,
        /// TS 36.211 §6.6.4: QPSK (§7.1.2), SFBC for two ports (§6.3.4.3), k first then l, REs of the
        /// four-port CRS skipped in symbols 0 and 1.
        func preparePeriod(_ g: Int, pbch: [UInt8]) {
            let p = parameters, half = 6 * p.prb
            let h = ((g % 256) + 256) % 256
            let vshift = p.pci % 6
            let s = Float(1 / 2.0.squareRoot())
            for f in 0..<4 {
                let base = h * 1920 + f * 480
                for i in 0..<240 {
                    pbchSymbols[i] = ComplexFloat(s * (1 - 2 * Float(pbch[base + 2 * i])), s * (1 - 2 * Float(pbch[base + 2 * i + 1])))
                }
                if p.ports == 2 {
                    var i = 0
                    while i < 240 {
                        let x0 = pbchSymbols[i], x1 = pbchSymbols[i + 1]
                        pbchSymbols[i] = (x0 - x1.conjugate) * s
                        pbchSymbols[i + 1] = (x1 + x0.conjugate) * s
                        i += 2
                    }
                }
                var next = 0
                for l in 0..<4 {
                    _ = fill(slot: 1, symbol: l)
                    for kp in 0..<72 where l >= 2 || kp % 3 != vshift % 3 {
                        put(half - 36 + kp, pbchSymbols[next])
                        next += 1
                    }
                    emit(at: f * frameLength + slotLength + Self.symbolStart(l, n))
                }
            }
        }
    }
}
