import CellwatchModel
import Detection
import DSP
import Foundation
import GSM
import Logging
import LTE
import Radio
import Survey

/// The tuning steps of a sweep: each band's downlink range covered by centres spaced a little closer than
/// the radio's alias-free span (80 % of the sample rate for most radios), in band order, so that a carrier
/// at a step's edge is seen whole from the next step too.
public enum SweepPlan {
    /// Step spacing, as a fraction of the sample rate, for a radio whose alias-free share is `aliasFree`.
    public static func stepFraction(aliasFree: Double) -> Double { max(0.1, aliasFree - 0.1) }

    /// Half of the alias-free span in Hz: the largest offset from a capture's centre the survey trusts.
    public static func trustedOffset(sampleRate: Double, aliasFree: Double) -> Double { sampleRate * aliasFree / 2 }

    /// The spectrum scan for a radio: carriers and the noise floor are measured only inside its
    /// alias-free span.
    public static func scanConfiguration(bands: [Band], aliasFree: Double) -> ScanConfiguration {
        var scan = ScanConfiguration()
        scan.bands = bands
        scan.edgeGuard = max(scan.edgeGuard, (1 - aliasFree) / 2)
        return scan
    }

    /// The steps for `device`: spaced by its alias-free span (`stepFraction`).
    public static func centres(bands: [Band], for device: any RadioDevice) -> [Hertz] {
        centres(bands: bands, sampleRate: device.sampleRate, usableFraction: stepFraction(aliasFree: device.aliasFreeFraction))
    }

    /// `trustedOffset` of `device`.
    public static func trustedOffset(for device: any RadioDevice) -> Double {
        trustedOffset(sampleRate: device.sampleRate, aliasFree: device.aliasFreeFraction)
    }

    public static func centres(bands: [Band], sampleRate: Double, usableFraction: Double = 0.8) -> [Hertz] {
        let usable = sampleRate * usableFraction
        var out: [Hertz] = []
        for b in bands {
            let r = b.downlinkRange
            let width = r.upperBound.value - r.lowerBound.value
            let steps = max(1, Int((width / usable).rounded(.up)))
            let first = r.lowerBound.value + width / Double(steps) / 2
            for i in 0..<steps {
                let c = Hertz(first + Double(i) * width / Double(steps))
                if !out.contains(c) { out.append(c) }
            }
        }
        return out
    }
}

/// Forwards a device's samples to the spectrum scanner for one dwell (then reports end of stream) and
/// keeps a copy in the capture buffer for the receivers and evidence.
final class DwellSource: RadioDevice {
    let inner: any RadioDevice
    let capture: UnsafeMutableBufferPointer<ComplexFloat>
    var remaining = 0
    var captured = 0
    var centre: Hertz?
    var overflows = 0
    var samplesRead = 0
    var ended = false
    var name: String { inner.name }
    var sampleRate: Double { inner.sampleRate }
    var aliasFreeFraction: Double { inner.aliasFreeFraction }

    init(inner: any RadioDevice, capacity: Int) {
        self.inner = inner
        capture = .allocate(capacity: capacity)
        capture.initialize(repeating: .zero)
    }
    deinit { capture.deallocate() }

    func begin(samples: Int) {
        remaining = samples
        captured = 0
        overflows = 0
        samplesRead = 0
        centre = nil
    }

    func read(into block: SampleBlock) throws(RadioError) -> Bool {
        guard remaining > 0, !ended else { return false }
        guard try inner.read(into: block) else {
            ended = true
            return false
        }
        let n = block.count
        if centre == nil { centre = block.centreFrequency }
        if block.overflow { overflows += 1 }
        let take = min(n, capture.count - captured)
        if take > 0 {
            _ = UnsafeMutableBufferPointer(rebasing: capture[captured..<captured + take])
                .initialize(from: UnsafeBufferPointer(rebasing: block.unsafeSamples[0..<take]))
            captured += take
        }
        samplesRead += n
        remaining -= n
        return true
    }

    var capturedSamples: UnsafeBufferPointer<ComplexFloat> { UnsafeBufferPointer(rebasing: capture[0..<captured]) }
}

/// What one GSM carrier of one dwell gave.
public struct CarrierResult: Sendable {
    public var arfcn: Int
    public var band: GSMBand
    public var frequency: Hertz
    public var offset: Double
    public var summary: GSMCellSummary
    public var messages: [DecodedMessage]
    public var frequencyOffset: Double?
    public var powerDBFS: Decibels?
    public var snr: Decibels?

    /// The carrier as a `CellObservation` (the same mapping `decode gsm --assess` uses): nil until the
    /// cell's identity (MCC, MNC, LAC, CI) is decoded. Paging identities are only counted.
    public func observation(sensorID: String, time: Date, windowSeconds: Double, position: GeoFix?) -> CellObservation? {
        let s = summary
        guard let mcc = s.mcc, let mnc = s.mnc, let lac = s.lac, let ci = s.cellIdentity else { return nil }
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
            carrierOffsetPPM: frequencyOffset.map { $0 / frequency.value * 1e6 },
            frequencyCalibrated: false, sensorID: sensorID, position: position, time: time)
    }
}

