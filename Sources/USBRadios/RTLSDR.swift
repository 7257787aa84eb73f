import CLibUSB
import Radio

/// Automatic or manual tuner gain.
public enum RTLSDRGain: Sendable, Equatable, CustomStringConvertible {
    /// The R82xx's own LNA and mixer AGC loops (VGA fixed at 26.5 dB).
    case automatic
    /// A total gain in tenths of a dB; it goes to the nearest entry of `R82xxTables.gains`.
    case manual(tenths: Int)

    public var description: String {
        switch self {
        case .automatic: "automatic"
        case .manual(let t): "\(Double(t) / 10) dB"
        }
    }
}

/// An RTL2832U stick with an R820T/R828D tuner, driven directly over libusb: open, probe, configure,
/// stream. The order of every register access follows the RTL-SDR host library (so the two leave the
/// same USB transcript); see firmware-notes/rtlsdr.md. One owner at a time (not thread-safe); the stream's
/// completions run on a thread of their own and meet the owner only in the `ByteRing`.
public final class RTLSDR {
    static let rxEndpoint: UInt8 = 0x81

    public let serial: String
    public let speed: USBSpeed
    public let busAddress: String
    /// Position among the attached RTL2832U sticks when it was opened.
    public let index: Int
    public let tuner: R82xxChip
    /// "RTL-SDR 00000001": how messages name this device.
    public let name: String

    /// The rate the resampler makes exactly (nil until set).
    public private(set) var sampleRate: Double?
    public private(set) var frequency: UInt32?
    public private(set) var frequencyCorrectionPPM = 0
    /// IF filter bandwidth; 0 = follow the sample rate.
    public private(set) var bandwidth: UInt32 = 0
    private var requestedRate: UInt32 = 0
    private var testMode = false
    private var digitalAGC = false

    private let context: USBContext
    private var handle: OpaquePointer?
    private let bus: RTL2832UBus
    private let r82xx: R82xxTuner
    private var detachedKernelDriver = false
    private var lost = false
    private var stream: BulkStream?
    private let transferCount: Int
    private let transferSize: Int
    private let ringBytes: Int

    /// Whether a USB ID is one of the RTL2832U sticks.
    public static func isRTL2832U(vendorID: UInt16, productID: UInt16) -> Bool {
        KnownUSBRadio.lookup(vendorID: vendorID, productID: productID)?.kind == .rtlsdr
    }

    /// Opens the stick whose serial number is `serial` (exactly), or the `index`-th attached RTL2832U
    /// (0 when both are nil), detaches the DVB kernel driver if bound, claims interface 0, powers up
    /// and initialises the demodulator, and probes and initialises the tuner.
    public init(serial: String? = nil, index: Int? = nil, transferCount: Int = 8, transferSize: Int = 131_072,
                ringBytes: Int = 8 << 20) throws(USBRadioError) {
        let wanted = serial.map { "RTL-SDR with serial \($0)" } ?? index.map { "RTL-SDR number \($0)" } ?? "RTL-SDR"
        let context = try USBContext(device: wanted)
        var opened: (handle: OpaquePointer, serial: String, speed: USBSpeed, bus: String, index: Int)?
        var seen: [String] = []
        var count = 0
        var firstError: USBRadioError?
        try context.forEachDevice { (dev, desc) throws(USBRadioError) in
            guard opened == nil, RTLSDR.isRTL2832U(vendorID: desc.idVendor, productID: desc.idProduct) else { return }
            let busAddress = "\(pad3(libusb_get_bus_number(dev)))/\(pad3(libusb_get_device_address(dev)))"
            let position = count
            count += 1
            if let index, serial == nil, position != index { seen.append("RTL-SDR at \(busAddress)"); return }
            var h: OpaquePointer?
            let r = libusb_open(dev, &h)
            guard r == 0, let h else {
                if firstError == nil {
                    firstError = USBRadioError.from(r, device: "RTL-SDR at \(busAddress)", call: "libusb_open",
                                                    busAddress: busAddress)
                }
                return
            }
            let s = USBContext.readString(h, index: desc.iSerialNumber) ?? ""
            if let serial, s != serial {
                seen.append("RTL-SDR \(s)")
                libusb_close(h)
                return
            }
            opened = (h, s, USBSpeed(rawValue: libusb_get_device_speed(dev)) ?? .unknown, busAddress, position)
        }
        guard let o = opened else {
            if let firstError { throw firstError }
            throw .notFound(wanted: wanted, attached: seen)
        }
        let name = "RTL-SDR \(o.serial.isEmpty ? "at \(o.bus)" : o.serial)"
        let bus = RTL2832UBus(handle: o.handle, name: name)
        var detached = false
        let chip: R82xxChip
        let r82xx: R82xxTuner
        do throws(USBRadioError) {
            try Self.claim(o.handle, name: name, busAddress: o.bus, detached: &detached)
            chip = try Self.powerUpAndProbe(bus, handle: o.handle)
            let reference = chip == .r828d ? 16_000_000 : RTL2832ULimits.crystalHz
            r82xx = R82xxTuner(chip: chip, referenceHz: reference, bus: bus)
            try bus.configureForLowIF(ifHz: R82xxTables.defaultIF, crystalHz: RTL2832ULimits.crystalHz)
            try r82xx.initialise()
            try bus.setI2CRepeater(false)
        } catch {
            _ = libusb_release_interface(o.handle, 0)
            if detached { _ = libusb_attach_kernel_driver(o.handle, 0) }
            libusb_close(o.handle)
            bus.invalidate()
            throw error
        }
        self.context = context
        self.handle = o.handle
        self.serial = o.serial
        self.speed = o.speed
        self.busAddress = o.bus
        self.index = o.index
        self.name = name
        self.transferCount = transferCount
        self.transferSize = transferSize
        self.ringBytes = ringBytes
        self.bus = bus
        self.tuner = chip
        self.r82xx = r82xx
        self.detachedKernelDriver = detached
    }

