import CLibUSB
import Radio

/// HackRF One vendor requests (bRequest values of the firmware's USB API; host to device requests are
/// bmRequestType 0x40, device to host 0xC0, recipient device). Numbers from the HackRF firmware's
/// `usb_api_*` handlers as of API 1.06 (firmware 2022.09.1).
public enum HackRFRequest: UInt8, Sendable {
    case setTransceiverMode = 1
    case sampleRateSet = 6
    case basebandFilterBandwidthSet = 7
    case boardIDRead = 14
    case versionStringRead = 15
    case setFrequency = 16
    case ampEnable = 17
    case boardPartIDSerialNumberRead = 18
    case setLNAGain = 19
    case setVGAGain = 20
    case antennaEnable = 23
    case setHardwareSyncMode = 29
    case boardRevisionRead = 45        // API ≥ 1.06
    case supportedPlatformRead = 46    // API ≥ 1.06
}

public enum HackRFTransceiverMode: UInt16, Sendable {
    case off = 0, receive = 1, transmit = 2
}

/// What the HackRF One can be set to, and the rules the firmware applies.
public enum HackRFLimits {
    /// The front end tunes 1 MHz–6 GHz as specified; the firmware accepts up to 7250 MHz.
    public static let frequencyRange: ClosedRange<UInt64> = 0...7_250_000_000
    /// 2–20 MS/s is the specified range (the MAX5864 ADC's and the USB 2.0 link's limits).
    public static let sampleRateRange: ClosedRange<Double> = 1_000_000...20_000_000
    /// MAX2837 LNA: 0–40 dB in 8 dB steps.
    public static let lnaSteps: [Int] = Array(stride(from: 0, through: 40, by: 8))
    /// MAX2837 baseband VGA: 0–62 dB in 2 dB steps.
    public static let vgaSteps: [Int] = Array(stride(from: 0, through: 62, by: 2))
    /// The RF amplifier adds about 14 dB when on.
    public static let amplifierGain = 14
    /// MAX2837 baseband low-pass filter settings, Hz.
    public static let basebandFilters: [UInt32] = [
        1_750_000, 2_500_000, 3_500_000, 5_000_000, 5_500_000, 6_000_000, 7_000_000, 8_000_000,
        9_000_000, 10_000_000, 12_000_000, 14_000_000, 15_000_000, 20_000_000, 24_000_000, 28_000_000,
    ]

    /// The widest filter no wider than `hz` (the narrowest when `hz` is below all of them): the rule
    /// the HackRF host tools apply to 0.75 × the sample rate.
    public static func basebandFilter(atMost hz: UInt32) -> UInt32 {
        basebandFilters.last { $0 <= hz } ?? basebandFilters[0]
    }

    /// The filter setting the sample rate brings with it (libhackrf's rule): the widest ≤ 0.75 × rate.
    public static func defaultFilter(sampleRate: Double) -> UInt32 {
        basebandFilter(atMost: UInt32(0.75 * sampleRate))
    }

    /// The filter the sensor surveys with: the widest setting no wider than half the sample rate
    /// (10 MHz at 20 MS/s). The tools' 0.75 × rate leaves the MAX2837's gentle skirt to alias: with 15 MHz
    /// at 20 MS/s a carrier 12–15 MHz off the centre is only some 15–30 dB down and folds onto 5–8 MHz,
    /// where a strong legitimate cell would be decoded on the wrong ARFCN (a false cloned-cell alarm).
    public static func surveyFilter(sampleRate: Double) -> UInt32 {
        basebandFilter(atMost: UInt32(0.5 * sampleRate))
    }

    /// The share of the sample rate that is free of folded signals with baseband filter `filter` at
    /// `sampleRate` (`RadioDevice.aliasFreeFraction`). What folds onto offset f comes from f ∓ fs; the
    /// MAX2837 filter is about 33 dB down at 2.3 × its cut-off and 60 dB from about 3.2 × (the HackRF
    /// documentation's figures for the 1.75 MHz setting at 2 MS/s, `docs/source/sampling_rate.rst`; the
    /// wider settings are taken to scale with the cut-off), so offsets up to fs − 3·cut-off (≈ 55 dB of
    /// rejection) are trusted, and no further than the cut-off itself (the passband). 10 MHz at 20 MS/s:
    /// ±5 MHz, i.e. 0.5; the tools' 15 MHz at 20 MS/s leaves nothing at that rejection (0.1, the floor).
    public static func aliasFreeFraction(filter: UInt32, sampleRate: Double) -> Double {
        let cutoff = Double(filter) / 2
        let edge = min(cutoff, sampleRate - 3 * cutoff)
        return min(0.9, max(0.1, 2 * edge / sampleRate))
    }

