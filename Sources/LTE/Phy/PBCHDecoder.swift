import DSP
import Foundation

/// A decoded PBCH: the MIB, the port count told by the CRC mask and the frame's SFN.
public struct PBCHDecode: Sendable, Equatable {
    public var mib: MasterInformationBlock
    public var ports: Int
    /// SFN of the radio frame starting at `frameStart` (MIB SFN·4 + position in the 40 ms period).
    public var sfn: Int
    public var frameStart: Int
    /// Position (0…3) of that frame in the PBCH's 40 ms period.
    public var frameOffset: Int
    /// Radio frames whose PBCH soft bits were combined.
    public var framesCombined: Int
}

/// OFDM demodulation of subframe 0, CRS channel estimation and PBCH decoding (TS 36.211 §6.6,
/// §6.10.1; TS 36.212 §5.3.1) at 1.92 MS/s, inside the centre 72 subcarriers.
public final class PBCHDecoder {
    private let fft: FFT
    /// Back-off of the FFT window into the cyclic prefix (samples); the channel estimate absorbs the phase ramp.
    let backoff = 2

    public init() throws(LTEError) {
        do { fft = try FFT(size: 128) } catch { throw .internalFFT("\(error)") }
    }

    /// 72 centre subcarriers of symbol l of slot ns of the frame starting at frameStart.
    func symbol(_ y: [ComplexFloat], frameStart: Int, slot ns: Int, l: Int, normalCP: Bool) -> [ComplexFloat]? {
        let s = frameStart + ns * OFDMTiming.slotSamples + OFDMTiming.usefulStart(symbol: l, normalCP: normalCP) - backoff
        guard s >= 0, s + 128 <= y.count else { return nil }
        for i in 0..<128 { fft.unsafeInput[i] = y[s + i] }
        fft.execute()
        return (0..<72).map { fft.unsafeOutput[OFDMTiming.centreBin($0)] * (1 / 128) }
    }

    /// Least-squares estimate at the pilots of one port in one symbol, linearly interpolated to all 72 subcarriers.
    func estimate(_ sym: [ComplexFloat], pci: Int, port: Int, slot ns: Int, l: Int, normalCP: Bool) -> [ComplexFloat] {
        let r = CellReferenceSignals.centrePilots(pci: pci, slot: ns, symbol: l, normalCP: normalCP)
        let off = CellReferenceSignals.offset(port: port, slot: ns, symbol: l, pci: pci)
        let pilots = (0..<12).map { sym[6 * $0 + off] * r[$0].conjugate } // |r|² = 1, so Y·r* = Y/r
        var h = [ComplexFloat](repeating: .zero, count: 72)
        for k in 0..<72 {
            let pos = Double(k - off) / 6
            let j0 = min(max(Int(pos.rounded(.down)), 0), 10)
            let t = Float(pos - Double(j0))
            h[k] = pilots[j0] * (1 - t) + pilots[j0 + 1] * t
        }
        return h
    }

    /// Reference-signal measurements of a cell inside the centre six PRBs (TS 36.214 §5.1.1, §5.1.3,
    /// narrowed to what a 1.92 MS/s receiver sees), all linear, relative to a full-scale complex sinusoid.
    public struct Measurements: Sendable, Equatable {
        /// Mean power of the port-0 CRS resource elements of subframes 0 and 5.
        public var rsrp: Double
        /// Mean received power per PRB (12 subcarriers) in the OFDM symbols that carry port-0 CRS.
        public var rssiPerPRB: Double
        /// RSRQ = RSRP / RSSI per PRB, as N·RSRP/RSSI over N PRBs.
        public var rsrq: Double { rssiPerPRB > 0 ? rsrp / rssiPerPRB : 0 }
        /// Port-0 CRS power over the noise-plus-interference power, the latter from the change of each
        /// pilot between the two slots of a subframe (same subcarriers, 0.5 ms apart) after removing
        /// their common phase turn; nil when fewer than two slots were seen.
        public var sinr: Double?
        /// Carrier offset left in `y` (Hz), from the common phase turn of this cell's pilots between the
        /// two slots of a subframe (0.5 ms: ±1 kHz unambiguous). Cell-specific, so other cells on the
        /// carrier do not pull it, unlike the cyclic-prefix estimate.
        public var residualOffsetHz: Double?
    }

