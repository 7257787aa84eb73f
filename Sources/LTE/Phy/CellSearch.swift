import DSP
import Foundation

/// Duplex mode of a cell, told apart by the distance between SSS and PSS (TS 36.211 §6.11).
public enum LTEDuplex: String, Sendable, Equatable { case fdd = "FDD", tdd = "TDD" }

/// One PSS peak: N_ID^(2), where it is (modulo 5 ms) and how strong.
public struct PSSDetection: Sendable, Equatable {
    public var nid2: Int
    /// Coarse carrier offset hypothesis (Hz) that gave the peak.
    public var coarseOffsetHz: Double
    /// Start of the PSS symbol's useful part, sample index of its first occurrence in the input.
    public var position: Int
    /// Folded correlation peak over the mean of the folded correlation (all lags, all hypotheses' noise alike).
    public var peakToMean: Double
}

/// A cell found by PSS + SSS.
public struct LTECellDetection: Sendable, Equatable {
    public var nid1: Int
    public var nid2: Int
    public var pci: Int { 3 * nid1 + nid2 }
    public var duplex: LTEDuplex
    public var normalCP: Bool
    /// Carrier offset (Hz): coarse hypothesis, plus the fractional estimate from the PSS halves, plus
    /// the residual from the cyclic prefixes of subframes 0 and 5.
    public var carrierOffsetHz: Double
    /// The estimate before the cyclic-prefix refinement (coarse + PSS halves).
    public var pssOffsetHz: Double
    /// Sample index where a radio frame starts (may be negative: the frame began before the recording).
    public var frameStart: Int
    public var pss: PSSDetection
    /// Normalised coherent SSS score of the chosen hypothesis (1 = perfect) and of the runner-up.
    public var sssScore: Double
    public var sssRunnerUp: Double
}

/// Configuration of the cell search; defaults justified in Benchmarks/lte-receiver.md and the tests.
public struct CellSearchConfiguration: Sendable {
    /// Coarse carrier-offset hypotheses, Hz (RTL-SDR dongles are off by tens of kHz).
    public var offsetHypotheses: [Double] = stride(from: -40_000.0, through: 40_000.0, by: 5_000.0).map { $0 }
    /// A PSS peak counts when the folded peak is this many times the folded mean.
    public var pssThreshold: Double = 8
    /// An SSS decision counts when its normalised score reaches this and beats the runner-up by `sssMargin`.
    public var sssThreshold: Double = 0.5
    public var sssMargin: Double = 0.2
    /// At most this many PSS peaks per N_ID^(2) are examined.
    public var peaksPerRoot = 6
    /// Further cells are searched only under offset hypotheses this close to the strongest peak's.
    public var offsetSpread: Double = 5_000
    /// Samples analysed at most (100 ms at 1.92 MS/s).
    public var maxSamples = 192_000
    public init() {}
}

/// Errors of the LTE receiver.
public enum LTEError: Error, Equatable, CustomStringConvertible {
    case unsupportedSampleRate(Double)
    case tooShort(samples: Int)
    case internalFFT(String)

    public var description: String {
        switch self {
        case .unsupportedSampleRate(let r): return "sample rate \(r) S/s cannot be brought to 1.92 MS/s (1 to 200 MS/s are accepted)"
        case .tooShort(let n): return "\(n) samples is shorter than the \(OFDMTiming.minimumSamples) (one subframe) a cell search needs at 1.92 MS/s"
        case .internalFFT(let m): return "FFT set-up failed: \(m)"
        }
    }
}

/// Cell search at 1.92 MS/s: PSS by FFT correlation over coarse frequency hypotheses, folded over
/// 5 ms periods; fractional CFO from the PSS halves; SSS for N_ID^(1), duplex, cyclic prefix and
/// subframe 0/5 (TS 36.211 §6.11).
public final class CellSearcher {
    public let configuration: CellSearchConfiguration
    private let pssTime: [[ComplexFloat]] // 128-sample time-domain PSS per root
    private let symbolFFT: FFT
    private let sssTable: [[[Float]]] // [nid2][nid1*2 + sf5] → 62

