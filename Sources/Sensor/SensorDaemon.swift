import AsyncHTTPClient
import CellwatchModel
import Detection
import Foundation
import GSM
import Logging
import Radio
import ServiceLifecycle
import Simulation
import USBRadios

/// Opens the radio a `DeviceSpec` names.
public enum DeviceFactory {
    /// `realTime`: a simulated scene is paced to the wall clock (a live district); else as fast as the CPU goes.
    public static func open(_ spec: DeviceSpec, realTime: Bool = true) throws -> any RadioDevice {
        switch spec {
        case .file(let path):
            do { return try FileDevice(path: path) } catch { throw SensorError(error.description) }
        case .sim(let scenario):
            do {
                return try SimulatedDevice(spec: "sim:" + scenario,
                                           pacing: realTime ? .realTime(MonotonicPacingClock()) : .asFastAsPossible)
            } catch {
                throw SensorError("sim:\(scenario): \(error)")
            }
        case .hackrf(let serial):
            do { return try HackRFDevice(spec: serial) } catch { throw SensorError(error.description) }
        case .rtlsdr(let index):
            do { return try RTLSDRDevice(spec: index) } catch { throw SensorError(error.description) }
        }
    }
}

extension SensorDaemon {
    /// The calibration `config.calibration` names for `radio`: a file that must be there, the device's
    /// own file under the state directory (auto), or none.
    static func resolveCalibration(_ config: SensorConfig, radio: any RadioDevice, logger: Logger) throws -> ReceiverCalibration? {
        let id = CalibrationDeviceID.identify(spec: config.device, device: radio)
        switch config.calibration {
        case .none:
            logger.info("calibration off (sensor.calibration: none): carrier offsets and powers as measured")
            return nil
        case .file(let path):
            do throws(CalibrationError) {
                let c = try ReceiverCalibration.load(path: path)
                if c.device != id {
                    logger.warning("the calibration file is for another device", metadata: [
                        "file": "\(path)", "file_device": "\(c.device)", "device": "\(id)"])
                }
                return c
            } catch {
                throw SensorError("sensor.calibration: \(error)")
            }
        case .auto:
            let store = CalibrationStore(stateDirectory: config.stateDirectory)
            do throws(CalibrationError) {
                guard let c = try store.find(id) else {
                    logger.info("no calibration for this radio: carrier offsets and powers as measured (run cellwatch calibrate)",
                                metadata: ["device": "\(id)", "looked_for": "\(store.path(for: id))"])
                    return nil
                }
                return c
            } catch {
                throw SensorError("sensor.calibration (auto): \(error)")
            }
        }
    }
}

/// Everything the daemon runs, built from a validated config: spool, key, GPS, survey loop, uploader,
/// metrics; `run()` runs them as one ServiceGroup until SIGTERM/SIGINT (or a recording's end).
public final class SensorDaemon: @unchecked Sendable {
    public let config: SensorConfig
    public let spool: Spool
    public let key: SensorKey
    public let metrics: SensorMetrics
    public let notifier: SystemdNotifier
    public let survey: SurveyLoop
    public let uploader: Uploader
    /// The calibration applied (nil: uncalibrated).
    public let calibration: ReceiverCalibration?
    /// Now on the clock spooled records are stamped with, readable from any thread (the upload lag is
    /// measured on it): the wall clock, or under simulation the scene time of the last dwell (the scene's
    /// own clock belongs to the survey thread).
    let recordClock: @Sendable () -> Date
    let gps: (any PositionProvider)?
    let gpsd: GPSDClient?
    /// The upload client when the config needs TLS settings of its own (else the shared one).
    let ownedClient: HTTPClient?
    let logger: Logger

