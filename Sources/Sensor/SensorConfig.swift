import CellwatchModel
import Configuration
import Foundation
import SystemPackage

/// Which radio the sensor drives, as named on the command line and in `sensor.device`:
/// `hackrf[:SERIAL]`, `rtlsdr[:N]`, `file:PATH`, `sim:SCENARIO`.
public enum DeviceSpec: Hashable, Sendable, CustomStringConvertible {
    case hackrf(serial: String?)
    case rtlsdr(index: Int?)
    case file(path: String)
    case sim(scenario: String)

    /// Parses a spec; the error text is the problem only (the caller names the key or option).
    public static func parse(_ text: String) throws(SensorConfigError) -> DeviceSpec {
        let t = text.trimmingCharacters(in: .whitespaces)
        let (kind, rest): (Substring, Substring?) = {
            guard let i = t.firstIndex(of: ":") else { return (Substring(t), nil) }
            return (t[..<i], t[t.index(after: i)...])
        }()
        switch kind.lowercased() {
        case "hackrf":
            if let rest, rest.isEmpty || !rest.allSatisfy(\.isHexDigit) {
                throw .invalid(key: "", problem: "\"\(text)\": a HackRF serial is hexadecimal digits")
            }
            return .hackrf(serial: rest.map(String.init))
        case "rtlsdr":
            guard let rest else { return .rtlsdr(index: nil) }
            guard let n = Int(rest), n >= 0, n < 256 else {
                throw .invalid(key: "", problem: "\"\(text)\": an RTL-SDR index is a number 0–255")
            }
            return .rtlsdr(index: n)
        case "file":
            guard let rest, !rest.isEmpty else { throw .invalid(key: "", problem: "\"\(text)\": file: needs a path") }
            return .file(path: String(rest))
        case "sim":
            guard let rest, !rest.isEmpty else { throw .invalid(key: "", problem: "\"\(text)\": sim: needs a scenario name") }
            return .sim(scenario: String(rest))
        default:
            throw .invalid(key: "", problem: "\"\(text)\" is not a device (hackrf[:SERIAL], rtlsdr[:N], file:PATH, sim:SCENARIO)")
        }
    }

    public var description: String {
        switch self {
        case .hackrf(let s): s.map { "hackrf:\($0)" } ?? "hackrf"
        case .rtlsdr(let n): n.map { "rtlsdr:\($0)" } ?? "rtlsdr"
        case .file(let p): "file:\(p)"
        case .sim(let s): "sim:\(s)"
        }
    }
}

/// Which crystal and gain calibration the sensor applies (`sensor.calibration`).
public enum CalibrationSetting: Hashable, Sendable, CustomStringConvertible {
    /// `STATE_DIR/calibration/DRIVER-SERIAL.json` for the opened radio, if there is one.
    case auto
    /// None: offsets and powers are reported as measured (uncalibrated).
    case none
    /// This file (written by `cellwatch calibrate`); the sensor does not start without it.
    case file(String)

    public var description: String {
        switch self {
        case .auto: "auto"
        case .none: "none"
        case .file(let p): p
        }
    }
}

/// Where the sensor's position comes from.
public enum GPSSource: Hashable, Sendable {
    /// A gpsd daemon over TCP (JSON protocol); positions older than `staleAfter` seconds are dropped.
    case gpsd(host: String, port: Int, staleAfter: Double)
    /// A surveyed fixed site.
    case fixed(latitude: Double, longitude: Double, altitude: Double?, accuracy: Double)
    /// No position: observations carry none (never 0,0).
    case none
}

/// A configuration problem: the file, the key and what is wrong, as one sentence.
public enum SensorConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `key` empty when the caller has not named it yet.
    case invalid(key: String, problem: String)
    case missing(key: String)
    case unreadable(file: String, problem: String)
    /// Any of the above, with the file it came from.
    indirect case inFile(String, SensorConfigError)

    public var description: String {
        switch self {
        case .invalid(let key, let problem): key.isEmpty ? problem : "\(key): \(problem)"
        case .missing(let key): "\(key): missing (required)"
        case .unreadable(let file, let problem): "\(file): \(problem)"
        case .inFile(let file, let e): "\(file): \(e.description)"
        }
    }

    func naming(_ key: String) -> SensorConfigError {
        if case .invalid("", let p) = self { return .invalid(key: key, problem: p) }
        return self
    }
}