    public init(configuration: CellSearchConfiguration = .init()) throws(LTEError) {
        self.configuration = configuration
        do {
            symbolFFT = try FFT(size: 128, direction: .forward)
            let inverse = try FFT(size: 128, direction: .inverse)
            var t: [[ComplexFloat]] = []
            for r in 0..<3 {
                inverse.unsafeInput.update(repeating: .zero)
                for (n, v) in SynchronizationSignals.pss(nid2: r).enumerated() {
                    inverse.unsafeInput[SynchronizationSignals.syncBin(n)] = v
                }
                inverse.execute()
                t.append(Array(inverse.unsafeOutput).map { $0 * (1 / 128) })
            }
            pssTime = t
        } catch { throw .internalFFT("\(error)") }
        sssTable = (0..<3).map { n2 in
            (0..<336).map { SynchronizationSignals.sss(nid1: $0 / 2, nid2: n2, subframe5: $0 % 2 == 1) }
        }
    }

    /// Correlation FFTs by size, planned on first use and kept: a receiver searching carrier after
    /// carrier of the same length plans once.
    private var plans: [Int: (FFT, FFT)] = [:]

    private func correlationPlans(size: Int) throws(LTEError) -> (FFT, FFT) {
        if let p = plans[size] { return p }
        do {
            let p = (try FFT(size: size), try FFT(size: size, direction: .inverse))
            plans[size] = p
            return p
        } catch { throw .internalFFT("\(error)") }
    }

    /// The PSS peaks of each root above the threshold, strongest first.
    public func searchPSS(_ x: [ComplexFloat]) throws(LTEError) -> [PSSDetection] {
        let n = min(x.count, configuration.maxSamples)
        let half = OFDMTiming.halfFrameSamples
        guard n >= OFDMTiming.minimumSamples else { throw .tooShort(samples: x.count) }
        // FFT size 384·2^k so that 5 kHz is a whole number of bins.
        var size = 384
        while size < n + 128 { size *= 2 }
        let binHz = 1_920_000.0 / Double(size)
        let (fwd, inv) = try correlationPlans(size: size)
        fwd.unsafeInput.update(repeating: .zero)
        for i in 0..<n { fwd.unsafeInput[i] = x[i] }
        fwd.execute()
        let spectrum = Array(fwd.unsafeOutput)
        var templates: [[ComplexFloat]] = []
        for r in 0..<3 {
            fwd.unsafeInput.update(repeating: .zero)
            for i in 0..<128 { fwd.unsafeInput[i] = pssTime[r][i] }
            fwd.execute()
            templates.append(Array(fwd.unsafeOutput))
        }
        let valid = n - 127
        var results: [PSSDetection] = []
        var folded = [Double](repeating: 0, count: half)
        // Folded correlation of every (root, offset) hypothesis.
        let offsets = configuration.offsetHypotheses
        var folds = [[Float]](repeating: [Float](repeating: 0, count: half), count: 3 * offsets.count)
        var totalMean = 0.0, hypotheses = 0
        for r in 0..<3 {
            for (fi, f) in offsets.enumerated() {
                let shift = Int((f / binHz).rounded())
                // Correlation with the template shifted up by f: X[k]·conj(T[k − shift]).
                templates[r].withUnsafeBufferPointer { t in
                    spectrum.withUnsafeBufferPointer { sp in
                        let out = inv.unsafeInput
                        var j = ((-shift) % size + size) % size
                        for k in 0..<size {
                            out[k] = sp[k] * t[j].conjugate
                            j += 1
                            if j == size { j = 0 }
                        }
                    }
                }
                inv.execute()
                for i in 0..<half { folded[i] = 0 }
                for i in 0..<valid { folded[i % half] += Double(inv.unsafeOutput[i].magnitudeSquared) }
                totalMean += folded.reduce(0, +) / Double(min(valid, half))
                hypotheses += 1
                for i in 0..<half { folds[r * offsets.count + fi][i] = Float(folded[i]) }
            }
        }
        totalMean /= Double(max(hypotheses, 1))
        guard totalMean > 0 else { return [] }
        // Every cell on the carrier is seen through the same local oscillator, so all their offsets lie
        // within a few hundred Hz of each other (eNodeB ±0.05 ppm, Doppler): only hypotheses within
        // `offsetSpread` of the strongest peak's are searched for further cells. This keeps out the
        // Zadoff–Chu time–frequency ambiguity peaks of a strong cell under far-off hypotheses.
        var strongest = (value: Float(0), fi: 0)
        for (h, fold) in folds.enumerated() { if let m = fold.max(), m > strongest.value { strongest = (m, h % offsets.count) } }
        let f0 = offsets.isEmpty ? 0 : offsets[strongest.fi]
        for r in 0..<3 {
            var best = [Double](repeating: 0, count: half), bestF = [Double](repeating: 0, count: half)
            for (fi, f) in offsets.enumerated() where abs(f - f0) <= configuration.offsetSpread {
                let fold = folds[r * offsets.count + fi]
                for i in 0..<half where Double(fold[i]) > best[i] { best[i] = Double(fold[i]); bestF[i] = f }
            }
            // Peaks separated by at least 64 samples.
            var taken: [Int] = []
            for _ in 0..<configuration.peaksPerRoot {
                var bi = -1, bv = 0.0
                for i in 0..<half where best[i] > bv {
                    if taken.contains(where: { min(abs($0 - i), half - abs($0 - i)) < 64 }) { continue }
                    bi = i; bv = best[i]
                }
                guard bi >= 0 else { break }
                let metric = bv / totalMean
                if metric < configuration.pssThreshold { break }
                taken.append(bi)
                results.append(PSSDetection(nid2: r, coarseOffsetHz: bestF[bi], position: bi, peakToMean: metric))
            }
        }
        return results.sorted { $0.peakToMean > $1.peakToMean }
    }

