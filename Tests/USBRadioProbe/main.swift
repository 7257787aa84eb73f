// usbradio-probe: drives a USB radio through USBRadios the way the vendor's tool does, so a test can
// run both under the recording libusb shim and compare transcripts. Not installed; tests only.
//
//   usbradio-probe info [--serial S]
//   usbradio-probe bench [--seconds S] [--format cs8|cu8] [--rate SPS]
//   usbradio-probe receive --serial S --frequency HZ --rate SPS --lna DB --vga DB --amp 0|1
//                  --samples N --out FILE.cs8 [--block N] [--pause-ms MS] [--ring-bytes N] [--resume [--retune]]
//   usbradio-probe rtl-receive [--index N | --serial S] --frequency HZ --rate SPS --gain TENTHS|auto
//                  [--ppm P] --samples N --out FILE.cu8 [--block N] [--pause-ms MS] [--ring-bytes N] [--resume [--retune]]
//   usbradio-probe rtl-test [--index N] --rate SPS --bytes N      (rtl_test's run: counter test mode, checked)
//   usbradio-probe rtl-info [--index N | --serial S]
//
// `receive`/`rtl-receive` write the samples back as int8 / uint8 pairs (the conversion to float is
// exact and invertible, so the file must equal what the device streamed), then print one summary line.
import CellwatchModel
import Foundation
import Radio
import USBRadios

func die(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("usbradio-probe: " + message + "\n").utf8))
    exit(1)
}

var args = Array(CommandLine.arguments.dropFirst())
guard let command = args.first else { die("usage: usbradio-probe info|receive [options]") }
args.removeFirst()
var options: [String: String] = [:]
var flags: Set<String> = []
var i = 0
while i < args.count {
    let key = args[i]
    if key == "--resume" || key == "--retune" { flags.insert(key); i += 1; continue }
    guard key.hasPrefix("--"), i + 1 < args.count else { die("bad argument \(key)") }
    options[String(key.dropFirst(2))] = args[i + 1]
    i += 2
}

