import CellwatchModel
import Foundation
import Synchronization
import Testing
import TestSupport

/// Our RTL-SDR driver (RTL2832U + R820T/R828D, Sources/USBRadios/RTL*.swift, R820T.swift) against the
/// vendor's own tools (Debian `rtl-sdr` 0.6.0-4, i.e. osmocom rtl-sdr v0.6.0-33-g2659e2d: rtl_sdr and
/// rtl_test on librtlsdr), both run under the recording libusb shim's RTL2832U model. Every control
/// transfer (USB/SYS block writes, demodulator register writes and their dummy reads, every I2C message
/// to the tuner) must match byte for byte; the two explained differences are removed from the vendor's
/// transcript first (see `expected(fromVendor:manualGain:)`). Streamed bytes must be the shim's pattern.
@Suite(.enabled(if: USBShim.isLinux, "the libusb shim is an LD_PRELOAD library: Linux only"), .serialized)
struct RTLSDRTranscriptTests {
    static let probe = USBShim.product("usbradio-probe")
    static let serial = "00000001"

    func tool(_ name: String) -> String? {
        let path = "/usr/bin/\(name)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
        Issue.record("\(path) is missing: install Debian package rtl-sdr (scripts/install-deps does)")
        return nil
    }

    struct Setting: CustomStringConvertible {
        var band: String
        var frequency: UInt32
        var rate: UInt32
        /// Tenths of a dB; nil = automatic (rtl_sdr -g 0).
        var gain: Int?
        var description: String { "\(band) \(frequency) Hz, \(rate) S/s, gain \(gain.map { "\(Double($0) / 10) dB" } ?? "auto")" }
    }

    /// GSM 900 downlink (947.0 MHz) and LTE band 20 downlink (806.0 MHz); 2.048 and 2.4 MS/s; automatic
    /// gain and six of the R820T's 29 manual steps, from the lowest to the highest.
    static let settings: [Setting] = {
        let gsm = ("GSM 900", UInt32(947_000_000)), lte = ("LTE band 20", UInt32(806_000_000))
        let gains: [Int?] = [nil, nil, 9, 144, 197, 297, 402, 496]
        return gains.enumerated().map { i, g in
            let f = (i / 2 + i) % 2 == 0 ? gsm : lte
            return Setting(band: f.0, frequency: f.1, rate: i % 2 == 0 ? 2_048_000 : 2_400_000, gain: g)
        }
    }()

    @Test func settingsCoverBothBandsRatesAndGainModes() {
        #expect(Set(Self.settings.map(\.band)) == ["GSM 900", "LTE band 20"])
        #expect(Set(Self.settings.map(\.rate)) == [2_048_000, 2_400_000])
        #expect(Self.settings.filter { $0.gain == nil }.count == 2)
        #expect(Set(Self.settings.compactMap(\.gain)).count == 6)
        // Both bands at both rates, and each band under automatic gain.
        for band in ["GSM 900", "LTE band 20"] {
            #expect(Set(Self.settings.filter { $0.band == band }.map(\.rate)).count == 2)
            #expect(Self.settings.contains { $0.band == band && $0.gain == nil })
        }
    }

