import CellwatchModel
import Foundation
import Logging
import Radio
import Simulation
import Testing
import TestSupport
@testable import Sensor

/// Issue 8's `cellwatch calibrate`: the crystal error a simulated receiver was given (the scene's
/// `clock_error_ppm`, which moves its LO and its sample clock) must come back from the FCCH of the
/// scene's GSM cells, a cell that is itself off must be left out, the gain offset must match the
/// scene's dBFS = dBm + gain, and the sensor must apply the result.
@Suite(.serialized)
struct CalibrationTests {
    /// A fixed sensor among five GSM cells in E-GSM 900 and DCS 1800; `offCell` gives one of them its own
    /// frequency error (a cell on a bad oscillator), `cells` limits how many are on the air.
    static func scenario(ppm: Double, offCell: Double? = nil, cells: Int = 5, gain: Double = 55) -> String {
        let all = [
            "{id: A, operator: Op, position: {x_m: -300, y_m: 200}, arfcn: 20, bsic: 11, lac: 100, ci: 1, power_dbm: 50}",
            "{id: B, operator: Op, position: {x_m: 400, y_m: -250}, arfcn: 62, bsic: 12, lac: 100, ci: 2, power_dbm: 50"
                + (offCell.map { ", frequency_error_ppm: \($0)" } ?? "") + "}",
            "{id: C, operator: Op, position: {x_m: 250, y_m: 350}, arfcn: 110, bsic: 13, lac: 100, ci: 3, power_dbm: 48}",
            "{id: D, operator: Op, position: {x_m: -350, y_m: -300}, arfcn: 600, bsic: 14, lac: 100, ci: 4, power_dbm: 48}",
            "{id: E, operator: Op, position: {x_m: 200, y_m: -400}, arfcn: 750, bsic: 15, lac: 100, ci: 5, power_dbm: 48}",
        ]
        return """
            name: calibration bench
            seed: 3
            start: 2026-11-29T10:00:00Z
            duration: 10m
            area:
              origin: {lat: 26.05, lon: 119.31}
            propagation:
              path_loss_exponent: 3.5
              shadowing_sigma_db: 4
              shadowing_correlation_m: 50
              multipath_taps: 3
              delay_spread_us: 0.5
            operators:
              - name: Op
                mcc: "460"
                mnc: "00"
                bands: [E-GSM900, DCS1800]
                lacs: [100]
            cells:
            \(all.prefix(cells).map { "  - " + $0 }.joined(separator: "\n"))
            sensors:
              - id: BENCH
                kind: fixed
                position: {x_m: 0, y_m: 0}
                receiver:
                  sample_rate: 2e6
                  centre_arfcn: 62
                  gain_db: \(gain)
                  adc: cs8
                  clock_error_ppm: \(ppm)

            """
    }