    public init(config: SensorConfig, device: (any RadioDevice)? = nil, logger: Logger,
                notifier: SystemdNotifier = SystemdNotifier(), seed: UInt64? = nil,
                clock: @escaping @Sendable () -> Date = Date.init, simulationRealTime: Bool = true) throws {
        self.config = config
        self.logger = logger
        self.notifier = notifier
        do {
            try FileManager.default.createDirectory(atPath: config.stateDirectory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o750])
        } catch {
            throw SensorError("\(config.stateDirectory): cannot create the state directory: \(error.localizedDescription)")
        }
        spool = try Spool(path: config.spoolPath, maxBytes: config.spoolMaxBytes)
        key = try SensorKey.loadOrCreate(path: config.keyFile)
        metrics = SensorMetrics()
        let random = SharedRandom(seed: seed ?? UInt64.random(in: .min ... .max))
        let ids = UUIDv7Generator(clock: clock, random: { random.next() })
        switch config.gps {
        case .gpsd(let host, let port, let stale):
            let c = GPSDClient(host: host, port: port, staleAfter: stale, clock: clock, logger: logger)
            gpsd = c
            gps = c
        case .fixed(let lat, let lon, let alt, let acc):
            gpsd = nil
            gps = FixedPositionProvider(latitude: lat, longitude: lon, altitude: alt, accuracy: acc)
        case .none:
            gpsd = nil
            gps = nil
        }
        let radio = try device ?? DeviceFactory.open(config.device, realTime: simulationRealTime)
        // A simulated scene has its own time line and knows where the sensor truly is: its GPS and its
        // clock drive the survey (observation times, detector), whatever gps: says.
        var surveyClock = clock
        var position = gps
        if let sim = radio as? SimulatedDevice {
            let scene = SimulatedPosition(device: sim)
            position = scene
            surveyClock = { scene.now }
        }
        var gsmtap: GSMTAPSender?
        if let dest = config.gsmtap {
            do throws(GSMTAPSender.SenderError) { gsmtap = try GSMTAPSender(destination: dest) } catch {
                throw SensorError("gsmtap.destination: \(error.description)")
            }
        }
        let calibration = try Self.resolveCalibration(config, radio: radio, logger: logger)
        self.calibration = calibration
        let surveyed: any RadioDevice = calibration.map { CalibratedDevice(inner: radio, ppm: $0.ppm) } ?? radio
        let start = ProcessInfo.processInfo.systemUptime
        survey = try SurveyLoop(settings: .init(config), device: surveyed, spool: spool, signer: EvidenceSigner(key: key),
                                position: position, detector: Detector(baseline: Baseline(), clock: surveyClock),
                                metrics: metrics, notifier: notifier, clock: surveyClock,
                                monotonic: { ProcessInfo.processInfo.systemUptime - start }, ids: ids, logger: logger,
                                gsmtap: gsmtap)
        if let c = calibration {
            let tunable = survey.plan.first.map { $0 != nil } ?? false
            survey.calibration = AppliedCalibration(ppm: c.ppm, gainOffsetDB: c.gainOffsetDB, tuningCorrected: tunable)
            logger.notice("calibration applied", metadata: [
                "device": "\(c.device)", "ppm": "\(String(format: "%+.3f", c.ppm))",
                "ppm_uncertainty": "\(String(format: "%.3f", c.ppmUncertainty))",
                "gain_offset_db": "\(c.gainOffsetDB.map { String(format: "%+.1f", $0) } ?? "none")",
                "measured_at": "\(ReportCoding.formatDate(c.measuredAt))",
                "frequency": "\(tunable ? "tuned at f/(1+ppm)" : "measured offsets corrected (the device cannot be tuned)")"])
        }
        let token = try config.readToken()
        // Mutual TLS (or a private CA for the collector): a client of our own, shut down when the daemon stops.
        var client = HTTPClient.shared
        if let tls = try config.uploadTLSConfiguration() {
            client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                                configuration: HTTPClient.Configuration(tlsConfiguration: tls))
            ownedClient = client
            logger.info("uploads use TLS settings from the config",
                        metadata: ["client_certificate": "\(config.clientCertificateFile ?? "none")",
                                   "collector_ca": "\(config.collectorCAFile ?? "system trust store")"])
        } else {
            ownedClient = nil
        }
        let surveyRef = survey
        var recordClock: @Sendable () -> Date = clock
        if radio is SimulatedDevice {
            recordClock = { surveyRef.lastPosition?.time ?? Date.distantPast }
        }
        self.recordClock = recordClock
        uploader = Uploader(spool: spool,
                            builder: ReportRequestBuilder(sensorID: config.sensorID, collectorURL: config.collectorURL, token: token),
                            backoff: Backoff(cap: config.uploadMaxBackoffSeconds, random: random),
                            batchSize: config.uploadBatchSize,
                            interval: config.uploadIntervalSeconds, metrics: metrics, logger: logger, clock: clock,
                            position: { surveyRef.lastPosition }, client: client, requestTimeout: config.uploadTimeoutSeconds,
                            recordClock: recordClock)
    }

    /// Runs until SIGTERM/SIGINT; for a recording, until it has been surveyed and the spool uploaded.
    public func run() async throws {
        gpsd?.start()
        defer { gpsd?.stop() }
        let services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: MetricsService(daemon: self), successTerminationBehavior: .ignore, serviceName: "metrics"),
            .init(service: UploaderService(uploader: uploader), successTerminationBehavior: .ignore, serviceName: "uploader"),
            .init(service: SurveyService(daemon: self), successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "survey"),
        ]
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: logger))
        notifier.ready(status: "surveying \(config.bands.map(\.name).joined(separator: ",")) with \(config.device)")
        logger.info("sensor started", metadata: ["sensor": "\(config.sensorID)", "device": "\(config.device)",
                                                 "collector": "\(config.collectorURL.absoluteString)",
                                                 "public_key": "\(key.publicKeyBase64)"])
        try await group.run()
        try? await ownedClient?.shutdown()
        notifier.stopping()
        spool.checkpoint()
        if let path = config.metricsTextfile { try? metrics.writeTextfile(path) }
        logger.info("sensor stopped", metadata: ["dwells": "\(survey.stats.dwells)", "observations": "\(survey.stats.observations)",
                                                 "uploaded": "\(uploader.recordsAcknowledged)"])
    }
}

