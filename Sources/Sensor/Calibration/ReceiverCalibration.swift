import CellwatchModel
import Foundation
import Radio
import Simulation
import USBRadios

/// The version `cellwatch calibrate` writes into each calibration file.
public enum CellwatchVersion {
    public static let current = "0.9.0"
}

/// Which receiver a calibration belongs to: the driver and the device's serial number (a crystal's
/// error belongs to one board, not to a model).
public struct CalibrationDeviceID: Codable, Sendable, Hashable, CustomStringConvertible {
    /// `hackrf`, `rtlsdr`, `sim`, `file`.
    public var driver: String
    public var serial: String

    public init(driver: String, serial: String) {
        self.driver = driver
        self.serial = serial
    }

    public var description: String { "\(driver) \(serial)" }

    /// The calibration file's name: `DRIVER-SERIAL.json`, with anything but A–Z a–z 0–9 . _ - turned
    /// into `_` (a scenario path or a file name may hold slashes).
    public var fileName: String {
        let safe = serial.unicodeScalars.map { c -> String in
            (c.isASCII && (CharacterSet.alphanumerics.contains(c) || "._-".unicodeScalars.contains(c))) ? String(c) : "_"
        }.joined()
        return "\(driver)-\(safe.isEmpty ? "unknown" : safe).json"
    }

    /// The identity of an opened radio. HackRF and RTL-SDR: the USB serial number (RTL-SDR without one:
    /// the device's name); simulated: scenario and sensor; recording: its file name.
    public static func identify(spec: DeviceSpec, device: any RadioDevice) -> CalibrationDeviceID {
        switch spec {
        case .hackrf(let wanted):
            if let h = device as? HackRFDevice {
                let s = h.serial ?? String(h.name.dropFirst("HackRF One ".count))
                return .init(driver: "hackrf", serial: s.isEmpty ? (wanted ?? "unknown") : s)
            }
            return .init(driver: "hackrf", serial: wanted ?? device.name)
        case .rtlsdr(let index):
            // Many sticks share the serial "00000001"; re-program it (rtl_eeprom -s) to tell them apart.
            if let r = device as? RTLSDRDevice, let s = r.serial, !s.isEmpty { return .init(driver: "rtlsdr", serial: s) }
            let name = device.name
            return .init(driver: "rtlsdr", serial: name.isEmpty ? "index\(index ?? 0)" : name)
        case .file(let path):
            var name = (path as NSString).lastPathComponent
            for ext in [".sigmf-meta", ".sigmf-data", ".sigmf"] where name.hasSuffix(ext) { name = String(name.dropLast(ext.count)) }
            return .init(driver: "file", serial: name)
        case .sim(let scenario):
            if let s = device as? SimulatedDevice {
                return .init(driver: "sim", serial: "\(s.scenario.name)@\(s.sensor.id)")
            }
            return .init(driver: "sim", serial: scenario)
        }
    }
}

/// One cell a calibration measured: a GSM cell (its FCCH) or an LTE cell (its PSS/SSS).
public struct CalibrationCell: Codable, Sendable, Equatable {
    /// `GSM` or `LTE`.
    public var rat: String
    public var band: String
    /// ARFCN (GSM) or downlink EARFCN (LTE).
    public var channel: Int
    /// Nominal downlink carrier frequency.
    public var frequencyHz: Double
    /// Where the receiver saw the carrier, against the nominal frequency (GSM: median of the FCCH bursts;
    /// LTE: the cell search's PSS/SSS and CRS estimate).
    public var offsetHz: Double
    /// The receiver's crystal error this cell implies (−offset/(frequency + offset), sample clock included).
    public var ppm: Double
    /// One standard error of `ppm` (GSM: from the spread of its FCCH bursts).
    public var ppmUncertainty: Double
    /// FCCH bursts measured (GSM; 0 for LTE).
    public var fcchBursts: Int
    /// The cell's BSIC when its SCH decoded (a real GSM cell, not a stray tone).
    public var bsic: Int?
    /// The LTE cell's physical cell identity (its MIB decoded).
    public var pci: Int?
    /// Power of the cell (dBFS; GSM: mean burst power, LTE: the carrier's power in the spectrum) and SNR.
    public var powerDBFS: Double?
    public var snrDB: Double?
    /// The received power the gain reference gives for this cell (dBm), when there is one.
    public var referenceDBm: Double?
    /// Whether the fit used it; else why not.
    public var used: Bool
    public var rejected: String?

    enum CodingKeys: String, CodingKey {
        case rat, band, channel, ppm, used, rejected, bsic, pci
        case frequencyHz = "frequency_hz", offsetHz = "offset_hz", ppmUncertainty = "ppm_uncertainty"
        case fcchBursts = "fcch_bursts", powerDBFS = "power_dbfs", snrDB = "snr_db", referenceDBm = "reference_dbm"
    }