/// What the LTE receiver gave for one cell on an LTE carrier of one dwell.
public struct LTECarrierResult: Sendable {
    public var key: CarrierKey
    public var frequency: Hertz
    public var offset: Double
    /// The carrier's power in the dwell's spectrum.
    public var powerDBFS: Decibels?
    public var report: LTECellReport

    /// The SI-RNTI transport blocks as evidence messages (broadcast only: no subscriber identities).
    public var messages: [DecodedMessage] {
        report.systemInformation.map { b in
            let name: String
            switch b.message {
            case .success(.systemInformationBlockType1): name = "SystemInformationBlockType1"
            case .success(.systemInformation(let si)): name = "SystemInformation (" + si.blocks.map(Self.blockName).joined(separator: ", ") + ")"
            case .success(.messageClassExtension): name = "messageClassExtension"
            case .failure(let e): name = "undecoded (\(e))"
            }
            return DecodedMessage(frameNumber: report.sfn ?? 0, channel: "DL-SCH", name: name,
                                  l2Hex: b.payload.map { String(format: "%02x", $0) }.joined(), fieldsJSON: nil)
        }
    }

    static func blockName(_ b: SystemInformation.Block) -> String {
        switch b {
        case .sib2: "SIB2"
        case .sib3: "SIB3"
        case .sib4: "SIB4"
        case .sib5: "SIB5"
        case .sib6: "SIB6"
        case .sib7: "SIB7"
        case .sib9: "SIB9"
        case .sib10: "SIB10"
        case .sib11: "SIB11"
        case .later(let k): "SIB\(12 + k)"
        case .sib8NotDecoded: "SIB8"
        }
    }

    /// The cell as a `CellObservation`: nil until SIB1 gives its identity (PLMN, TAC, ECI). The
    /// reselection priorities come from SIB3/5/6/7 when the capture held them.
    public func observation(sensorID: String, time: Date, position: GeoFix?) -> CellObservation? {
        guard let sib1 = report.sib1, let mcc = sib1.mcc, let mnc = sib1.mnc else { return nil }
        let cfo = report.carrierOffset.value
        var o = CellObservation(
            rat: .lte, channel: .earfcn(EARFCN(key.channel)),
            identity: CellIdentity(mcc: mcc, mnc: mnc, areaCode: sib1.trackingAreaCode, cellId: sib1.cellIdentity, pci: report.pci),
            powerDBFS: powerDBFS ?? report.rsrp, snrDB: report.sinr,
            carrierOffset: Hertz(cfo), carrierOffsetPPM: frequency.value > 0 ? cfo / frequency.value * 1e6 : nil,
            frequencyCalibrated: false, sensorID: sensorID, position: position, time: time)
        o.cellBarred = sib1.cellBarred
        for b in report.systemInformationBlocks {
            switch b {
            case .sib3(let s3):
                o.servingReselectionPriority = s3.cellReselectionPriority
                o.threshServingLow = s3.threshServingLow
            case .sib5(let s5):
                o.eutraNeighbourPriorities = s5.carriers.compactMap(\.cellReselectionPriority)
            case .sib6(let s6):
                o.utraPriorities = (s6.fdd + s6.tdd).compactMap(\.cellReselectionPriority)
            case .sib7(let s7):
                o.geranPriorities = s7.carrierGroups.compactMap(\.cellReselectionPriority)
                if let top = s7.carrierGroups.filter({ $0.cellReselectionPriority != nil })
                    .max(by: { ($0.cellReselectionPriority!, -$0.threshXHigh) < ($1.cellReselectionPriority!, -$1.threshXHigh) }) {
                    o.geranThreshXHigh = top.threshXHigh
                    o.geranThreshXLow = top.threshXLow
                }
            default:
                break
            }
        }
        return o
    }
}

/// A calibration as the survey applies it (see `ReceiverCalibration` for the conventions).
public struct AppliedCalibration: Sendable, Equatable {
    /// The receiver's crystal error (positive: fast).
    public var ppm: Double
    /// dBm = dBFS + gainOffsetDB.
    public var gainOffsetDB: Double?
    /// Whether the tuning itself is corrected (`CalibratedDevice` on a tunable radio: the LO sits where
    /// the block says); else (a recording) the LO sat at centre × (1 + ppm).
    public var tuningCorrected: Bool

    public init(ppm: Double, gainOffsetDB: Double?, tuningCorrected: Bool) {
        self.ppm = ppm
        self.gainOffsetDB = gainOffsetDB
        self.tuningCorrected = tuningCorrected
    }

    /// The cell's own carrier error from the offset the receiver measured against a carrier at nominal
    /// `frequency` in a capture reported at `centre`. The receiver counts hertz on the sample clock, which
    /// runs fast by ppm too: a cell off by e·f is measured at (f(1+e) − LO)/(1+p) − (f − centre), so
    /// e·f = measured·(1+p) + p·(f − centre) with a corrected LO (LO = centre) and
    /// measured·(1+p) + p·f without (LO = centre·(1+p)).
    public func cellOffset(measured: Double, frequency: Double, centre: Double?) -> Double {
        let p = ppm * 1e-6
        let lever = tuningCorrected ? frequency - (centre ?? frequency) : frequency
        return measured * (1 + p) + p * lever
    }