/// The survey loop on its own thread (DSP is blocking work that must not occupy the async pool);
/// graceful shutdown lets the current dwell finish and be spooled, then stops.
struct SurveyService: Service {
    let daemon: SensorDaemon

    func run() async throws {
        let stop = StopFlag()
        let survey = daemon.survey
        let logger = daemon.logger
        let result: Result<Void, any Error> = await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (cont: CheckedContinuation<Result<Void, any Error>, Never>) in
                    let t = Thread {
                        do {
                            while !stop.isSet {
                                if try !survey.step() { break }
                            }
                            cont.resume(returning: .success(()))
                        } catch {
                            cont.resume(returning: .failure(error))
                        }
                    }
                    t.name = "survey"
                    t.stackSize = 8 << 20
                    t.start()
                }
            } onCancel: {
                stop.set()
            }
        } onGracefulShutdown: {
            stop.set()
        }
        if case .failure(let e) = result {
            logger.critical("survey failed", metadata: ["error": "\(e)"])
            throw e
        }
        guard !stop.isSet else { return }
        // The recording is surveyed: wait for the uploader to empty the spool, then shut down.
        logger.info("stream ended; waiting for the spool to drain", metadata: ["dwells": "\(survey.stats.dwells)"])
        daemon.notifier.status("stream ended; uploading the spool")
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if let d = try? daemon.spool.depth(), d.total == 0 { break }
            daemon.notifier.watchdog(now: ProcessInfo.processInfo.systemUptime)
            try? await Task.sleep(for: .milliseconds(200))
        }
    }
}

struct UploaderService: Service {
    let uploader: Uploader
    func run() async throws {
        await cancelWhenGracefulShutdown {
            await uploader.run()
        }
    }
}

/// Writes the node_exporter textfile every 10 s (and the spool gauges), if configured.
struct MetricsService: Service {
    let daemon: SensorDaemon
    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if let d = try? daemon.spool.depth() { daemon.metrics.update(spool: d, evicted: daemon.spool.evicted, now: daemon.recordClock()) }
            if let path = daemon.config.metricsTextfile {
                do { try daemon.metrics.writeTextfile(path) } catch {
                    daemon.logger.warning("metrics textfile not written", metadata: ["error": "\(error)"])
                }
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(10)) }
        }
    }
}

final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// The simulated scene's GPS: the sensor's true position and the scene's time, read on the survey
/// thread (the only one that drives the device).
final class SimulatedPosition: PositionProvider, @unchecked Sendable {
    let device: SimulatedDevice
    init(device: SimulatedDevice) { self.device = device }
    var now: Date { device.currentDate }
    func current(now: Date) -> PositionReading? {
        PositionReading(fix: device.positionFix, quality: FixQuality(mode: 2), receivedAt: now)
    }
}