    /// The Si5351C is programmed with a rate `numerator / divider`; an integer rate uses divider 1, a
    /// fractional one the smallest divider up to 31 that makes the numerator a whole number of Hz.
    public static func rateFraction(_ rate: Double) -> (numerator: UInt32, divider: UInt32) {
        for d in 1...31 {
            let scaled = rate * Double(d)
            if abs(scaled - scaled.rounded()) < 1e-6 { return (UInt32(scaled.rounded()), UInt32(d)) }
        }
        return (UInt32(rate.rounded()), 1)
    }
}

/// The identity the firmware reports.
public struct HackRFIdentity: Sendable, Equatable {
    public var boardID: UInt8
    public var firmwareVersion: String
    /// bcdDevice: 0x0106 = USB API 1.06.
    public var usbAPIVersion: UInt16
    public var partID: (UInt32, UInt32)
    /// The four serial words (the serial string is them as %08x each).
    public var serialWords: [UInt32]
    /// nil when the firmware's API is older than 1.06.
    public var boardRevision: UInt8?
    public var supportedPlatforms: UInt32?

    public var boardName: String {
        switch boardID {
        case 0: "Jellybean"
        case 1: "Jawbreaker"
        case 2: "HackRF One"
        case 3: "rad1o"
        case 4: "HackRF One r9"
        default: "unknown board \(boardID)"
        }
    }

    public var usbAPIString: String {
        let minor = usbAPIVersion & 0xff
        return "\(usbAPIVersion >> 8).\(minor < 10 ? "0" : "")\(String(minor, radix: 16))"
    }

    public static func == (a: HackRFIdentity, b: HackRFIdentity) -> Bool {
        a.boardID == b.boardID && a.firmwareVersion == b.firmwareVersion && a.usbAPIVersion == b.usbAPIVersion
            && a.partID == b.partID && a.serialWords == b.serialWords && a.boardRevision == b.boardRevision
            && a.supportedPlatforms == b.supportedPlatforms
    }
}

/// A HackRF One driven directly over libusb: open, identify, configure, stream. One owner at a time
/// (not thread-safe); the stream's completions run on a thread of their own and meet the owner only in
/// the `ByteRing`.
public final class HackRFOne {
    public static let vendorID: UInt16 = 0x1d50
    public static let productIDs: [UInt16] = [0x6089, 0x604b, 0xcc15]   // One, Jawbreaker, rad1o
    static let rxEndpoint: UInt8 = 0x81
    static let timeoutMs: UInt32 = 1000

    public let serial: String
    public let usbAPIVersion: UInt16
    public let speed: USBSpeed
    public let busAddress: String
    /// "HackRF One 0000000000000000a06063c8234e925f": how messages name this device.
    public let name: String
    private let context: USBContext
    private var handle: OpaquePointer?
    private var stream: BulkStream?
    private let transferCount: Int
    private let transferSize: Int
    private let ringBytes: Int

