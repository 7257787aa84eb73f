import CellwatchModel
import DSP
import Foundation
import GSM
import LTE
import Radio
import Simulation
import Survey

/// Where the dBm of a gain calibration come from.
public enum GainReference: Sendable {
    case none
    /// A technician's reading at the antenna port (a spectrum analyser or power meter, channel power over
    /// 200 kHz) of one cell's BCCH carrier, in dBm.
    case meter(dBm: Double, band: GSMBand, arfcn: Int)
    /// A model that knows each carrier's received power in dBm (the simulated scene's transmit power and
    /// path loss), by nominal frequency; nil for a carrier it does not know.
    case scene(@Sendable (Hertz) -> Double?)
}

/// What `cellwatch calibrate` does.
public struct CalibrationSettings: Sendable {
    /// GSM bands surveyed for strong carriers.
    public var bands: [GSMBand] = GSMBand.surveyDefaults
    /// LTE bands surveyed for cells (PSS/SSS); none by default (GSM's FCCH is the sharper measure).
    public var lteBands: [LTEBand] = []
    /// Carriers to measure instead of surveying (`--arfcn`, `--earfcn`).
    public var carriers: [(band: GSMBand, arfcn: Int)] = []
    public var lteCarriers: [(band: LTEBand, earfcn: Int)] = []
    /// Seconds of IQ per measured GSM cell: an FCCH burst comes every 46 ms, so 1 s gives about 20.
    public var dwellSeconds: Double = 1
    /// Seconds of PSD per tuning step of the survey.
    public var lookSeconds: Double = 0.05
    /// Most carriers measured (the strongest first).
    public var maxCells = 6
    /// A surveyed GSM carrier needs this SNR (dB in its channel) to be measured.
    public var minimumSNR: Double = 12
    /// A measured GSM cell needs this many FCCH bursts to count.
    public var minimumBursts = 3
    /// Cells whose estimates differ from the median by more than this (ppm) are rejected.
    public var agreementPPM = 0.5
    public var gainReference: GainReference = .none

    public init() {}

    var allBands: [Band] { bands.map(Band.gsm) + lteBands.map(Band.lte) }
}

/// Measures a receiver's crystal error (ppm) from the FCCH of strong GSM cells (and the PSS/SSS of LTE
/// cells when LTE bands are asked for) and, with a power reference, its gain offset to dBm.
///
/// 1. Survey: PSD looks over the bands (`SpectrumScanner`, `CarrierDetector`); GSM carriers at or above
///    `minimumSNR` and LTE carriers, strongest first (or the carriers named with `--arfcn`/`--earfcn`).
/// 2. Dwell on each: tuned so the carrier sits 15 % of the sample rate off centre (away from the DC
///    spur). GSM: `dwellSeconds` of IQ through a `GSMReceiver`, whose FCCH detector measures every
///    frequency correction burst (a pure tone 1625/24 kHz above the carrier, TS 45.002 §5.2.4,
///    TS 45.004 §2.1); the cell's offset is the median of its bursts' estimates. LTE: the capture mixed to
///    the carrier through the `LTEReceiver` (PSS/SSS search, CFO, CRS residual, TS 36.211 §6.11); every
///    cell whose MIB decodes counts.
/// 3. A receiver whose crystal runs fast by p sees every cell at −p·f/(1+p) (its LO and its sample
///    clock share the crystal), so each cell gives p = −offset / (f + offset); `CalibrationFit` combines
///    the cells robustly.
/// A recording (a device that cannot be tuned) is measured on its first `dwellSeconds`.
public final class CrystalCalibrator {
    public let device: any RadioDevice
    public let deviceID: CalibrationDeviceID
    public let settings: CalibrationSettings
    let clock: () -> Date
    let progress: ((String) -> Void)?
    private let source: DwellSource
    private let block = SampleBlock(capacity: 1 << 16)
    private let scanner: SpectrumScanner
    private var lteReceiver: LTEReceiver?

