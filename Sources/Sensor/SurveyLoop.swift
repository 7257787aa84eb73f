import CellwatchModel
import Detection
import DSP
import Foundation
import GSM
import Logging
import Radio
import Survey

/// The tuning steps of a sweep: each band's downlink range covered by centres spaced at 80 % of the
/// sample rate (the edges of an SDR's passband roll off), in band order.
public enum SweepPlan {
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

/// Counters of one survey, for tests and the status line.
public struct SurveyStats: Sendable, Equatable {
    public var dwells = 0
    public var samples: Int64 = 0
    public var overflows = 0
    public var carriersFound = 0
    public var cellsDecoded = 0
    public var observations = 0
    public var suspectSnapshots = 0
    public var evidence = 0
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

        public init(sensorID: String, bands: [Band], dwellSeconds: Double, suspectDwellSeconds: Double = 4,
                    evidenceSnippetSeconds: Double = 0.1) {
            self.sensorID = sensorID
            self.bands = bands
            self.dwellSeconds = dwellSeconds
            self.suspectDwellSeconds = suspectDwellSeconds
            self.evidenceSnippetSeconds = evidenceSnippetSeconds
        }

        public init(_ c: SensorConfig) {
            self.init(sensorID: c.sensorID, bands: c.bands, dwellSeconds: c.dwellSeconds,
                      suspectDwellSeconds: c.suspectDwellSeconds, evidenceSnippetSeconds: c.evidenceSnippetSeconds)
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
    /// Tuning steps; `[nil]` for a device that cannot be tuned (a recording or a scene that just streams).
    public let plan: [Hertz?]
    private var planIndex = 0
    /// A step where a raised suspect was heard is revisited once, with the longer suspect dwell.
    private var revisit: Hertz?

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
        var scan = ScanConfiguration()
        scan.bands = settings.bands
        do {
            scanner = try SpectrumScanner(configuration: scan, sampleRate: rate)
        } catch {
            throw SensorError("\(device.name): cannot set up the spectrum scan: \(error)")
        }
        // Tunable? Try the first centre; a device that cannot tune streams whatever it carries.
        let centres = SweepPlan.centres(bands: settings.bands, sampleRate: rate)
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

    /// One dwell at the next step of the plan. Returns false when the stream has ended.
    @discardableResult
    public func step() throws -> Bool {
        notifier?.watchdog(now: monotonic())
        guard !source.ended else { return false }
        let centre: Hertz?
        var dwell = settings.dwellSeconds
        let isRevisit = revisit != nil
        if let r = revisit {
            centre = r
            dwell = settings.suspectDwellSeconds
            revisit = nil
        } else {
            centre = plan[planIndex]
            planIndex = (planIndex + 1) % plan.count
        }
        if let centre {
            do {
                try device.tune(to: centre)
                tuneFailures = 0
            } catch {
                // A radio that cannot tune (unplugged) must not spin this loop and keep the watchdog fed:
                // back off, and after repeated failures stop so systemd restarts the daemon.
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
        let started = monotonic()
        let rate = device.sampleRate
        source.begin(samples: Int(rate * dwell))
        let report: ScanReport
        switch scanDwell() {
        case .success(let r):
            report = r
        case .failure(let e):
            if case .radio = e { throw SensorError(e.description) }
            if case .setup = e { throw SensorError(e.description) }
            // Too short (a stream's tail) or outside every configured band: nothing to decode here.
            return !source.ended
        }
        stats.dwells += 1
        stats.samples += Int64(source.samplesRead)
        stats.overflows += source.overflows
        metrics.recordSamples(source.samplesRead, overflow: source.overflows > 0)
        let elapsed = max(1e-6, monotonic() - started)
        let windowSeconds = Double(source.captured) / rate
        let dwellCentre = source.centre ?? centre

        var targets: [(arfcn: Int, band: GSMBand, frequency: Hertz, offset: Double)] = []
        for c in report.carriers where c.rat == .gsm {
            guard case .gsm(let band)? = c.band, let n = c.channel, let f = band.downlink(ARFCN(n)), let dc = dwellCentre else { continue }
            if !targets.contains(where: { $0.arfcn == n }) { targets.append((n, band, f, f.value - dc.value)) }
        }
        stats.carriersFound += targets.count
        let results = decode(targets: targets)
        lastResults = results

        let now = clock()
        let reading = position?.current(now: now)
        if let reading { metrics.gpsFixAge.record(reading.age(now: now)) }
        positionLock.withLock { _lastPosition = reading?.fix }
        var records: [SpoolRecord] = []
        var decoded = 0
        for r in results {
            guard let o = r.observation(sensorID: settings.sensorID, time: now, windowSeconds: windowSeconds,
                                        position: reading?.fix) else { continue }
            decoded += 1
            let rec = ObservationRecord(id: ids.next(), observation: o)
            records.append(try .observation(rec, at: now))
            let suspect = detector.process(o)
            // Only scored emitters are kept for evidence: a van passes thousands of ordinary cells.
            if suspect.score > 0 || suspect.alertRaised {
                remember(suspect.id, observation: o, messages: r.messages)
            }
            if shouldSpool(suspect, now: now) {
                records.append(try .suspect(SuspectRecord(id: ids.next(), suspect: suspect), at: now))
                lastSpooledSuspect[suspect.id] = (suspect.score, suspect.alertRaised, now)
                stats.suspectSnapshots += 1
                metrics.suspects.increment()
            }
            if suspect.alertRaised, !isRevisit, let centre { revisit = centre }
            if suspect.alertRaised, lastEvidence[suspect.id].map({ now.timeIntervalSince($0) >= settings.evidenceInterval }) ?? true {
                let ev = evidence(for: suspect, carrier: r, centre: dwellCentre, now: now, position: reading?.fix)
                records.append(try .evidence(try signer.sign(ev), at: now))
                lastEvidence[suspect.id] = now
                stats.evidence += 1
                metrics.evidence.increment()
                logger.notice("suspect raised; evidence signed", metadata: [
                    "suspect": "\(suspect.id)", "score": "\(Int(suspect.score))", "severity": "\(suspect.severity)"])
            }
        }
        stats.cellsDecoded += decoded
        stats.observations += decoded
        metrics.recordCellsDecoded(decoded)
        metrics.observations.increment(by: decoded)
        metrics.setSamplesPerSecond(Double(source.samplesRead) / elapsed)
        try spool.append(records)
        logger.debug("dwell", metadata: ["centre_hz": "\(dwellCentre.map { String(Int($0.value)) } ?? "-")",
                                         "carriers": "\(targets.count)", "cells": "\(decoded)", "records": "\(records.count)",
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
                                   description: "Carrier of suspect \(s.id) (ARFCN \(r.arfcn)), mixed to 0 Hz")
        }
        return Evidence(id: ids.next(), sensorID: settings.sensorID, suspectID: s.id, capturedAt: now,
                        observations: recentObservations[s.id] ?? [], messages: recentMessages[s.id] ?? r.messages, iq: iq)
    }
}

public struct SensorError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