    public func apply(to o: inout CellObservation, frequency: Hertz, centre: Hertz?) {
        if let m = o.carrierOffset?.value, frequency.value > 0 {
            let e = cellOffset(measured: m, frequency: frequency.value, centre: centre?.value)
            o.carrierOffset = Hertz(e)
            o.carrierOffsetPPM = e / frequency.value * 1e6
            o.frequencyCalibrated = true
        }
        if let g = gainOffsetDB, let d = o.powerDBFS {
            o.powerDBm = Decibels(d.value + g)
        }
    }
}

/// Counters of one survey, for tests and the status line.
public struct SurveyStats: Sendable, Equatable {
    /// Decode dwells (full captures with the receivers run).
    public var dwells = 0
    /// PSD-only looks of the carrier-detection pass.
    public var looks = 0
    /// LTE cells found by the LTE receiver (PSS/SSS), and those whose SIB1 gave an identity.
    public var lteCellsFound = 0
    public var lteCellsIdentified = 0
    public var samples: Int64 = 0
    public var overflows = 0
    public var carriersFound = 0
    public var cellsDecoded = 0
    public var observations = 0
    public var suspectSnapshots = 0
    public var evidence = 0
    /// Times the radio went away (unplugged, reset) and the seconds of survey lost to it (closed gaps).
    public var radioOutages = 0
    public var radioGapSeconds = 0.0
}

/// The survey loop: sweep plan → dwell (PSD + capture) → carrier detection → GSM receivers on each GSM
/// carrier → `CellObservation` with the current position → spool; the Detector judges each
/// observation, raised suspects are spooled as snapshots and get signed evidence (an IQ snippet of
/// their carrier, the decoded messages and the observations). Everything a dwell produced is committed
/// in one spool transaction before the next dwell starts. The loop pings the systemd watchdog itself,
/// so a wedged DSP or USB read gets the daemon restarted.
public final class SurveyLoop: @unchecked Sendable {
    public struct Settings: Sendable {
        public var sensorID: String
        public var bands: [Band]
        public var dwellSeconds: Double
        public var suspectDwellSeconds: Double
        public var evidenceSnippetSeconds: Double
        /// A suspect gets new evidence at most this often.
        public var evidenceInterval: Double = 600
        /// An unchanged raised suspect is re-spooled at most this often (its `lastSeen` moves on).
        public var suspectRefreshInterval: Double = 60
        /// Seconds of a PSD-only look per tuning step (the carrier-detection pass); 0 = the old sweep of
        /// full dwells at every step. See `SurveyScheduler`.
        public var lookSeconds: Double = 0.02
        /// Power rise (dB) that makes a known carrier "changed" (decoded again first).
        public var powerJumpDB: Double = 10
        /// A carrier not seen this long is forgotten (heard again, it is new).
        public var carrierForgetSeconds: Double = 30
        /// A suspect's carrier is decoded again at most this often.
        public var suspectRevisitSeconds: Double = 5

        public init(sensorID: String, bands: [Band], dwellSeconds: Double, suspectDwellSeconds: Double = 4,
                    evidenceSnippetSeconds: Double = 0.1, lookSeconds: Double = 0.02) {
            self.sensorID = sensorID
            self.bands = bands
            self.dwellSeconds = dwellSeconds
            self.suspectDwellSeconds = suspectDwellSeconds
            self.evidenceSnippetSeconds = evidenceSnippetSeconds
            self.lookSeconds = lookSeconds
        }

        public init(_ c: SensorConfig) {
            self.init(sensorID: c.sensorID, bands: c.bands, dwellSeconds: c.dwellSeconds,
                      suspectDwellSeconds: c.suspectDwellSeconds, evidenceSnippetSeconds: c.evidenceSnippetSeconds,
                      lookSeconds: c.lookSeconds)
            powerJumpDB = c.powerJumpDB
            carrierForgetSeconds = c.carrierForgetSeconds
            suspectRevisitSeconds = c.suspectRevisitSeconds
        }

        var scheduler: SurveyScheduler.Settings {
            var s = SurveyScheduler.Settings(lookSeconds: lookSeconds, dwellSeconds: dwellSeconds,
                                             suspectDwellSeconds: suspectDwellSeconds, powerJumpDB: powerJumpDB,
                                             forgetSeconds: carrierForgetSeconds, suspectRevisitSeconds: suspectRevisitSeconds)
            s.evidenceDwellIntervalSeconds = evidenceInterval / 10
            return s
        }
    }

    public let settings: Settings
    let device: any RadioDevice
    let source: DwellSource
    let scanner: SpectrumScanner
    let spool: Spool
    let signer: EvidenceSigner
    let position: (any PositionProvider)?
    let metrics: SensorMetrics
    let notifier: SystemdNotifier?
    let clock: @Sendable () -> Date
    let monotonic: @Sendable () -> Double
    let ids: UUIDv7Generator
    let logger: Logger
    let gsmtap: GSMTAPSender?
    public private(set) var detector: Detector
    public private(set) var stats = SurveyStats()
    private let positionLock = NSLock()
    private var _lastPosition: GeoFix?
    /// The position of the last dwell (sent with uploads as the sensor's health); thread-safe.
    public var lastPosition: GeoFix? { positionLock.withLock { _lastPosition } }
    /// The carriers of the last dwell (status, tests).
    public private(set) var lastResults: [CarrierResult] = []
    /// The LTE carriers of the last dwell.
    public private(set) var lastLTEResults: [LTECarrierResult] = []
    /// Tuning steps; `[nil]` for a device that cannot be tuned (a recording or a scene that just streams).
    public let plan: [Hertz?]
    /// Looks, decode dwells and the carrier map (looks are off for a device that cannot be tuned).
    public private(set) var scheduler: SurveyScheduler
    /// The action of the last step (tests, logs).
    public private(set) var lastAction: SurveyScheduler.Action?
    /// The receiver's calibration, applied to every observation: carrier offsets become the cell's own
    /// (`frequencyCalibrated`), powers get dBm. nil: reported as measured.
    public var calibration: AppliedCalibration?
    /// Set up at the first LTE carrier (its FFT plans are not small).
    private var lteReceiver: LTEReceiver?
    private var lteInput: [ComplexFloat] = []