    public init(device: any RadioDevice, deviceID: CalibrationDeviceID, settings: CalibrationSettings,
                clock: @escaping () -> Date = Date.init, progress: ((String) -> Void)? = nil) throws(CalibrationError) {
        guard settings.dwellSeconds >= 0.05, settings.dwellSeconds <= 60 else {
            throw .badArguments("--seconds: \(settings.dwellSeconds) is outside 0.05–60 seconds per cell")
        }
        self.device = device
        self.deviceID = deviceID
        self.settings = settings
        self.clock = clock
        self.progress = progress
        let rate = device.sampleRate
        source = DwellSource(inner: device, capacity: max(1, Int(rate * settings.dwellSeconds)))
        let scan = SweepPlan.scanConfiguration(bands: settings.allBands, aliasFree: device.aliasFreeFraction)
        do {
            scanner = try SpectrumScanner(configuration: scan, sampleRate: rate)
        } catch {
            throw .radio("\(device.name): cannot set up the spectrum scan: \(error)")
        }
    }

    enum Channel: Equatable {
        case gsm(GSMBand, Int)
        case lte(LTEBand, Int)

        var label: String {
            switch self {
            case .gsm(let b, let n): "ARFCN \(n) (\(b.rawValue))"
            case .lte(let b, let n): "EARFCN \(n) (\(b.name))"
            }
        }
        var frequency: Hertz? {
            switch self {
            case .gsm(let b, let n): b.downlink(ARFCN(n))
            case .lte(let b, let n): b.downlink(EARFCN(n))
            }
        }
    }

    struct Candidate {
        var channel: Channel
        var frequency: Hertz
        var powerDBFS: Double?
        var snr: Double?
    }

    /// Where the carrier is put in the capture: off centre, away from a zero-IF receiver's DC spur.
    var carrierShift: Double { min(device.sampleRate * 0.15, 1e6) }

