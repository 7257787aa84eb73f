import CLibUSB

/// The SDR families Cellwatch drives, by USB vendor and product ID (the IDs Debian's libhackrf0 and
/// librtlsdr0 udev rules list; deploy/60-cellwatch.rules grants access to the same ones).
public enum SDRKind: String, Sendable, CaseIterable {
    case hackrf
    case rtlsdr
}

public struct KnownUSBRadio: Sendable, Hashable {
    public let vendorID: UInt16
    public let productID: UInt16
    public let kind: SDRKind
    public let model: String

    public static let table: [KnownUSBRadio] = [
        .init(vendorID: 0x1d50, productID: 0x6089, kind: .hackrf, model: "HackRF One"),
        .init(vendorID: 0x1d50, productID: 0x604b, kind: .hackrf, model: "HackRF Jawbreaker"),
        .init(vendorID: 0x1d50, productID: 0xcc15, kind: .hackrf, model: "rad1o"),
        // Every RTL2832U stick deploy/60-cellwatch.rules grants access to (the RTL-SDR library's list).
        .init(vendorID: 0x0bda, productID: 0x2832, kind: .rtlsdr, model: "RTL2832U (generic)"),
        .init(vendorID: 0x0bda, productID: 0x2838, kind: .rtlsdr, model: "RTL2832U (RTL-SDR)"),
        .init(vendorID: 0x0413, productID: 0x6680, kind: .rtlsdr, model: "RTL2832U (DigitalNow Quad DVB-T)"),
        .init(vendorID: 0x0413, productID: 0x6f0f, kind: .rtlsdr, model: "RTL2832U (Leadtek WinFast DTV mini D)"),
        .init(vendorID: 0x0458, productID: 0x707f, kind: .rtlsdr, model: "RTL2832U (Genius TVGo DVB-T03 B)"),
        .init(vendorID: 0x0ccd, productID: 0x00a9, kind: .rtlsdr, model: "RTL2832U (Terratec Cinergy T Black r1)"),
        .init(vendorID: 0x0ccd, productID: 0x00b3, kind: .rtlsdr, model: "RTL2832U (Terratec NOXON DAB r1)"),
        .init(vendorID: 0x0ccd, productID: 0x00b4, kind: .rtlsdr, model: "RTL2832U (Terratec DAB stick)"),
        .init(vendorID: 0x0ccd, productID: 0x00b5, kind: .rtlsdr, model: "RTL2832U (Terratec DAB stick)"),
        .init(vendorID: 0x0ccd, productID: 0x00b7, kind: .rtlsdr, model: "RTL2832U (Terratec DAB stick)"),
        .init(vendorID: 0x0ccd, productID: 0x00b8, kind: .rtlsdr, model: "RTL2832U (Terratec DAB stick)"),
        .init(vendorID: 0x0ccd, productID: 0x00b9, kind: .rtlsdr, model: "RTL2832U (Terratec DAB stick)"),
        .init(vendorID: 0x0ccd, productID: 0x00c0, kind: .rtlsdr, model: "RTL2832U (Terratec DAB stick)"),
        .init(vendorID: 0x0ccd, productID: 0x00c6, kind: .rtlsdr, model: "RTL2832U (Terratec DAB stick)"),
        .init(vendorID: 0x0ccd, productID: 0x00d3, kind: .rtlsdr, model: "RTL2832U (Terratec Cinergy T RC r3)"),
        .init(vendorID: 0x0ccd, productID: 0x00d7, kind: .rtlsdr, model: "RTL2832U (Terratec T Stick PLUS)"),
        .init(vendorID: 0x0ccd, productID: 0x00e0, kind: .rtlsdr, model: "RTL2832U (Terratec NOXON DAB r2)"),
        .init(vendorID: 0x1554, productID: 0x5020, kind: .rtlsdr, model: "RTL2832U (PixelView PV-DT235U)"),
        .init(vendorID: 0x15f4, productID: 0x0131, kind: .rtlsdr, model: "RTL2832U (Astrometa DVB-T/T2)"),
        .init(vendorID: 0x15f4, productID: 0x0133, kind: .rtlsdr, model: "RTL2832U (HanfTek DAB+FM+DVB-T)"),
        .init(vendorID: 0x185b, productID: 0x0620, kind: .rtlsdr, model: "RTL2832U (Compro U620F)"),
        .init(vendorID: 0x185b, productID: 0x0650, kind: .rtlsdr, model: "RTL2832U (Compro U650F)"),
        .init(vendorID: 0x185b, productID: 0x0680, kind: .rtlsdr, model: "RTL2832U (Compro U680F)"),
        .init(vendorID: 0x1b80, productID: 0xd393, kind: .rtlsdr, model: "RTL2832U (GIGABYTE GT-U7300)"),
        .init(vendorID: 0x1b80, productID: 0xd394, kind: .rtlsdr, model: "RTL2832U (DIKOM USB-DVBT HD)"),
        .init(vendorID: 0x1b80, productID: 0xd395, kind: .rtlsdr, model: "RTL2832U (Peak 102569AGPK)"),
        .init(vendorID: 0x1b80, productID: 0xd397, kind: .rtlsdr, model: "RTL2832U (KWorld KW-UB450-T)"),
        .init(vendorID: 0x1b80, productID: 0xd398, kind: .rtlsdr, model: "RTL2832U (Zaapa ZT-MINDVBZP)"),
        .init(vendorID: 0x1b80, productID: 0xd39d, kind: .rtlsdr, model: "RTL2832U (SVEON STV20)"),
        .init(vendorID: 0x1b80, productID: 0xd3a4, kind: .rtlsdr, model: "RTL2832U (Twintech UT-40)"),
        .init(vendorID: 0x1b80, productID: 0xd3a8, kind: .rtlsdr, model: "RTL2832U (ASUS U3100MINI_PLUS_V2)"),
        .init(vendorID: 0x1b80, productID: 0xd3af, kind: .rtlsdr, model: "RTL2832U (SVEON STV27)"),
        .init(vendorID: 0x1b80, productID: 0xd3b0, kind: .rtlsdr, model: "RTL2832U (SVEON STV21)"),
        .init(vendorID: 0x1d19, productID: 0x1101, kind: .rtlsdr, model: "RTL2832U (Dexatek DK DVB-T)"),
        .init(vendorID: 0x1d19, productID: 0x1102, kind: .rtlsdr, model: "RTL2832U (Dexatek DK DVB-T)"),
        .init(vendorID: 0x1d19, productID: 0x1103, kind: .rtlsdr, model: "RTL2832U (Dexatek DK 5217)"),
        .init(vendorID: 0x1d19, productID: 0x1104, kind: .rtlsdr, model: "RTL2832U (MSI DigiVox Micro HD)"),
        .init(vendorID: 0x1f4d, productID: 0xa803, kind: .rtlsdr, model: "RTL2832U (Sweex DVB-T)"),
        .init(vendorID: 0x1f4d, productID: 0xb803, kind: .rtlsdr, model: "RTL2832U (GTek T803)"),
        .init(vendorID: 0x1f4d, productID: 0xc803, kind: .rtlsdr, model: "RTL2832U (Lifeview LV5TDeluxe)"),
        .init(vendorID: 0x1f4d, productID: 0xd286, kind: .rtlsdr, model: "RTL2832U (MyGica TD312)"),
        .init(vendorID: 0x1f4d, productID: 0xd803, kind: .rtlsdr, model: "RTL2832U (PROlectrix DV107669)"),
    ]

