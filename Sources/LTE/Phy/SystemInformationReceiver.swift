import DSP
import Foundation

/// One BCCH-DL-SCH transport block found with SI-RNTI.
public struct SystemInformationDecode: Sendable, Equatable {
    /// Sample index of the subframe's start in the receiver's input, and its subframe number (0…9).
    public var subframeStart: Int
    public var subframe: Int
    public var cfi: Int
    public var dci: DCIFormat1A
    /// PDCCH aggregation level and first CCE of the DCI.
    public var aggregation: Int
    public var firstCCE: Int
    public var transportBlockBits: Int
    public var turboIterations: Int
    /// The transport block (the RRC message and the MAC's padding).
    public var payload: [UInt8]
    public var message: Result<BCCHDLSCHMessage, RRCDecodeError>
}

/// Why no system information was read from a cell.
public enum SystemInformationReceiverError: Error, Equatable, Sendable, CustomStringConvertible {
    case unsupportedBandwidth(prb: Int)
    case unsupportedConfiguration(String)
    public var description: String {
        switch self {
        case .unsupportedBandwidth(let n): return "SIB reception needs the whole cell inside 1.92 MS/s (6 PRB); this cell has \(n) PRB"
        case .unsupportedConfiguration(let s): return s
        }
    }
}

/// PCFICH → PDCCH (SI-RNTI, DCI 1A, common search space) → PDSCH → turbo decoding → CRC-24A →
/// BCCH-DL-SCH message, for a 6-PRB cell seen whole at 1.92 MS/s (TS 36.211 §6.3–6.8, TS 36.212
/// §5.1.3–5.1.4, §5.3.3–5.3.4, TS 36.213 §7.1, §9.1).
public final class SystemInformationReceiver {
    public static let siRNTI = 0xFFFF
    private let fft: FFT
    let backoff = 2

    public init() throws(LTEError) {
        do { fft = try FFT(size: 128) } catch { throw .internalFFT("\(error)") }
    }

    /// The 72 subcarriers of symbol l (0…13) of the subframe starting at `start`.
    func symbol(_ y: [ComplexFloat], subframeStart start: Int, l: Int) -> [ComplexFloat]? {
        let s = start + (l / 7) * OFDMTiming.slotSamples + OFDMTiming.usefulStart(symbol: l % 7, normalCP: true) - backoff
        guard s >= 0, s + 128 <= y.count else { return nil }
        for i in 0..<128 { fft.unsafeInput[i] = y[s + i] }
        fft.execute()
        return (0..<72).map { fft.unsafeOutput[OFDMTiming.centreBin($0)] * (1 / 128) }
    }

    /// Port-0 channel at every RE of the subframe: least squares at the CRS, linear in frequency,
    /// linear in time between the four CRS symbols (held beyond them).
    func channel(_ grid: [[ComplexFloat]], pci: Int, subframe sf: Int) -> [[ComplexFloat]] {
        let crsSymbols = [0, 4, 7, 11]
        var est: [[ComplexFloat]] = []
        for l in crsSymbols {
            let ns = 2 * sf + l / 7
            let sym = grid[l]
            let r = CellReferenceSignals.centrePilots(pci: pci, slot: ns, symbol: l % 7, normalCP: true)
            let off = CellReferenceSignals.offset(port: 0, slot: ns, symbol: l % 7, pci: pci)
            let pilots = (0..<12).map { sym[6 * $0 + off] * r[$0].conjugate }
            var h = [ComplexFloat](repeating: .zero, count: 72)
            for k in 0..<72 {
                let pos = Double(k - off) / 6
                let j0 = min(max(Int(pos.rounded(.down)), 0), 10)
                let t = Float(pos - Double(j0))
                h[k] = pilots[j0] * (1 - t) + pilots[j0 + 1] * t
            }
            est.append(h)
        }
        return (0..<14).map { l in
            if l <= 0 { return est[0] }
            if l >= 11 { return est[3] }
            var i = 0
            while crsSymbols[i + 1] < l { i += 1 }
            let t = Float(l - crsSymbols[i]) / Float(crsSymbols[i + 1] - crsSymbols[i])
            return (0..<72).map { est[i][$0] * (1 - t) + est[i + 1][$0] * t }
        }
    }