    public func run() throws(CalibrationError) -> ReceiverCalibration {
        let rate = device.sampleRate
        let bandNames = settings.allBands.map(\.name).joined(separator: ", ")
        var named: [Channel] = settings.carriers.map { .gsm($0.band, $0.arfcn) } + settings.lteCarriers.map { .lte($0.band, $0.earfcn) }
        for c in named where c.frequency == nil {
            throw .badArguments("\(c.label) is not a downlink channel of its band")
        }
        // Tunable? The first place we will look at tells.
        let firstCentre: Hertz
        if let f = named.first?.frequency {
            firstCentre = f - Hertz(carrierShift)
        } else {
            firstCentre = SweepPlan.centres(bands: settings.allBands, for: device).first ?? Hertz(0)
        }
        var tunable = true
        do throws(RadioError) { try device.tune(to: firstCentre) } catch {
            if case .deviceGone = error { throw .radio(error.description) }
            tunable = false
        }

        var candidates: [Candidate] = []
        var surveyNote = ""
        if !tunable {
            // A recording: one capture, surveyed and measured as it is.
            let report = try scan(samples: Int(rate * settings.dwellSeconds))
            candidates = carriers(report)
            surveyNote = "\(report.carriers.count) carriers in the recording's first \(fmt(Double(source.captured) / rate)) s"
        } else if named.isEmpty {
            let centres = SweepPlan.centres(bands: settings.allBands, for: device)
            var seen = 0
            for (i, c) in centres.enumerated() {
                try tune(c)
                progress?("survey \(i + 1)/\(centres.count): \(fmt(c.megahertz, 1)) MHz")
                let report = try scan(samples: max(1, Int(rate * settings.lookSeconds)))
                seen += report.carriers.count
                for k in carriers(report) {
                    if let j = candidates.firstIndex(where: { $0.channel == k.channel }) {
                        if (k.powerDBFS ?? -999) > (candidates[j].powerDBFS ?? -999) { candidates[j] = k }
                    } else {
                        candidates.append(k)
                    }
                }
            }
            surveyNote = "\(seen) carriers seen over \(centres.count) tuning steps of \(bandNames)"
        }
        if !named.isEmpty {
            // Named carriers are measured whatever the survey saw (a technician's trusted cells).
            candidates = named.map { c in
                candidates.first { $0.channel == c } ?? Candidate(channel: c, frequency: c.frequency!, powerDBFS: nil, snr: nil)
            }
        } else {
            // GSM carriers need the SNR; an LTE carrier was already told apart by its cyclic prefix.
            let strong = candidates.filter { c in
                if case .gsm = c.channel { return (c.snr ?? 0) >= settings.minimumSNR }
                return true
            }.sorted { ($0.powerDBFS ?? -999) > ($1.powerDBFS ?? -999) }
            guard !strong.isEmpty else {
                let best = candidates.max { ($0.snr ?? 0) < ($1.snr ?? 0) }
                throw .noStrongCell(device: device.name, detail: "\(surveyNote); "
                    + (best.map { "the best GSM carrier, \($0.channel.label), stands only \(fmt($0.snr ?? 0, 1)) dB above the noise (\(fmt(settings.minimumSNR, 0)) dB needed)" }
                        ?? "none is a GSM or LTE carrier of \(bandNames)")
                    + "; check the antenna, the band (--band) and the gain, or name a cell with --arfcn")
            }
            candidates = Array(strong.prefix(settings.maxCells))
            // The meter's cell is measured too, whatever its rank.
            if case .meter(_, let band, let arfcn) = settings.gainReference,
               !candidates.contains(where: { $0.channel == .gsm(band, arfcn) }) {
                guard let f = band.downlink(ARFCN(arfcn)) else {
                    throw .badArguments("--reference-arfcn \(arfcn) is not a channel of \(band.rawValue)")
                }
                candidates.append(strong.first { $0.channel == .gsm(band, arfcn) }
                                  ?? Candidate(channel: .gsm(band, arfcn), frequency: f, powerDBFS: nil, snr: nil))
            }
        }
        named = []

        var cells: [CalibrationCell] = []
        for (i, c) in candidates.enumerated() {
            progress?("cell \(i + 1)/\(candidates.count): \(c.channel.label), \(fmt(c.frequency.megahertz, 1)) MHz")
            cells += try measure(c, tunable: tunable)
        }
        for i in cells.indices where cells[i].rat == "GSM" && cells[i].fcchBursts < settings.minimumBursts {
            cells[i].used = false
            cells[i].rejected = cells[i].rejected ?? "\(cells[i].fcchBursts) FCCH bursts (\(settings.minimumBursts) needed)"
        }
        let usable = cells.indices.filter { cells[$0].used }
        guard !usable.isEmpty else {
            let tried = cells.map { "\($0.label): \($0.rejected ?? "")" }.joined(separator: ", ")
            throw .noStrongCell(device: device.name, detail: "\(surveyNote.isEmpty ? "" : surveyNote + "; ")no carrier could be measured (\(tried.isEmpty ? "none in the capture" : tried)); these are not GSM BCCH carriers or LTE cells, or too weak")
        }
        let estimates = usable.map { (ppm: cells[$0].ppm, uncertainty: cells[$0].ppmUncertainty) }
        let labels = usable.map { cells[$0].label }
        let fit: CalibrationFit.Result
        switch CalibrationFit.fit(estimates, labels: labels, agreementPPM: settings.agreementPPM) {
        case .success(let r): fit = r
        case .failure(.noCells): throw .noStrongCell(device: device.name, detail: "no cell measured")
        case .failure(.disagree(let why)): throw .cellsDisagree(device: device.name, detail: why)
        }
        for (k, i) in usable.enumerated() where !fit.used.contains(k) {
            cells[i].used = false
            cells[i].rejected = fit.rejected.first { $0.index == k }?.reason ?? "disagrees with the other cells"
        }

        // Gain: dBm at the antenna port minus the dBFS the sensor reports for the same carrier.
        var gain: Double?
        var gainSource: String?
        switch settings.gainReference {
        case .none:
            break
        case .meter(let dBm, let band, let arfcn):
            guard let i = cells.firstIndex(where: { $0.rat == "GSM" && $0.band == band.rawValue && $0.channel == arfcn }),
                  let p = cells[i].powerDBFS else {
                throw .noStrongCell(device: device.name, detail: "the reference cell ARFCN \(arfcn) (\(band.rawValue)) could not be measured, so its \(fmt(dBm, 1)) dBm give no gain offset")
            }
            cells[i].referenceDBm = dBm
            gain = dBm - p
            gainSource = "meter"
        case .scene(let model):
            var offsets: [Double] = []
            for i in cells.indices where cells[i].used && cells[i].rat == "GSM" {
                guard let p = cells[i].powerDBFS, let dBm = model(Hertz(cells[i].frequencyHz)) else { continue }
                cells[i].referenceDBm = dBm
                offsets.append(dBm - p)
            }
            if !offsets.isEmpty {
                gain = CalibrationFit.median(offsets)
                gainSource = "scene"
            }
        }
        return ReceiverCalibration(device: deviceID, deviceName: device.name, ppm: fit.ppm, ppmUncertainty: fit.uncertainty,
                                   gainOffsetDB: gain, gainReference: gainSource, cells: cells, sampleRateHz: rate,
                                   dwellSeconds: settings.dwellSeconds, measuredAt: clock())
    }

