import CellwatchModel
import DSP
import Foundation
import Radio

/// `cellwatch simulate`: renders a scenario for each sensor into a SigMF recording in the sensor's ADC
/// format (or cf32), retuning at each dwell of a sweep and starting a capture with `core:geolocation`
/// every second while a vehicle moves, and writes the ground truth as JSON lines (`truth.jsonl`).
/// Every file is written under a temporary name and renamed when complete; on failure everything the
/// run created is removed.
public struct ScenarioRecorder {
    public var scenario: Scenario
    public var outputDirectory: String
    /// Seconds to render (default: the scenario's duration).
    public var duration: Double?
    /// Sensors to record (default: all).
    public var sensorIDs: [String]?
    /// Write cf32 instead of each sensor's own ADC format.
    public var forceCF32 = false
    /// Interval of position and visibility lines in the truth, seconds.
    public var truthInterval = 1.0
    public var waveforms: WaveformFactory = .standard

    public init(scenario: Scenario, outputDirectory: String) {
        self.scenario = scenario
        self.outputDirectory = outputDirectory
    }

    /// What was written.
    public struct Result: Sendable {
        public var recordings: [String]
        public var truthPath: String
        public var samplesPerSensor: [String: Int64]
    }

    /// Runs the simulation. `progress(sensor, fraction)` is called now and then.
    public func run(progress: (String, Double) -> Void = { _, _ in }) throws(SimulationError) -> Result {
        try validate()
        let ids = sensorIDs ?? scenario.sensors.map(\.id)
        let seconds = min(duration ?? scenario.duration, scenario.duration)
        var created: [String] = []
        var samples: [String: Int64] = [:]
        do {
            for id in ids {
                let base = (outputDirectory as NSString).appendingPathComponent(id)
                samples[id] = try record(sensor: id, basePath: base, seconds: seconds) { progress(id, $0) }
                created += [base + ".sigmf-data", base + ".sigmf-meta"]
            }
            let truthPath = (outputDirectory as NSString).appendingPathComponent("truth.jsonl")
            try writeTruth(to: truthPath, sensors: ids, seconds: seconds)
            created.append(truthPath)
            return Result(recordings: ids.map { (outputDirectory as NSString).appendingPathComponent($0) + ".sigmf-meta" },
                          truthPath: truthPath, samplesPerSensor: samples)
        } catch {
            for path in created { unlink(path) }
            throw error
        }
    }

    /// Render speed: renders `seconds` of one sensor's IQ into memory only (nothing written) and returns
    /// the CPU-bound wall time taken, measured on `clock`.
    public func measureRenderTime(sensor id: String, seconds: Double, clock: any PacingClock = MonotonicPacingClock()) throws(SimulationError) -> Double {
        let device = try SimulatedDevice(scenario: scenario, sensorID: id, waveforms: waveforms)
        let block = SampleBlock(capacity: 1 << 15)
        let total = Int64(seconds * device.sampleRate)
        var done: Int64 = 0
        // One block first, so set-up costs (tables, first-call allocations) stay out of the figure.
        _ = try? device.read(into: block, count: 1)
        let start = clock.now
        while done < total {
            let more: Bool
            do { more = try device.read(into: block, count: Int(min(Int64(block.capacity), total - done))) } catch {
                throw .output(path: id, problem: error.description)
            }
            guard more else { break }
            done += Int64(block.count)
        }
        return clock.now - start
    }

