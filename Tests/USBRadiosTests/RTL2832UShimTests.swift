import Foundation
import Testing
import TestSupport

/// The shim's RTL2832U + R820T model (Tests/USBShim/model_rtl2832u.c) against the vendor's own library
/// (Debian rtl-sdr 0.6.0: rtl_sdr, rtl_test on librtlsdr): the tuner probe finds the R820T through the
/// I2C repeater, its PLL locks, and samples stream bit-exact: the reference our RTL-SDR driver is
/// compared with in RTLSDRTranscriptTests.
@Suite(.enabled(if: USBShim.isLinux, "the libusb shim is an LD_PRELOAD library: Linux only"), .serialized)
struct RTL2832UShimTests {
    func tool(_ name: String) -> String? {
        let path = "/usr/bin/\(name)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
        Issue.record("\(path) is missing: install Debian package rtl-sdr (scripts/install-deps does)")
        return nil
    }

    @Test func rtlSDRFindsTheR820TAndStreamsThePattern() throws {
        guard let rtlSDR = tool("rtl_sdr") else { return }
        let dir = TestSupport.temporaryDirectory("rtl-sdr")
        let out = dir.appendingPathComponent("x.cu8").path
        let r = try USBShim.runUnderShim(rtlSDR, ["-s", "2048000", "-f", "947600000", "-g", "20", "-n", "500000", out],
                                         env: ["USBSHIM_DEVICES": "rtlsdr"], scratch: dir, label: "rtl_sdr")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("Found Rafael Micro R820T tuner"), "\(r.stderr)")
        #expect(!r.stderr.contains("PLL not locked"), "\(r.stderr)")
        // The probe: E4000 (0xc8) and FC0013 (0xc6) do not answer; the R820T (0x34) reads 0x69 at register 0,
        // and only after the I2C repeater was switched on (demod page 1, register 0x01, bit 0x08).
        let t = r.transcript
        guard let e4k = t.firstIndex(of: "ctrl 40 00 00c8 0610 1 02 -> -9"),
              let id = t.firstIndex(of: "ctrl c0 00 0034 0600 1 69 -> 1"),
              let repeater = t.firstIndex(where: { $0.hasPrefix("ctrl 40 00 0120 0011 1 18 ") }) else {
            Issue.record("tuner probe not in the transcript: \(t)")
            return
        }
        #expect(repeater < e4k && e4k < id)
        let data = FileManager.default.contents(atPath: out) ?? Data()
        #expect(data.count == 1_000_000)
        #expect(USBShim.isPatternFromZero(data))
    }

    /// rtl_test switches the demodulator to its counter test mode and counts lost bytes: none.
    @Test func rtlTestSeesNoLostSamples() throws {
        guard let rtlTest = tool("rtl_test") else { return }
        let dir = TestSupport.temporaryDirectory("rtl-test")
        // rtl_test runs until interrupted: SIGINT after 2 s (timeout(1), coreutils).
        let r = try USBShim.runUnderShim("/usr/bin/timeout", ["-s", "INT", "2", rtlTest, "-s", "2048000"],
                                         env: ["USBSHIM_DEVICES": "rtlsdr", "USBSHIM_REALTIME": "1"], scratch: dir, label: "rtl_test")
        #expect(r.stderr.contains("Found Rafael Micro R820T tuner"), "\(r.stderr)")
        #expect(r.stderr.contains("Samples per million lost (minimum): 0"), "\(r.stderr)")
        #expect(!r.stderr.contains("lost at least"), "\(r.stderr)")
        // Test mode on (demod page 0, register 0x19 = 0x03) before streaming.
        #expect(r.transcript.contains { $0.hasPrefix("ctrl 40 00 1920 0010 1 03 ") })
    }
}
