import DSP
import Foundation
import LTE
import Testing
import TestSupport

/// A one-port LTE downlink written straight from TS 36.211/36.212 (PSS, SSS, CRS port 0, PBCH) at
/// 1.92 MS/s, to reach the paths no shared recording has: TDD and the extended cyclic prefix.
struct SyntheticLTECell {
    var pci: Int
    var duplex: LTEDuplex
    var normalCP: Bool
    var mib: [UInt8]
    var firstSFN: Int
    var ports = 1
    /// Flat channel of each port.
    var gains: [ComplexFloat] = [ComplexFloat(1, 0), ComplexFloat(0.3, -0.6), ComplexFloat(-0.5, 0.4), ComplexFloat(0.2, 0.7)]

    func samples(frames: Int) throws -> [ComplexFloat] {
        let nSymb = normalCP ? 7 : 6
        let ifft = try FFT(size: 128, direction: .inverse)
        // PBCH codeword: MIB + CRC (1-port mask 0), convolutional code, rate matching to 4 frames, scrambling.
        let perFrame = normalCP ? 480 : 432
        let crc = LTECRC16.parity(mib) ^ PBCHCRCMask.mask(ports: ports)!
        let info = mib + (0..<16).map { UInt8((crc >> (15 - UInt16($0))) & 1) }
        let e = ConvolutionalRateMatcher(streamLength: 40).match(TailBitingConvolutionalCode.encode(info), outputLength: 4 * perFrame)
        let c = GoldSequence.bits(cInit: UInt32(pci), length: 4 * perFrame)
        let bits = zip(e, c).map { $0 ^ $1 }
        let s = Float(1 / 2.0.squareRoot())
        var out: [ComplexFloat] = []
        for frame in 0..<frames {
            let sfn = firstSFN + frame
            for ns in 0..<20 {
                let sf = ns / 2
                let downlink = sf == 0 || sf == 5 || duplex == .fdd
                for l in 0..<nSymb {
                    var port = [[ComplexFloat]](repeating: [ComplexFloat](repeating: .zero, count: 128), count: ports)
                    for p in 0..<ports where downlink {
                        let crsSymbols = p < 2 ? [0, nSymb - 3] : [1]
                        guard crsSymbols.contains(l) else { continue }
                        let r = CellReferenceSignals.centrePilots(pci: pci, slot: ns, symbol: l, normalCP: normalCP)
                        let off = CellReferenceSignals.offset(port: p, slot: ns, symbol: l, pci: pci)
                        for j in 0..<12 { port[p][OFDMTiming.centreBin(6 * j + off)] = r[j] }
                    }
                    let pssHere = duplex == .fdd ? (ns % 10 == 0 && l == nSymb - 1) : (ns % 10 == 2 && l == 2)
                    let sssHere = duplex == .fdd ? (ns % 10 == 0 && l == nSymb - 2) : (ns % 10 == 1 && l == nSymb - 1)
                    if pssHere {
                        for (n, v) in SynchronizationSignals.pss(nid2: pci % 3).enumerated() { port[0][SynchronizationSignals.syncBin(n)] = v }
                    }
                    if sssHere {
                        let d = SynchronizationSignals.sss(nid1: pci / 3, nid2: pci % 3, subframe5: ns >= 10)
                        for n in 0..<62 { port[0][SynchronizationSignals.syncBin(n)] = ComplexFloat(d[n], 0) }
                    }
                    if ns == 1 && l < 4 {
                        let hasCRS = l < 2 || (!normalCP && l == 3)
                        let ks = (0..<72).filter { !hasCRS || $0 % 3 != (pci % 6) % 3 }
                        var i = (sfn % 4) * perFrame + [0, 1, 2, 3].prefix(l).reduce(0) { acc, m in
                            acc + 2 * ((m < 2 || (!normalCP && m == 3)) ? 48 : 72)
                        }
                        var d: [ComplexFloat] = []
                        for _ in ks {
                            d.append(ComplexFloat(s * (1 - 2 * Float(bits[i])), s * (1 - 2 * Float(bits[i + 1]))))
                            i += 2
                        }
                        let b = ks.map(OFDMTiming.centreBin)
                        // Transmit diversity, TS 36.211 §6.3.4.3.
                        switch ports {
                        case 1:
                            for (j, v) in d.enumerated() { port[0][b[j]] = v }
                        case 2:
                            for j in stride(from: 0, to: d.count, by: 2) {
                                port[0][b[j]] = d[j] * s; port[1][b[j]] = (d[j + 1].conjugate * s) * -1
                                port[0][b[j + 1]] = d[j + 1] * s; port[1][b[j + 1]] = d[j].conjugate * s
                            }
                        default:
                            for j in stride(from: 0, to: d.count, by: 4) {
                                port[0][b[j]] = d[j] * s; port[2][b[j]] = (d[j + 1].conjugate * s) * -1
                                port[0][b[j + 1]] = d[j + 1] * s; port[2][b[j + 1]] = d[j].conjugate * s
                                port[1][b[j + 2]] = d[j + 2] * s; port[3][b[j + 2]] = (d[j + 3].conjugate * s) * -1
                                port[1][b[j + 3]] = d[j + 3] * s; port[3][b[j + 3]] = d[j + 2].conjugate * s
                            }
                        }
                    }
                    var bins = [ComplexFloat](repeating: .zero, count: 128)
                    for p in 0..<ports { for k in 0..<128 { bins[k] = bins[k] + port[p][k] * gains[p] } }
                    for i in 0..<128 { ifft.unsafeInput[i] = bins[i] }
                    ifft.execute()
                    let body = Array(ifft.unsafeOutput).map { $0 * (1 / 128) * 8 }
                    let cp = normalCP ? (l == 0 ? 10 : 9) : 32
                    out += body.suffix(cp) + body
                }
            }
        }
        return out
    }
}