    /// Checks the sensors asked for and the output folder (creating it when missing) before any work.
    public func validate() throws(SimulationError) {
        for id in sensorIDs ?? [] where scenario.sensor(id) == nil {
            throw .unknownSensor(scenario: scenario.source, sensor: id, known: scenario.sensors.map(\.id))
        }
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: outputDirectory, isDirectory: &isDir) {
            guard isDir.boolValue else { throw .output(path: outputDirectory, problem: "exists and is not a directory") }
        } else {
            do { try fm.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true) } catch {
                throw .output(path: outputDirectory, problem: "cannot be created: \((error as NSError).localizedDescription)")
            }
        }
        guard access(outputDirectory, W_OK) == 0 else {
            throw .output(path: outputDirectory, problem: "is not writable: \(String(cString: strerror(errno)).lowercased())")
        }
    }

    private func record(sensor id: String, basePath: String, seconds: Double, progress: (Double) -> Void) throws(SimulationError) -> Int64 {
        let device = try SimulatedDevice(scenario: scenario, sensorID: id, waveforms: waveforms)
        let rx = device.sensor.receiver
        let format: ReceiverSettings.ADCFormat = forceCF32 ? .cf32 : rx.adc
        let block = SampleBlock(capacity: 1 << 15)
        let writer = try SigMFWriter(basePath: basePath, format: format, sampleRate: rx.sampleRate, blockCapacity: block.capacity)
        let fs = device.renderer.trueSampleRate
        let total = Int64((seconds * fs).rounded(.down))
        let moving = !device.sensor.trajectory.isFixed
        var written: Int64 = 0
        var nextBoundary: Int64 = 0
        var lastReport = -1
        while written < total {
            if written >= nextBoundary {
                // A new capture: at each dwell step of a sweep, and every second while moving.
                let t = Double(written) / fs
                let tuning = rx.tuning(at: t + 1e-9)
                do { try device.tune(to: tuning) } catch { writer.abandon(); throw .output(path: basePath, problem: error.description) }
                writer.beginCapture(frequency: tuning, datetime: scenario.startTime.addingTimeInterval(t),
                                    geolocation: device.sensor.trajectory.point(at: t, in: scenario.frame))
                var next = total
                if rx.tuning.count > 1 { next = min(next, Int64(((floor(t / rx.dwell + 1e-9) + 1) * rx.dwell * fs).rounded())) }
                if moving { next = min(next, Int64(((floor(t + 1e-9) + 1) * fs).rounded())) }
                nextBoundary = max(next, written + 1)
            }
            let want = Int(min(Int64(block.capacity), nextBoundary - written))
            let more: Bool
            do { more = try device.read(into: block, count: want) } catch { writer.abandon(); throw .output(path: basePath, problem: error.description) }
            guard more else { break }
            try writer.write(UnsafeBufferPointer(rebasing: block.unsafeSamples[0..<block.count]))
            written += Int64(block.count)
            let pct = Int(Double(written) / Double(max(total, 1)) * 10)
            if pct != lastReport {
                lastReport = pct
                progress(Double(written) / Double(max(total, 1)))
            }
        }
        let s = device.sensor
        try writer.finish(
            description: "\(scenario.name): sensor \(s.id) (\(s.kind.rawValue)), simulated by cellwatch from \(scenario.source), seed \(scenario.seed)",
            hardware: "simulated \(rx.adc == .cu8 ? "RTL-SDR (cu8)" : rx.adc == .cs8 ? "HackRF (cs8)" : "receiver (cf32)"), NF \(rx.noiseFigure) dB, gain \(rx.gain) dB",
            extra: ["cellwatch:scenario": scenario.name, "cellwatch:sensor": s.id, "cellwatch:seed": String(scenario.seed)])
        return written
    }

    private func writeTruth(to path: String, sensors: [String], seconds: Double) throws(SimulationError) {
        let truth = ScenarioTimeline(scenario: scenario)
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var lines: [String] = []
        func add(_ object: [String: Any]) {
            if let d = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                lines.append(String(decoding: d, as: UTF8.self))
            }
        }
        add(["type": "scenario", "name": scenario.name, "source": scenario.source, "seed": String(scenario.seed),
             "start": iso.string(from: scenario.startTime), "duration_s": seconds,
             "origin": ["lat": scenario.origin.latitude, "lon": scenario.origin.longitude],
             "decodable_snr_db": truth.decodableSNR])
        for tx in truth.transmitters {
            var o: [String: Any] = [
                "type": "transmitter", "id": tx.id, "role": tx.role.name, "rat": tx.rat.rawValue,
                "frequency_hz": tx.frequency.value, "mcc": tx.mcc, "mnc": tx.mnc, "lac": tx.lac, "ci": tx.cellIdentity,
                "power_dbm": tx.powerDBm, "frequency_error_ppm": tx.frequencyErrorPPM,
                "frequency_error_hz": tx.frequency.value * tx.frequencyErrorPPM * 1e-6,
                "rendered": tx.rendered, "moving": !tx.trajectory.isFixed,
            ]
            if tx.rat == .gsm {
                o["bsic"] = tx.bsic
                o["neighbours"] = tx.neighbours.map(\.value)
                o["gsm"] = [
                    "cell_reselect_offset": tx.gsm.cellReselectOffset, "temporary_offset": tx.gsm.temporaryOffset,
                    "penalty_time": tx.gsm.penaltyTime, "t3212": tx.gsm.t3212, "bs_pa_mfrms": tx.gsm.bsPaMfrms,
                    "rxlev_access_min": tx.gsm.rxlevAccessMin, "paging_rate": tx.gsm.pagingRate,
                    "assignment_rate": tx.gsm.assignmentRate, "gprs": tx.gsm.gprs, "cell_bar_access": tx.gsm.cellBarAccess,
                ] as [String: Any]
            }
            if let b = tx.band { o["band"] = b.rawValue }
            if let a = tx.arfcn { o["arfcn"] = a.value }
            if let e = tx.earfcn { o["earfcn"] = e }
            if let p = tx.pci { o["pci"] = p }
            if let iv = tx.activeIntervals { o["active"] = iv.map { [$0.lowerBound, $0.upperBound] } }
            if tx.rat == .lte {
                o["lte"] = ["prb": Transmitter.lteResourceBlocks, "ports": 1, "duplex": "FDD"] as [String: Any]
                o["note"] = "PSS/SSS/CRS/PBCH (MIB) only: the GSM preference of a downgrade lure lives in SIBs, not sent or decoded yet"
            }
            add(o)
        }
        for id in sensors {
            let s = scenario.sensor(id)!
            add(["type": "sensor", "id": id, "kind": s.kind.rawValue, "recording": id + ".sigmf-meta",
                 "sample_rate": s.receiver.sampleRate, "adc": (forceCF32 ? ReceiverSettings.ADCFormat.cf32 : s.receiver.adc).rawValue,
                 "noise_figure_db": s.receiver.noiseFigure, "gain_db": s.receiver.gain,
                 "clock_error_ppm": s.receiver.clockErrorPPM,
                 "tuning_hz": s.receiver.tuning.map(\.value), "dwell_s": s.receiver.dwell,
                 "noise_floor_dbfs": FrontEnd(s.receiver).noiseFloorDBFS])
        }
        // Time series: positions of everything that moves (fixed ones once), and what each sensor should see.
        var decodableSeconds: [String: [String: Int]] = [:]
        let steps = Int((seconds / truthInterval).rounded(.down))
        for k in 0...steps {
            let t = Double(k) * truthInterval
            let time = iso.string(from: scenario.startTime.addingTimeInterval(t))
            for tx in truth.transmitters where k == 0 || !tx.trajectory.isFixed {
                let p = tx.trajectory.point(at: t, in: scenario.frame)
                add(["type": "position", "t": t, "time": time, "id": tx.id, "of": "transmitter", "lat": p.latitude, "lon": p.longitude])
            }
            for id in sensors {
                let s = scenario.sensor(id)!
                if k == 0 || !s.trajectory.isFixed {
                    let p = s.trajectory.point(at: t, in: scenario.frame)
                    add(["type": "position", "t": t, "time": time, "id": id, "of": "sensor", "lat": p.latitude, "lon": p.longitude])
                }
                let tuning = s.receiver.tuning(at: t)
                for v in truth.visibility(sensor: id, at: t) where v.inTunedWindow && v.active {
                    add(["type": "visibility", "t": t, "time": time, "sensor": id, "transmitter": v.transmitterID,
                         "role": v.role.name, "tuning_hz": tuning.value, "frequency_hz": v.frequency.value,
                         "distance_m": (v.distanceMeters * 10).rounded() / 10, "power_dbm": (v.powerDBm * 100).rounded() / 100,
                         "power_dbfs": (v.powerDBFS * 100).rounded() / 100, "snr_db": (v.snrDB * 100).rounded() / 100,
                         "decodable": v.decodable, "clipping": v.clipping])
                    if v.decodable { decodableSeconds[id, default: [:]][v.transmitterID, default: 0] += 1 }
                }
            }
        }
        for id in sensors {
            let seen = decodableSeconds[id] ?? [:]
            add(["type": "sensor_summary", "sensor": id, "decodable": seen.keys.sorted(),
                 "decodable_intervals": seen, "interval_s": truthInterval])
        }
        let temp = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(".truth.jsonl.partial")
        do {
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: temp))
            try SigMFWriter.rename(temp, path)
        } catch {
            unlink(temp)
            throw .output(path: path, problem: "cannot be written: \(error)")
        }
    }
}