    /// Positions of every occurrence of a PSS (one per 5 ms), each refined to the local correlation
    /// maximum within ±8 samples (the sample clock of a cheap dongle drifts several samples in 80 ms).
    func occurrences(_ x: [ComplexFloat], pss: PSSDetection, offsetHz: Double) -> [Int] {
        var out: [Int] = []
        var p = pss.position
        let x = offsetHz == 0 ? x : Self.mix(x, offsetHz: offsetHz)
        while p + 136 <= x.count {
            var bestP = p, bestV = -1.0
            for d in -8...8 {
                let s = p + d
                guard s >= 0, s + 128 <= x.count else { continue }
                var acc = ComplexFloat.zero
                for i in 0..<128 { acc = acc + x[s + i] * pssTime[pss.nid2][i].conjugate }
                if Double(acc.magnitudeSquared) > bestV { bestV = Double(acc.magnitudeSquared); bestP = s }
            }
            out.append(bestP)
            p = bestP + OFDMTiming.halfFrameSamples
        }
        return out
    }

    /// Residual carrier offset from the phase between the two halves of each PSS occurrence.
    func fractionalOffset(_ x: [ComplexFloat], nid2: Int, at positions: [Int], coarseHz: Double) -> Double {
        let x = coarseHz == 0 ? x : Self.mix(x, offsetHz: coarseHz)
        var acc = ComplexFloat.zero
        for s in positions where s >= 0 && s + 128 <= x.count {
            var a = ComplexFloat.zero, b = ComplexFloat.zero
            for i in 0..<128 {
                let v = x[s + i] * pssTime[nid2][i].conjugate
                if i < 64 { a = a + v } else { b = b + v }
            }
            acc = acc + b * a.conjugate
        }
        // Phase advance over 64 samples.
        return coarseHz + Double(atan2(acc.imag, acc.real)) / (2 * .pi * 64 / 1_920_000)
    }

