import CellwatchModel
import DSP
import Foundation
import GSM
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
    /// Carriers to measure instead of surveying (`--arfcn`).
    public var carriers: [(band: GSMBand, arfcn: Int)] = []
    /// Seconds of IQ per measured cell: an FCCH burst comes every 46 ms, so 1 s gives about 20.
    public var dwellSeconds: Double = 1
    /// Seconds of PSD per tuning step of the survey.
    public var lookSeconds: Double = 0.05
    /// Most cells measured (the strongest first).
    public var maxCells = 6
    /// A surveyed carrier needs this SNR (dB in its channel) to be measured.
    public var minimumSNR: Double = 12
    /// A measured cell needs this many FCCH bursts to count.
    public var minimumBursts = 3
    /// Cells whose estimates differ from the median by more than this (ppm) are rejected.
    public var agreementPPM = 0.5
    public var gainReference: GainReference = .none

    public init() {}
}

/// Measures a receiver's crystal error (ppm) from the FCCH of strong GSM cells and, with a power
/// reference, its gain offset to dBm.
///
/// 1. Survey: PSD looks over the GSM bands (`SpectrumScanner`, `CarrierDetector`); GSM carriers at or
///    above `minimumSNR`, strongest first (or the carriers named with `--arfcn`).
/// 2. Dwell on each: tuned so the carrier sits 15 % of the sample rate off centre (away from the DC
///    spur), `dwellSeconds` of IQ through a `GSMReceiver`, whose FCCH detector measures every frequency
///    correction burst (a pure tone 1625/24 kHz above the carrier, TS 45.002 §5.2.4, TS 45.004 §2.1).
///    The cell's offset is the median of its bursts' estimates.
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

    public init(device: any RadioDevice, deviceID: CalibrationDeviceID, settings: CalibrationSettings,
                clock: @escaping () -> Date = Date.init, progress: ((String) -> Void)? = nil) throws(CalibrationError) {
        guard settings.dwellSeconds > 0.05, settings.dwellSeconds <= 60 else {
            throw .badArguments("--seconds: \(settings.dwellSeconds) is outside 0.05–60 seconds per cell")
        }
        self.device = device
        self.deviceID = deviceID
        self.settings = settings
        self.clock = clock
        self.progress = progress
        let rate = device.sampleRate
        source = DwellSource(inner: device, capacity: max(1, Int(rate * settings.dwellSeconds)))
        var scan = ScanConfiguration()
        scan.bands = settings.bands.map(Band.gsm)
        do {
            scanner = try SpectrumScanner(configuration: scan, sampleRate: rate)
        } catch {
            throw .radio("\(device.name): cannot set up the spectrum scan: \(error)")
        }
    }

    struct Candidate {
        var band: GSMBand
        var arfcn: Int
        var frequency: Hertz
        var powerDBFS: Double?
        var snr: Double?
    }

    /// Where the carrier is put in the capture: off centre, away from a zero-IF receiver's DC spur.
    var carrierShift: Double { min(device.sampleRate * 0.15, 1e6) }

    public func run() throws(CalibrationError) -> ReceiverCalibration {
        let rate = device.sampleRate
        let bandNames = settings.bands.map(\.rawValue).joined(separator: ", ")
        // Tunable? The first place we will look at tells.
        let firstCentre: Hertz
        if let c = settings.carriers.first, let f = c.band.downlink(ARFCN(c.arfcn)) {
            firstCentre = f - Hertz(carrierShift)
        } else {
            firstCentre = SweepPlan.centres(bands: settings.bands.map(Band.gsm), sampleRate: rate).first ?? Hertz(0)
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
            candidates = gsmCarriers(report)
            surveyNote = "\(report.carriers.count) carriers in the recording's first \(fmt(Double(source.captured) / rate)) s"
        } else if settings.carriers.isEmpty {
            let centres = SweepPlan.centres(bands: settings.bands.map(Band.gsm), sampleRate: rate)
            var seen = 0
            for (i, c) in centres.enumerated() {
                try tune(c)
                progress?("survey \(i + 1)/\(centres.count): \(fmt(c.megahertz, 1)) MHz")
                let report = try scan(samples: max(1, Int(rate * settings.lookSeconds)))
                seen += report.carriers.count
                for k in gsmCarriers(report) {
                    if let j = candidates.firstIndex(where: { $0.band == k.band && $0.arfcn == k.arfcn }) {
                        if (k.powerDBFS ?? -999) > (candidates[j].powerDBFS ?? -999) { candidates[j] = k }
                    } else {
                        candidates.append(k)
                    }
                }
            }
            surveyNote = "\(seen) carriers seen over \(centres.count) tuning steps of \(bandNames)"
        }
        if !settings.carriers.isEmpty {
            // Named carriers are measured whatever the survey saw (a technician's trusted cells).
            var named: [Candidate] = []
            for c in settings.carriers {
                guard let f = c.band.downlink(ARFCN(c.arfcn)) else {
                    throw .badArguments("--arfcn \(c.arfcn) is not a channel of \(c.band.rawValue)")
                }
                let seen = candidates.first { $0.band == c.band && $0.arfcn == c.arfcn }
                named.append(seen ?? Candidate(band: c.band, arfcn: c.arfcn, frequency: f, powerDBFS: nil, snr: nil))
            }
            candidates = named
        } else {
            let strong = candidates.filter { ($0.snr ?? 0) >= settings.minimumSNR }
                .sorted { ($0.powerDBFS ?? -999) > ($1.powerDBFS ?? -999) }
            guard !strong.isEmpty else {
                let best = candidates.max { ($0.snr ?? 0) < ($1.snr ?? 0) }
                throw .noStrongCell(device: device.name, detail: "\(surveyNote); "
                    + (best.map { "the best GSM carrier, ARFCN \($0.arfcn) (\($0.band.rawValue)), stands only \(fmt($0.snr ?? 0, 1)) dB above the noise (\(fmt(settings.minimumSNR, 0)) dB needed)" }
                        ?? "none is a GSM carrier in \(bandNames)")
                    + "; check the antenna, the band (--band) and the gain, or name a cell with --arfcn")
            }
            candidates = Array(strong.prefix(settings.maxCells))
            // The meter's cell is measured too, whatever its rank.
            if case .meter(_, let band, let arfcn) = settings.gainReference,
               !candidates.contains(where: { $0.band == band && $0.arfcn == arfcn }) {
                guard let f = band.downlink(ARFCN(arfcn)) else {
                    throw .badArguments("--reference-arfcn \(arfcn) is not a channel of \(band.rawValue)")
                }
                candidates.append(strong.first { $0.band == band && $0.arfcn == arfcn }
                                  ?? Candidate(band: band, arfcn: arfcn, frequency: f, powerDBFS: nil, snr: nil))
            }
        }

        var cells: [CalibrationCell] = []
        for (i, c) in candidates.enumerated() {
            progress?("cell \(i + 1)/\(candidates.count): ARFCN \(c.arfcn) (\(c.band.rawValue), \(fmt(c.frequency.megahertz, 1)) MHz)")
            if let cell = try measure(c, tunable: tunable) { cells.append(cell) }
        }
        let usable = cells.indices.filter { cells[$0].fcchBursts >= settings.minimumBursts }
        for i in cells.indices where !usable.contains(i) {
            cells[i].used = false
            cells[i].rejected = cells[i].rejected ?? "\(cells[i].fcchBursts) FCCH bursts (\(settings.minimumBursts) needed)"
        }
        guard !usable.isEmpty else {
            let tried = cells.map { "ARFCN \($0.arfcn): \($0.fcchBursts) FCCH" }.joined(separator: ", ")
            throw .noStrongCell(device: device.name, detail: "\(surveyNote.isEmpty ? "" : surveyNote + "; ")no carrier gave \(settings.minimumBursts) FCCH bursts in \(fmt(settings.dwellSeconds)) s (\(tried.isEmpty ? "none measurable" : tried)); these are not GSM BCCH carriers, or too weak")
        }
        let estimates = usable.map { (ppm: cells[$0].ppm, uncertainty: cells[$0].ppmUncertainty) }
        let labels = usable.map { "ARFCN \(cells[$0].arfcn)" }
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
            guard let i = cells.firstIndex(where: { $0.band == band.rawValue && $0.arfcn == arfcn }), let p = cells[i].powerDBFS else {
                throw .noStrongCell(device: device.name, detail: "the reference cell ARFCN \(arfcn) (\(band.rawValue)) could not be measured, so its \(fmt(dBm, 1)) dBm give no gain offset")
            }
            cells[i].referenceDBm = dBm
            gain = dBm - p
            gainSource = "meter"
        case .scene(let model):
            var offsets: [Double] = []
            for i in cells.indices where cells[i].used {
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
                throw .noStrongCell(device: device.name, detail: "the recording spans \(fmt(low.megahertz))–\(fmt(high.megahertz)) MHz, outside the GSM bands asked for (\(bands.joined(separator: ", "))); check core:frequency and --band")
            }
            throw .radio(error.description)
        }
    }

    private func gsmCarriers(_ report: ScanReport) -> [Candidate] {
        report.carriers.compactMap { c in
            guard c.rat == .gsm, case .gsm(let b)? = c.band, let n = c.channel, let f = b.downlink(ARFCN(n)) else { return nil }
            return Candidate(band: b, arfcn: n, frequency: f, powerDBFS: c.powerDBFS.value, snr: c.snr.value)
        }
    }

    /// One cell: a capture around it, through a GSM receiver; nil when it lies outside a recording.
    private func measure(_ c: Candidate, tunable: Bool) throws(CalibrationError) -> CalibrationCell? {
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
        guard let centre = source.centre else { return nil }
        let offset = c.frequency.value - centre.value
        guard abs(offset) <= rate * 0.45 else { return nil }
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
        var cell = CalibrationCell(band: c.band.rawValue, arfcn: c.arfcn, frequencyHz: f, offsetHz: 0, ppm: 0, ppmUncertainty: 0,
                                   fcchBursts: bursts.count, bsic: receiver.bsic.map { Int($0.value) },
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
