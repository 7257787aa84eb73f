import Foundation
import Testing
import TestSupport

/// Issue 8, "unplug in the middle of a stream … the daemon waits and resumes when the device returns":
/// the real `cellwatch sensor --device hackrf:SERIAL` under the libusb shim, which pulls the HackRF out
/// mid-stream and plugs it back in 2.5 s later. The daemon must survive, log the outage, count it in its
/// metrics, and survey again (decode dwells) after the replug.
@Suite(.enabled(if: USBShim.isLinux, "the libusb shim is an LD_PRELOAD library: Linux only"), .serialized)
struct SensorReplugTests {
    struct Line {
        var message: String
        var level: String
        var metadata: [String: String]
    }

    static func jsonLines(_ text: String) -> [Line] {
        text.split(separator: "\n").compactMap { l in
            guard let o = try? JSONSerialization.jsonObject(with: Data(l.utf8)) as? [String: Any],
                  let m = o["message"] as? String else { return nil }
            return Line(message: m, level: o["level"] as? String ?? "", metadata: o["metadata"] as? [String: String] ?? [:])
        }
    }

    @Test func sensorSurvivesUnplugAndSurveysAgainAfterReplug() throws {
        let lib = try USBShim.library.get()
        let dir = TestSupport.temporaryDirectory("usb-sensor-replug")
        let metrics = dir.appendingPathComponent("sensor.prom").path
        // Short full dwells (no looks) at 20 MS/s over GSM 900's three tuning steps: a dwell every
        // fraction of a second, each logged at debug level.
        let config = try USBShim.writeSensorConfig(
            in: dir, device: "hackrf:\(USBShim.serial)",
            sensorKeys: "bands: [GSM900]\ndwell_seconds: 0.05\nsuspect_dwell_seconds: 0.05\nlook_seconds: 0",
            extra: "metrics:\n  textfile: \(metrics)\n")
        let log = dir.appendingPathComponent("sensor.log").path
        FileManager.default.createFile(atPath: log, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: USBShim.product("cellwatch"))
        p.arguments = ["sensor", "--config", config, "--log-format", "json", "--log-level", "debug"]
        var env = ProcessInfo.processInfo.environment
        env["LD_PRELOAD"] = lib
        env["USBSHIM_TRANSCRIPT"] = dir.appendingPathComponent("sensor.transcript").path
        env["USBSHIM_DEVICES"] = "hackrf:\(USBShim.serial)"
        // Real-time pacing (40 MB/s at 20 MS/s): the unplug comes after about 2 s of streaming.
        env["USBSHIM_REALTIME"] = "1"
        env["USBSHIM_UNPLUG_AFTER_BYTES"] = "80000000"
        env["USBSHIM_REPLUG_AFTER_MS"] = "2500"
        p.environment = env
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try p.run()
        defer {
            if p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        }
        func lines() -> [Line] { Self.jsonLines((try? String(contentsOfFile: log, encoding: .utf8)) ?? "") }
        func dwellsAfterBack(_ ls: [Line]) -> Int {
            guard let back = ls.firstIndex(where: { $0.message.hasPrefix("radio back") }) else { return 0 }
            return ls[back...].filter { $0.message == "dwell" }.count
        }
        let deadline = Date().addingTimeInterval(45)
        while Date() < deadline, p.isRunning, dwellsAfterBack(lines()) < 3 {
            usleep(200_000)
        }
        let ls = lines()
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(p.isRunning, "the daemon stopped: \(text.suffix(3000))")
        let gone = ls.firstIndex { $0.message.hasPrefix("radio gone") }
        let back = ls.firstIndex { $0.message.hasPrefix("radio back") }
        #expect(gone != nil, "no outage logged: \(text.suffix(3000))")
        #expect(back != nil, "no recovery logged: \(text.suffix(3000))")
        if let gone, let back {
            #expect(gone < back)
            #expect(ls[gone].level == "error")
            #expect(ls[gone].metadata["error"]?.contains("device unplugged or reset (LIBUSB_ERROR_NO_DEVICE)") == true,
                    "\(ls[gone].metadata)")
            // Dwells before the unplug and after the replug.
            #expect(ls[..<gone].contains { $0.message == "dwell" })
            #expect(dwellsAfterBack(ls) >= 3, "\(text.suffix(3000))")
            // The gap: from the unplug to the first attempt after the replug (2.5 s away, retried at
            // 1 s then 2 s later).
            let gap = Double(ls[back].metadata["gap_seconds"] ?? "") ?? -1
            #expect(gap >= 2.5 && gap < 10, "gap \(gap)")
        }
        #expect(!ls.contains { $0.level == "critical" }, "\(text.suffix(3000))")
        // SIGTERM: a clean stop, and the metrics written on the way out count the outage.
        kill(p.processIdentifier, SIGTERM)
        let stopBy = Date().addingTimeInterval(20)
        while p.isRunning && Date() < stopBy { usleep(100_000) }
        #expect(!p.isRunning)
        if !p.isRunning { #expect(p.terminationStatus == 0, "\(text.suffix(2000))") }
        let prom = (try? String(contentsOfFile: metrics, encoding: .utf8)) ?? ""
        #expect(prom.contains("cellwatch_sensor_radio_disconnects_total 1"), "\(prom)")
        #expect(prom.contains("cellwatch_sensor_radio_connected 1"), "\(prom)")
        #expect(prom.contains("cellwatch_sensor_radio_gap_seconds_total"), "\(prom)")
        let transcript = (try? String(contentsOfFile: dir.appendingPathComponent("sensor.transcript").path, encoding: .utf8)) ?? ""
        #expect(transcript.contains("unplug \(USBShim.serial)"))
        #expect(transcript.contains("replug \(USBShim.serial)"))
    }
}