/// The sensor's settings, validated. Read from YAML (`deploy/sensor.example.yaml` documents every key)
/// and command-line overrides; every value range-checked here so the daemon never starts half-configured.
public struct SensorConfig: Sendable, Equatable {
    public var sensorID: String
    public var device: DeviceSpec
    public var bands: [Band]
    /// Seconds of samples taken at each tuning step (and for each decode of a file/sim stream).
    public var dwellSeconds: Double
    /// Extra dwell given to a channel with a raised suspect, for evidence capture.
    public var suspectDwellSeconds: Double
    public var collectorURL: URL
    /// Bearer token file; nil when the sensor authenticates by client certificate alone.
    public var tokenFile: String?
    /// Mutual TLS: the sensor's certificate (PEM, subject CN = sensor id) and private key, and the CA
    /// that signed the collector's certificate (nil = the system's trust store).
    public var clientCertificateFile: String?
    public var clientKeyFile: String?
    public var collectorCAFile: String?
    public var keyFile: String
    public var gps: GPSSource
    public var stateDirectory: String
    public var spoolMaxBytes: Int64
    public var uploadBatchSize: Int
    public var uploadIntervalSeconds: Double
    /// Deadline of one POST (connect included: the HTTP client keeps retrying a refused connect until it).
    public var uploadTimeoutSeconds: Double = 30
    /// Ceiling of the retry backoff (seconds): a sensor back in coverage waits at most about this long.
    public var uploadMaxBackoffSeconds: Double = 300
    /// node_exporter textfile (`….prom`), written atomically; nil = no metrics file.
    public var metricsTextfile: String?
    /// GSMTAP destination HOST:PORT for decoded blocks (Wireshark); nil = off.
    public var gsmtap: String?
    /// Seconds of IQ around a suspect's carrier kept as evidence.
    public var evidenceSnippetSeconds: Double
    /// Survey scheduling (`SurveyScheduler`): PSD-only look per step (0 = the old sweep of full dwells),
    /// the power rise that makes a carrier "changed", when an unheard carrier is forgotten, and how often
    /// a suspect's carrier is decoded again.
    public var lookSeconds: Double = 0.02
    public var powerJumpDB: Double = 10
    public var carrierForgetSeconds: Double = 30
    public var suspectRevisitSeconds: Double = 5
    /// Crystal error and gain offset to apply (`cellwatch calibrate` writes them).
    public var calibration: CalibrationSetting = .auto

    public init(sensorID: String, device: DeviceSpec, bands: [Band] = Band.surveyDefaults, dwellSeconds: Double = 1,
                suspectDwellSeconds: Double = 4, collectorURL: URL, tokenFile: String?, keyFile: String? = nil,
                gps: GPSSource = .none, stateDirectory: String, spoolMaxBytes: Int64 = 256 << 20,
                uploadBatchSize: Int = 200, uploadIntervalSeconds: Double = 5, metricsTextfile: String? = nil,
                gsmtap: String? = nil, evidenceSnippetSeconds: Double = 0.1) {
        self.sensorID = sensorID
        self.device = device
        self.bands = bands
        self.dwellSeconds = dwellSeconds
        self.suspectDwellSeconds = suspectDwellSeconds
        self.collectorURL = collectorURL
        self.tokenFile = tokenFile
        self.keyFile = keyFile ?? (stateDirectory as NSString).appendingPathComponent("sensor-ed25519.key")
        self.gps = gps
        self.stateDirectory = stateDirectory
        self.spoolMaxBytes = spoolMaxBytes
        self.uploadBatchSize = uploadBatchSize
        self.uploadIntervalSeconds = uploadIntervalSeconds
        self.metricsTextfile = metricsTextfile
        self.gsmtap = gsmtap
        self.evidenceSnippetSeconds = evidenceSnippetSeconds
    }

    public var spoolPath: String { (stateDirectory as NSString).appendingPathComponent("spool.sqlite") }
    public var evidenceDirectory: String { (stateDirectory as NSString).appendingPathComponent("evidence") }
    /// Where `calibration: auto` looks, and `cellwatch calibrate --config` writes.
    public var calibrationDirectory: String { (stateDirectory as NSString).appendingPathComponent("calibration") }