    deinit { close() }

    /// The DVB driver (dvb_usb_rtl28xxu) off interface 0 if it holds it, then interface 0 claimed.
    private static func claim(_ h: OpaquePointer, name: String, busAddress: String, detached: inout Bool) throws(USBRadioError) {
        if libusb_kernel_driver_active(h, 0) == 1 {
            let r = libusb_detach_kernel_driver(h, 0)
            if r < 0 { throw .busy(device: name) }
            detached = true
        }
        let r = libusb_claim_interface(h, 0)
        if r < 0 { throw USBRadioError.from(r, device: name, call: "libusb_claim_interface", busAddress: busAddress) }
    }

    /// A first write to see whether the chip answers (a USB reset when not), the baseband brought up,
    /// and the tuner found through the I2C repeater: E4000 and FC0013 are asked first (as the vendor
    /// library does, so a stick with one is named), then R820T at 0x34 and R828D at 0x74.
    private static func powerUpAndProbe(_ bus: RTL2832UBus, handle: OpaquePointer) throws(USBRadioError) -> R82xxChip {
        let r = bus.rawOut(value: RTLRegister.usbSysctl.rawValue, index: UInt16(RTLBlock.usb.rawValue) << 8 | 0x10, [0x09])
        if r == Int32(LIBUSB_ERROR_NO_DEVICE.rawValue) { throw .unplugged(device: bus.name) }
        if r < 0 { _ = libusb_reset_device(handle) }
        try bus.initBaseband()
        try bus.setI2CRepeater(true)
        if try bus.probe(0xc8, register: 0x02) == 0x40 { throw .unsupportedTuner(device: bus.name, tuner: "Elonics E4000") }
        if try bus.probe(0xc6, register: 0x00) == 0xa3 { throw .unsupportedTuner(device: bus.name, tuner: "Fitipower FC0013") }
        if try bus.probe(R82xxChip.r820t.i2cAddress, register: 0) == R82xxTables.chipID { return .r820t }
        if try bus.probe(R82xxChip.r828d.i2cAddress, register: 0) == R82xxTables.chipID { return .r828d }
        throw .unsupportedTuner(device: bus.name, tuner: "none of E4000, FC0013, R820T, R828D (FC0012/FC2580 or no tuner)")
    }