    /// 62 subcarriers of the synchronisation signal bins of the symbol whose useful part starts at `start`.
    private func syncSubcarriers(_ x: [ComplexFloat], start: Int) -> [ComplexFloat]? {
        guard start >= 0, start + 128 <= x.count else { return nil }
        for i in 0..<128 { symbolFFT.unsafeInput[i] = x[start + i] }
        symbolFFT.execute()
        return (0..<62).map { symbolFFT.unsafeOutput[SynchronizationSignals.syncBin($0)] }
    }

    /// Full search: PSS, offset, SSS; `x` must already be at 1.92 MS/s. Cells whose SSS is not clear
    /// are left out. Each detection is measured on a copy corrected for its own offset.
    public func search(_ x: [ComplexFloat]) throws(LTEError) -> [LTECellDetection] {
        let peaks = try searchPSS(x)
        var cells: [LTECellDetection] = []
        for p in peaks {
            let coarse = Self.mix(x, offsetHz: p.coarseOffsetHz)
            let occ0 = occurrences(coarse, pss: p, offsetHz: 0)
            let cfo = p.coarseOffsetHz + fractionalOffset(coarse, nid2: p.nid2, at: occ0, coarseHz: 0)
            let y = Self.mix(x, offsetHz: cfo)
            let occ = occurrences(y, pss: p, offsetHz: 0)
            guard var c = detectSSS(y, pss: p, occurrences: occ, offsetHz: cfo) else { continue }
            if cells.contains(where: { $0.pci == c.pci }) { continue }
            c.pssOffsetHz = cfo
            if let residual = Self.cyclicPrefixOffset(y, frameStart: c.frameStart, normalCP: c.normalCP) {
                c.carrierOffsetHz = cfo + residual
            }
            cells.append(c)
        }
        return cells
    }

    /// Residual carrier offset from the cyclic prefixes: each CP is a copy of the end of its symbol, so
    /// Σ y[n+128]·conj(y[n]) over the CP samples turns by 2π·f·128/fs (±7.5 kHz unambiguous). Only the
    /// symbols of subframes 0 and 5 are used (always downlink, also in TDD), skipping the first two
    /// CP samples (inter-symbol interference). Averages over many more samples than the PSS halves.
    public static func cyclicPrefixOffset(_ y: [ComplexFloat], frameStart: Int, normalCP: Bool) -> Double? {
        var acc = ComplexFloat.zero
        var count = 0
        let nSymb = normalCP ? 7 : 6
        var f = frameStart
        while f + OFDMTiming.frameSamples < 0 { f += OFDMTiming.frameSamples }
        while f < y.count {
            for sf in [0, 5] {
                for slot in 0..<2 {
                    let slotStart = f + (2 * sf + slot) * OFDMTiming.slotSamples
                    for l in 0..<nSymb {
                        let useful = slotStart + OFDMTiming.usefulStart(symbol: l, normalCP: normalCP)
                        let cp = normalCP ? (l == 0 ? 10 : 9) : 32
                        let s = useful - cp + 2
                        guard s >= 0, useful + 128 <= y.count else { continue }
                        for i in 0..<(cp - 2) { acc = acc + y[s + i + 128] * y[s + i].conjugate }
                        count += 1
                    }
                }
            }
            f += OFDMTiming.frameSamples
        }
        guard count > 0, acc.magnitudeSquared > 0, acc.real.isFinite, acc.imag.isFinite else { return nil }
        return Double(atan2(acc.imag, acc.real)) / (2 * .pi * 128 / 1_920_000)
    }

    /// x·e^{−j2π f n / fs}.
    public static func mix(_ x: [ComplexFloat], offsetHz: Double) -> [ComplexFloat] {
        let w = -2 * Double.pi * offsetHz / 1_920_000
        var out = x
        // Phasor recursion in double precision, re-seeded from cos/sin every 1024 samples.
        let stepRe = cos(w), stepIm = sin(w)
        var re = 1.0, im = 0.0
        for i in 0..<x.count {
            if i & 1023 == 0 { re = cos(w * Double(i)); im = sin(w * Double(i)) }
            out[i] = x[i] * ComplexFloat(Float(re), Float(im))
            (re, im) = (re * stepRe - im * stepIm, re * stepIm + im * stepRe)
        }
        return out
    }