    public static func lookup(vendorID: UInt16, productID: UInt16) -> KnownUSBRadio? {
        table.first { $0.vendorID == vendorID && $0.productID == productID }
    }
}

/// One attached SDR as enumeration sees it (without claiming it).
public struct USBRadioInfo: Sendable, Hashable, CustomStringConvertible {
    public let radio: KnownUSBRadio
    public let bus: UInt8
    public let address: UInt8
    /// nil when the device could not be opened to read it (permissions).
    public let serial: String?
    /// bcdDevice; for HackRF the USB API version of its firmware (0x0106 = 1.06).
    public let bcdDevice: UInt16
    public let speed: USBSpeed
    /// Why the device could not be opened, when it could not.
    public let openError: USBRadioError?

    public var busAddress: String { "\(pad3(bus))/\(pad3(address))" }
    public var description: String { "\(radio.model) \(serial ?? "(serial unreadable)") at \(busAddress)" }
}

func pad3(_ v: UInt8) -> String {
    let s = String(v)
    return String(repeating: "0", count: max(0, 3 - s.count)) + s
}

public enum USBSpeed: Int32, Sendable, CustomStringConvertible {
    case unknown = 0, low = 1, full = 2, high = 3, superSpeed = 4, superSpeedPlus = 5

    public var description: String {
        switch self {
        case .unknown: "unknown"
        case .low: "low (1.5 Mbit/s)"
        case .full: "full (12 Mbit/s)"
        case .high: "high (480 Mbit/s)"
        case .superSpeed: "super (5 Gbit/s)"
        case .superSpeedPlus: "super+ (10 Gbit/s)"
        }
    }
}