    /// Soft QPSK bits (positive = 0) of the REs `(l, k)`, equalised by the channel's conjugate.
    static func qpsk(_ grid: [[ComplexFloat]], _ h: [[ComplexFloat]], _ res: [(Int, Int)]) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(2 * res.count)
        for (l, k) in res {
            let x = grid[l][k] * h[l][k].conjugate
            out.append(x.real); out.append(x.imag)
        }
        return out
    }

    /// Tries every subframe of the input. `frameStart` is the cell's frame timing (from the cell search).
    public func decode(_ y: [ComplexFloat], pci: Int, frameStart: Int, duplex: LTEDuplex, normalCP: Bool,
                       mib: MasterInformationBlock, ports: Int) throws(SystemInformationReceiverError) -> [SystemInformationDecode] {
        guard let prb = mib.downlinkPRB, prb == 6 else { throw .unsupportedBandwidth(prb: mib.downlinkPRB ?? 0) }
        guard normalCP else { throw .unsupportedConfiguration("SIB reception with extended cyclic prefix is not implemented") }
        guard ports == 1 else { throw .unsupportedConfiguration("SIB reception with \(ports) transmit ports (SFBC) is not implemented") }
        let ng: Double = [MasterInformationBlock.PHICHResource.oneSixth: 1.0 / 6, .half: 0.5, .one: 1, .two: 2][mib.phichResource] ?? 1
        let sfSamples = OFDMTiming.slotSamples * 2
        var f = frameStart
        while f > 0 { f -= OFDMTiming.frameSamples }
        var results: [SystemInformationDecode] = []
        while f < y.count {
            for sf in 0..<10 {
                let start = f + sf * sfSamples
                guard start >= 0, start + sfSamples <= y.count else { continue }
                // TDD: only downlink subframes (0, 5 always; 1 and 6 are special, others depend on the configuration).
                if duplex == .tdd && ![0, 5].contains(sf) { continue }
                if let d = decodeSubframe(y, start: start, subframe: sf, pci: pci, prb: prb, ports: ports, ng: ng, duplex: duplex) {
                    results.append(d)
                }
            }
            f += OFDMTiming.frameSamples
        }
        return results
    }

    func decodeSubframe(_ y: [ComplexFloat], start: Int, subframe sf: Int, pci: Int, prb: Int, ports: Int, ng: Double,
                        duplex: LTEDuplex) -> SystemInformationDecode? {
        var grid: [[ComplexFloat]] = []
        for l in 0..<14 {
            guard let s = symbol(y, subframeStart: start, l: l) else { return nil }
            grid.append(s)
        }
        let h = channel(grid, pci: pci, subframe: sf)
        // PCFICH (§6.7): 16 QPSK symbols in four REGs of symbol 0, scrambled with
        // c_init = (⌊n_s/2⌋ + 1)·(2N_ID + 1)·2^9 + N_ID.
        let layout1 = ControlRegionLayout(pci: pci, prb: prb, ports: ports, ng: ng, symbols: 1)
        let pcfichREs = layout1.pcfich.flatMap { r in r.subcarriers.map { (0, $0) } }
        let soft = Self.qpsk(grid, h, pcfichREs)
        let c = GoldSequence.bits(cInit: UInt32((sf + 1) * (2 * pci + 1) * 512 + pci), length: 32)
        var best = (cfi: 0, score: -Float.infinity)
        for cfi in 1...3 {
            let cw = ControlRegionLayout.cfiCodeword(cfi)
            var score: Float = 0
            for i in 0..<min(32, soft.count) { score += (cw[i] ^ c[i]) == 0 ? soft[i] : -soft[i] }
            if score > best.score { best = (cfi, score) }
        }
        let cfi = best.cfi
        let controlSymbols = cfi + (prb <= 10 ? 1 : 0)
        let layout = ControlRegionLayout(pci: pci, prb: prb, ports: ports, ng: ng, symbols: controlSymbols)
        let m = layout.pdcch.count
        guard m >= 9 else { return nil }
        // Received quadruplets in mapping order, cyclically shifted back by N_ID and de-interleaved (§6.8.5).
        let interleaver = Self.quadrupletInterleaver(m)
        var z = [[ComplexFloat]](repeating: [], count: m)
        var zh = [[ComplexFloat]](repeating: [], count: m)
        for (i, reg) in layout.pdcch.enumerated() {
            let w = (i + pci) % m
            let target = interleaver[w]
            z[target] = reg.subcarriers.map { grid[reg.symbol][$0] }
            zh[target] = reg.subcarriers.map { h[reg.symbol][$0] }
        }
        let scramble = GoldSequence.bits(cInit: UInt32(sf * 512 + pci), length: 8 * m) // §6.8.2
        let nCCE = layout.cceCount
        let dciSize = DCIFormat1A.size(prb: prb)
        let matcher = ConvolutionalRateMatcher(streamLength: dciSize + 16)
        // The common search space is aggregation 4 and 8 from CCE 0 (TS 36.213 §9.1.1); a 6-PRB cell has
        // only six CCEs, and eNodeBs (Amarisoft among them) then send SI-RNTI DCIs at level 1 or 2, so every
        // position of every level is tried. The SI-RNTI CRC mask and then CRC-24A keep false hits out.
        for level in [1, 2, 4, 8] {
            let candidates = nCCE / level
            for cand in 0..<candidates {
                let first = level * cand
                var llr: [Float] = []
                llr.reserveCapacity(72 * level)
                for q in (9 * first)..<(9 * (first + level)) {
                    for j in 0..<4 {
                        let x = z[q][j] * zh[q][j].conjugate
                        let b = 8 * q + 2 * j
                        llr.append(scramble[b] == 0 ? x.real : -x.real)
                        llr.append(scramble[b + 1] == 0 ? x.imag : -x.imag)
                    }
                }
                let scale = llr.reduce(Float(0)) { max($0, abs($1)) }
                guard scale > 0 else { continue }
                let bits = TailBitingConvolutionalCode.decode(matcher.recover(llr.map { $0 / scale * 8 }))
                guard bits.count == dciSize + 16 else { continue }
                let payload = Array(bits[0..<dciSize])
                let received = bits[dciSize...].reduce(UInt16(0)) { ($0 << 1) | UInt16($1) }
                guard LTECRC16.parity(payload) ^ received == UInt16(Self.siRNTI),
                      let dci = DCIFormat1A(bits: payload, prb: prb), dci.localized,
                      let alloc = dci.allocation(prb: prb),
                      let tbs = TransportBlockSize.bits(iTBS: dci.mcs, nPRB: dci.nPRB1A) else { continue }
                if var d = decodePDSCH(grid, h, subframe: sf, pci: pci, ports: ports, controlSymbols: controlSymbols,
                                       allocation: alloc, tbs: tbs, rv: dci.redundancyVersion, duplex: duplex) {
                    d.subframeStart = start
                    d.cfi = cfi
                    d.dci = dci
                    d.aggregation = level
                    d.firstCCE = first
                    return d
                }
            }
        }
        return nil
    }

    /// For each position of the interleaved quadruplet sequence w, the index of the quadruplet z it
    /// carries: TS 36.212 §5.1.4.2.1 sub-block interleaver applied to quadruplets (§6.8.5 of 36.211).
    static func quadrupletInterleaver(_ m: Int) -> [Int] {
        let rows = (m + 31) / 32, dummies = rows * 32 - m
        var out: [Int] = []
        out.reserveCapacity(m)
        for j in 0..<32 {
            for r in 0..<rows {
                let yIdx = r * 32 + ConvolutionalRateMatcher.columnPermutation[j]
                if yIdx >= dummies { out.append(yIdx - dummies) }
            }
        }
        return out
    }

    /// PDSCH resource elements of a localized allocation (§6.3.5, §6.4): after the control region,
    /// frequency first, leaving out the CRS and, in the centre six PRBs, PSS/SSS/PBCH.
    static func pdschREs(subframe sf: Int, pci: Int, ports: Int, controlSymbols: Int, allocation: (start: Int, count: Int),
                         duplex: LTEDuplex) -> [(Int, Int)] {
        var res: [(Int, Int)] = []
        for l in controlSymbols..<14 {
            let slotSymbol = l % 7, ns = 2 * sf + l / 7
            let reserved: Bool
            switch duplex {
            case .fdd: reserved = ((sf == 0 || sf == 5) && (l == 5 || l == 6)) || (sf == 0 && (7...10).contains(l))
            case .tdd: reserved = ((sf == 0 || sf == 5) && l == 13) || ((sf == 1 || sf == 6) && l == 2) || (sf == 0 && (7...10).contains(l))
            }
            if reserved { continue } // every subcarrier of a 6-PRB cell is in the centre six PRBs
            let crs = slotSymbol == 0 || slotSymbol == 4 || (ports == 4 && slotSymbol == 1)
            let off0 = CellReferenceSignals.offset(port: 0, slot: ns, symbol: slotSymbol, pci: pci)
            for k in (12 * allocation.start)..<(12 * (allocation.start + allocation.count)) {
                if crs && (ports == 1 ? k % 6 == off0 : k % 3 == off0 % 3) { continue }
                res.append((l, k))
            }
        }
        return res
    }

    func decodePDSCH(_ grid: [[ComplexFloat]], _ h: [[ComplexFloat]], subframe sf: Int, pci: Int, ports: Int, controlSymbols: Int,
                     allocation: (start: Int, count: Int), tbs: Int, rv: Int, duplex: LTEDuplex) -> SystemInformationDecode? {
        let res = Self.pdschREs(subframe: sf, pci: pci, ports: ports, controlSymbols: controlSymbols, allocation: allocation, duplex: duplex)
        var llr = Self.qpsk(grid, h, res)
        // §6.3.1: c_init = n_RNTI·2^14 + q·2^13 + ⌊n_s/2⌋·2^9 + N_ID.
        let c = GoldSequence.bits(cInit: UInt32(Self.siRNTI << 14 | sf << 9 | pci), length: llr.count)
        for i in 0..<llr.count where c[i] == 1 { llr[i] = -llr[i] }
        let scale = llr.reduce(Float(0)) { max($0, abs($1)) }
        guard scale > 0 else { return nil }
        for i in 0..<llr.count { llr[i] = llr[i] / scale * 4 }
        // §5.1.2: one code block (B = TBS + 24 ≤ 6144), F filler bits in front.
        let b = tbs + 24
        guard let k = QPPInterleaver.blockSize(atLeast: b), let turbo = TurboDecoder(k: k) else { return nil }
        let filler = k - b
        let matcher = TurboRateMatcher(streamLength: k + 4, fillerBits: filler)
        var streams = [[Float]](repeating: [Float](repeating: 0, count: k + 4), count: 3)
        matcher.recover(llr, rv: rv, into: &streams)
        for i in 0..<filler { streams[0][i] = 100 } // filler bits are known zeros
        var iterations = 0
        let (bits, ok) = turbo.decode(streams, iterations: 8) { bits in
            iterations += 1
            return LTECRC24A.check(bits[filler...])
        }
        guard ok else { return nil }
        var payload = [UInt8](repeating: 0, count: tbs / 8)
        for i in 0..<tbs { payload[i / 8] |= bits[filler + i] << UInt8(7 - i % 8) }
        let message: Result<BCCHDLSCHMessage, RRCDecodeError>
        do { message = .success(try BCCHDLSCHMessage.decode(payload)) } catch { message = .failure(error) }
        return SystemInformationDecode(subframeStart: 0, subframe: sf, cfi: 0,
                                       dci: DCIFormat1A(localized: true, riv: 0, mcs: 0, redundancyVersion: rv, nPRB1A: 2),
                                       aggregation: 0, firstCCE: 0, transportBlockBits: tbs, turboIterations: iterations,
                                       payload: payload, message: message)
    }
}