    struct SSSHypothesis { var duplex: LTEDuplex; var normalCP: Bool; var sssOffset: Int }
    /// SSS useful start minus PSS useful start, and PSS start within its half-frame (TS 36.211 §6.11.1.2, §6.11.2.2).
    static let hypotheses: [SSSHypothesis] = [
        .init(duplex: .fdd, normalCP: true, sssOffset: -137),
        .init(duplex: .fdd, normalCP: false, sssOffset: -160),
        .init(duplex: .tdd, normalCP: true, sssOffset: -412),
        .init(duplex: .tdd, normalCP: false, sssOffset: -480),
    ]

    func detectSSS(_ y: [ComplexFloat], pss: PSSDetection, occurrences occ: [Int], offsetHz: Double) -> LTECellDetection? {
        let d = SynchronizationSignals.pss(nid2: pss.nid2)
        var bestScore = -Double.infinity, runnerUp = -Double.infinity
        var best: (h: SSSHypothesis, idx: Int, firstIsSF0: Bool)?
        for h in Self.hypotheses {
            // Equalised SSS per occurrence: Y_sss · conj(Ĥ), Ĥ = Y_pss · conj(d_pss).
            var z: [[ComplexFloat]] = []
            var norm = 0.0
            for s in occ {
                guard let yp = syncSubcarriers(y, start: s), let ys = syncSubcarriers(y, start: s + h.sssOffset) else { continue }
                let zi = (0..<62).map { ys[$0] * (yp[$0] * d[$0].conjugate).conjugate }
                norm += zi.reduce(0.0) { $0 + Double($1.magnitudeSquared.squareRoot()) }
                z.append(zi)
            }
            guard !z.isEmpty, norm > 0 else { continue }
            for nid1 in 0..<168 {
                for firstIsSF0 in [true, false] {
                    var score = 0.0
                    for (j, zi) in z.enumerated() {
                        let sf5 = (j % 2 == 0) != firstIsSF0
                        let seq = sssTable[pss.nid2][nid1 * 2 + (sf5 ? 1 : 0)]
                        for n in 0..<62 { score += Double(zi[n].real * seq[n]) }
                    }
                    score /= norm
                    if score > bestScore {
                        runnerUp = bestScore; bestScore = score; best = (h, nid1, firstIsSF0)
                    } else if score > runnerUp { runnerUp = score }
                }
            }
        }
        guard let b = best, bestScore >= configuration.sssThreshold,
              bestScore - runnerUp >= configuration.sssMargin else { return nil }
        // Frame start from the first occurrence: PSS in subframe 0 (or 1 for TDD) or 5 (or 6).
        let first = occ[0]
        let pssInFrame: Int
        switch (b.h.duplex, b.h.normalCP) {
        case (.fdd, _): pssInFrame = 832 // last symbol of slot 0 (useful part)
        case (.tdd, true): pssInFrame = 2 * 960 + OFDMTiming.usefulStart(symbol: 2, normalCP: true)
        case (.tdd, false): pssInFrame = 2 * 960 + OFDMTiming.usefulStart(symbol: 2, normalCP: false)
        }
        let frameStart = first - pssInFrame - (b.firstIsSF0 ? 0 : OFDMTiming.halfFrameSamples)
        var p = pss
        p.position = first
        return LTECellDetection(nid1: b.idx, nid2: pss.nid2, duplex: b.h.duplex, normalCP: b.h.normalCP,
                                carrierOffsetHz: offsetHz, pssOffsetHz: offsetHz, frameStart: frameStart, pss: p,
                                sssScore: bestScore, sssRunnerUp: runnerUp)
    }
}