    /// Opens the HackRF whose serial number ends with `serial` (the HackRF tools' suffix rule), or the
    /// `index`-th attached HackRF (0 when both are nil). Claims interface 0.
    public init(serial: String? = nil, index: Int? = nil, transferCount: Int = 8, transferSize: Int = 131_072,
                ringBytes: Int = 32 << 20) throws(USBRadioError) {
        let wanted = serial.map { "HackRF with serial \($0)" } ?? index.map { "HackRF number \($0)" } ?? "HackRF"
        let context = try USBContext(device: wanted)
        var opened: (OpaquePointer, String, UInt16, USBSpeed, String)?
        var seen: [String] = []
        var count = 0
        var firstError: USBRadioError?
        try context.forEachDevice { (dev, desc) throws(USBRadioError) in
            guard opened == nil else { return }
            guard desc.idVendor == HackRFOne.vendorID, HackRFOne.productIDs.contains(desc.idProduct) else { return }
            let bus = libusb_get_bus_number(dev), addr = libusb_get_device_address(dev)
            let busAddress = "\(pad3(bus))/\(pad3(addr))"
            let position = count
            count += 1
            if let index, serial == nil, position != index { seen.append("HackRF at \(busAddress)"); return }
            var h: OpaquePointer?
            let r = libusb_open(dev, &h)
            guard r == 0, let h else {
                if firstError == nil {
                    firstError = USBRadioError.from(r, device: "HackRF at \(busAddress)", call: "libusb_open",
                                                    busAddress: busAddress)
                }
                return
            }
            let s = USBContext.readString(h, index: desc.iSerialNumber) ?? ""
            if let serial, !(s.hasSuffix(serial) && !serial.isEmpty) {
                seen.append("HackRF \(s)")
                libusb_close(h)
                return
            }
            opened = (h, s, desc.bcdDevice, USBSpeed(rawValue: libusb_get_device_speed(dev)) ?? .unknown, busAddress)
        }
        guard let o = opened else {
            if let firstError { throw firstError }
            throw .notFound(wanted: wanted, attached: seen)
        }
        let (h, s, api, speed, busAddress) = o
        self.context = context
        self.handle = h
        self.serial = s
        self.usbAPIVersion = api
        self.speed = speed
        self.busAddress = busAddress
        self.name = "HackRF One \(s)"
        self.transferCount = transferCount
        self.transferSize = transferSize
        self.ringBytes = ringBytes
        do throws(USBRadioError) {
            try claim()
        } catch {
            libusb_close(h)
            handle = nil
            throw error
        }
    }

    deinit { close() }

    /// Configuration 1, kernel drivers off every interface, interface 0 claimed (the HackRF tools' order).
    private func claim() throws(USBRadioError) {
        guard let handle else { throw .unplugged(device: name) }
        var current: Int32 = 0
        try check(libusb_get_configuration(handle, &current), "libusb_get_configuration")
        if current != 1 {
            try detachKernelDrivers()
            try check(libusb_set_configuration(handle, 1), "libusb_set_configuration")
        }
        try detachKernelDrivers()
        try check(libusb_claim_interface(handle, 0), "libusb_claim_interface")
    }

    private func detachKernelDrivers() throws(USBRadioError) {
        guard let handle else { throw .unplugged(device: name) }
        var config: UnsafeMutablePointer<libusb_config_descriptor>?
        try check(libusb_get_active_config_descriptor(libusb_get_device(handle), &config), "libusb_get_active_config_descriptor")
        let interfaces = Int32(config?.pointee.bNumInterfaces ?? 1)
        libusb_free_config_descriptor(config)
        for i in 0..<interfaces {
            let active = libusb_kernel_driver_active(handle, i)
            if active == Int32(LIBUSB_ERROR_NOT_SUPPORTED.rawValue) { return }
            try check(active, "libusb_kernel_driver_active")
            if active == 1 { try check(libusb_detach_kernel_driver(handle, i), "libusb_detach_kernel_driver") }
        }
    }

    @discardableResult
    private func check(_ r: Int32, _ call: String) throws(USBRadioError) -> Int32 {
        if r < 0 { throw USBRadioError.from(r, device: name, call: call, busAddress: busAddress) }
        return r
    }

    /// Releases the interface and closes the device; turns the receiver off first (as the HackRF tools do,
    /// even when it was already off, so a crashed stream never leaves it running).
    public func close() {
        if let stream {
            stream.stop()
            self.stream = nil
        }
        guard let handle else { return }
        _ = libusb_control_transfer(handle, 0x40, HackRFRequest.setTransceiverMode.rawValue,
                                    HackRFTransceiverMode.off.rawValue, 0, nil, 0, HackRFOne.timeoutMs)
        _ = libusb_release_interface(handle, 0)
        libusb_close(handle)
        self.handle = nil
    }

    // MARK: Vendor requests

    private func requestOut(_ request: HackRFRequest, value: UInt16 = 0, index: UInt16 = 0,
                            payload: [UInt8] = [], what: String) throws(USBRadioError) {
        guard let handle else { throw .unplugged(device: name) }
        var data = payload
        let r = data.isEmpty
            ? libusb_control_transfer(handle, 0x40, request.rawValue, value, index, nil, 0, HackRFOne.timeoutMs)
            : libusb_control_transfer(handle, 0x40, request.rawValue, value, index, &data, UInt16(data.count),
                                      HackRFOne.timeoutMs)
        if r == Int32(LIBUSB_ERROR_PIPE.rawValue) { throw .refused(device: name, request: what) }
        try check(r, what)
        if r != Int32(payload.count) { throw .refused(device: name, request: what) }
    }