    /// Reads `path` (YAML) and applies `deviceOverride` (`--device`). Errors name the file and key.
    public static func load(path: String, deviceOverride: String? = nil) async throws(SensorConfigError) -> SensorConfig {
        let name = (path as NSString).lastPathComponent
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw .unreadable(file: path, problem: FileManager.default.fileExists(atPath: path)
                              ? "cannot be read (permissions)" : "no such file")
        }
        let provider: FileProvider<YAMLSnapshot>
        do {
            provider = try await FileProvider<YAMLSnapshot>(filePath: FilePath(path))
        } catch {
            throw .unreadable(file: name, problem: "not valid YAML for a config: \(error)")
        }
        do throws(SensorConfigError) {
            return try parse(ConfigSource(provider: provider), deviceOverride: deviceOverride,
                             baseDirectory: (path as NSString).deletingLastPathComponent)
        } catch {
            throw .inFile(name, error)
        }
    }

    /// Parses YAML text (tests, `config check`); `fileName` names it in errors.
    public static func parse(yaml: String, fileName: String = "sensor.yaml", deviceOverride: String? = nil,
                             baseDirectory: String = ".") throws(SensorConfigError) -> SensorConfig {
        let snapshot: YAMLSnapshot
        do {
            let bytes = Array(yaml.utf8)
            snapshot = try YAMLSnapshot(data: bytes.span.bytes, providerName: fileName, parsingOptions: .default)
        } catch {
            throw .unreadable(file: fileName, problem: "not valid YAML for a config: \(error)")
        }
        do throws(SensorConfigError) {
            return try parse(ConfigSource(snapshot: snapshot), deviceOverride: deviceOverride, baseDirectory: baseDirectory)
        } catch {
            throw .inFile(fileName, error)
        }
    }

    static func parse(_ c: ConfigSource, deviceOverride: String?, baseDirectory: String) throws(SensorConfigError) -> SensorConfig {
        func path(_ p: String) -> String {
            p.hasPrefix("/") ? p : (baseDirectory as NSString).appendingPathComponent(p)
        }
        guard let id = try c.string("sensor.id") else { throw .missing(key: "sensor.id") }
        guard !id.isEmpty, id.count <= 64,
              id.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_.".unicodeScalars.contains($0) })
        else {
            throw .invalid(key: "sensor.id", problem: "\"\(id)\" is not a sensor ID (1–64 of A–Z a–z 0–9 - _ .)")
        }

        let device: DeviceSpec
        if let o = deviceOverride {
            do throws(SensorConfigError) { device = try DeviceSpec.parse(o) } catch { throw error.naming("--device") }
        } else if let d = try c.string("sensor.device") {
            do throws(SensorConfigError) { device = try DeviceSpec.parse(d) } catch { throw error.naming("sensor.device") }
        } else {
            throw .missing(key: "sensor.device")
        }

        var bands: [Band] = Band.surveyDefaults
        if let names = try c.stringArray("sensor.bands") {
            guard !names.isEmpty else { throw .invalid(key: "sensor.bands", problem: "empty list (omit the key to survey every band)") }
            bands = []
            for n in names {
                guard let b = Band(name: n) else {
                    throw .invalid(key: "sensor.bands", problem: "\"\(n)\" is not a band (known: \(Band.allNames.joined(separator: ", ")))")
                }
                if !bands.contains(b) { bands.append(b) }
            }
        }
        let dwell = try c.double("sensor.dwell_seconds", default: 1, in: 0.05...60, unit: "seconds")
        let suspectDwell = try c.double("sensor.suspect_dwell_seconds", default: 4, in: 0.05...600, unit: "seconds")
        let snippet = try c.double("evidence.snippet_seconds", default: 0.1, in: 0.01...2, unit: "seconds")
        let look = try c.double("sensor.look_seconds", default: 0.02, in: 0...1, unit: "seconds")
        if look > 0 && look < 0.005 {
            throw .invalid(key: "sensor.look_seconds", problem: "\(look) seconds is too short for a spectrum (0 turns looks off, else 0.005–1)")
        }
        if look >= dwell {
            throw .invalid(key: "sensor.look_seconds", problem: "\(look) seconds is not shorter than sensor.dwell_seconds (\(dwell)); a look is a short PSD between decode dwells")
        }
        var calibration = CalibrationSetting.auto
        if let cal = try c.string("sensor.calibration") {
            switch cal.lowercased() {
            case "auto": calibration = .auto
            case "none", "off": calibration = .none
            case "": throw .invalid(key: "sensor.calibration", problem: "empty (auto, none, or the path of a calibration file)")
            default: calibration = .file(path(cal))
            }
        }
        let powerJump = try c.double("sensor.power_jump_db", default: 10, in: 3...60, unit: "dB")
        let forget = try c.double("sensor.carrier_forget_seconds", default: 30, in: 1...86_400, unit: "seconds")
        let suspectRevisit = try c.double("sensor.suspect_revisit_seconds", default: 5, in: 0.5...3600, unit: "seconds")

        guard let urlText = try c.string("collector.url") else { throw .missing(key: "collector.url") }
        guard let url = URL(string: urlText), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              url.host?.isEmpty == false
        else {
            throw .invalid(key: "collector.url", problem: "\"\(urlText)\" is not an http:// or https:// URL")
        }
        let token = try c.string("collector.token_file")
        let clientCert = try c.string("collector.client_certificate").map(path)
        let clientKey = try c.string("collector.client_key").map(path)
        let collectorCA = try c.string("collector.ca_file").map(path)
        if (clientCert == nil) != (clientKey == nil) {
            throw .invalid(key: clientCert == nil ? "collector.client_certificate" : "collector.client_key",
                           problem: "missing: a client certificate needs both collector.client_certificate and collector.client_key")
        }
        if token == nil && clientCert == nil {
            throw .missing(key: "collector.token_file (or collector.client_certificate and collector.client_key)")
        }
        if (clientCert != nil || collectorCA != nil) && url.scheme?.lowercased() != "https" {
            throw .invalid(key: "collector.url", problem: "\"\(urlText)\" must be https:// to use a client certificate or collector.ca_file")
        }

        let state = path(try c.string("storage.state_dir") ?? "/var/lib/cellwatch")
        let keyFile = try c.string("storage.key_file").map(path)
        let spoolMax = try c.int("storage.spool_max_bytes", default: 256 << 20, in: (1 << 20)...(1 << 40), unit: "bytes")

        let batch = try c.int("upload.batch_size", default: 200, in: 1...10_000, unit: "records")
        let interval = try c.double("upload.interval_seconds", default: 5, in: 0.1...3600, unit: "seconds")
        let timeout = try c.double("upload.timeout_seconds", default: 30, in: 1...600, unit: "seconds")
        let maxBackoff = try c.double("upload.max_backoff_seconds", default: 300, in: 1...3600, unit: "seconds")

        let gps: GPSSource
        let source = (try c.string("gps.source"))?.lowercased() ?? "none"
        switch source {
        case "gpsd":
            let host = try c.string("gps.host") ?? "127.0.0.1"
            guard !host.isEmpty else { throw .invalid(key: "gps.host", problem: "empty") }
            let port = try c.intRaw("gps.port") ?? 2947
            guard (1...65535).contains(port) else { throw .invalid(key: "gps.port", problem: "\(port) is not a TCP port") }
            let stale = try c.double("gps.stale_seconds", default: 5, in: 0.5...3600, unit: "seconds")
            gps = .gpsd(host: host, port: port, staleAfter: stale)
        case "fixed":
            guard let lat = try c.doubleRaw("gps.latitude") else { throw .missing(key: "gps.latitude") }
            guard let lon = try c.doubleRaw("gps.longitude") else { throw .missing(key: "gps.longitude") }
            guard (-90...90).contains(lat) else { throw .invalid(key: "gps.latitude", problem: "\(lat) is not a latitude (−90…90)") }
            guard (-180...180).contains(lon) else { throw .invalid(key: "gps.longitude", problem: "\(lon) is not a longitude (−180…180)") }
            if lat == 0 && lon == 0 {
                throw .invalid(key: "gps.latitude", problem: "0,0 is the placeholder of a missing fix, not a site; give the surveyed position")
            }
            let alt = try c.doubleRaw("gps.altitude")
            if let alt, !(-500...9000).contains(alt) { throw .invalid(key: "gps.altitude", problem: "\(alt) m is not a ground altitude") }
            let acc = try c.double("gps.accuracy_meters", default: 10, in: 0.01...100_000, unit: "metres")
            gps = .fixed(latitude: lat, longitude: lon, altitude: alt, accuracy: acc)
        case "none":
            gps = .none
        default:
            throw .invalid(key: "gps.source", problem: "\"\(source)\" is not gpsd, fixed or none")
        }

        let metrics = try c.string("metrics.textfile").map(path)
        if let metrics, !metrics.hasSuffix(".prom") {
            throw .invalid(key: "metrics.textfile", problem: "\"\(metrics)\" must end in .prom (node_exporter reads only those)")
        }
        let gsmtap = try c.string("gsmtap.destination")
        if let gsmtap {
            let parts = gsmtap.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, let p = Int(parts[1]), (1...65535).contains(p) else {
                throw .invalid(key: "gsmtap.destination", problem: "\"\(gsmtap)\" is not HOST:PORT")
            }
        }
        var config = SensorConfig(sensorID: id, device: device, bands: bands, dwellSeconds: dwell, suspectDwellSeconds: suspectDwell,
                            collectorURL: url, tokenFile: token.map(path), keyFile: keyFile, gps: gps, stateDirectory: state,
                            spoolMaxBytes: Int64(spoolMax), uploadBatchSize: batch, uploadIntervalSeconds: interval,
                            metricsTextfile: metrics, gsmtap: gsmtap, evidenceSnippetSeconds: snippet)
        config.uploadTimeoutSeconds = timeout
        config.lookSeconds = look
        config.powerJumpDB = powerJump
        config.carrierForgetSeconds = forget
        config.suspectRevisitSeconds = suspectRevisit
        config.uploadMaxBackoffSeconds = maxBackoff
        config.clientCertificateFile = clientCert
        config.clientKeyFile = clientKey
        config.collectorCAFile = collectorCA
        config.calibration = calibration
        return config
    }

    /// Reads the bearer token (first line of `tokenFile`, trimmed); nil when no token file is configured.
    public func readToken() throws(SensorConfigError) -> String? {
        guard let tokenFile else { return nil }
        guard let data = FileManager.default.contents(atPath: tokenFile), let text = String(data: data, encoding: .utf8) else {
            throw .invalid(key: "collector.token_file", problem: "\(tokenFile) cannot be read")
        }
        let token = text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard !token.isEmpty else { throw .invalid(key: "collector.token_file", problem: "\(tokenFile) is empty") }
        return token
    }
}