    // Evidence snippet: mixed to the carrier and decimated, buffers allocated once.
    private let snippetDecimation: Int
    private let snippetIn: UnsafeMutableBufferPointer<ComplexFloat>
    private let snippetOut: UnsafeMutableBufferPointer<ComplexFloat>
    private let snippetResampler: RationalResampler?
    private var lastSpooledSuspect: [String: (score: Double, raised: Bool, at: Date)] = [:]
    private var lastEvidence: [String: Date] = [:]
    private var recentObservations: [String: [CellObservation]] = [:]
    private var recentMessages: [String: [DecodedMessage]] = [:]

    public init(settings: Settings, device: any RadioDevice, spool: Spool, signer: EvidenceSigner,
                position: (any PositionProvider)?, detector: Detector, metrics: SensorMetrics,
                notifier: SystemdNotifier? = nil, clock: @escaping @Sendable () -> Date,
                monotonic: @escaping @Sendable () -> Double, ids: UUIDv7Generator, logger: Logger,
                gsmtap: GSMTAPSender? = nil) throws {
        self.settings = settings
        self.device = device
        self.spool = spool
        self.signer = signer
        self.position = position
        self.detector = detector
        self.metrics = metrics
        self.notifier = notifier
        self.clock = clock
        self.monotonic = monotonic
        self.ids = ids
        self.logger = logger
        self.gsmtap = gsmtap
        let rate = device.sampleRate
        let dwellSamples = Int(rate * max(settings.dwellSeconds, settings.suspectDwellSeconds).rounded(.up))
        source = DwellSource(inner: device, capacity: max(1, dwellSamples))
        let scan = SweepPlan.scanConfiguration(bands: settings.bands, aliasFree: device.aliasFreeFraction)
        do {
            scanner = try SpectrumScanner(configuration: scan, sampleRate: rate)
        } catch {
            throw SensorError("\(device.name): cannot set up the spectrum scan: \(error)")
        }
        // Tunable? Try the first centre; a device that cannot tune streams whatever it carries.
        let centres = SweepPlan.centres(bands: settings.bands, for: device)
        var tunable = false
        if let first = centres.first {
            do throws(RadioError) {
                try device.tune(to: first)
                tunable = true
            } catch {
                tunable = false
            }
        }
        plan = tunable ? centres.map { Optional($0) } : [nil]
        var schedule = settings.scheduler
        if !tunable { schedule.lookSeconds = 0 }   // a stream cannot be looked at apart from its decoding
        scheduler = SurveyScheduler(planCount: plan.count, settings: schedule, clock: { clock().timeIntervalSince1970 })
        snippetDecimation = max(1, Int(rate / 500e3))
        let snippetCount = max(1, Int(rate * settings.evidenceSnippetSeconds))
        snippetIn = .allocate(capacity: snippetCount)
        snippetIn.initialize(repeating: .zero)
        if snippetDecimation > 1 {
            snippetResampler = try RationalResampler(interpolation: 1, decimation: snippetDecimation)
            let outCount = snippetResampler!.maximumOutputCount(forInput: snippetCount)
            snippetOut = .allocate(capacity: outCount)
        } else {
            snippetResampler = nil
            snippetOut = .allocate(capacity: snippetCount)
        }
        snippetOut.initialize(repeating: .zero)
    }

    deinit {
        snippetIn.deallocate()
        snippetOut.deallocate()
    }

    private var tuneFailures = 0
    static let maxTuneFailures = 5

    /// True once a non-tunable device's stream has ended (a recording played to its end).
    public var streamEnded: Bool { source.ended }

    /// A radio that went away (unplugged, reset): when, why, and when to look for it again.
    public struct RadioOutage: Sendable, Equatable {
        /// Monotonic seconds and wall-clock time when it went.
        public var since: Double
        public var sinceDate: Date
        public var reason: String
        /// Failed attempts to get it back so far.
        public var attempts: Int
        /// Seconds to wait before the next attempt (1 s doubling to `outageBackoffCap`).
        public var wait: Double
        public var nextAttempt: Double
    }
    /// The current outage, nil while the radio delivers.
    public private(set) var outage: RadioOutage?
    /// First wait and ceiling of the back-off between attempts to get a gone radio back (seconds).
    public var outageBackoffFirst = 1.0
    public var outageBackoffCap = 30.0
    /// How the loop waits during an outage (in slices of at most 0.25 s, so a shutdown is never kept
    /// waiting); injected so tests need not sleep.
    public var sleeper: @Sendable (Double) -> Void = { Thread.sleep(forTimeInterval: $0) }