    private func tune(_ f: Hertz) throws(CalibrationError) {
        do throws(RadioError) { try device.tune(to: f) } catch {
            throw .radio("\(device.name): cannot tune to \(fmt(f.megahertz, 3)) MHz: \(error)")
        }
    }

    private func scan(samples: Int) throws(CalibrationError) -> ScanReport {
        source.begin(samples: samples)
        do throws(ScanError) {
            return try scanner.scan(source, source: device.name)
        } catch {
            if case .outsideEveryBand(_, let low, let high, let bands) = error {
                throw .noStrongCell(device: device.name, detail: "the recording spans \(fmt(low.megahertz))–\(fmt(high.megahertz)) MHz, outside the bands asked for (\(bands.joined(separator: ", "))); check core:frequency and --band")
            }
            throw .radio(error.description)
        }
    }

    private func carriers(_ report: ScanReport) -> [Candidate] {
        report.carriers.compactMap { c in
            guard let n = c.channel else { return nil }
            let channel: Channel
            switch c.band {
            case .gsm(let b)? where c.rat == .gsm: channel = .gsm(b, n)
            case .lte(let b)? where c.rat == .lte: channel = .lte(b, n)
            default: return nil
            }
            guard let f = channel.frequency else { return nil }
            return Candidate(channel: channel, frequency: f, powerDBFS: c.powerDBFS.value, snr: c.snr.value)
        }
    }

    /// One carrier: a capture around it, through the GSM or LTE receiver. A GSM carrier gives one cell,
    /// an LTE carrier one per cell found on it; none when it lies outside a recording.
    private func measure(_ c: Candidate, tunable: Bool) throws(CalibrationError) -> [CalibrationCell] {
        let rate = device.sampleRate
        if tunable {
            try tune(c.frequency - Hertz(carrierShift))
            source.begin(samples: Int(rate * settings.dwellSeconds))
            do throws(RadioError) {
                while try source.read(into: block) {}
            } catch {
                throw .radio("\(device.name): \(error)")
            }
        }
        guard let centre = source.centre else { return [] }
        let offset = c.frequency.value - centre.value
        guard abs(offset) <= SweepPlan.trustedOffset(for: device) else { return [] }
        switch c.channel {
        case .gsm(let band, let arfcn):
            return [try measureGSM(c, band: band, arfcn: arfcn, offset: offset)]
        case .lte(let band, let earfcn):
            return try measureLTE(c, band: band, earfcn: earfcn, offset: offset)
        }
    }

