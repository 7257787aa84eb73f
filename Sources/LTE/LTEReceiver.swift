import CellwatchModel
import DSP
import Foundation

/// Everything the receiver learned about one cell.
public struct LTECellReport: Sendable, Equatable {
    public var detection: LTECellDetection
    public var pci: Int { detection.pci }
    public var duplex: LTEDuplex { detection.duplex }
    /// Carrier offset: the cell search's estimate plus the residual measured on this cell's own pilots.
    public var carrierOffset: Hertz { Hertz(detection.carrierOffsetHz + (crsResidualOffsetHz ?? 0)) }
    /// See `PBCHDecoder.Measurements.residualOffsetHz`.
    public var crsResidualOffsetHz: Double?
    /// RSRP from the port-0 CRS of subframes 0 and 5, dB relative to a full-scale complex sinusoid.
    public var rsrp: Decibels?
    /// RSRQ (dB) and CRS SINR (dB) over the centre six PRBs, see `PBCHDecoder.Measurements`.
    public var rsrq: Decibels?
    public var sinr: Decibels?
    public var pbch: PBCHDecode?
    /// BCCH-DL-SCH transport blocks read with SI-RNTI (SIB1 and SI messages), in time order.
    public var systemInformation: [SystemInformationDecode] = []
    /// Why no system information was attempted (bandwidth, ports), when it was not.
    public var systemInformationSkipped: String?
    /// The first SIB1 decoded.
    public var sib1: SystemInformationBlockType1? {
        systemInformation.lazy.compactMap { try? $0.message.get().sib1 }.first
    }
    /// Every SIB of the SI messages decoded.
    public var systemInformationBlocks: [SystemInformation.Block] {
        systemInformation.flatMap { (try? $0.message.get().blocks) ?? [] }
    }
    public var mib: MasterInformationBlock? { pbch?.mib }
    public var ports: Int? { pbch?.ports }
    public var prb: Int? { pbch?.mib.downlinkPRB }
    /// SFN of the first complete radio frame in the input, when the MIB was decoded.
    public var sfn: Int? {
        guard let p = pbch else { return nil }
        var f = detection.frameStart, sfn = p.sfn
        while f < 0 { f += OFDMTiming.frameSamples }
        sfn = (sfn - (p.frameStart - f) / OFDMTiming.frameSamples + 1024) % 1024
        return sfn
    }
}

/// LTE downlink receiver at 1.92 MS/s: cell search (PSS/SSS), carrier offset, RSRP and PBCH/MIB for
/// every cell found on the carrier.
public final class LTEReceiver {
    public static let sampleRate = 1_920_000.0
    private let searcher: CellSearcher
    private let pbch: PBCHDecoder
    private let sib: SystemInformationReceiver

    public init(configuration: CellSearchConfiguration = .init()) throws(LTEError) {
        searcher = try CellSearcher(configuration: configuration)
        pbch = try PBCHDecoder()
        sib = try SystemInformationReceiver()
    }

    /// Input rates the receiver brings to 1.92 MS/s; callers check before sizing buffers by the rate.
    public static let acceptedSampleRates: ClosedRange<Double> = 1_000_000...200_000_000

    /// Seconds of signal the receiver looks at (the cell search folds at most this much).
    public var analysedSeconds: Double { Double(searcher.configuration.maxSamples) / Self.sampleRate }

    /// Decodes the cells in `samples` taken at `sampleRate`; other rates than 1.92 MS/s are resampled
    /// to it first (rational resampler, so the centre 1.08 MHz is kept).
    public func decode(_ samples: [ComplexFloat], sampleRate: Double) throws(LTEError) -> [LTECellReport] {
        guard Self.acceptedSampleRates.contains(sampleRate) else { throw .unsupportedSampleRate(sampleRate) }
        var x = samples
        if abs(sampleRate - Self.sampleRate) >= 1 {
            let f = RationalResampler.fraction(approximating: Self.sampleRate / sampleRate)
            let rs: RationalResampler
            do { rs = try RationalResampler(interpolation: f.interpolation, decimation: f.decimation, passband: 0.6) } catch {
                throw .unsupportedSampleRate(sampleRate)
            }
            var out = [ComplexFloat](repeating: .zero, count: rs.maximumOutputCount(forInput: samples.count))
            let n = samples.withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { rs.process(i, into: $0) } }
            x = Array(out[0..<n])
        }
        if x.count > searcher.configuration.maxSamples { x = Array(x[0..<searcher.configuration.maxSamples]) }
        let cells = try searcher.search(x)
        return cells.map { c in
            let y = CellSearcher.mix(x, offsetHz: c.carrierOffsetHz)
            let m = pbch.measure(y, pci: c.pci, frameStart: c.frameStart, normalCP: c.normalCP)
            let decoded = pbch.decode(y, pci: c.pci, frameStart: c.frameStart, normalCP: c.normalCP)
            func dB(_ v: Double?) -> Decibels? { v.flatMap { $0 > 0 && $0.isFinite ? Decibels(10 * log10($0)) : nil } }
            var report = LTECellReport(detection: c, crsResidualOffsetHz: m?.residualOffsetHz, rsrp: dB(m?.rsrp), rsrq: dB(m?.rsrq),
                                       sinr: dB(m?.sinr), pbch: decoded)
            if let p = decoded {
                // The CRS-measured residual offset is taken out too before the PDCCH/PDSCH.
                let z = (m?.residualOffsetHz).map { CellSearcher.mix(y, offsetHz: $0) } ?? y
                do {
                    report.systemInformation = try sib.decode(z, pci: c.pci, frameStart: c.frameStart, duplex: c.duplex,
                                                              normalCP: c.normalCP, mib: p.mib, ports: p.ports)
                } catch {
                    report.systemInformationSkipped = String(describing: error)
                }
            }
            return report
        }
    }
}