    /// The vendor's transcript as ours must be, with the two explained differences taken out:
    /// 1. rtl_sdr lists the devices first (librtlsdr's count, strings and name calls each init libusb,
    ///    and the strings call opens the stick to read manufacturer, product and serial, then closes it)
    ///    and opens its pick again; we open once and read the serial string on the handle we keep.
    /// 2. With a manual gain, rtl_sdr switches the tuner to manual gain twice: once inside
    ///    `nearest_gain()` (convenience.c, before it looks up the gain table) and again in
    ///    `verbose_gain_set()`; we switch once. The second switch (repeater on, LNA/mixer AGC off, gain
    ///    read-out, VGA, LNA/mixer at 0, repeater off) changes nothing: each of its tuner writes must
    ///    write the value that register already holds (checked here), and then it is removed.
    static func expected(fromVendor vendor: [String], manualGain: Bool) -> [String]? {
        let listing = ["init", "exit", "init", "open", "string 1", "string 2", "string 3", "close", "exit",
                       "init", "exit", "init", "open"]
        guard vendor.count > listing.count, Array(vendor[0..<listing.count]) == listing else { return nil }
        var t = ["init", "open", "string 3"] + vendor[listing.count...]
        if manualGain {
            let on = "ctrl 40 00 0120 0011 1 18 -> 1", off = "ctrl 40 00 0120 0011 1 10 -> 1"
            let dummy = "ctrl c0 00 0120 000a 1 00 -> 1"
            let gainRead = "ctrl c0 00 0034 0600 4 69005a00 -> 4"
            // Spans [repeater on … repeater off + its dummy read] that contain the 4-byte gain read.
            var spans: [Range<Int>] = []
            var start: Int?
            for (k, line) in t.enumerated() {
                if line == on { start = k }
                if line == off, let s = start, k + 1 < t.count, t[k + 1] == dummy {
                    if t[s...k].contains(gainRead) { spans.append(s..<k + 2) }
                    start = nil
                }
            }
            guard spans.count == 3 else { return nil }
            // The last value written to each tuner register before the repeat, from 2-byte writes
            // "ctrl 40 00 0034 0610 2 RRVV -> 2" (register RR, value VV).
            let write = "ctrl 40 00 0034 0610 2 "
            func regValue(_ line: String) -> (String, String)? {
                guard line.hasPrefix(write) else { return nil }
                let hex = line.dropFirst(write.count).prefix(4)
                return (String(hex.prefix(2)), String(hex.suffix(2)))
            }
            var last: [String: String] = [:]
            for line in t[..<spans[1].lowerBound] { if let (r, v) = regValue(line) { last[r] = v } }
            for line in t[spans[1]] {
                if let (r, v) = regValue(line), last[r] != v { return nil }
            }
            t.removeSubrange(spans[1])
        }
        return Array(t)
    }