    static func device(_ yaml: String, name: String = #function) throws -> (SimulatedDevice, String) {
        let dir = TestSupport.temporaryDirectory("calibration-\(name.prefix(24))")
        let path = dir.appendingPathComponent("bench.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return (try SimulatedDevice(spec: "sim:" + path), dir.path)
    }

    static func calibrate(_ device: SimulatedDevice, bands: [GSMBand] = [.egsm900, .dcs1800],
                          dwell: Double = 0.6, carriers: [(GSMBand, Int)] = []) throws(CalibrationError) -> ReceiverCalibration {
        var s = CalibrationSettings()
        s.bands = bands
        s.dwellSeconds = dwell
        s.carriers = carriers.map { (band: $0.0, arfcn: $0.1) }
        s.gainReference = .scene(of: device)
        let id = CalibrationDeviceID.identify(spec: .sim(scenario: device.scenario.source), device: device)
        return try CrystalCalibrator(device: device, deviceID: id, settings: s,
                                     clock: { Date(timeIntervalSince1970: 1_800_000_000) }).run()
    }

    /// +2.5 ppm and −7 ppm come back within 0.2 ppm (the issue's bar; the figures are printed), with the
    /// gain offset within 3 dB of −gain (the scene's dBFS = dBm + gain; multipath fading is the spread).
    @Test(arguments: [2.5, -7.0]) func recoversInjectedCrystalError(ppm: Double) throws {
        let (device, _) = try Self.device(Self.scenario(ppm: ppm), name: "inject\(ppm)")
        let started = Date()
        let c = try Self.calibrate(device)
        let used = c.cells.filter(\.used)
        print("calibration: injected \(ppm) ppm, measured \(String(format: "%+.4f", c.ppm)) ± \(String(format: "%.4f", c.ppmUncertainty)) ppm from \(used.count) cells (\(c.cells.map { "ARFCN \($0.channel) \(String(format: "%+.3f", $0.ppm)) FCCH \($0.fcchBursts)" }.joined(separator: ", "))); gain offset \(c.gainOffsetDB.map { String(format: "%.2f", $0) } ?? "-") dB; \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        #expect(abs(c.ppm - ppm) < 0.2, "measured \(c.ppm) for \(ppm)")
        #expect(c.ppmUncertainty < 0.2)
        #expect(used.count >= 4, "\(c.cells)")
        // Cells in both bands: the ppm holds across 940 and 1840 MHz.
        #expect(Set(used.map(\.band)) == ["E-GSM900", "DCS1800"])
        #expect(used.allSatisfy { $0.bsic != nil && $0.fcchBursts >= 3 })
        let g = try #require(c.gainOffsetDB)
        #expect(abs(g - -55) < 3, "gain offset \(g)")
        #expect(c.gainReference == "scene")
        #expect(c.device == CalibrationDeviceID(driver: "sim", serial: "calibration bench@BENCH"))
    }

    /// A cell 3 ppm off by itself is outvoted and left out, with the reason; the others still agree.
    @Test func offCellIsRejected() throws {
        let (device, _) = try Self.device(Self.scenario(ppm: -7, offCell: 3), name: "offcell")
        let c = try Self.calibrate(device, carriers: [(.egsm900, 20), (.egsm900, 62), (.egsm900, 110), (.dcs1800, 600)])
        #expect(abs(c.ppm - -7) < 0.2, "\(c.ppm)")
        let b = try #require(c.cells.first { $0.channel == 62 })
        #expect(!b.used)
        #expect(b.rejected?.contains("from the median") == true, "\(b.rejected ?? "")")
        #expect(c.cells.filter(\.used).count == 3)
    }

    @Test func twoCellsThatDisagreeAreAnError() throws {
        let (device, _) = try Self.device(Self.scenario(ppm: 1, offCell: 3, cells: 2), name: "disagree")
        #expect {
            _ = try Self.calibrate(device, bands: [.egsm900])
        } throws: { e in
            guard let e = e as? CalibrationError, case .cellsDisagree = e else { return false }
            let text = e.description
            return text.contains("the cells disagree about the crystal error") && text.contains("ARFCN 20 says")
                && text.contains("ARFCN 62 says")
        }
    }

    @Test func noCellInTheBandIsAnError() throws {
        let (device, _) = try Self.device(Self.scenario(ppm: 1), name: "nocell")
        #expect {
            _ = try Self.calibrate(device, bands: [.gsm850])
        } throws: { e in
            guard let e = e as? CalibrationError, case .noStrongCell = e else { return false }
            return e.description.contains("no strong GSM or LTE cell to calibrate on") && e.description.contains("GSM850")
        }
    }

    @Test func robustFit() {
        // A majority wins; the outlier is named.
        let r = try? CalibrationFit.fit([(2.5, 0.01), (2.52, 0.01), (2.49, 0.01), (9, 0.01)], labels: ["a", "b", "c", "d"]).get()
        #expect(r?.used == [0, 1, 2])
        #expect(r?.rejected.map(\.index) == [3])
        #expect(abs((r?.ppm ?? 0) - 2.503) < 0.01)
        // No majority: an error naming every cell.
        guard case .failure(.disagree(let why)) = CalibrationFit.fit([(1, 0.01), (5, 0.01), (9, 0.01)], labels: ["a", "b", "c"]) else {
            Issue.record("three scattered cells should disagree")
            return
        }
        #expect(why.contains("a says +1.00 ppm") && why.contains("c says +9.00 ppm"))
        // One cell: taken, with at least the cell's own tolerance as uncertainty.
        let one = try? CalibrationFit.fit([(-3, 0.001)], labels: ["a"]).get()
        #expect(one?.ppm == -3)
        #expect((one?.uncertainty ?? 0) >= 0.05)
        #expect(throws: Never.self) { _ = try CalibrationFit.fit([(1, 0.1), (1.3, 0.1)], labels: ["a", "b"]).get() }
    }

    // MARK: the file

    static let sample = ReceiverCalibration(
        device: .init(driver: "hackrf", serial: "0000000000000000a06063c8234e925f"), deviceName: "HackRF One 0000000000000000a06063c8234e925f",
        ppm: -7.012, ppmUncertainty: 0.021, gainOffsetDB: -54.6, gainReference: "meter",
        cells: [CalibrationCell(band: "E-GSM900", channel: 62, frequencyHz: 947.4e6, offsetHz: 6643, ppm: -7.01, ppmUncertainty: 0.002,
                                fcchBursts: 21, bsic: 12, powerDBFS: -37.2, snrDB: 30, referenceDBm: -91.8)],
        sampleRateHz: 20e6, dwellSeconds: 1, measuredAt: Date(timeIntervalSince1970: 1_800_000_000))