/// Typed reads from a swift-configuration provider: a missing key is nil, a value of the wrong shape is
/// an error naming the key (ConfigReader's own getters would silently fall back to the default).
struct ConfigSource {
    private let lookup: (AbsoluteConfigKey, ConfigType) throws -> LookupResult

    init(provider: FileProvider<YAMLSnapshot>) { lookup = { try provider.value(forKey: $0, type: $1) } }
    init(snapshot: YAMLSnapshot) { lookup = { try snapshot.value(forKey: $0, type: $1) } }

    private func key(_ k: String) -> AbsoluteConfigKey { AbsoluteConfigKey(k.split(separator: ".").map(String.init)) }

    func string(_ k: String) throws(SensorConfigError) -> String? {
        do {
            guard let v = try lookup(key(k), .string).value else { return nil }
            if case .string(let s) = v.content { return s }
            return nil
        } catch {
            throw .invalid(key: k, problem: "must be a single value, not a list or mapping")
        }
    }

    func stringArray(_ k: String) throws(SensorConfigError) -> [String]? {
        do {
            guard let v = try lookup(key(k), .stringArray).value else { return nil }
            if case .stringArray(let s) = v.content { return s }
            return nil
        } catch {
            throw .invalid(key: k, problem: "must be a list like [GSM900, DCS1800]")
        }
    }