    private func measureGSM(_ c: Candidate, band: GSMBand, arfcn: Int, offset: Double) throws(CalibrationError) -> CalibrationCell {
        let rate = device.sampleRate
        let receiver: GSMReceiver
        do { receiver = try GSMReceiver(inputRate: rate, carrierOffset: offset) } catch {
            throw .radio("\(device.name): cannot set up a GSM receiver at \(rate) S/s: \(error)")
        }
        let samples = source.capturedSamples
        var at = 0
        while at < samples.count {
            let n = min(1 << 16, samples.count - at)
            _ = receiver.process(UnsafeBufferPointer(rebasing: samples[at..<at + n]))
            at += n
        }
        _ = receiver.finish()
        let bursts = receiver.fcchOffsets
        let f = c.frequency.value
        var cell = CalibrationCell(rat: "GSM", band: band.rawValue, channel: arfcn, frequencyHz: f, offsetHz: 0, ppm: 0,
                                   ppmUncertainty: 0, fcchBursts: bursts.count, bsic: receiver.bsic.map { Int($0.value) },
                                   powerDBFS: receiver.meanPower.map { Decibels(powerRatio: $0).value } ?? c.powerDBFS,
                                   snrDB: receiver.meanSNR.map { Decibels(powerRatio: $0).value } ?? c.snr)
        guard !bursts.isEmpty else {
            cell.used = false
            cell.rejected = "no FCCH burst"
            return cell
        }
        let m = CalibrationFit.median(bursts)
        // Standard error of the median from the bursts' robust spread; one burst alone: 100 Hz (what a
        // single FCCH estimate holds at moderate SNR).
        let seHz: Double
        switch bursts.count {
        case 1: seHz = 100
        case 2: seHz = max(abs(bursts[0] - bursts[1]) / 2, 5)
        default:
            let mad = CalibrationFit.median(bursts.map { abs($0 - m) }) * 1.4826
            seHz = max(1.2533 * mad / Double(bursts.count).squareRoot(), 1)
        }
        cell.offsetHz = m
        cell.ppm = -m / (f + m) * 1e6
        cell.ppmUncertainty = seHz / f * 1e6
        return cell
    }