    /// A device-to-host request; returns the bytes the firmware answered (at most `length`).
    private func requestIn(_ request: HackRFRequest, value: UInt16 = 0, index: UInt16 = 0, length: Int,
                           what: String) throws(USBRadioError) -> [UInt8] {
        guard let handle else { throw .unplugged(device: name) }
        var buf = [UInt8](repeating: 0, count: length)
        let r = libusb_control_transfer(handle, 0xC0, request.rawValue, value, index, &buf, UInt16(length),
                                        HackRFOne.timeoutMs)
        if r == Int32(LIBUSB_ERROR_PIPE.rawValue) { throw .refused(device: name, request: what) }
        let n = Int(try check(r, what))
        return Array(buf[0..<n])
    }

    private func readByte(_ request: HackRFRequest, index: UInt16 = 0, what: String) throws(USBRadioError) -> UInt8 {
        let b = try requestIn(request, index: index, length: 1, what: what)
        guard b.count == 1 else { throw .refused(device: name, request: what) }
        return b[0]
    }

    public func boardID() throws(USBRadioError) -> UInt8 {
        try readByte(.boardIDRead, what: "the board ID read")
    }

    public func firmwareVersion() throws(USBRadioError) -> String {
        String(decoding: try requestIn(.versionStringRead, length: 255, what: "the version string read"), as: UTF8.self)
    }

    public func partIDAndSerial() throws(USBRadioError) -> (partID: (UInt32, UInt32), serial: [UInt32]) {
        let buf = try requestIn(.boardPartIDSerialNumberRead, length: 24, what: "the part ID and serial number read")
        if buf.count != 24 { throw .refused(device: name, request: "the part ID and serial number read") }
        let w = (0..<6).map { i in (0..<4).reduce(UInt32(0)) { $0 | UInt32(buf[4 * i + $1]) << (8 * $1) } }
        return ((w[0], w[1]), Array(w[2..<6]))
    }

    /// Everything the firmware tells about itself, in the order `hackrf_info` asks.
    public func identify() throws(USBRadioError) -> HackRFIdentity {
        let board = try boardID()
        let version = try firmwareVersion()
        let ids = try partIDAndSerial()
        var rev: UInt8?
        var platforms: UInt32?
        if usbAPIVersion >= 0x0106 {
            if board == 2 || board == 4 { rev = try readByte(.boardRevisionRead, what: "the board revision read") }
            let buf = try requestIn(.supportedPlatformRead, length: 4, what: "the supported platform read")
            if buf.count == 4 { platforms = UInt32(buf[0]) << 24 | UInt32(buf[1]) << 16 | UInt32(buf[2]) << 8 | UInt32(buf[3]) }
        }
        return HackRFIdentity(boardID: board, firmwareVersion: version, usbAPIVersion: usbAPIVersion,
                              partID: ids.partID, serialWords: ids.serial, boardRevision: rev,
                              supportedPlatforms: platforms)
    }

    /// Sets the sample rate and, as the HackRF tools do, the baseband filter to the widest setting no
    /// wider than 0.75 × the rate. Returns the filter chosen.
    @discardableResult
    public func setSampleRate(_ rate: Double) throws(USBRadioError) -> UInt32 {
        guard HackRFLimits.sampleRateRange.contains(rate) else {
            throw .invalidSetting(device: name, problem: "sample rate \(rate) S/s is outside 1–20 MS/s")
        }
        let (num, div) = HackRFLimits.rateFraction(rate)
        try requestOut(.sampleRateSet, payload: le32(num) + le32(div), what: "sample rate \(num)/\(div) S/s")
        let filter = HackRFLimits.defaultFilter(sampleRate: Double(num) / Double(div))
        try setBasebandFilter(filter)
        return filter
    }

    public func setBasebandFilter(_ hz: UInt32) throws(USBRadioError) {
        guard HackRFLimits.basebandFilters.contains(hz) else {
            throw .invalidSetting(device: name, problem: "baseband filter \(hz) Hz is not one of the MAX2837's settings (\(HackRFLimits.basebandFilters.map(String.init).joined(separator: ", ")) Hz)")
        }
        try requestOut(.basebandFilterBandwidthSet, value: UInt16(hz & 0xffff), index: UInt16(hz >> 16),
                       what: "baseband filter \(hz) Hz")
    }