    /// Streams stopped, the tuner put in standby and the demodulator powered off (unless the device is
    /// gone), the interface released and the kernel driver given back if it was detached.
    public func close() {
        if let stream {
            stream.stop()
            if stream.isGone { lost = true }
            self.stream = nil
        }
        guard let handle else { return }
        if !lost {
            do throws(USBRadioError) {
                try bus.setI2CRepeater(true)
                try r82xx.standby()
                try bus.setI2CRepeater(false)
                try bus.powerOff()
            } catch {
                // Going away anyway; the next open re-initialises everything.
            }
        }
        _ = libusb_release_interface(handle, 0)
        if detachedKernelDriver { _ = libusb_attach_kernel_driver(handle, 0) }
        libusb_close(handle)
        bus.invalidate()
        self.handle = nil
    }

    private func live() throws(USBRadioError) {
        if handle == nil || lost { throw .unplugged(device: name) }
    }

    private func noteLoss<T>(_ body: () throws(USBRadioError) -> T) throws(USBRadioError) -> T {
        do throws(USBRadioError) { return try body() } catch {
            if case .unplugged = error { lost = true }
            throw error
        }
    }

    /// Runs `body` with the I2C repeater on and turns it off afterwards, also when `body` failed.
    private func withRepeater(_ body: () throws(USBRadioError) -> Void) throws(USBRadioError) {
        try bus.setI2CRepeater(true)
        do throws(USBRadioError) { try body() } catch {
            if case .unplugged = error { throw error }
            try? bus.setI2CRepeater(false)
            throw error
        }
        try bus.setI2CRepeater(false)
    }

    private var crystalHz: UInt32 {
        UInt32(Double(RTL2832ULimits.crystalHz) * (1 + Double(frequencyCorrectionPPM) / 1e6))
    }

    private var tunerReferenceHz: UInt32 {
        let base = tuner == .r828d ? 16_000_000 : RTL2832ULimits.crystalHz
        return UInt32(Double(base) * (1 + Double(frequencyCorrectionPPM) / 1e6))
    }

    // MARK: Settings

    /// Sets the resampler for `rate` S/s, the tuner's IF filter for the rate (or the set bandwidth) and
    /// the demodulator's IF to match, retuning when a frequency is set. Returns the exact rate.
    @discardableResult
    public func setSampleRate(_ rate: UInt32) throws(USBRadioError) -> Double {
        guard RTL2832ULimits.isSupportedRate(rate) else {
            throw .invalidSetting(device: name, problem: "sample rate \(rate) S/s is outside what the RTL2832U's resampler takes (225 001–300 000 and 900 001–3 200 000 S/s; 2.4 MS/s is the dependable maximum)")
        }
        try live()
        try noteLoss { () throws(USBRadioError) in
            let (ratio, exact) = RTL2832ULimits.resamplerRatio(rate: rate)
            requestedRate = UInt32(exact)
            try withRepeater { () throws(USBRadioError) in
                try applyBandwidth()
            }
            try bus.setResamplerRatio(ratio)
            try bus.setSampleClockCorrection(ppm: frequencyCorrectionPPM)
            try bus.softReset()
            sampleRate = exact
        }
        return sampleRate ?? Double(rate)
    }

    /// IF filter, demodulator IF, and the frequency again (its LO depends on the IF). Repeater on.
    private func applyBandwidth() throws(USBRadioError) {
        let ifHz = try r82xx.setBandwidth(Int(bandwidth > 0 ? bandwidth : requestedRate))
        try bus.setIF(ifHz, crystalHz: crystalHz)
        if let f = frequency {
            try setFrequency(f)
        } else {
            // No frequency yet: the vendor library re-applies its 0 Hz (LO at the IF, the PLL out of
            // range). Doing the same costs ~20 I2C writes once and leaves the tuner's registers exactly as
            // the vendor's do, so the transcripts stay comparable write for write; the real frequency
            // comes next and reprograms all of it.
            try withRepeater { () throws(USBRadioError) in try r82xx.program(0) }
        }
    }

    /// The tuner's IF filter bandwidth in Hz (0: the sample rate).
    public func setBandwidth(_ hz: UInt32) throws(USBRadioError) {
        try live()
        try noteLoss { () throws(USBRadioError) in
            bandwidth = hz
            try withRepeater { () throws(USBRadioError) in try applyBandwidth() }
        }
    }