    /// The next action of the scheduler: a PSD-only look at one tuning step, or a decode dwell (PSD,
    /// capture, the GSM and LTE receivers on the chosen carriers, detection, spool). Returns false when
    /// the stream has ended.
    ///
    /// A radio that goes away (`RadioError.deviceGone`: unplugged, reset) does not stop the loop: the
    /// dwell is dropped, the outage logged and counted, and the radio is tried again after 1 s, then
    /// 2, 4 … 30 s (the device reopens itself by serial on the next tune or read); the first dwell that
    /// completes ends the outage and logs the gap. Meanwhile the watchdog is fed (the daemon is waiting
    /// on purpose) and the uploader, spool and GPS carry on in their own tasks.
    @discardableResult
    public func step() throws -> Bool {
        notifier?.watchdog(now: monotonic())
        guard !source.ended else { return false }
        if let o = outage {
            let now = monotonic()
            if now < o.nextAttempt {
                sleeper(min(0.25, o.nextAttempt - now))
                return true
            }
        }
        let more: Bool
        do {
            more = try surveyStep()
        } catch let e as RadioError {
            guard case .deviceGone = e else { throw SensorError(e.description) }
            radioGone(e)
            return true
        }
        if outage != nil { radioBack() }
        return more
    }

    private func radioGone(_ e: RadioError) {
        let now = monotonic()
        if var o = outage {
            o.attempts += 1
            o.wait = min(outageBackoffCap, o.wait * 2)
            o.nextAttempt = now + o.wait
            outage = o
            logger.info("radio still gone", metadata: ["device": "\(device.name)", "attempts": "\(o.attempts)",
                                                       "gap_seconds": "\(String(format: "%.1f", now - o.since))",
                                                       "retry_in_seconds": "\(o.wait)"])
            notifier?.status("radio gone for \(Int(now - o.since)) s (\(o.reason)); retrying every \(Int(o.wait)) s")
            return
        }
        let o = RadioOutage(since: now, sinceDate: clock(), reason: e.description, attempts: 0,
                            wait: outageBackoffFirst, nextAttempt: now + outageBackoffFirst)
        outage = o
        stats.radioOutages += 1
        metrics.radioGone(at: o.sinceDate)
        logger.error("radio gone; survey paused until it returns (spool, uploads and GPS carry on)", metadata: [
            "device": "\(device.name)", "error": "\(e)", "retry_in_seconds": "\(o.wait)"])
        notifier?.status("radio gone (\(e)); waiting for it to return")
    }

    private func radioBack() {
        guard let o = outage else { return }
        outage = nil
        let gap = monotonic() - o.since
        stats.radioGapSeconds += gap
        metrics.radioBack(gapSeconds: gap)
        logger.notice("radio back; survey resumed", metadata: [
            "device": "\(device.name)", "gap_seconds": "\(String(format: "%.1f", gap))", "attempts": "\(o.attempts + 1)",
            "gone_at": "\(ReportCoding.formatDate(o.sinceDate))", "back_at": "\(ReportCoding.formatDate(clock()))"])
        notifier?.status("surveying \(settings.bands.map(\.name).joined(separator: ",")) with \(device.name)")
    }

    private func surveyStep() throws -> Bool {
        let action = scheduler.next()
        lastAction = action
        let centre = plan[min(action.step, plan.count - 1)]
        if let centre {
            do throws(RadioError) {
                try device.tune(to: centre)
                tuneFailures = 0
            } catch {
                if case .deviceGone = error { throw error }
                // A radio that cannot tune must not spin this loop and keep the watchdog fed: back off, and
                // after repeated failures stop so systemd restarts the daemon.
                tuneFailures += 1
                logger.warning("tuning failed", metadata: ["frequency": "\(centre.value)", "error": "\(error)",
                                                           "consecutive": "\(tuneFailures)"])
                if tuneFailures >= Self.maxTuneFailures {
                    throw SensorError("the radio failed to tune \(tuneFailures) times in a row (last: \(error))")
                }
                Thread.sleep(forTimeInterval: min(5, 0.1 * Double(tuneFailures)))
                return true
            }
        }
        switch action {
        case .look(let step, let seconds):
            return try look(step: step, centre: centre, seconds: seconds)
        case .decode(let step, let carriers, let seconds, let reason):
            return try dwell(step: step, centre: centre, seconds: seconds, chosen: carriers, reason: reason)
        }
    }

    /// The carriers of a scan report the map keeps: GSM and LTE carriers on a channel of a configured band.
    static func seen(_ report: ScanReport) -> [SeenCarrier] {
        report.carriers.compactMap { c in
            guard c.rat == .gsm || c.rat == .lte, let band = c.band, let n = c.channel else { return nil }
            return SeenCarrier(key: CarrierKey(rat: c.rat, band: band, channel: n), offset: c.offset, powerDBFS: c.powerDBFS)
        }
    }

    private func scan(samples: Int) throws -> ScanReport? {
        source.begin(samples: samples)
        switch scanDwell() {
        case .success(let r):
            return r
        case .failure(let e):
            if case .radio(let r) = e {
                if case .deviceGone = r { throw r }
                throw SensorError(e.description)
            }
            if case .setup = e { throw SensorError(e.description) }
            // Too short (a stream's tail) or outside every configured band: nothing to decode here.
            return nil
        }
    }

