import CellwatchModel
import DSP
import Foundation

/// Everything the receiver learned about one cell.
public struct LTECellReport: Sendable, Equatable {
    public var detection: LTECellDetection
    public var pci: Int { detection.pci }
    public var duplex: LTEDuplex { detection.duplex }
    public var carrierOffset: Hertz { Hertz(detection.carrierOffsetHz) }
    /// RSRP from the port-0 CRS of subframe 0, dB relative to a full-scale complex sinusoid.
    public var rsrp: Decibels?
    public var pbch: PBCHDecode?
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

    public init(configuration: CellSearchConfiguration = .init()) throws(LTEError) {
        searcher = try CellSearcher(configuration: configuration)
        pbch = try PBCHDecoder()
    }

    /// Decodes the cells in `samples` (taken at `sampleRate`, which must be 1.92 MS/s).
    public func decode(_ samples: [ComplexFloat], sampleRate: Double) throws(LTEError) -> [LTECellReport] {
        guard abs(sampleRate - Self.sampleRate) < 1 else { throw .unsupportedSampleRate(sampleRate) }
        let x = samples.count > searcher.configuration.maxSamples
            ? Array(samples[0..<searcher.configuration.maxSamples]) : samples
        let cells = try searcher.search(x)
        return cells.map { c in
            let y = CellSearcher.mix(x, offsetHz: c.carrierOffsetHz)
            let power = pbch.rsrp(y, pci: c.pci, frameStart: c.frameStart, normalCP: c.normalCP)
            let decoded = pbch.decode(y, pci: c.pci, frameStart: c.frameStart, normalCP: c.normalCP)
            return LTECellReport(detection: c, rsrp: power.flatMap { $0 > 0 ? Decibels(10 * log10($0)) : nil }, pbch: decoded)
        }
    }
}
