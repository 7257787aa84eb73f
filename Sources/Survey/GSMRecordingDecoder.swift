import Foundation
import CellwatchModel
import DSP
import GSM
import Radio

/// One carrier's decode: where it is, every block, and the cell summary.
public struct GSMCarrierDecode: Sendable {
    public var arfcn: Int?
    public var band: GSMBand?
    public var frequency: Hertz?
    /// Offset from the recording's centre that was decoded.
    public var offset: Hertz
    public var blocks: [(block: GSMBlock, message: RRMessage?, messageError: RRDecodingError?)]
    public var summary: GSMCellSummary
    /// Measured carrier offset from the nominal channel frequency (Hz), when an FCCH was found.
    public var frequencyOffset: Double?
    public var powerDBFS: Decibels?
    public var snr: Decibels?
}

public enum GSMDecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    case radio(RadioError)
    case arfcnOutsideSpan(source: String, arfcn: Int, low: Hertz, high: Hertz)
    case arfcnNeedsFrequency(source: String)
    case unknownARFCN(Int)
    case setup(String)

    public var description: String {
        switch self {
        case .radio(let e): e.description
        case .arfcnOutsideSpan(let source, let arfcn, let low, let high):
            "\(source): ARFCN \(arfcn) is not inside the recorded span \(low)–\(high)"
        case .arfcnNeedsFrequency(let source):
            "\(source): --arfcn needs the recording's centre frequency (core:frequency or --frequency)"
        case .unknownARFCN(let n): "ARFCN \(n) is in no GSM band"
        case .setup(let what): what
        }
    }
}

/// `cellwatch decode gsm`: finds the GSM carriers of a recording (or takes the one asked for), runs a
/// `GSMReceiver` on each, decodes the RR messages and summarises each cell. Several carriers of one
/// wideband recording are decoded in one pass over the file.
public final class GSMRecordingDecoder {
    public init() {}

    public func decode(_ device: FileDevice, source: String, arfcn: Int? = nil, bands: [GSMBand] = GSMBand.surveyDefaults)
        throws(GSMDecodeError) -> [GSMCarrierDecode]
    {
        let recording = device.recording
        let centre = recording.segments.first?.frequency
        let half = recording.sampleRate / 2
        var targets: [(arfcn: Int?, band: GSMBand?, frequency: Hertz?, offset: Double)] = []

        if let arfcn {
            guard let centre else { throw .arfcnNeedsFrequency(source: source) }
            let candidates = bands.compactMap { b in b.downlink(ARFCN(arfcn)).map { (b, $0) } }
            guard !candidates.isEmpty else { throw .unknownARFCN(arfcn) }
            guard let (band, f) = candidates.first(where: { abs($0.1.value - centre.value) < half - 100e3 }) else {
                throw .arfcnOutsideSpan(source: source, arfcn: arfcn, low: Hertz(centre.value - half), high: Hertz(centre.value + half))
            }
            targets = [(arfcn, band, f, f.value - centre.value)]
        } else if centre != nil {
            // Carriers from a spectrum scan; each decoded at its ARFCN's nominal frequency so that the
            // measured offset is the carrier's own error.
            var config = ScanConfiguration()
            config.bands = bands.map(Band.gsm)
            let report: ScanReport
            do {
                report = try SpectrumScanner(configuration: config, sampleRate: recording.sampleRate).scan(device, source: source)
            } catch {
                throw .setup(error.description)
            }
            device.rewind()
            for c in report.carriers where c.rat == .gsm {
                guard case .gsm(let band)? = c.band, let n = c.channel, let f = band.downlink(ARFCN(n)), let centre else { continue }
                targets.append((n, band, f, f.value - centre.value))
            }
        }
        if targets.isEmpty {
            // No frequency known, or nothing found: assume the recording is centred on the carrier.
            targets = [(nil, nil, centre, 0)]
        }

        var receivers: [GSMReceiver] = []
        do {
            for t in targets { receivers.append(try GSMReceiver(inputRate: recording.sampleRate, carrierOffset: t.offset)) }
        } catch {
            throw .setup("cannot set up a GSM receiver: \(error)")
        }
        var events = [[GSMReceiverEvent]](repeating: [], count: receivers.count)
        let block = SampleBlock(capacity: 1 << 16)
        do {
            while try device.read(into: block) {
                block.withSamples { samples in
                    for (i, r) in receivers.enumerated() { events[i] += r.process(samples) }
                }
            }
        } catch {
            throw .radio(error)
        }
        for (i, r) in receivers.enumerated() { events[i] += r.finish() }

        return targets.enumerated().map { i, t in
            var summary = GSMCellSummary()
            summary.bsic = receivers[i].bsic
            var blocks: [(GSMBlock, RRMessage?, RRDecodingError?)] = []
            for case .block(let b) in events[i] {
                let (message, messageError) = Self.message(b)
                summary.add(b, message: message)
                blocks.append((b, message, messageError))
            }
            blocks.sort { $0.0.frameNumber < $1.0.frameNumber }
            let r = receivers[i]
            return GSMCarrierDecode(arfcn: t.arfcn, band: t.band, frequency: t.frequency, offset: Hertz(t.offset), blocks: blocks,
                                    summary: summary, frequencyOffset: r.frequencyOffset,
                                    powerDBFS: r.meanPower.map { Decibels(powerRatio: $0) },
                                    snr: r.meanSNR.map { Decibels(powerRatio: $0) })
        }
    }