    public init(rat: String = "GSM", band: String, channel: Int, frequencyHz: Double, offsetHz: Double, ppm: Double,
                ppmUncertainty: Double, fcchBursts: Int, bsic: Int? = nil, pci: Int? = nil, powerDBFS: Double? = nil,
                snrDB: Double? = nil, referenceDBm: Double? = nil, used: Bool = true, rejected: String? = nil) {
        self.rat = rat
        self.band = band
        self.channel = channel
        self.frequencyHz = frequencyHz
        self.offsetHz = offsetHz
        self.ppm = ppm
        self.ppmUncertainty = ppmUncertainty
        self.fcchBursts = fcchBursts
        self.bsic = bsic
        self.pci = pci
        self.powerDBFS = powerDBFS
        self.snrDB = snrDB
        self.referenceDBm = referenceDBm
        self.used = used
        self.rejected = rejected
    }

    /// "ARFCN 62" or "EARFCN 5110 PCI 277".
    public var label: String {
        rat == "LTE" ? "EARFCN \(channel)" + (pci.map { " PCI \($0)" } ?? "") : "ARFCN \(channel)"
    }
}

/// What `cellwatch calibrate` measured for one receiver, stored as `calibration/DRIVER-SERIAL.json`
/// (format: calibration/README.md) and applied by the sensor.
///
/// Sign conventions: `ppm` is the receiver's crystal error, positive when its crystal runs fast (its
/// LO then sits above the frequency asked for, and every cell appears *below* its nominal frequency by
/// ppm × f). The sensor asks the radio for f / (1 + ppm·10⁻⁶) to be tuned to f. `gainOffsetDB` turns
/// the sensor's dBFS into dBm at the antenna port: dBm = dBFS + gainOffsetDB (valid at the gains the
/// sensor uses, which are the driver's defaults during calibration too).
public struct ReceiverCalibration: Codable, Sendable, Equatable {
    public static let formatName = "cellwatch-calibration"
    public static let formatVersion = 1

    public var format: String
    public var formatVersion: Int
    public var device: CalibrationDeviceID
    /// The device's name as the driver gives it (`HackRF One 0000…925f`).
    public var deviceName: String
    public var ppm: Double
    /// One standard error of `ppm`: the cells' spread and the 0.05 ppm each real cell may be off itself.
    public var ppmUncertainty: Double
    /// dBm = dBFS + gainOffsetDB; nil when no power reference was available.
    public var gainOffsetDB: Double?
    /// Where the dBm came from: `meter` (a technician's reading, `--reference-dbm`) or `scene` (the
    /// simulated scene's known transmit power and path loss).
    public var gainReference: String?
    public var cells: [CalibrationCell]
    public var sampleRateHz: Double
    public var dwellSeconds: Double
    public var measuredAt: Date
    public var cellwatchVersion: String

    enum CodingKeys: String, CodingKey {
        case format, device, ppm, cells
        case formatVersion = "format_version", deviceName = "device_name", ppmUncertainty = "ppm_uncertainty"
        case gainOffsetDB = "gain_offset_db", gainReference = "gain_reference", sampleRateHz = "sample_rate_hz"
        case dwellSeconds = "dwell_seconds", measuredAt = "measured_at", cellwatchVersion = "cellwatch_version"
    }

