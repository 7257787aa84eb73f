import ArgumentParser
import CellwatchModel
import Foundation
import Radio
import Sensor
import Simulation

struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the receiver's crystal error (ppm) and gain offset (dBFS to dBm) on strong GSM cells, and store them for the sensor.",
        discussion: """
            Surveys the GSM bands for the strongest carriers (or measures the cells named with --arfcn), dwells on
            each and measures its frequency correction bursts (FCCH); LTE cells (PSS/SSS) too when an LTE band is
            named with --band or a carrier with --earfcn. Real base stations hold 0.05 ppm, so the
            carriers' common offset is the receiver's own crystal error; a cell that disagrees with the others is
            left out. With --reference-dbm (a meter reading of one cell at the antenna port) or a simulated scene,
            the gain offset to dBm is measured too. The result goes to DIR/DRIVER-SERIAL.json (default: the
            sensor's state directory, calibration/), where `cellwatch sensor` (sensor.calibration: auto) finds it.
            Procedure and file format: calibration/README.md.

            Examples:
              cellwatch calibrate --device hackrf --band GSM900 --band DCS1800
              cellwatch calibrate --device rtlsdr:0 --arfcn 62 --arfcn 75 --reference-dbm -48.5 --reference-arfcn 62
              cellwatch calibrate --device file:capture.sigmf-meta --no-save
            """
    )

    @Option(name: .long, help: ArgumentHelp("The radio: hackrf[:SERIAL], rtlsdr[:N], file:PATH, sim:SCENARIO.", valueName: "SPEC"))
    var device: String

    @Option(name: .long, help: ArgumentHelp("Band to survey; repeat for several (default: every GSM band; LTE bands only when named).", valueName: "NAME"))
    var band: [String] = []

    @Option(name: .long, help: ArgumentHelp("Measure this cell instead of surveying (its band: the --band given, else E-GSM900, DCS1800, GSM850, PCS1900 in that order); repeat for several.", valueName: "N"))
    var arfcn: [Int] = []

    @Option(name: .long, help: ArgumentHelp("Measure this LTE carrier's cells (PSS/SSS) instead of surveying; repeat for several.", valueName: "N"))
    var earfcn: [Int] = []

    @Option(name: .long, help: ArgumentHelp("Seconds of IQ per cell (an FCCH burst comes every 46 ms).", valueName: "S"))
    var seconds: Double = 1

    @Option(name: .long, help: ArgumentHelp("Most cells to measure, strongest first.", valueName: "N"))
    var cells: Int = 6

    @Option(name: .customLong("min-fcch"), help: ArgumentHelp("FCCH bursts a cell needs to count (default 3; 1 for a recording shorter than 0.5 s).", valueName: "N"))
    var minFCCH: Int?

    @Option(name: .customLong("reference-dbm"), help: ArgumentHelp("A meter's reading of one cell's carrier power at the antenna port, dBm.", valueName: "DBM"))
    var referenceDBm: Double?

    @Option(name: .customLong("reference-arfcn"), help: ArgumentHelp("The cell --reference-dbm was measured on (default: the only --arfcn).", valueName: "N"))
    var referenceARFCN: Int?

    @Option(name: .long, help: ArgumentHelp("Directory for the calibration file (default: STATE_DIR/calibration of --config, else /var/lib/cellwatch/calibration).", valueName: "DIR"))
    var out: String?

    @Option(name: .long, help: ArgumentHelp("The sensor's configuration file, for its state directory.", valueName: "FILE"))
    var config: String?

    @Flag(name: .customLong("no-save"), help: "Measure and print only; write no file.")
    var noSave = false

    @Flag(name: .long, help: "Print the calibration as JSON (the file's content).")
    var json = false

    func run() throws {
        let spec: DeviceSpec
        do { spec = try DeviceSpec.parse(device) } catch { fail("--device: \(error)", code: 64) }
        var settings = CalibrationSettings()
        if !band.isEmpty {
            settings.bands = []
            settings.lteBands = []
            for name in band {
                guard let b = Band(name: name) else {
                    fail("--band: unknown band \"\(name)\"; known bands: \(Band.allNames.joined(separator: ", "))", code: 64)
                }
                switch b {
                case .gsm(let g): if !settings.bands.contains(g) { settings.bands.append(g) }
                case .lte(let l): if !settings.lteBands.contains(l) { settings.lteBands.append(l) }
                }
            }
        }
        func gsmBand(of n: Int, option: String) -> GSMBand {
            let order = settings.bands.isEmpty || band.isEmpty ? [GSMBand.egsm900, .dcs1800, .gsm850, .pcs1900, .gsm450, .gsm480] : settings.bands
            guard let b = order.first(where: { $0.contains(ARFCN(n)) }) else {
                fail("\(option) \(n) is not a channel of \(order.map(\.rawValue).joined(separator: ", "))", code: 64)
            }
            return b
        }
        settings.carriers = arfcn.map { (gsmBand(of: $0, option: "--arfcn"), $0) }
        for n in earfcn {
            guard let b = LTEBand.band(downlink: EARFCN(n)) else { fail("--earfcn \(n) is not a downlink EARFCN of a known LTE band", code: 64) }
            settings.lteCarriers.append((band: b, earfcn: n))
        }
        guard seconds >= 0.05, seconds <= 60 else { fail("--seconds: \(seconds) is outside 0.05–60", code: 64) }
        settings.dwellSeconds = seconds
        guard (1...32).contains(cells) else { fail("--cells: \(cells) is outside 1–32", code: 64) }
        settings.maxCells = cells
        if let m = minFCCH {
            guard (1...1000).contains(m) else { fail("--min-fcch: \(m) is outside 1–1000", code: 64) }
            settings.minimumBursts = m
        }
        if let dBm = referenceDBm {
            guard dBm.isFinite, (-150...30).contains(dBm) else { fail("--reference-dbm: \(dBm) dBm is not a received power (−150…30)", code: 64) }
            guard let n = referenceARFCN ?? (arfcn.count == 1 ? arfcn[0] : nil) else {
                fail("--reference-dbm needs --reference-arfcn N: the cell the meter measured", code: 64)
            }
            settings.gainReference = .meter(dBm: dBm, band: gsmBand(of: n, option: "--reference-arfcn"), arfcn: n)
        } else if referenceARFCN != nil {
            fail("--reference-arfcn needs --reference-dbm (the meter's reading)", code: 64)
        }

        let directory: String
        if let out {
            directory = out
        } else if let config {
            let box = Box<Result<SensorConfig, SensorConfigError>>()
            let done = DispatchSemaphore(value: 0)
            let path = config
            Task {
                do throws(SensorConfigError) { box.value = .success(try await SensorConfig.load(path: path)) } catch { box.value = .failure(error) }
                done.signal()
            }
            done.wait()
            switch box.value! {
            case .success(let c): directory = c.calibrationDirectory
            case .failure(let e): fail("--config: \(e)")
            }
        } else {
            directory = "/var/lib/cellwatch/calibration"
        }

        let radio: any RadioDevice
        do { radio = try DeviceFactory.open(spec, realTime: false) } catch { fail("\(error)") }
        if case .none = settings.gainReference, let sim = radio as? SimulatedDevice {
            settings.gainReference = .scene(of: sim)
        }
        if minFCCH == nil, let total = radio.totalSamples, Double(total) / radio.sampleRate < 0.5 {
            settings.minimumBursts = 1
            note("the recording holds \(String(format: "%.2f", Double(total) / radio.sampleRate)) s, room for one or two FCCH bursts per cell: one is accepted (--min-fcch)")
        }
        let id = CalibrationDeviceID.identify(spec: spec, device: radio)
        let result: ReceiverCalibration
        do {
            let calibrator = try CrystalCalibrator(device: radio, deviceID: id, settings: settings,
                                                   progress: { json ? () : note($0) })
            result = try calibrator.run()
        } catch {
            fail("\(error)")
        }
        var path: String?
        if !noSave {
            do { path = try CalibrationStore(directory: directory).save(result) } catch { fail("\(error)") }
        }
        if json {
            let data = (try? result.encoded()) ?? Data()
            FileHandle.standardOutput.write(data)
        } else {
            print(Self.summary(result))
            if let path { print("written \(path)") }
        }
    }

    static func summary(_ c: ReceiverCalibration) -> String {
        var lines = ["calibration of \(c.deviceName) (\(c.device))"]
        for cell in c.cells {
            let bandName = cell.band.padding(toLength: max(cell.band.count, 9), withPad: " ", startingAt: 0)
            let channel = (cell.rat == "LTE" ? "EARFCN" : " ARFCN") + String(format: " %5d  ", cell.channel)
            var l = "  " + channel + bandName
                + String(format: " %9.3f MHz  offset %+9.1f Hz  %+8.3f ppm ±%.3f",
                         cell.frequencyHz / 1e6, cell.offsetHz, cell.ppm, cell.ppmUncertainty)
            if cell.rat == "GSM" { l += String(format: "  FCCH %3d", cell.fcchBursts) }
            if let b = cell.bsic { l += "  BSIC \(b)" }
            if let p = cell.pci { l += "  PCI \(p)" }
            if let p = cell.powerDBFS { l += String(format: "  %.1f dBFS", p) }
            if let r = cell.referenceDBm { l += String(format: " (%.1f dBm)", r) }
            l += cell.used ? "  used" : "  not used: \(cell.rejected ?? "")"
            lines.append(l)
        }
        let used = c.cells.filter(\.used).count
        var last = String(format: "crystal error %+.3f ppm ±%.3f (%d of %d cells)", c.ppm, c.ppmUncertainty, used, c.cells.count)
        if let g = c.gainOffsetDB {
            last += String(format: "; gain offset %+.1f dB (dBm = dBFS %+.1f dB", g, g) + ", reference: \(c.gainReference ?? "?"))"
        } else {
            last += "; no gain offset (no power reference: --reference-dbm)"
        }
        lines.append(last)
        return lines.joined(separator: "\n")
    }
}

private func note(_ s: String) {
    FileHandle.standardError.write(Data(("cellwatch: " + s + "\n").utf8))
}

private final class Box<T>: @unchecked Sendable {
    var value: T?
}