@Suite struct LTESyntheticCellTests {
    static let mib: [UInt8] = [0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]

    @Test(arguments: [(LTEDuplex.fdd, true), (.fdd, false), (.tdd, true), (.tdd, false)])
    func duplexAndCyclicPrefix(duplex: LTEDuplex, normalCP: Bool) throws {
        let cell = SyntheticLTECell(pci: 301, duplex: duplex, normalCP: normalCP, mib: Self.mib, firstSFN: 4 * 45)
        var x = try cell.samples(frames: 4)
        // Start mid-frame, 12.3 kHz off, AWGN.
        x = Array(x[7_000...])
        x = CellSearcher.mix(x, offsetHz: -12_300)
        var rng = SeededGenerator(seed: 21)
        x = x.map { $0 + ComplexFloat(Float(rng.gaussian() * 0.02), Float(rng.gaussian() * 0.02)) }
        let cells = try LTEReceiver().decode(x, sampleRate: LTEReceiver.sampleRate)
        #expect(cells.count == 1)
        let c = try #require(cells.first)
        #expect(c.pci == 301 && c.duplex == duplex && c.detection.normalCP == normalCP)
        #expect(c.ports == 1 && c.mib?.bits == Self.mib && c.prb == 25)
        #expect(abs(c.carrierOffset.value - 12_300) < 100)
        // The first complete frame of the input is the second one generated.
        #expect(c.sfn == 4 * 45 + 1 && c.mib?.sfnHigh == 45)
        // Pilot RE power |r|²·(8/128)² = −24.1 dBFS; noise per bin 2·0.02²/128 → CRS SINR 28.0 dB.
        let rsrp = try #require(c.rsrp).value, sinr = try #require(c.sinr).value
        #expect(abs(rsrp - 10 * log10(1.0 / 256)) < 0.5, "RSRP \(rsrp)")
        #expect(abs(sinr - 10 * log10((1.0 / 256) / (2 * 0.0004 / 128))) < 2, "SINR \(sinr)")
        #expect(c.rsrq != nil)
    }

    /// The CRC mask tells the port count; 2- and 4-port transmit diversity is undone.
    @Test(arguments: [1, 2, 4])
    func antennaPorts(ports: Int) throws {
        let cell = SyntheticLTECell(pci: 77, duplex: .fdd, normalCP: true, mib: Self.mib, firstSFN: 4 * 45, ports: ports)
        var x = try cell.samples(frames: 2)
        var rng = SeededGenerator(seed: 4)
        x = x.map { $0 + ComplexFloat(Float(rng.gaussian() * 0.02), Float(rng.gaussian() * 0.02)) }
        let cells = try LTEReceiver().decode(x, sampleRate: LTEReceiver.sampleRate)
        let c = try #require(cells.first)
        #expect(cells.count == 1 && c.pci == 77)
        #expect(c.ports == ports && c.mib?.bits == Self.mib && c.sfn == 180)
    }
}