    /// A look: a short PSD of one step, its carriers into the map.
    private func look(step: Int, centre: Hertz?, seconds: Double) throws -> Bool {
        let rate = device.sampleRate
        guard let report = try scan(samples: max(1, Int(rate * seconds))) else { return !source.ended }
        stats.looks += 1
        stats.samples += Int64(source.samplesRead)
        stats.overflows += source.overflows
        metrics.recordSamples(source.samplesRead, overflow: source.overflows > 0)
        scheduler.recordLook(step: step, carriers: Self.seen(report))
        return !source.ended || plan.count > 1
    }

    /// A decode dwell at one step. `chosen` empty: every GSM and LTE carrier found (the old sweep); else
    /// the chosen carriers and any the dwell's own spectrum shows as new or changed.
    private func dwell(step: Int, centre: Hertz?, seconds dwell: Double, chosen: [CarrierKey],
                       reason: SurveyScheduler.Reason) throws -> Bool {
        let started = monotonic()
        let rate = device.sampleRate
        guard let report = try scan(samples: Int(rate * dwell)) else { return !source.ended }
        stats.dwells += 1
        stats.samples += Int64(source.samplesRead)
        stats.overflows += source.overflows
        metrics.recordSamples(source.samplesRead, overflow: source.overflows > 0)
        let elapsed = max(1e-6, monotonic() - started)
        let windowSeconds = Double(source.captured) / rate
        let dwellCentre = source.centre ?? centre
        let seen = Self.seen(report)
        let fresh = scheduler.recordLook(step: step, carriers: seen)

        var keys: [CarrierKey] = []
        if chosen.isEmpty {
            for c in seen where !keys.contains(c.key) { keys.append(c.key) }
        } else {
            for k in chosen + fresh where !keys.contains(k) { keys.append(k) }
        }
        // Offsets from the dwell's centre: the channel's nominal frequency when the centre is known, else
        // where the spectrum put the carrier (a recording without a frequency).
        func offset(_ k: CarrierKey) -> (frequency: Hertz, offset: Double)? {
            if let dc = dwellCentre, let f = k.frequency { return (f, f.value - dc.value) }
            return nil
        }
        var targets: [(arfcn: Int, band: GSMBand, frequency: Hertz, offset: Double)] = []
        var lteTargets: [(key: CarrierKey, frequency: Hertz, offset: Double, power: Decibels?)] = []
        for k in keys {
            guard let o = offset(k) else { continue }
            // Carriers outside this capture's usable span (a chosen carrier of a neighbouring step) are left.
            guard abs(o.offset) <= SweepPlan.trustedOffset(for: device) else { continue }
            switch k.band {
            case .gsm(let g) where k.rat == .gsm:
                targets.append((k.channel, g, o.frequency, o.offset))
            case .lte where k.rat == .lte:
                lteTargets.append((k, o.frequency, o.offset, seen.first { $0.key == k }?.powerDBFS))
            default:
                continue
            }
        }
        stats.carriersFound += targets.count + lteTargets.count
        let results = decode(targets: targets)
        lastResults = results
        let lteResults = decodeLTE(targets: lteTargets)
        lastLTEResults = lteResults

        let now = clock()
        let reading = position?.current(now: now)
        if let reading { metrics.gpsFixAge.record(reading.age(now: now)) }
        positionLock.withLock { _lastPosition = reading?.fix }
        var records: [SpoolRecord] = []
        var decoded = 0
        var identified = Set<CarrierKey>()
        var judged: [(key: CarrierKey, observation: CellObservation, messages: [DecodedMessage], evidence: EvidenceSource)] = []
        for r in results {
            guard let o = r.observation(sensorID: settings.sensorID, time: now, windowSeconds: windowSeconds,
                                        position: reading?.fix) else { continue }
            judged.append((CarrierKey(rat: .gsm, band: .gsm(r.band), channel: r.arfcn), o, r.messages,
                           EvidenceSource(offset: r.offset, frequency: r.frequency, label: "ARFCN \(r.arfcn)")))
        }
        for r in lteResults {
            guard let o = r.observation(sensorID: settings.sensorID, time: now, position: reading?.fix) else { continue }
            judged.append((r.key, o, r.messages, EvidenceSource(offset: r.offset, frequency: r.frequency, label: "EARFCN \(r.key.channel), PCI \(r.report.pci)")))
        }
        for j in judged {
            var o = j.observation
            calibration?.apply(to: &o, frequency: j.evidence.frequency, centre: dwellCentre)
            decoded += 1
            identified.insert(j.key)
            let rec = ObservationRecord(id: ids.next(), observation: o)
            records.append(try .observation(rec, at: now))
            let suspect = detector.process(o)
            // Only scored emitters are kept for evidence: a van passes thousands of ordinary cells.
            if suspect.score > 0 || suspect.alertRaised {
                remember(suspect.id, observation: o, messages: j.messages)
            }
            if shouldSpool(suspect, now: now) {
                records.append(try .suspect(SuspectRecord(id: ids.next(), suspect: suspect), at: now))
                lastSpooledSuspect[suspect.id] = (suspect.score, suspect.alertRaised, now)
                stats.suspectSnapshots += 1
                metrics.suspects.increment()
            }
            if centre != nil || scheduler.looksEnabled {
                scheduler.recordVerdict(j.key, scored: suspect.score > 0, raised: suspect.alertRaised, step: step)
            }
            if suspect.alertRaised, lastEvidence[suspect.id].map({ now.timeIntervalSince($0) >= settings.evidenceInterval }) ?? true {
                let ev = evidence(for: suspect, source: j.evidence, messages: j.messages, now: now, position: reading?.fix)
                records.append(try .evidence(try signer.sign(ev), at: now))
                lastEvidence[suspect.id] = now
                stats.evidence += 1
                metrics.evidence.increment()
                logger.notice("suspect raised; evidence signed", metadata: [
                    "suspect": "\(suspect.id)", "score": "\(Int(suspect.score))", "severity": "\(suspect.severity)"])
            }
        }
        // Every carrier chosen counts as tried, even one left out above (its nominal frequency at the very
        // edge of the span), so that it cannot hold the scheduler's first place for ever.
        scheduler.recordDecode(carriers: keys, identified: identified)
        stats.cellsDecoded += decoded
        stats.observations += decoded
        metrics.recordCellsDecoded(decoded)
        metrics.observations.increment(by: decoded)
        metrics.setSamplesPerSecond(Double(source.samplesRead) / elapsed)
        try spool.append(records)
        logger.debug("dwell", metadata: ["centre_hz": "\(dwellCentre.map { String(Int($0.value)) } ?? "-")", "reason": "\(reason.rawValue)",
                                         "carriers": "\(targets.count + lteTargets.count)",
                                         "channels": "\(keys.map { "\($0.rat == .lte ? "E" : "")\($0.channel)" }.joined(separator: ","))", "cells": "\(decoded)", "records": "\(records.count)",
                                         "seconds": "\(String(format: "%.2f", monotonic() - started))",
                                         // After the commit returned: these IDs are durable (crash tests check them).
                                         "time": "\(ReportCoding.formatDate(now))", "ids": "\(records.map(\.id).joined(separator: ","))"])
        notifier?.watchdog(now: monotonic())
        return !source.ended || plan.count > 1
    }