    @Test func fileRoundTripsAndNamesTheDevice() throws {
        let dir = TestSupport.temporaryDirectory("calibration-store")
        let store = CalibrationStore(directory: dir.appendingPathComponent("calibration").path)
        let path = try store.save(Self.sample)
        #expect(path.hasSuffix("calibration/hackrf-0000000000000000a06063c8234e925f.json"))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for key in ["\"format\" : \"cellwatch-calibration\"", "\"format_version\" : 1", "\"ppm\" : -7.012", "\"ppm_uncertainty\"",
                    "\"gain_offset_db\" : -54.6", "\"measured_at\" : \"2027-01-15T08:00:00", "\"cellwatch_version\"",
                    "\"fcch_bursts\" : 21", "\"rat\" : \"GSM\"", "\"channel\" : 62", "\"power_dbfs\" : -37.2", "\"driver\" : \"hackrf\""] {
            #expect(text.contains(key), "\(key) in \(text)")
        }
        #expect(try store.find(Self.sample.device) == Self.sample)
        #expect(try store.find(.init(driver: "hackrf", serial: "ffff")) == nil)
        #expect(CalibrationDeviceID(driver: "sim", serial: "/tmp/a b.yaml@X").fileName == "sim-_tmp_a_b.yaml_X.json")
    }

    @Test func unreadableFilesSayWhy() throws {
        let dir = TestSupport.temporaryDirectory("calibration-bad")
        func write(_ name: String, _ text: String) -> String {
            let p = dir.appendingPathComponent(name).path
            _ = FileManager.default.createFile(atPath: p, contents: Data(text.utf8))
            return p
        }
        func message(_ path: String) -> String {
            do { _ = try ReceiverCalibration.load(path: path); return "loaded" } catch { return error.description }
        }
        #expect(message(dir.appendingPathComponent("none.json").path).hasSuffix("none.json: no such file"))
        let notJSON = write("a.json", "ppm = 3")
        #expect(message(notJSON).hasPrefix("\(notJSON): not JSON"), "\(message(notJSON))")
        let good = String(decoding: try Self.sample.encoded(), as: UTF8.self)
        let missing = write("b.json", good.replacingOccurrences(of: "\"ppm_uncertainty\" : 0.021,", with: ""))
        #expect(message(missing) == "\(missing): ppm_uncertainty: missing", "\(message(missing))")
        let wrong = write("c.json", good.replacingOccurrences(of: "\"ppm\" : -7.012", with: "\"ppm\" : \"fast\""))
        #expect(message(wrong).hasPrefix("\(wrong): ppm: wrong type"), "\(message(wrong))")
        let far = write("d.json", good.replacingOccurrences(of: "\"ppm\" : -7.012", with: "\"ppm\" : 900"))
        #expect(message(far) == "\(far): ppm: 900.0 is outside ±200 ppm, not a crystal error")
        let other = write("e.json", good.replacingOccurrences(of: "\"format_version\" : 1", with: "\"format_version\" : 7"))
        #expect(message(other).contains("format_version: 7 is not supported"))
        let date = write("f.json", good.replacingOccurrences(of: "2027-01-15T08:00:00", with: "yesterday"))
        #expect(message(date).hasPrefix("\(date): measured_at:"), "\(message(date))")
    }

    // MARK: the sensor applies it

    static func daemon(_ yaml: String, dir: String, calibration: CalibrationSetting) throws -> (SensorDaemon, SimulatedDevice) {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = (dir as NSString).appendingPathComponent("bench.yaml")
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let token = (dir as NSString).appendingPathComponent("token")
        try "t\n".write(toFile: token, atomically: true, encoding: .utf8)
        var config = SensorConfig(sensorID: "BENCH", device: .sim(scenario: path), bands: [.gsm(.egsm900)], dwellSeconds: 2,
                                  collectorURL: URL(string: "http://127.0.0.1:9")!, tokenFile: token,
                                  stateDirectory: (dir as NSString).appendingPathComponent("state"))
        config.calibration = calibration
        let device = try SimulatedDevice(spec: "sim:" + path)
        let quiet = Logger(label: "calibration-test", factory: { _ in SwiftLogNoOpLogHandler() })
        return (try SensorDaemon(config: config, device: device, logger: quiet, seed: 1, simulationRealTime: false), device)
    }

    static func observations(_ d: SensorDaemon) throws -> [CellObservation] {
        try d.spool.nextBatch(limit: 10_000).filter { $0.kind == .observation }
            .map { try ReportCoding.decoder().decode(ObservationRecord.self, from: $0.payload).observation }
    }

    /// A sensor whose crystal is 7 ppm slow: uncalibrated it reports every cell about +7 ppm off;
    /// with its calibration file (auto, by device) it tunes at f/(1+ppm), reports the cells' own 0.02 ppm
    /// marked calibrated, and dBm.
    @Test func sensorAppliesTheCalibration() throws {
        let yaml = Self.scenario(ppm: -7, cells: 3)
        let dir = TestSupport.temporaryDirectory("calibration-apply").path
        let (plain, _) = try Self.daemon(yaml, dir: (dir as NSString).appendingPathComponent("plain"), calibration: .auto)
        #expect(plain.calibration == nil)
        while try plain.survey.stats.dwells < 3 && plain.survey.step() {}
        let raw = try Self.observations(plain)
        #expect(!raw.isEmpty)
        for o in raw {
            #expect(!o.frequencyCalibrated)
            #expect(abs((o.carrierOffsetPPM ?? 0) - 7) < 0.3, "\(o.carrierOffsetPPM ?? .nan)")
            #expect(o.powerDBm == nil)
        }

        let calDir = (dir as NSString).appendingPathComponent("cal")
        var c = Self.sample
        c.ppm = -7
        c.gainOffsetDB = -55
        c.device = CalibrationDeviceID(driver: "sim", serial: "calibration bench@BENCH")
        try CalibrationStore(directory: (calDir as NSString).appendingPathComponent("state/calibration")).save(c)
        let (cal, _) = try Self.daemon(yaml, dir: calDir, calibration: .auto)
        #expect(cal.calibration?.ppm == -7)
        #expect(cal.survey.calibration == AppliedCalibration(ppm: -7, gainOffsetDB: -55, tuningCorrected: true))
        while try cal.survey.stats.dwells < 3 && cal.survey.step() {}
        let fixed = try Self.observations(cal)
        #expect(!fixed.isEmpty)
        for o in fixed {
            #expect(o.frequencyCalibrated)
            // The scene's cells are 0.02 ppm off (its default for a legitimate cell).
            #expect(abs((o.carrierOffsetPPM ?? 9) - 0.02) < 0.05, "\(o.carrierOffsetPPM ?? .nan)")
            let dBm = try #require(o.powerDBm)
            #expect(abs(dBm.value - ((o.powerDBFS?.value ?? 0) - 55)) < 1e-9)
        }

        // A calibration file named in the config that is not there stops the sensor with the reason.
        #expect {
            _ = try Self.daemon(yaml, dir: (dir as NSString).appendingPathComponent("missing"), calibration: .file("/nonexistent/cal.json"))
        } throws: { e in
            "\(e)" == "sensor.calibration: /nonexistent/cal.json: no such file"
        }
    }

    @Test func configKey() throws {
        func parse(_ value: String?) throws -> CalibrationSetting {
            let line = value.map { "\n  calibration: \($0)" } ?? ""
            return try SensorConfig.parse(yaml: """
                sensor:
                  id: van-07
                  device: hackrf\(line)
                collector:
                  url: http://127.0.0.1:9
                  token_file: token
                """, baseDirectory: "/etc/cellwatch").calibration
        }
        #expect(try parse(nil) == .auto)
        #expect(try parse("auto") == .auto)
        #expect(try parse("none") == CalibrationSetting.none)
        #expect(try parse("cal/hackrf-1.json") == .file("/etc/cellwatch/cal/hackrf-1.json"))
        #expect(try parse("/var/lib/x.json") == .file("/var/lib/x.json"))
    }

    /// The correction formula on its own: a cell 0.05 ppm off seen by a receiver 7 ppm fast, with and
    /// without the tuning corrected, comes back as 0.05 ppm.
    @Test func cellOffsetUndoesTheReceiversError() {
        let p = 7e-6, e = 0.05e-6, f = 1842.2e6
        // Tuning corrected: the LO is at the block's centre c; the sample clock still runs fast.
        let c = 1841.9e6
        let measuredTuned = (f * (1 + e) - c) / (1 + p) - (f - c)
        let a = AppliedCalibration(ppm: 7, gainOffsetDB: nil, tuningCorrected: true)
        #expect(abs(a.cellOffset(measured: measuredTuned, frequency: f, centre: c) - e * f) < 1e-6)
        // A recording: the LO sat at c·(1+p).
        let measuredRaw = (f * (1 + e) - c * (1 + p)) / (1 + p) - (f - c)
        let b = AppliedCalibration(ppm: 7, gainOffsetDB: nil, tuningCorrected: false)
        #expect(abs(b.cellOffset(measured: measuredRaw, frequency: f, centre: c) - e * f) < 1e-6)
    }
}