    /// The same decoding from a gr-gsm bursts capture (timeslot 0 of the downlink).
    /// `arfcn` overrides the GSMTAP header's (gr-gsm often leaves it 0).
    public func decodeBursts(path: String, arfcn: Int? = nil) throws(BurstFileError) -> GSMCarrierDecode {
        let file = try GRGSMBurstFile(path: path)
        let decoder = RecordedBurstDecoder()
        var summary = GSMCellSummary()
        var blocks: [(GSMBlock, RRMessage?, RRDecodingError?)] = []
        while let burst = try file.next() {
            guard let b = decoder.add(burst) else { continue }
            let (message, error) = Self.message(b)
            summary.add(b, message: message)
            blocks.append((b, message, error))
        }
        summary.bsic = decoder.bsic
        let channel = arfcn ?? decoder.arfcn
        let band = channel.flatMap { n in GSMBand.surveyDefaults.first { $0.contains(ARFCN(n)) } }
        return GSMCarrierDecode(arfcn: channel, band: band, frequency: channel.flatMap { band?.downlink(ARFCN($0)) },
                                offset: Hertz(0), blocks: blocks, summary: summary, frequencyOffset: nil, powerDBFS: nil, snr: nil)
    }

    static func message(_ b: GSMBlock) -> (RRMessage?, RRDecodingError?) {
        guard let l2 = b.l2 else { return (nil, nil) }
        do throws(RRDecodingError) { return (try RRMessageDecoder.decode(l2Block: l2), nil) } catch { return (nil, error) }
    }
}

extension GSMCarrierDecode {
    /// The carrier as one `CellObservation` for detection: identity (from SI3/SI4), the broadcast
    /// parameters rules read, message counts over `windowSeconds`, and the RF measurements. Nil when
    /// the cell's identity (MCC, MNC, LAC, CI) or its ARFCN was not decoded.
    public func observation(sensorID: String, time: Date, windowSeconds: Double, position: GeoFix? = nil,
                            frequencyCalibrated: Bool = false) -> CellObservation? {
        let s = summary
        guard let arfcn, let mcc = s.mcc, let mnc = s.mnc, let lac = s.lac, let ci = s.cellIdentity else { return nil }
        let paging = ["PR1", "PR2", "PR3"].reduce(0) { $0 + (s.messageCounts[$1] ?? 0) }
        let assignments = ["IA", "IAX"].reduce(0) { $0 + (s.messageCounts[$1] ?? 0) }
        return CellObservation(
            rat: .gsm, channel: .arfcn(ARFCN(arfcn)),
            identity: CellIdentity(mcc: mcc, mnc: mnc, areaCode: lac, cellId: ci, bsic: s.bsic.map { Int($0.value) }),
            cellReselectOffset: s.cellReselectOffset, temporaryOffset: s.temporaryOffset, penaltyTime: s.penaltyTime,
            t3212DeciHours: s.t3212, ccchConf: s.ccchConf, bsPaMfrms: s.bsPaMfrmsCode,
            neighbourARFCNs: s.neighbours.map { $0.map(ARFCN.init) },
            pagingRequestCount: paging, immediateAssignmentCount: assignments, countWindowSeconds: windowSeconds,
            powerDBFS: powerDBFS, snrDB: snr,
            carrierOffset: frequencyOffset.map(Hertz.init),
            carrierOffsetPPM: frequencyOffset.flatMap { off in frequency.map { off / $0.value * 1e6 } },
            frequencyCalibrated: frequencyCalibrated, sensorID: sensorID, position: position, time: time)
    }
}