    func intRaw(_ k: String) throws(SensorConfigError) -> Int? {
        guard let s = try string(k) else { return nil }
        guard let v = Int(s.replacingOccurrences(of: "_", with: "")) else {
            throw .invalid(key: k, problem: "\"\(s)\" is not a whole number")
        }
        return v
    }

    func doubleRaw(_ k: String) throws(SensorConfigError) -> Double? {
        guard let s = try string(k) else { return nil }
        guard let v = Double(s), v.isFinite else { throw .invalid(key: k, problem: "\"\(s)\" is not a number") }
        return v
    }

    func int(_ k: String, default d: Int, in range: ClosedRange<Int>, unit: String) throws(SensorConfigError) -> Int {
        let v = try intRaw(k) ?? d
        guard range.contains(v) else {
            throw .invalid(key: k, problem: "\(v) \(unit) is out of range (\(range.lowerBound)…\(range.upperBound))")
        }
        return v
    }

    func double(_ k: String, default d: Double, in range: ClosedRange<Double>, unit: String) throws(SensorConfigError) -> Double {
        let v = try doubleRaw(k) ?? d
        guard range.contains(v) else {
            throw .invalid(key: k, problem: "\(v) \(unit) is out of range (\(range.lowerBound)…\(range.upperBound))")
        }
        return v
    }
}