    /// rtl_sdr and our driver with the same settings: identical transcripts (after the two explained
    /// differences), and both files are the shim's counter pattern from byte 0, bit-exact.
    @Test func receiveSettingsMatchRtlSDR() throws {
        guard let rtlSDR = tool("rtl_sdr") else { return }
        let dir = TestSupport.temporaryDirectory("rtl-transcripts")
        let samples = 200_000
        let failures = Mutex<[String]>([])
        let matched = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: Self.settings.count) { i in
            let s = Self.settings[i]
            do {
                let vendorFile = dir.appendingPathComponent("vendor-\(i).cu8").path
                let oursFile = dir.appendingPathComponent("ours-\(i).cu8").path
                let vendor = try USBShim.runUnderShim(rtlSDR, [
                    "-s", String(s.rate), "-f", String(s.frequency), "-g", s.gain.map { String(Double($0) / 10) } ?? "0",
                    "-n", String(samples), vendorFile,
                ], env: ["USBSHIM_DEVICES": "rtlsdr"], scratch: dir, label: "vendor-\(i)")
                let ours = try USBShim.runUnderShim(Self.probe, [
                    "rtl-receive", "--index", "0", "--out", oursFile, "--frequency", String(s.frequency),
                    "--rate", String(s.rate), "--gain", s.gain.map(String.init) ?? "auto", "--samples", String(samples),
                ], env: ["USBSHIM_DEVICES": "rtlsdr"], scratch: dir, label: "ours-\(i)")
                var problems: [String] = []
                if vendor.status != 0 { problems.append("rtl_sdr failed: \(vendor.stderr)") }
                if ours.status != 0 { problems.append("probe failed: \(ours.stderr)") }
                if let g = s.gain, !vendor.stderr.contains(String(format: "Tuner gain set to %.2f dB.", Double(g) / 10)) {
                    problems.append("rtl_sdr did not pick the step \(g): \(vendor.stderr)")
                }
                if vendor.stderr.contains("PLL not locked") { problems.append("rtl_sdr: PLL not locked") }
                if let want = Self.expected(fromVendor: vendor.transcript, manualGain: s.gain != nil) {
                    if want != ours.transcript {
                        problems.append("transcripts differ\n  rtl_sdr (differences removed): \(want)\n  ours: \(ours.transcript)")
                    } else {
                        matched.withLock { $0 += 1 }
                    }
                } else {
                    problems.append("rtl_sdr's transcript does not have the expected listing / gain spans: \(vendor.transcript)")
                }
                let v = FileManager.default.contents(atPath: vendorFile) ?? Data()
                let o = FileManager.default.contents(atPath: oursFile) ?? Data()
                if v.count != 2 * samples || !USBShim.isPatternFromZero(v) { problems.append("rtl_sdr's file is not the pattern (\(v.count) bytes)") }
                if o.count != 2 * samples || !USBShim.isPatternFromZero(o) { problems.append("our file is not the pattern (\(o.count) bytes)") }
                if !problems.isEmpty { failures.withLock { $0.append("\(s): " + problems.joined(separator: "; ")) } }
            } catch {
                failures.withLock { $0.append("\(s): \(error)") }
            }
        }
        for f in failures.withLock({ $0 }) { Issue.record(Comment(rawValue: f)) }
        #expect(matched.withLock { $0 } == Self.settings.count)
    }

    /// The registers one setting produces, decoded, so a change shows as a readable diff (the comparison
    /// above proves it matches the vendor; this pins what it is). GSM 900 at 2.4 MS/s, 19.7 dB.
    @Test func transcriptEncodesTheSettings() throws {
        let dir = TestSupport.temporaryDirectory("rtl-encoding")
        let r = try USBShim.runUnderShim(Self.probe, [
            "rtl-receive", "--out", dir.appendingPathComponent("x.cu8").path, "--frequency", "947000000",
            "--rate", "2400000", "--gain", "197", "--samples", "1000",
        ], env: ["USBSHIM_DEVICES": "rtlsdr"], scratch: dir, label: "ours")
        #expect(r.status == 0, "\(r.stderr)")
        // Without the dummy reads that follow each demodulator write.
        let t = r.transcript.filter { $0 != "ctrl c0 00 0120 000a 1 00 -> 1" }
        func has(_ lines: [String]) -> Bool {
            (0...max(0, t.count - lines.count)).contains { Array(t[$0..<min(t.count, $0 + lines.count)]) == lines }
        }
        #expect(Array(t.prefix(6)) == ["init", "open", "string 3", "claim_interface 0",
                                       "ctrl 40 00 2000 0110 1 09 -> 1",     // dummy write: the chip answers
                                       "ctrl 40 00 2000 0110 1 09 -> 1"])    // USB_SYSCTL
        // R820T found at 0x34 (E4000 at 0xc8 and FC0013 at 0xc6 asked first, no acknowledge).
        #expect(has(["ctrl 40 00 00c8 0610 1 02 -> -9", "ctrl c0 00 00c8 0600 1 - -> -9",
                     "ctrl 40 00 00c6 0610 1 00 -> -9", "ctrl c0 00 00c6 0600 1 - -> -9",
                     "ctrl 40 00 0034 0610 1 00 -> 1", "ctrl c0 00 0034 0600 1 69 -> 1"]))
        // Low-IF set-up: zero-IF off, I ADC only, IF 3.57 MHz (−519 918 = 0x38 0x11 0x12), inversion on.
        #expect(has(["ctrl 40 00 b120 0011 1 1a -> 1", "ctrl 40 00 0820 0010 1 4d -> 1",
                     "ctrl 40 00 1920 0011 1 38 -> 1", "ctrl 40 00 1a20 0011 1 11 -> 1",
                     "ctrl 40 00 1b20 0011 1 12 -> 1", "ctrl 40 00 1520 0011 1 01 -> 1"]))
        // The tuner's 30 initial registers from 0x05 in messages of at most 7 values.
        #expect(has(["ctrl 40 00 0034 0610 8 05833275c040d66c -> 8", "ctrl 40 00 0034 0610 8 0cf56375686c8380 -> 8",
                     "ctrl 40 00 0034 0610 8 13000f00c03048cc -> 8", "ctrl 40 00 0034 0610 8 1a600054ae4ac000 -> 8",
                     "ctrl 40 00 0034 0610 3 210000 -> 3"]))
        // 2.4 MS/s: resampler ratio 28.8 MHz × 2²² / 2.4 MHz = 0x03000000.
        #expect(has(["ctrl 40 00 9f20 0011 2 0300 -> 2", "ctrl 40 00 a120 0011 2 0000 -> 2"]))
        // 2.4 MS/s IF filter: high-pass corners both in, low-pass 1.7 MHz (reg 0x0b = 0x8f), IF 1.815 MHz;
        // the demodulator's IF follows (−264 328 = 0x3b 0xf7 0x78).
        #expect(has(["ctrl 40 00 0034 0610 2 0b8f -> 2"]))
        #expect(has(["ctrl 40 00 1920 0011 1 3b -> 1", "ctrl 40 00 1a20 0011 1 f7 -> 1", "ctrl 40 00 1b20 0011 1 78 -> 1"]))
        // 947 MHz: LO 948.815 MHz, above 650 MHz: tracking filter register 0x1b = 0x00.
        #expect(has(["ctrl 40 00 0034 0610 2 1b00 -> 2"]))
        // 19.7 dB: LNA step 6, mixer step 5 (sum of the steps reaches 197 tenths).
        #expect(has(["ctrl 40 00 0034 0610 2 0516 -> 2", "ctrl 40 00 0034 0610 2 0765 -> 2"]))
        // Streaming: endpoint stalled and flushed, then running.
        #expect(has(["ctrl 40 00 2148 0110 2 1002 -> 2", "ctrl 40 00 2148 0110 2 0000 -> 2"]))
        // Close: tuner standby, demodulator off, interface released.
        #expect(Array(t.suffix(5)) == ["ctrl 40 00 0120 0011 1 10 -> 1", "ctrl 40 00 3000 0210 1 20 -> 1",
                                       "release_interface 0", "close", "exit"])
    }

    /// rtl_test's run (rate, counter test mode, endpoint reset, stream, close) and ours: same transcript,
    /// and the counter arrives with no gap.
    @Test func testModeMatchesRtlTest() throws {
        guard let rtlTest = tool("rtl_test") else { return }
        let dir = TestSupport.temporaryDirectory("rtl-testmode")
        let env = ["USBSHIM_DEVICES": "rtlsdr", "USBSHIM_REALTIME": "1"]
        let vendor = try USBShim.runUnderShim("/usr/bin/timeout", ["-s", "INT", "1", rtlTest, "-s", "2400000"],
                                              env: env, scratch: dir, label: "vendor")
        #expect(vendor.stderr.contains("Samples per million lost (minimum): 0"), "\(vendor.stderr)")
        let ours = try USBShim.runUnderShim(Self.probe, ["rtl-test", "--rate", "2400000", "--bytes", "2000000"],
                                            env: env, scratch: dir, label: "ours")
        #expect(ours.status == 0, "\(ours.stderr)")
        #expect(ours.stdout.contains("discontinuities 0"), "\(ours.stdout)")
        #expect(Self.expected(fromVendor: vendor.transcript, manualGain: false) == ours.transcript)
        #expect(ours.transcript.contains("ctrl 40 00 1920 0010 1 03 -> 1"))
    }

    /// The R828D variant (RTL-SDR Blog V4 style): tuner at 0x74 on a 16 MHz crystal, air/cable input
    /// switched at 345 MHz. Same transcript as rtl_sdr at LTE band 20 and below the switch point.
    @Test(arguments: [UInt32(806_000_000), 300_000_000]) func r828dMatchesRtlSDR(frequency: UInt32) throws {
        guard let rtlSDR = tool("rtl_sdr") else { return }
        let dir = TestSupport.temporaryDirectory("rtl-r828d-\(frequency)")
        let env = ["USBSHIM_DEVICES": "rtlsdr-r828d"]
        let vendor = try USBShim.runUnderShim(rtlSDR, ["-s", "2400000", "-f", String(frequency), "-g", "0", "-n", "10000",
                                                       dir.appendingPathComponent("v").path], env: env, scratch: dir, label: "vendor")
        #expect(vendor.stderr.contains("Found Rafael Micro R828D tuner"), "\(vendor.stderr)")
        let ours = try USBShim.runUnderShim(Self.probe, ["rtl-receive", "--out", dir.appendingPathComponent("o").path,
                                                         "--frequency", String(frequency), "--rate", "2400000",
                                                         "--gain", "auto", "--samples", "10000"], env: env, scratch: dir, label: "ours")
        #expect(ours.status == 0, "\(ours.stderr)")
        #expect(Self.expected(fromVendor: vendor.transcript, manualGain: false) == ours.transcript)
        // The probe reached the R828D at its own address after the R820T's did not answer.
        #expect(ours.transcript.contains("ctrl c0 00 0074 0600 1 69 -> 1"))
        // Below 345 MHz the cable-1 input (reg 0x05 b6:5 = 0x60) is selected after tuning, above it the air
        // input. (The retune to 0 Hz while the rate is set picks cable 1 on the way, as the vendor's does.)
        // The value in force is the last reg-0x05 write before standby's 0xa0.
        let reg5 = ours.transcript.compactMap { line -> UInt8? in
            guard line.hasPrefix("ctrl 40 00 0074 0610 2 05") else { return nil }
            return UInt8(line.dropFirst("ctrl 40 00 0074 0610 2 05".count).prefix(2), radix: 16)
        }
        #expect(reg5.last == 0xa0 && reg5.count >= 2, "\(reg5)")
        if reg5.count >= 2 { #expect((reg5[reg5.count - 2] & 0x60 == 0x60) == (frequency < 345_000_000), "\(reg5)") }
    }

    /// The DVB kernel driver bound to interface 0: detached before claiming and given back at close, by both.
    @Test func kernelDriverIsDetachedAndReattachedLikeLibrtlsdr() throws {
        guard let rtlSDR = tool("rtl_sdr") else { return }
        let dir = TestSupport.temporaryDirectory("rtl-kernel")
        let env = ["USBSHIM_DEVICES": "rtlsdr", "USBSHIM_KERNEL_DRIVER": "1"]
        let vendor = try USBShim.runUnderShim(rtlSDR, ["-s", "2048000", "-f", "947000000", "-g", "0", "-n", "1000",
                                                       dir.appendingPathComponent("v").path], env: env, scratch: dir, label: "vendor")
        let ours = try USBShim.runUnderShim(Self.probe, ["rtl-receive", "--out", dir.appendingPathComponent("o").path,
                                                         "--frequency", "947000000", "--rate", "2048000", "--gain", "auto",
                                                         "--samples", "1000"], env: env, scratch: dir, label: "ours")
        #expect(vendor.transcript.contains("detach_kernel_driver 0"))
        #expect(ours.transcript.contains("detach_kernel_driver 0") && ours.transcript.contains("attach_kernel_driver 0"))
        // The listing precedes the detach here: same rule with the detach in place of the claim.
        var want = vendor.transcript
        if let k = want.firstIndex(of: "detach_kernel_driver 0") {
            want.replaceSubrange(0..<k, with: ["init", "open", "string 3"])
        }
        #expect(want == ours.transcript)
    }

    @Test func rejectsRatesTheResamplerCannotMake() throws {
        let dir = TestSupport.temporaryDirectory("rtl-badrate")
        let r = try USBShim.runUnderShim(Self.probe, ["rtl-receive", "--out", dir.appendingPathComponent("o").path,
                                                      "--frequency", "947000000", "--rate", "600000", "--gain", "auto",
                                                      "--samples", "10"], env: ["USBSHIM_DEVICES": "rtlsdr"], scratch: dir, label: "ours")
        #expect(r.status == 1)
        #expect(r.stderr.contains("sample rate 600000 S/s is outside what the RTL2832U's resampler takes (225 001–300 000 and 900 001–3 200 000 S/s"), "\(r.stderr)")
        let high = try USBShim.runUnderShim(Self.probe, ["rtl-receive", "--out", dir.appendingPathComponent("o").path,
                                                         "--frequency", "2140000000", "--rate", "2400000", "--gain", "auto",
                                                         "--samples", "10"], env: ["USBSHIM_DEVICES": "rtlsdr"], scratch: dir, label: "high")
        #expect(high.status == 1)
        #expect(high.stderr.contains("2140000000 Hz is outside the Rafael Micro R820T's tuning range"), "\(high.stderr)")
    }

    /// A reader slower than the stream: drops are counted, the next block flagged, timing kept, and every
    /// byte that arrived is the pattern's byte for its position.
    @Test func overflowIsCountedAndTimingKept() throws {
        let dir = TestSupport.temporaryDirectory("rtl-overflow")
        let out = dir.appendingPathComponent("o.cu8").path
        let r = try USBShim.runUnderShim(Self.probe, [
            "rtl-receive", "--out", out, "--frequency", "806000000", "--rate", "2400000", "--gain", "auto",
            "--samples", "1500000", "--ring-bytes", "1048576", "--pause-ms", "20",
        ], env: ["USBSHIM_DEVICES": "rtlsdr"], scratch: dir, label: "ours")
        #expect(r.status == 0, "\(r.stderr)")
        let fields = r.stdout.split(separator: " ").map(String.init)
        func value(_ k: String) -> String { fields.firstIndex(of: k).map { fields[$0 + 1] } ?? "" }
        let dropped = Int64(value("dropped_bytes")) ?? -1
        let gaps = value("gaps").split(separator: ",").compactMap { Int64($0) }
        #expect(dropped > 0 && !gaps.isEmpty, "\(r.stdout)")
        #expect(gaps.reduce(0, +) * 2 <= dropped)
        let idx = USBShim.wordIndices(FileManager.default.contents(atPath: out) ?? Data())
        #expect(idx.first == 0)
        var jumps: [Int64] = []
        for k in 1..<idx.count where idx[k] != idx[k - 1] &+ 1 {
            jumps.append((Int64(idx[k]) - Int64(idx[k - 1]) - 1) * 2)
        }
        #expect(jumps == gaps)
    }

    /// Unplug mid-stream: a clear error naming the stick, then (back 300 ms later) the same serial is
    /// found, the stick re-initialised, the settings sent again and samples flow from a fresh stream.
    @Test(arguments: [false, true]) func unplugSurfacesAndStreamResumesOnReplug(retune: Bool) throws {
        let dir = TestSupport.temporaryDirectory("rtl-unplug-\(retune)")
        let out = dir.appendingPathComponent("o.cu8").path
        let r = try USBShim.runUnderShim(Self.probe, [
            "rtl-receive", "--out", out, "--frequency", "947000000", "--rate", "2400000", "--gain", "197",
            "--samples", "1500000", "--resume",
        ] + (retune ? ["--retune"] : []), env: ["USBSHIM_DEVICES": "rtlsdr", "USBSHIM_UNPLUG_AFTER_BYTES": "1048576",
                                                "USBSHIM_REPLUG_AFTER_MS": "300"], scratch: dir, label: "ours")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("samples 1500000"), "\(r.stdout)")
        #expect(r.stdout.contains("error RTL-SDR \(Self.serial): device unplugged or reset (LIBUSB_ERROR_NO_DEVICE)"), "\(r.stdout)")
        #expect(r.transcript.contains("unplug \(Self.serial)"))
        #expect(r.transcript.contains("replug \(Self.serial)"))
        // Initialised twice (tuner init array) and the rate set twice: at open and after the replug.
        #expect(r.transcript.filter { $0 == "ctrl 40 00 0034 0610 8 05833275c040d66c -> 8" }.count == 2)
        #expect(r.transcript.filter { $0.hasPrefix("ctrl 40 00 9f20 0011 2 ") }.count == 2)
        let idx = USBShim.wordIndices(FileManager.default.contents(atPath: out) ?? Data())
        let restart = (1..<idx.count).first { idx[$0] != idx[$0 - 1] &+ 1 }
        #expect(restart != nil)
        if let restart {
            #expect(idx[restart] == 0)
            #expect(restart * 4 <= 1_048_576)
            #expect((restart..<idx.count).allSatisfy { idx[$0] == UInt32($0 - restart) })
        }
    }

    /// `cellwatch devices` names the stick, its serial, tuner and USB speed; the sensor's
    /// `--device rtlsdr:N` reaches this driver (with no such stick it stops with the driver's sentence).
    @Test func devicesCommandAndSensorSpecReachTheDriver() throws {
        let dir = TestSupport.temporaryDirectory("rtl-devices")
        let r = try USBShim.runUnderShim(USBShim.product("cellwatch"), ["devices"],
                                         env: ["USBSHIM_DEVICES": "hackrf:\(USBShim.serial),rtlsdr,rtlsdr-r828d:00000002"],
                                         scratch: dir, label: "devices")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("rtlsdr:0  RTL2832U (RTL-SDR) serial 00000001, tuner Rafael Micro R820T, USB high (480 Mbit/s), bus 001/005"), "\(r.stdout)")
        #expect(r.stdout.contains("rtlsdr:1  RTL2832U (RTL-SDR) serial 00000002, tuner Rafael Micro R828D, USB high (480 Mbit/s), bus 001/006"), "\(r.stdout)")
        #expect(r.stdout.contains("hackrf:\(USBShim.serial)"), "\(r.stdout)")

        let config = try USBShim.writeSensorConfig(in: dir, device: "sim:legit-only")
        let s = try USBShim.runUnderShim(USBShim.product("cellwatch"),
                                         ["sensor", "--config", config, "--device", "rtlsdr:3", "--log-format", "plain"],
                                         env: ["USBSHIM_DEVICES": "rtlsdr"], scratch: dir, label: "sensor")
        #expect(s.status != 0)
        #expect((s.stderr + s.stdout).contains("no RTL-SDR number 3 is attached (attached SDRs: RTL-SDR at 001/004)"),
                "\(s.stderr)\(s.stdout)")
    }
}