    private func scanDwell() -> Result<ScanReport, ScanError> {
        do throws(ScanError) {
            return .success(try scanner.scan(source, source: device.name))
        } catch {
            return .failure(error)
        }
    }

    /// Runs GSM receivers over the dwell's capture, one per carrier, in one pass.
    func decode(targets: [(arfcn: Int, band: GSMBand, frequency: Hertz, offset: Double)]) -> [CarrierResult] {
        guard !targets.isEmpty, source.captured > 0 else { return [] }
        var out: [CarrierResult] = []
        let samples = source.capturedSamples
        for t in targets {
            guard let receiver = try? GSMReceiver(inputRate: device.sampleRate, carrierOffset: t.offset) else { continue }
            var events = receiver.process(samples)
            events += receiver.finish()
            var summary = GSMCellSummary()
            summary.bsic = receiver.bsic
            var messages: [DecodedMessage] = []
            for case .block(let b) in events {
                var message: RRMessage?
                if let l2 = b.l2 { message = try? RRMessageDecoder.decode(l2Block: l2) }
                summary.add(b, message: message)
                guard let l2 = b.l2, b.channel != .sdcch else { continue }
                let identities = GSMDecodeFormatter.carriesIdentities(message)
                messages.append(DecodedMessage(
                    frameNumber: Int(b.frameNumber.value), channel: b.channel.rawValue, name: message?.name ?? "undecoded",
                    l2Hex: identities ? nil : GSMDecodeFormatter.hex(l2),
                    fieldsJSON: identities ? nil : Self.fieldsJSON(b, message: message)))
                if let gsmtap, !identities {
                    let snr = b.snr.isFinite && b.snr > 0 ? Int(Decibels(powerRatio: b.snr).value.rounded()) : 0
                    gsmtap.send(GSMTAP.umPacket(arfcn: t.arfcn, pcs: t.band == .pcs1900, snrDB: snr, frameNumber: b.frameNumber,
                                                channel: GSMTAP.UmChannel(b.channel), l2: l2))
                }
            }
            out.append(CarrierResult(arfcn: t.arfcn, band: t.band, frequency: t.frequency, offset: t.offset, summary: summary,
                                     messages: messages, frequencyOffset: receiver.frequencyOffset,
                                     powerDBFS: receiver.meanPower.map { Decibels(powerRatio: $0) },
                                     snr: receiver.meanSNR.map { Decibels(powerRatio: $0) }))
        }
        return out
    }