    public func setFrequency(_ hz: UInt64) throws(USBRadioError) {
        guard HackRFLimits.frequencyRange.contains(hz) else {
            throw .invalidSetting(device: name, problem: "frequency \(hz) Hz is above the HackRF's 7.25 GHz")
        }
        let mhz = UInt32(hz / 1_000_000), rest = UInt32(hz % 1_000_000)
        // Payload: whole MHz, then the remaining Hz, each uint32 little-endian.
        try requestOut(.setFrequency, payload: le32(mhz) + le32(rest), what: "frequency \(hz) Hz")
    }

    public func setAmplifier(_ on: Bool) throws(USBRadioError) {
        try requestOut(.ampEnable, value: on ? 1 : 0, what: "amplifier \(on ? "on" : "off")")
    }

    /// Antenna port power (bias tee). Off unless asked for: it can damage a passive antenna's source.
    public func setAntennaPower(_ on: Bool) throws(USBRadioError) {
        try requestOut(.antennaEnable, value: on ? 1 : 0, what: "antenna power \(on ? "on" : "off")")
    }

    public func setHardwareSync(_ on: Bool) throws(USBRadioError) {
        guard usbAPIVersion >= 0x0102 else { return }
        try requestOut(.setHardwareSyncMode, value: on ? 1 : 0, what: "hardware sync \(on ? "on" : "off")")
    }

    /// LNA gain in dB; values between steps round down to the 8 dB step below (the tools' rule).
    /// Returns the gain applied.
    @discardableResult
    public func setLNAGain(_ db: Int) throws(USBRadioError) -> Int {
        guard (0...40).contains(db) else {
            throw .invalidSetting(device: name, problem: "LNA gain \(db) dB is outside 0–40 dB (8 dB steps)")
        }
        let applied = db & ~7
        let ok = try readByte(.setLNAGain, index: UInt16(applied), what: "LNA gain \(applied) dB")
        if ok == 0 { throw .refused(device: name, request: "LNA gain \(applied) dB") }
        return applied
    }

    /// Baseband VGA gain in dB; odd values round down to the 2 dB step below. Returns the gain applied.
    @discardableResult
    public func setVGAGain(_ db: Int) throws(USBRadioError) -> Int {
        guard (0...62).contains(db) else {
            throw .invalidSetting(device: name, problem: "VGA gain \(db) dB is outside 0–62 dB (2 dB steps)")
        }
        let applied = db & ~1
        let ok = try readByte(.setVGAGain, index: UInt16(applied), what: "VGA gain \(applied) dB")
        if ok == 0 { throw .refused(device: name, request: "VGA gain \(applied) dB") }
        return applied
    }

    // MARK: Streaming

    public var isStreaming: Bool { stream != nil }

    /// The ring the stream fills (int8 IQ pairs), while streaming.
    public var ring: ByteRing? { stream?.ring }

    /// Receiver on, then the bulk transfers submitted (the firmware starts filling its buffer at once).
    public func startReceiving() throws(USBRadioError) {
        guard let handle else { throw .unplugged(device: name) }
        guard stream == nil else { return }
        try requestOut(.setTransceiverMode, value: HackRFTransceiverMode.receive.rawValue, what: "receive mode")
        let s = BulkStream(context: context.raw, handle: handle, endpoint: HackRFOne.rxEndpoint,
                           transferCount: transferCount, transferSize: transferSize, ringBytes: ringBytes)
        let r = s.start()
        if r != 0 { throw USBRadioError.from(r, device: name, call: "libusb_submit_transfer") }
        stream = s
    }

    /// Transfers cancelled and handed back, then the receiver off.
    public func stopReceiving() throws(USBRadioError) {
        guard let s = stream else { return }
        s.stop()
        stream = nil
        let gone = s.isGone
        if gone { throw .unplugged(device: name) }
        try requestOut(.setTransceiverMode, value: HackRFTransceiverMode.off.rawValue, what: "receiver off")
    }

    /// Why the stream ended by itself (unplug, transfer error), if it did.
    func streamEnd() -> USBRadioError? {
        guard let s = stream else { return nil }
        if s.isGone { return .unplugged(device: name) }
        if let reason = s.failureReason { return .libusb(device: name, call: reason, code: Int32(LIBUSB_ERROR_IO.rawValue)) }
        return nil
    }
}

func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)] }