/// A libusb context (one per open device or enumeration; libusb keeps them independent).
final class USBContext {
    let raw: OpaquePointer

    init(device: String) throws(USBRadioError) {
        var ctx: OpaquePointer?
        let r = libusb_init(&ctx)
        guard r == 0, let ctx else { throw .libusb(device: device, call: "libusb_init", code: r) }
        raw = ctx
    }

    deinit { libusb_exit(raw) }

    /// Calls `body` with each attached device and its descriptor, while the list is held.
    func forEachDevice(_ body: (OpaquePointer, libusb_device_descriptor) throws(USBRadioError) -> Void) throws(USBRadioError) {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let n = libusb_get_device_list(raw, &list)
        guard n >= 0, let list else { throw .libusb(device: "USB", call: "libusb_get_device_list", code: Int32(n)) }
        defer { libusb_free_device_list(list, 1) }
        for i in 0..<Int(n) {
            guard let dev = list[i] else { continue }
            var desc = libusb_device_descriptor()
            guard libusb_get_device_descriptor(dev, &desc) == 0 else { continue }
            try body(dev, desc)
        }
    }

    static func readString(_ handle: OpaquePointer, index: UInt8) -> String? {
        guard index > 0 else { return nil }
        var buf = [UInt8](repeating: 0, count: 128)
        let n = libusb_get_string_descriptor_ascii(handle, index, &buf, Int32(buf.count))
        guard n >= 0 else { return nil }
        return String(decoding: buf[0..<Int(n)], as: UTF8.self)
    }
}

/// Lists the attached SDRs of the kinds in `KnownUSBRadio.table`.
public enum USBRadioCatalog {
    public static func attached() throws(USBRadioError) -> [USBRadioInfo] {
        let ctx = try USBContext(device: "USB")
        var found: [USBRadioInfo] = []
        try ctx.forEachDevice { (dev, desc) throws(USBRadioError) in
            guard let radio = KnownUSBRadio.lookup(vendorID: desc.idVendor, productID: desc.idProduct) else { return }
            var handle: OpaquePointer?
            let r = libusb_open(dev, &handle)
            var serial: String?
            var openError: USBRadioError?
            let bus = libusb_get_bus_number(dev), addr = libusb_get_device_address(dev)
            if r == 0, let handle {
                serial = USBContext.readString(handle, index: desc.iSerialNumber)
                libusb_close(handle)
            } else {
                openError = USBRadioError.from(r, device: radio.model, call: "libusb_open",
                                               busAddress: "\(pad3(bus))/\(pad3(addr))")
            }
            found.append(USBRadioInfo(radio: radio, bus: bus, address: addr, serial: serial,
                                      bcdDevice: desc.bcdDevice,
                                      speed: USBSpeed(rawValue: libusb_get_device_speed(dev)) ?? .unknown,
                                      openError: openError))
        }
        return found
    }
}