/// `cellwatch calibrate --device hackrf:SERIAL` drives our HackRF driver through the survey (tuning
/// steps over the GSM band, PSD looks): the shim's counter pattern holds no GSM cell, which must end in
/// the one-sentence "no strong cell" error naming the radio, with the tuning requests in the transcript.
@Suite(.enabled(if: USBShim.isLinux, "the libusb shim is an LD_PRELOAD library: Linux only"), .serialized)
struct CalibrateUnderShimTests {
    @Test func calibrateSurveysTheHackRFAndSaysWhenThereIsNoCell() throws {
        let dir = TestSupport.temporaryDirectory("usb-calibrate")
        let r = try USBShim.runUnderShim(USBShim.product("cellwatch"),
                                         ["calibrate", "--device", "hackrf:\(USBShim.serial)", "--band", "GSM900",
                                          "--out", dir.appendingPathComponent("cal").path],
                                         scratch: dir, label: "calibrate")
        #expect(r.status == 1, "\(r.stderr)")
        let last = r.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("cellwatch: HackRF One \(USBShim.serial): no strong GSM or LTE cell to calibrate on:"), "\(r.stderr)")
        // The survey filter (10 MHz at 20 MS/s, not the tools' 15 MHz) leaves ±5 MHz free of folded signals,
        // so E-GSM 900's 34.8 MHz takes five steps of 8 MHz.
        // (Setting the rate picks 15 MHz first, as in hackrf_transfer -b; the explicit filter follows.)
        #expect(r.transcript.last { $0.hasPrefix("ctrl 40 07 ") } == "ctrl 40 07 9680 0098 0 - -> 0", "\(r.transcript.prefix(12))")
        #expect(last.contains("5 tuning steps of E-GSM900"), "\(last)")
        // Five survey steps: the frequency request (vendor request 16) at open and once per step.
        #expect(r.transcript.filter { $0.hasPrefix("ctrl 40 10 ") }.count >= 5, "\(r.transcript.prefix(40))")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("cal").path), "nothing half-written")
    }
}