    /// The LTE receiver's CFO of each cell on the carrier. Its PSS/SSS estimate refined on the CRS holds
    /// a few tens of hertz; 30 Hz is taken as each cell's standard error.
    private func measureLTE(_ c: Candidate, band: LTEBand, earfcn: Int, offset: Double) throws(CalibrationError) -> [CalibrationCell] {
        let rate = device.sampleRate
        guard LTEReceiver.acceptedSampleRates.contains(rate) else { return [] }
        if lteReceiver == nil {
            do { lteReceiver = try LTEReceiver() } catch {
                throw .radio("\(device.name): cannot set up the LTE receiver: \(error)")
            }
        }
        guard let receiver = lteReceiver else { return [] }
        let captured = source.capturedSamples
        let n = min(captured.count, Int(rate * (receiver.analysedSeconds + 0.005)))
        var input = [ComplexFloat](repeating: .zero, count: n)
        input.withUnsafeMutableBufferPointer { buf in
            _ = buf.initialize(from: UnsafeBufferPointer(rebasing: captured[0..<n]))
            if offset != 0 { Mixer(frequency: -offset, sampleRate: rate).process(buf) }
        }
        let reports: [LTECellReport]
        do { reports = try receiver.decode(input, sampleRate: rate) } catch {
            return [CalibrationCell(rat: "LTE", band: band.name, channel: earfcn, frequencyHz: c.frequency.value, offsetHz: 0, ppm: 0,
                                    ppmUncertainty: 0, fcchBursts: 0, powerDBFS: c.powerDBFS, snrDB: c.snr, used: false,
                                    rejected: "the LTE receiver failed: \(error)")]
        }
        let f = c.frequency.value
        var out: [CalibrationCell] = []
        for r in reports {
            let cfo = r.carrierOffset.value
            var cell = CalibrationCell(rat: "LTE", band: band.name, channel: earfcn, frequencyHz: f, offsetHz: cfo,
                                       ppm: -cfo / (f + cfo) * 1e6, ppmUncertainty: 30 / f * 1e6, fcchBursts: 0, pci: r.pci,
                                       powerDBFS: c.powerDBFS, snrDB: r.sinr?.value ?? c.snr)
            if r.mib == nil {
                cell.used = false
                cell.rejected = "its MIB did not decode (not confirmed as a cell)"
            } else if abs(cell.ppm) > 100 {
                // The carrier's EARFCN comes from where its spectrum sits; a guess one 100 kHz raster step
                // off shows up as an impossible crystal error.
                cell.used = false
                cell.rejected = "\(fmt(cell.ppm)) ppm is no crystal error: the EARFCN guessed from the spectrum is probably off by a raster step; name it with --earfcn"
            }
            out.append(cell)
        }
        if out.isEmpty {
            out.append(CalibrationCell(rat: "LTE", band: band.name, channel: earfcn, frequencyHz: f, offsetHz: 0, ppm: 0,
                                       ppmUncertainty: 0, fcchBursts: 0, powerDBFS: c.powerDBFS, snrDB: c.snr, used: false,
                                       rejected: "no LTE cell found (PSS/SSS)"))
        }
        return out
    }

    private func fmt(_ v: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", v) }
}

/// A radio seen through its calibration: asked to tune to f, it tunes the device to f / (1 + ppm·10⁻⁶),
/// which a crystal fast by ppm turns into f; blocks report the frequency really received. A device that
/// cannot be tuned (a recording) passes through unchanged (the survey then corrects measured offsets).
public final class CalibratedDevice: RadioDevice {
    public let inner: any RadioDevice
    public let ppm: Double
    private var tuned = false

    public init(inner: any RadioDevice, ppm: Double) {
        self.inner = inner
        self.ppm = ppm
    }

    public var name: String { inner.name }
    public var sampleRate: Double { inner.sampleRate }
    public var totalSamples: Int64? { inner.totalSamples }
    public var aliasFreeFraction: Double { inner.aliasFreeFraction }

    public func tune(to frequency: Hertz) throws(RadioError) {
        try inner.tune(to: Hertz(frequency.value / (1 + ppm * 1e-6)))
        tuned = true
    }

    public func read(into block: SampleBlock) throws(RadioError) -> Bool {
        guard try inner.read(into: block) else { return false }
        if tuned, let c = block.centreFrequency {
            block.setFilled(count: block.count, startSample: block.startSample, centreFrequency: Hertz(c.value * (1 + ppm * 1e-6)),
                            sampleRate: block.sampleRate, segment: block.segment, overflow: block.overflow)
        }
        return true
    }
}

extension GainReference {
    /// The simulated scene's own truth: each rendered transmitter's mean received power at the sensor
    /// (transmit power, path loss, shadowing; not the multipath fading) at the scene's current time.
    public static func scene(of device: SimulatedDevice) -> GainReference {
        let link = device.renderer.link
        let trajectory = device.sensor.trajectory
        let time = device.scenarioTime
        return .scene { f in
            var best: Double?
            for (i, tx) in link.transmitters.enumerated() where tx.rendered && tx.isActive(at: time) {
                guard abs(tx.frequency.value - f.value) < 1e3 else { continue }
                let p = link.link(i, receiver: trajectory, at: time).powerDBm
                best = max(best ?? p, p)
            }
            return best
        }
    }
}