switch command {
case "info":
    do throws(USBRadioError) {
        let radio = try HackRFOne(serial: options["serial"])
        let id = try radio.identify()
        print("serial \(radio.serial)")
        print("board \(id.boardID) \(id.boardName)")
        print("firmware \(id.firmwareVersion) api \(id.usbAPIString)")
        print(String(format: "part 0x%08x 0x%08x", id.partID.0, id.partID.1))
        if let rev = id.boardRevision { print("revision 0x\(String(rev, radix: 16))") }
        if let p = id.supportedPlatforms { print("platforms 0x\(String(p, radix: 16))") }
        print("speed \(radio.speed)")
        radio.close()
    } catch {
        die(error.description)
    }

case "receive", "rtl-receive":
    func int(_ k: String, _ d: Int? = nil) -> Int {
        guard let v = options[k].flatMap({ Int($0) }) ?? d else { die("--\(k) N is required") }
        return v
    }
    let rtl = command == "rtl-receive"
    let total = int("samples")
    let pauseMs = int("pause-ms", 0)
    let device: any RadioDevice
    let overflow: () -> (bytes: Int64, events: Int)
    let closeDevice: () -> Void
    var retuneHz = 0.0
    do throws(USBRadioError) {
        if rtl {
            let gain: RTLSDRGain = options["gain"] == "auto" ? .automatic : .manual(tenths: int("gain"))
            let settings = RTLSDRSettings(frequency: UInt32(int("frequency")), sampleRate: UInt32(int("rate")),
                                          gain: gain, ppm: int("ppm", 0))
            let d = try RTLSDRDevice(serial: options["serial"], index: options["index"].flatMap { Int($0) },
                                     settings: settings, ringBytes: int("ring-bytes", 8 << 20))
            device = d
            overflow = { d.overflow }
            closeDevice = { d.close() }
            retuneHz = Double(settings.frequency)
        } else {
            let settings = HackRFSettings(frequency: UInt64(int("frequency")), sampleRate: Double(int("rate")),
                                          lnaGain: int("lna"), vgaGain: int("vga"), amplifier: int("amp", 0) == 1)
            let d = try HackRFDevice(serial: options["serial"], settings: settings, ringBytes: int("ring-bytes", 32 << 20))
            device = d
            overflow = { d.overflow }
            closeDevice = { d.close() }
            retuneHz = Double(settings.frequency)
        }
    } catch {
        die(error.description)
    }
    guard let out = options["out"], FileManager.default.createFile(atPath: out, contents: nil),
          let file = FileHandle(forWritingAtPath: out) else { die("--out FILE is required and must be writable") }
    let block = SampleBlock(capacity: int("block", 65_536))
    var bytes = [UInt8](repeating: 0, count: block.capacity * 2)
    var got = 0
    var overflowBlocks = 0
    var gaps: [Int64] = []
    var errors: [String] = []
    var expected: Int64 = 0
    while got < total {
        do throws(RadioError) {
            guard try device.read(into: block) else { break }
        } catch {
            errors.append(error.description)
            if !flags.contains("--resume") || errors.count > 200 { break }
            usleep(50_000)
            // --retune: come back through tune(to:) (the survey loop's path) rather than read.
            while flags.contains("--retune") && errors.count <= 200 {
                do throws(RadioError) {
                    try device.tune(to: Hertz(retuneHz))
                    break
                } catch {
                    errors.append(error.description)
                    usleep(50_000)
                }
            }
            continue
        }
        if block.overflow { overflowBlocks += 1 }
        if block.startSample != expected { gaps.append(block.startSample - expected) }
        expected = block.startSample + Int64(block.count)
        let n = min(block.count, total - got)
        block.withSamples { s in
            if rtl {
                // cu8: x = 127.5 × (v + 1), exact after rounding.
                for k in 0..<n {
                    bytes[2 * k] = UInt8((s[k].real * 127.5 + 127.5).rounded())
                    bytes[2 * k + 1] = UInt8((s[k].imag * 127.5 + 127.5).rounded())
                }
            } else {
                for k in 0..<n {
                    bytes[2 * k] = UInt8(bitPattern: Int8(s[k].real * 128))
                    bytes[2 * k + 1] = UInt8(bitPattern: Int8(s[k].imag * 128))
                }
            }
        }
        bytes.withUnsafeBytes { file.write(Data($0.prefix(2 * n))) }
        got += n
        if pauseMs > 0 { usleep(UInt32(pauseMs * 1000)) }
    }
    try? file.close()
    let ov = overflow()
    closeDevice()
    print("samples \(got) overflow_blocks \(overflowBlocks) dropped_bytes \(ov.bytes) overflow_events \(ov.events) gaps \(gaps.map(String.init).joined(separator: ",")) errors \(errors.count)")
    for e in Set(errors).sorted() { print("error \(e)") }

case "rtl-info":
    do throws(USBRadioError) {
        let radio = try RTLSDR(serial: options["serial"], index: options["index"].flatMap { Int($0) })
        print("serial \(radio.serial)")
        print("tuner \(radio.tuner.rawValue)")
        print("speed \(radio.speed)")
        radio.close()
    } catch {
        die(error.description)
    }

case "rtl-test":
    // rtl_test's default run: the rate, the demodulator's counter test mode, the endpoint reset, then
    // bytes that must count up by one each (mod 256), with no gap.
    guard let rate = options["rate"].flatMap({ UInt32($0) }), let wanted = options["bytes"].flatMap({ Int($0) }) else {
        die("--rate SPS and --bytes N are required")
    }
    do throws(USBRadioError) {
        let radio = try RTLSDR(index: options["index"].flatMap { Int($0) } ?? 0)
        try radio.setSampleRate(rate)
        try radio.setTestMode(true)
        try radio.startReceiving()
        guard let ring = radio.ring else { die("no stream") }
        var seen = 0
        var lost = 0
        var last: UInt8?
        while seen < wanted {
            let r = ring.read(maxBytes: 1 << 16, timeout: 2) { a, b in
                for part in [a, b] {
                    for v in part {
                        if let l = last, v != l &+ 1 { lost += 1 }
                        last = v
                    }
                }
            }
            guard case .data(let n, _, _) = r else { break }
            seen += n
        }
        try radio.stopReceiving()
        radio.close()
        print("bytes \(seen) discontinuities \(lost)")
    } catch {
        die(error.description)
    }

case "bench":
    // The host-side cost of streaming: 128 KiB transfers copied into the ring (what the USB completion
    // does) and read back into a 65536-sample block as cf32 (what `HackRFDevice.read` / `RTLSDRDevice.read`
    // do: cs8 for the HackRF, cu8 for the RTL-SDR), on one thread, so the figure is the CPU time one core
    // spends per second of signal at the rate.
    let seconds = Double(options["seconds"] ?? "4") ?? 4
    let cu8 = options["format"] == "cu8"
    let rate = Double(options["rate"] ?? (cu8 ? "2400000" : "20000000")) ?? 20e6
    let transferBytes = 131_072
    let ring = ByteRing(capacity: cu8 ? 8 << 20 : 32 << 20)
    let source = UnsafeMutableRawPointer.allocate(byteCount: transferBytes, alignment: 64)
    for k in 0..<transferBytes { source.storeBytes(of: UInt8(truncatingIfNeeded: k &* 37), toByteOffset: k, as: UInt8.self) }
    let block = SampleBlock(capacity: 65_536)
    let dst = block.unsafeSamples.baseAddress!
    let totalBytes = Int(rate * 2 * seconds)
    var produced = 0, consumed = 0
    var checksum: Float = 0
    var t0 = timespec(), t1 = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t0)
    while produced < totalBytes {
        ring.write(source, count: transferBytes)
        produced += transferBytes
        while true {
            let r = ring.read(maxBytes: block.capacity * 2, timeout: 0) { a, b in
                if cu8 {
                    if a.count > 0 { SampleConverter.convertCU8(a.baseAddress!, dst, a.count / 2) }
                    if b.count > 0 { SampleConverter.convertCU8(b.baseAddress!, dst + a.count / 2, b.count / 2) }
                } else {
                    if a.count > 0 { SampleConverter.convertCI8(a.baseAddress!, dst, a.count / 2) }
                    if b.count > 0 { SampleConverter.convertCI8(b.baseAddress!, dst + a.count / 2, b.count / 2) }
                }
            }
            guard case .data(let n, _, _) = r else { break }
            consumed += n
            checksum += dst[0].real
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1)
    let elapsed = Double(t1.tv_sec - t0.tv_sec) + Double(t1.tv_nsec - t0.tv_nsec) * 1e-9
    let samplesPerSecond = Double(consumed / 2) / elapsed
    print("format \(cu8 ? "cu8" : "cs8") " + String(format: "samples %d elapsed_s %.4f samples_per_s %.0f realtime_x_at_%.3gMSps %.1f dropped %lld checksum %.1f",
                 consumed / 2, elapsed, samplesPerSecond, rate / 1e6, samplesPerSecond / rate,
                 ring.overflow.bytes, checksum))

default:
    die("unknown command \(command)")
}