@Suite struct LTEReceiverInputTests {
    /// A recording at 3.84 MS/s is brought to 1.92 MS/s by the receiver and decodes the same.
    @Test func otherSampleRateIsResampled() throws {
        let cell = SyntheticLTECell(pci: 123, duplex: .fdd, normalCP: true, mib: LTESyntheticCellTests.mib, firstSFN: 4 * 45)
        let x = try cell.samples(frames: 2)
        let up = try RationalResampler(interpolation: 2, decimation: 1)
        var y = [ComplexFloat](repeating: .zero, count: up.maximumOutputCount(forInput: x.count))
        let n = x.withUnsafeBufferPointer { i in y.withUnsafeMutableBufferPointer { up.process(i, into: $0) } }
        let cells = try LTEReceiver().decode(Array(y[0..<n]), sampleRate: 3_840_000)
        #expect(cells.map(\.pci) == [123])
        #expect(cells.first?.mib?.bits == LTESyntheticCellTests.mib)
    }

    /// A PSS every 5 ms with nothing else (a jammer, or a half-built fake cell) is not a cell: the SSS gate holds.
    @Test func lonePSSIsNotACell() throws {
        let ifft = try FFT(size: 128, direction: .inverse)
        for (n, v) in SynchronizationSignals.pss(nid2: 2).enumerated() { ifft.unsafeInput[SynchronizationSignals.syncBin(n)] = v }
        ifft.execute()
        let pss = Array(ifft.unsafeOutput).map { $0 * (1 / 16) }
        var rng = SeededGenerator(seed: 9)
        var x = (0..<40_000).map { _ in ComplexFloat(Float(rng.gaussian() * 0.01), Float(rng.gaussian() * 0.01)) }
        for start in stride(from: 1_000, to: x.count - 128, by: 9_600) { for i in 0..<128 { x[start + i] = x[start + i] + pss[i] } }
        let receiver = try LTEReceiver()
        #expect(try receiver.decode(x, sampleRate: LTEReceiver.sampleRate).isEmpty)
        // …while the PSS itself is found, strongly.
        let peaks = try CellSearcher().searchPSS(x)
        #expect(peaks.first?.nid2 == 2 && (peaks.first?.peakToMean ?? 0) > 50)
    }
}

@Suite struct LTEMultiCellTests {
    /// Two unsynchronised cells with the same N_ID(2) on one carrier, the second 6 dB weaker, both
    /// 21 kHz off (one dongle): both are found and both MIBs decode.
    @Test func twoCellsOneCarrier() throws {
        let a = try SyntheticLTECell(pci: 277, duplex: .fdd, normalCP: true, mib: LTESyntheticCellTests.mib, firstSFN: 4 * 45, ports: 2)
            .samples(frames: 5)
        let b = try SyntheticLTECell(pci: 271, duplex: .fdd, normalCP: true, mib: LTESyntheticCellTests.mib, firstSFN: 4 * 45)
            .samples(frames: 5)
        var rng = SeededGenerator(seed: 12)
        let delay = 5_321
        var x = (0..<(a.count - delay)).map { a[$0 + delay] + b[$0] * 0.5 }
        x = CellSearcher.mix(x, offsetHz: -21_000)
        x = x.map { $0 + ComplexFloat(Float(rng.gaussian() * 0.02), Float(rng.gaussian() * 0.02)) }
        let cells = try LTEReceiver().decode(x, sampleRate: LTEReceiver.sampleRate)
        #expect(Set(cells.map(\.pci)) == [277, 271])
        #expect(cells.first?.pci == 277)
        for c in cells {
            #expect(c.mib?.bits == LTESyntheticCellTests.mib, "PCI \(c.pci)")
            #expect(abs(c.carrierOffset.value - 21_000) < 300, "PCI \(c.pci) \(c.carrierOffset)")
        }
        #expect(cells.first { $0.pci == 277 }?.ports == 2 && cells.first { $0.pci == 271 }?.ports == 1)
    }
}