    /// Hands LTE carriers to the LTE receiver (cell search, MIB, SIB1 and the SI messages in the capture's
    /// first `LTEReceiver.analysedSeconds`): the capture mixed so the carrier's centre is at 0 Hz.
    func decodeLTE(targets: [(key: CarrierKey, frequency: Hertz, offset: Double, power: Decibels?)]) -> [LTECarrierResult] {
        guard !targets.isEmpty, source.captured > 0 else { return [] }
        let rate = device.sampleRate
        guard LTEReceiver.acceptedSampleRates.contains(rate) else { return [] }
        if lteReceiver == nil {
            do { lteReceiver = try LTEReceiver() } catch {
                logger.warning("LTE receiver not available", metadata: ["error": "\(error)"])
                return []
            }
        }
        guard let receiver = lteReceiver else { return [] }
        // The receiver looks at `analysedSeconds` after resampling; a little more covers the filter.
        let n = min(source.captured, Int(rate * (receiver.analysedSeconds + 0.005)))
        if lteInput.count != n { lteInput = [ComplexFloat](repeating: .zero, count: n) }
        var out: [LTECarrierResult] = []
        let samples = source.capturedSamples
        for t in targets {
            lteInput.withUnsafeMutableBufferPointer { buf in
                _ = buf.initialize(from: UnsafeBufferPointer(rebasing: samples[0..<n]))
                if t.offset != 0 { Mixer(frequency: -t.offset, sampleRate: rate).process(buf) }
            }
            let reports: [LTECellReport]
            do { reports = try receiver.decode(lteInput, sampleRate: rate) } catch {
                logger.debug("LTE decode failed", metadata: ["carrier": "\(t.key)", "error": "\(error)"])
                continue
            }
            stats.lteCellsFound += reports.count
            for r in reports {
                out.append(LTECarrierResult(key: t.key, frequency: t.frequency, offset: t.offset, powerDBFS: t.power, report: r))
                if r.sib1 != nil { stats.lteCellsIdentified += 1 }
            }
        }
        return out
    }

    static func fieldsJSON(_ b: GSMBlock, message: RRMessage?) -> String? {
        guard message != nil, let line = GSMDecodeFormatter.blockJSON(b, message: message, messageError: nil),
              let obj = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
              let m = obj["message"], !(m is NSNull),
              let data = try? JSONSerialization.data(withJSONObject: m, options: [.sortedKeys]) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    private func remember(_ suspectID: String, observation: CellObservation, messages: [DecodedMessage]) {
        var obs = recentObservations[suspectID] ?? []
        obs.append(observation)
        if obs.count > 10 { obs.removeFirst(obs.count - 10) }
        recentObservations[suspectID] = obs
        var msgs = (recentMessages[suspectID] ?? []) + messages
        if msgs.count > 200 { msgs.removeFirst(msgs.count - 200) }
        recentMessages[suspectID] = msgs
    }

    /// A snapshot is spooled when a suspect is first scored, when it is raised or cleared, when its
    /// score moves by 5 points, or once a minute while raised.
    private func shouldSpool(_ s: Suspect, now: Date) -> Bool {
        guard s.score > 0 || s.alertRaised else { return false }
        guard let last = lastSpooledSuspect[s.id] else { return true }
        if last.raised != s.alertRaised { return true }
        if abs(last.score - s.score) >= 5 { return true }
        return s.alertRaised && now.timeIntervalSince(last.at) >= settings.suspectRefreshInterval
    }

    /// Evidence for a raised suspect: the recent observations and decoded messages of its carrier and
    /// a SigMF snippet of its carrier, mixed to 0 Hz and decimated to ≈500 kS/s.
    func evidence(for s: Suspect, carrier r: CarrierResult, centre: Hertz?, now: Date, position: GeoFix?) -> Evidence {
        evidence(for: s, source: EvidenceSource(offset: r.offset, frequency: r.frequency, label: "ARFCN \(r.arfcn)"),
                 messages: r.messages, now: now, position: position)
    }

    /// Where a suspect's carrier sits in the capture, for its evidence snippet.
    struct EvidenceSource {
        var offset: Double
        var frequency: Hertz
        /// "ARFCN 18", "EARFCN 1300, PCI 7".
        var label: String
    }

    func evidence(for s: Suspect, source r: EvidenceSource, messages: [DecodedMessage], now: Date, position: GeoFix?) -> Evidence {
        let rate = device.sampleRate
        let captured = source.capturedSamples
        let n = min(snippetIn.count, captured.count)
        var iq: IQSnippet?
        if n > 0 {
            // Centre the snippet in the capture (≈ the middle of the dwell).
            let start = (captured.count - n) / 2
            _ = UnsafeMutableBufferPointer(rebasing: snippetIn[0..<n])
                .initialize(from: UnsafeBufferPointer(rebasing: captured[start..<start + n]))
            let mixer = Mixer(frequency: -r.offset, sampleRate: rate)
            mixer.process(UnsafeMutableBufferPointer(rebasing: snippetIn[0..<n]))
            var outRate = rate
            let outCount: Int
            if let resampler = snippetResampler {
                resampler.reset()
                outCount = resampler.process(UnsafeBufferPointer(rebasing: snippetIn[0..<n]), into: snippetOut)
                outRate = rate / Double(snippetDecimation)
            } else {
                _ = UnsafeMutableBufferPointer(rebasing: snippetOut[0..<n]).initialize(from: UnsafeBufferPointer(rebasing: snippetIn[0..<n]))
                outCount = n
            }
            let captureTime = now.addingTimeInterval(-Double(captured.count - start) / rate)
            iq = SigMFSnippet.make(samples: UnsafeBufferPointer(rebasing: snippetOut[0..<outCount]), sampleRate: outRate,
                                   centreFrequency: r.frequency, captureTime: captureTime, sensorID: settings.sensorID,
                                   position: position,
                                   description: "Carrier of suspect \(s.id) (\(r.label)), mixed to 0 Hz")
        }
        return Evidence(id: ids.next(), sensorID: settings.sensorID, suspectID: s.id, capturedAt: now,
                        observations: recentObservations[s.id] ?? [], messages: recentMessages[s.id] ?? messages, iq: iq)
    }
}

public struct SensorError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