    public func measure(_ y: [ComplexFloat], pci: Int, frameStart: Int, normalCP: Bool) -> Measurements? {
        let nSymb = normalCP ? 7 : 6
        var rsrpSum = 0.0, rsrpN = 0, rssiSum = 0.0, rssiN = 0
        var diffSum = 0.0, diffN = 0
        var turns = ComplexFloat.zero
        var f = frameStart
        while f + OFDMTiming.frameSamples <= 0 { f += OFDMTiming.frameSamples }
        while f < y.count {
            for sf in [0, 5] {
                var firstSlot: [ComplexFloat]?
                for slot in 0..<2 {
                    let ns = 2 * sf + slot
                    for l in [0, nSymb - 3] {
                        guard let sym = symbol(y, frameStart: f, slot: ns, l: l, normalCP: normalCP) else { continue }
                        let r = CellReferenceSignals.centrePilots(pci: pci, slot: ns, symbol: l, normalCP: normalCP)
                        let off = CellReferenceSignals.offset(port: 0, slot: ns, symbol: l, pci: pci)
                        let h = (0..<12).map { sym[6 * $0 + off] * r[$0].conjugate }
                        for v in h { rsrpSum += Double(v.magnitudeSquared); rsrpN += 1 }
                        rssiSum += sym.reduce(0.0) { $0 + Double($1.magnitudeSquared) } / 6; rssiN += 1
                        if l == 0 {
                            if let h0 = firstSlot {
                                var turn = ComplexFloat.zero
                                for j in 0..<12 { turn = turn + h[j] * h0[j].conjugate }
                                turns = turns + turn
                                let m = turn.magnitudeSquared.squareRoot()
                                let u = m > 0 ? turn * (1 / m) : ComplexFloat(1, 0)
                                // Var(h1 − u·h0) = 2σ².
                                for j in 0..<12 { diffSum += Double((h[j] - h0[j] * u).magnitudeSquared) / 2; diffN += 1 }
                            } else { firstSlot = h }
                        }
                    }
                }
            }
            f += OFDMTiming.frameSamples
        }
        guard rsrpN > 0, rssiN > 0 else { return nil }
        // Channel estimates h = Y·r* = Y/r (|r|² = 1): mean |h|² is the pilot RE power, which is RSRP.
        let pilotGain = rsrpSum / Double(rsrpN)
        let rsrp = pilotGain
        let noise = diffN > 0 ? diffSum / Double(diffN) : nil
        let sinr = noise.map { n in n > 0 ? max(pilotGain - n, 0) / n : Double.infinity }
        let residual = turns.magnitudeSquared > 0 && turns.real.isFinite && turns.imag.isFinite
            ? Double(atan2(turns.imag, turns.real)) / (2 * .pi * Double(OFDMTiming.slotSamples) / 1_920_000) : nil
        return Measurements(rsrp: rsrp, rssiPerPRB: rssiSum / Double(rssiN), sinr: sinr.flatMap { $0.isFinite ? $0 : nil },
                            residualOffsetHz: residual)
    }