    /// Tunes the R82xx so that `hz` lands at the centre of the stream.
    public func setFrequency(_ hz: UInt32) throws(USBRadioError) {
        try live()
        guard R82xxTuner.pllPlan(loHz: hz &+ r82xx.ifHz, referenceHz: tunerReferenceHz, chip: tuner) != nil else {
            throw .invalidSetting(device: name, problem: "\(hz) Hz is outside the \(tuner.rawValue)'s tuning range (about 24–1766 MHz)")
        }
        try noteLoss { () throws(USBRadioError) in
            do throws(USBRadioError) {
                try withRepeater { () throws(USBRadioError) in try r82xx.setFrequency(hz) }
                frequency = hz
            } catch {
                frequency = nil
                throw error
            }
        }
    }

    /// Crystal error correction in ppm: the resampler's clock offset and the tuner's reference; retunes.
    public func setFrequencyCorrection(ppm: Int) throws(USBRadioError) {
        guard ppm != frequencyCorrectionPPM else { return }
        guard (-1000...1000).contains(ppm) else {
            throw .invalidSetting(device: name, problem: "frequency correction \(ppm) ppm is beyond ±1000 ppm")
        }
        try live()
        try noteLoss { () throws(USBRadioError) in
            frequencyCorrectionPPM = ppm
            try bus.setSampleClockCorrection(ppm: ppm)
            r82xx.referenceHz = tunerReferenceHz
            if let f = frequency { try setFrequency(f) }
        }
    }

    /// Manual gain to the nearest table step (`R82xxTables.gains`); returns the step applied, in tenths of a dB.
    /// Switching to manual first (LNA and mixer AGC off, both at their lowest), then the step.
    @discardableResult
    public func setGain(_ gain: RTLSDRGain) throws(USBRadioError) -> Int? {
        try live()
        return try noteLoss { () throws(USBRadioError) -> Int? in
            switch gain {
            case .automatic:
                try withRepeater { () throws(USBRadioError) in try r82xx.setAutomaticGain() }
                return nil
            case .manual(let tenths):
                let step = R82xxTables.nearestGain(tenths)
                try withRepeater { () throws(USBRadioError) in try r82xx.setManualGain(0) }
                try withRepeater { () throws(USBRadioError) in try r82xx.setManualGain(step) }
                return step
            }
        }
    }

    /// The RTL2832U's digital AGC (after the ADC; off by default: it hides the signal level).
    public func setDigitalAGC(_ on: Bool) throws(USBRadioError) {
        try live()
        try noteLoss { () throws(USBRadioError) in
            digitalAGC = on
            try bus.setMode(testMode: testMode, digitalAGC: on)
        }
    }

    /// The demodulator's 8-bit counter instead of samples (rtl_test's check for lost bytes).
    public func setTestMode(_ on: Bool) throws(USBRadioError) {
        try live()
        try noteLoss { () throws(USBRadioError) in
            testMode = on
            try bus.setMode(testMode: on, digitalAGC: digitalAGC)
        }
    }

    // MARK: Streaming

    public var isStreaming: Bool { stream != nil }

    /// The ring the stream fills (uint8 IQ pairs), while streaming.
    public var ring: ByteRing? { stream?.ring }

    /// Bulk endpoint flushed and restarted, then the transfers submitted.
    public func startReceiving() throws(USBRadioError) {
        guard stream == nil else { return }
        try live()
        guard let handle else { throw .unplugged(device: name) }
        try noteLoss { () throws(USBRadioError) in try bus.resetBulkEndpoint() }
        let s = BulkStream(context: context.raw, handle: handle, endpoint: RTLSDR.rxEndpoint,
                           transferCount: transferCount, transferSize: transferSize, ringBytes: ringBytes)
        let r = s.start()
        if r != 0 {
            let e = USBRadioError.from(r, device: name, call: "libusb_submit_transfer")
            if case .unplugged = e { lost = true }
            throw e
        }
        stream = s
    }

    /// Transfers cancelled and handed back (the chip keeps sampling; nothing to tell it).
    public func stopReceiving() throws(USBRadioError) {
        guard let s = stream else { return }
        s.stop()
        stream = nil
        if s.isGone {
            lost = true
            throw .unplugged(device: name)
        }
    }

    /// Why the stream ended by itself (unplug, transfer error), if it did.
    func streamEnd() -> USBRadioError? {
        guard let s = stream else { return nil }
        if s.isGone { lost = true; return .unplugged(device: name) }
        if let reason = s.failureReason { return .libusb(device: name, call: reason, code: Int32(LIBUSB_ERROR_IO.rawValue)) }
        return nil
    }
}