    public init(device: CalibrationDeviceID, deviceName: String, ppm: Double, ppmUncertainty: Double,
                gainOffsetDB: Double?, gainReference: String?, cells: [CalibrationCell], sampleRateHz: Double,
                dwellSeconds: Double, measuredAt: Date, cellwatchVersion: String = CellwatchVersion.current) {
        format = Self.formatName
        formatVersion = Self.formatVersion
        self.device = device
        self.deviceName = deviceName
        self.ppm = ppm
        self.ppmUncertainty = ppmUncertainty
        self.gainOffsetDB = gainOffsetDB
        self.gainReference = gainReference
        self.cells = cells
        self.sampleRateHz = sampleRateHz
        self.dwellSeconds = dwellSeconds
        self.measuredAt = measuredAt
        self.cellwatchVersion = cellwatchVersion
    }

    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.dateEncodingStrategy = .custom { d, enc in
            var c = enc.singleValueContainer()
            try c.encode(ReportCoding.formatDate(d))
        }
        return e
    }

    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .custom { dec in
            let c = try dec.singleValueContainer()
            let s = try c.decode(String.self)
            guard let date = ReportCoding.parseDate(s) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "\"\(s)\" is not an RFC 3339 time")
            }
            return date
        }
        return d
    }

    public func encoded() throws -> Data {
        var data = try Self.encoder().encode(self)
        data.append(0x0a)
        return data
    }

    /// Reads and checks a calibration file; every problem names the file and the key.
    public static func load(path: String) throws(CalibrationError) -> ReceiverCalibration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, problem: FileManager.default.fileExists(atPath: path)
                              ? "cannot be read (permissions)" : "no such file")
        }
        let c: ReceiverCalibration
        do {
            c = try decoder().decode(ReceiverCalibration.self, from: data)
        } catch let e as DecodingError {
            throw .unreadable(path: path, problem: Self.explain(e))
        } catch {
            throw .unreadable(path: path, problem: "not a calibration file: \(error.localizedDescription)")
        }
        guard c.format == formatName else {
            throw .unreadable(path: path, problem: "format: \"\(c.format)\" is not \(formatName)")
        }
        guard c.formatVersion == formatVersion else {
            throw .unreadable(path: path, problem: "format_version: \(c.formatVersion) is not supported (this cellwatch reads \(formatVersion)); calibrate again")
        }
        guard c.ppm.isFinite, abs(c.ppm) <= 200 else {
            throw .unreadable(path: path, problem: "ppm: \(c.ppm) is outside ±200 ppm, not a crystal error")
        }
        guard c.ppmUncertainty.isFinite, c.ppmUncertainty >= 0 else {
            throw .unreadable(path: path, problem: "ppm_uncertainty: \(c.ppmUncertainty) is not a non-negative number")
        }
        if let g = c.gainOffsetDB, !(g.isFinite && abs(g) <= 200) {
            throw .unreadable(path: path, problem: "gain_offset_db: \(g) is outside ±200 dB")
        }
        return c
    }

    private static func explain(_ e: DecodingError) -> String {
        func key(_ path: [any CodingKey]) -> String {
            let names = path.map { k in k.intValue.map { "[\($0)]" } ?? k.stringValue }
            return names.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch e {
        case .keyNotFound(let k, let ctx):
            let at = key(ctx.codingPath + [k])
            return "\(at): missing"
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx):
            return "\(key(ctx.codingPath)): wrong type (\(ctx.debugDescription))"
        case .dataCorrupted(let ctx):
            return ctx.codingPath.isEmpty ? "not JSON (\(ctx.underlyingError.map { "\($0)" } ?? ctx.debugDescription))"
                : "\(key(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default:
            return "not a calibration file"
        }
    }

}

/// Why a calibration could not be made, read or applied: one sentence naming the file or the device.
public enum CalibrationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No GSM carrier strong enough and no LTE cell, or none whose FCCH (PSS/SSS, MIB) could be measured.
    case noStrongCell(device: String, detail: String)
    /// The cells measured disagree about the crystal error beyond what real base stations allow.
    case cellsDisagree(device: String, detail: String)
    case unreadable(path: String, problem: String)
    case notWritten(path: String, problem: String)
    case badArguments(String)
    case radio(String)

    public var description: String {
        switch self {
        case .noStrongCell(let d, let detail): "\(d): no strong GSM or LTE cell to calibrate on: \(detail)"
        case .cellsDisagree(let d, let detail): "\(d): the cells disagree about the crystal error: \(detail)"
        case .unreadable(let path, let problem): "\(path): \(problem)"
        case .notWritten(let path, let problem): "\(path): cannot write the calibration: \(problem)"
        case .badArguments(let what): what
        case .radio(let what): what
        }
    }
}

/// The calibration directory: one file per device, `DRIVER-SERIAL.json`.
public struct CalibrationStore: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// `STATE_DIR/calibration`.
    public init(stateDirectory: String) {
        directory = (stateDirectory as NSString).appendingPathComponent("calibration")
    }

    public func path(for id: CalibrationDeviceID) -> String {
        (directory as NSString).appendingPathComponent(id.fileName)
    }

    /// The device's calibration, nil when there is no file for it (an unreadable one is an error).
    public func find(_ id: CalibrationDeviceID) throws(CalibrationError) -> ReceiverCalibration? {
        let p = path(for: id)
        guard FileManager.default.fileExists(atPath: p) else { return nil }
        return try ReceiverCalibration.load(path: p)
    }

    /// Writes atomically (temporary file, then rename): a reader never sees half a file. Returns the path.
    @discardableResult
    public func save(_ c: ReceiverCalibration) throws(CalibrationError) -> String {
        let p = path(for: c.device)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .notWritten(path: directory, problem: "cannot create the directory: \(error.localizedDescription)")
        }
        let tmp = p + ".tmp\(getpid())"
        do {
            try c.encoded().write(to: URL(fileURLWithPath: tmp))
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw .notWritten(path: p, problem: error.localizedDescription)
        }
        guard rename(tmp, p) == 0 else {
            let e = String(cString: strerror(errno))
            unlink(tmp)
            throw .notWritten(path: p, problem: e)
        }
        return p
    }
}
