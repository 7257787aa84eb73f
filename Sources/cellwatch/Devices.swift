import ArgumentParser
import Foundation
import USBRadios

struct Devices: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the attached SDRs: device spec, serial number, firmware version or tuner, USB speed.",
        discussion: """
            One line per HackRF or RTL-SDR found on USB, starting with the spec --device accepts:
              hackrf:0000000000000000a06063c8234e925f  HackRF One, firmware 2022.09.1 (USB API 1.06), USB high (480 Mbit/s), bus 001/004
              rtlsdr:0  RTL2832U (RTL-SDR) serial 00000001, tuner Rafael Micro R820T, USB high (480 Mbit/s), bus 001/005
            A device this user may not open is still listed, with what to do about it.
            """
    )

    @Flag(name: .long, help: "One JSON object per device.")
    var json = false

    func run() throws {
        let found: [USBRadioInfo]
        do { found = try USBRadioCatalog.attached() } catch { fail(error.description) }
        if found.isEmpty && !json {
            print("no SDR attached (looked for HackRF One/Jawbreaker/rad1o and RTL2832U dongles)")
            return
        }
        var index: [SDRKind: Int] = [:]
        for d in found {
            let n = index[d.radio.kind, default: 0]
            index[d.radio.kind] = n + 1
            var firmware: String?
            var problem = d.openError?.description
            var tuner: String?
            if d.radio.kind == .hackrf, problem == nil {
                do {
                    let radio = try HackRFOne(serial: d.serial)
                    firmware = "\(try radio.firmwareVersion()) (USB API \(String(format: "%x.%02x", d.bcdDevice >> 8, d.bcdDevice & 0xff)))"
                    radio.close()
                } catch {
                    problem = error.description
                }
            } else if d.radio.kind == .rtlsdr, problem == nil {
                // The tuner is only known by asking it over I2C: open (initialises the stick), probe, close.
                do {
                    let radio = try RTLSDR(index: n)
                    tuner = radio.tuner.rawValue
                    radio.close()
                } catch {
                    problem = error.description
                }
            }
            let spec = d.radio.kind == .hackrf ? (d.serial.map { "hackrf:\($0)" } ?? "hackrf") : "rtlsdr:\(n)"
            if json {
                var o: [String: Any] = ["type": "device", "spec": spec, "model": d.radio.model, "kind": d.radio.kind.rawValue,
                                        "bus_address": d.busAddress, "usb_speed": d.speed.description,
                                        "bcd_device": String(format: "%04x", d.bcdDevice)]
                if let s = d.serial { o["serial"] = s }
                if let f = firmware { o["firmware"] = f }
                if let t = tuner { o["tuner"] = t }
                if let p = problem { o["problem"] = p }
                let data = try JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                var line = "\(spec)  \(d.radio.model)"
                if d.radio.kind == .rtlsdr, let s = d.serial { line += " serial \(s)" }
                if let t = tuner { line += ", tuner \(t)" }
                if let f = firmware { line += ", firmware \(f)" }
                line += ", USB \(d.speed), bus \(d.busAddress)"
                if let p = problem { line += "; \(p)" }
                print(line)
            }
        }
    }
}