    /// Soft PBCH bits (LLR, positive = 0) of one frame for an assumed port count, before descrambling.
    func softBits(_ y: [ComplexFloat], pci: Int, frameStart: Int, normalCP: Bool, ports: Int) -> [Float]? {
        let nSymb = normalCP ? 7 : 6
        // Channel at slot 1 symbols 0 and N_symb−3, interpolated in time for symbols 0…3.
        guard let s0 = symbol(y, frameStart: frameStart, slot: 1, l: 0, normalCP: normalCP),
              let s4 = symbol(y, frameStart: frameStart, slot: 1, l: nSymb - 3, normalCP: normalCP) else { return nil }
        // Ports 0/1: interpolated in time between symbols 0 and N_symb−3; ports 2/3: their only
        // pilots in slot 1 are in symbol 1 (§6.10.1.2), held for the four PBCH symbols.
        var hA: [[ComplexFloat]] = [], hB: [[ComplexFloat]] = []
        let s1 = ports == 4 ? symbol(y, frameStart: frameStart, slot: 1, l: 1, normalCP: normalCP) : nil
        for p in 0..<ports {
            if p < 2 {
                hA.append(estimate(s0, pci: pci, port: p, slot: 1, l: 0, normalCP: normalCP))
                hB.append(estimate(s4, pci: pci, port: p, slot: 1, l: nSymb - 3, normalCP: normalCP))
            } else {
                guard let s1 else { return nil }
                let h = estimate(s1, pci: pci, port: p, slot: 1, l: 1, normalCP: normalCP)
                hA.append(h); hB.append(h)
            }
        }
        var llr: [Float] = []
        llr.reserveCapacity(480)
        let vshift = pci % 6
        for l in 0..<4 {
            guard let sym = symbol(y, frameStart: frameStart, slot: 1, l: l, normalCP: normalCP) else { return nil }
            let t = Float(l) / Float(nSymb - 3)
            let h = (0..<ports).map { p in (0..<72).map { hA[p][$0] * (1 - t) + hB[p][$0] * t } }
            // REs reserved for the CRS of four ports are skipped whatever the real port count (§6.6.4).
            let hasCRS = l < 2 || (!normalCP && l == 3)
            let ks = (0..<72).filter { !hasCRS || $0 % 3 != vshift % 3 }
            /// Alamouti pair on REs a, b with the channels of the two ports that carry it.
            func alamouti(_ a: Int, _ b: Int, _ p: Int, _ q: Int) {
                let r0 = sym[a], r1 = sym[b]
                let x0 = r0 * h[p][a].conjugate + h[q][b] * r1.conjugate
                let x1 = r1 * h[p][b].conjugate - h[q][a] * r0.conjugate
                llr.append(x0.real); llr.append(x0.imag); llr.append(x1.real); llr.append(x1.imag)
            }
            switch ports {
            case 1:
                for k in ks {
                    let x = sym[k] * h[0][k].conjugate
                    llr.append(x.real); llr.append(x.imag)
                }
            case 2:
                // SFBC, TS 36.211 §6.3.4.3: y0(2i) = x0, y1(2i) = −x1*, y0(2i+1) = x1, y1(2i+1) = x0*.
                var i = 0
                while i + 1 < ks.count { alamouti(ks[i], ks[i + 1], 0, 1); i += 2 }
            default:
                // SFBC + FSTD, TS 36.211 §6.3.4.3: symbols 4i, 4i+1 on ports 0/2, 4i+2, 4i+3 on ports 1/3.
                var i = 0
                while i + 3 < ks.count {
                    alamouti(ks[i], ks[i + 1], 0, 2)
                    alamouti(ks[i + 2], ks[i + 3], 1, 3)
                    i += 4
                }
            }
        }
        return llr
    }

    /// Tries every 40 ms position of each available frame, alone and combined with the frames that
    /// follow it in the same period, for 1, 2 and 4 ports; returns the first CRC match whose mask agrees with the ports assumed.
    public func decode(_ y: [ComplexFloat], pci: Int, frameStart: Int, normalCP: Bool) -> PBCHDecode? {
        let perFrame = normalCP ? 480 : 432
        let scramble = GoldSequence.bits(cInit: UInt32(pci), length: 4 * perFrame) // §6.6.1, c_init = N_ID^cell
        let matcher = ConvolutionalRateMatcher(streamLength: 40)
        var starts: [Int] = []
        var f = frameStart
        while f < 0 { f += OFDMTiming.frameSamples }
        while f + 2 * OFDMTiming.slotSamples <= y.count { starts.append(f); f += OFDMTiming.frameSamples }
        for ports in [1, 2, 4] {
            let frames = starts.map { softBits(y, pci: pci, frameStart: $0, normalCP: normalCP, ports: ports) }
            for (fi, start) in starts.enumerated() {
                guard frames[fi] != nil else { continue }
                for offset in 0..<4 {
                    var buffer = [Float](repeating: 0, count: 4 * perFrame)
                    var combined = 0
                    for j in 0..<(4 - offset) where fi + j < frames.count {
                        guard let soft = frames[fi + j] else { break }
                        let pos = offset + j
                        for i in 0..<min(perFrame, soft.count) {
                            let c = scramble[pos * perFrame + i]
                            buffer[pos * perFrame + i] = c == 0 ? soft[i] : -soft[i]
                        }
                        combined += 1
                        // Normalise and decode with what is combined so far.
                        let scale = buffer.reduce(Float(0)) { max($0, abs($1)) }
                        guard scale > 0 else { continue }
                        let streams = matcher.recover(buffer.map { $0 / scale * 8 })
                        let bits = TailBitingConvolutionalCode.decode(streams)
                        guard bits.count == 40 else { continue }
                        let payload = Array(bits[0..<24])
                        let computed = LTECRC16.parity(payload)
                        let received = bits[24..<40].reduce(UInt16(0)) { ($0 << 1) | UInt16($1) }
                        guard let p = PBCHCRCMask.ports(computed: computed, received: received), p == ports,
                              let mib = MasterInformationBlock(bits: payload) else { continue }
                        return PBCHDecode(mib: mib, ports: p, sfn: (mib.sfnHigh * 4 + offset) % 1024,
                                          frameStart: start, frameOffset: offset, framesCombined: combined)
                    }
                }
            }
        }
        return nil
    }
}
