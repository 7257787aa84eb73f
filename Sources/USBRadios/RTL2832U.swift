import CLibUSB

/// The RTL2832U's register blocks, as the high byte of wIndex in its vendor requests. Every access is
/// vendor request 0: wValue = register address, wIndex = block << 8, | 0x10 for a write. Facts from the
/// RTL-SDR host library (osmocom rtl-sdr 0.6.0-33, `librtlsdr.c`), read for facts only.
enum RTLBlock: UInt8 {
    case demod = 0, usb = 1, sys = 2, tuner = 3, rom = 4, ir = 5, i2c = 6
}

/// Registers of the USB and SYS blocks the driver touches.
enum RTLRegister: UInt16 {
    case usbSysctl = 0x2000
    case usbEPAControl = 0x2148      // bulk endpoint A: 0x1002 stall + flush FIFO, 0x0000 run
    case usbEPAMaxPacket = 0x2158
    case demodControl = 0x3000       // 0xe8 demodulator and ADCs on, 0x20 off
    case gpioOutput = 0x3001
    case gpioOutputEnable = 0x3003
    case gpioDirection = 0x3004
    case demodControl1 = 0x300b
}

/// The demodulator's fixed facts and the host-side rules for its resampler.
public enum RTL2832ULimits {
    /// The reference crystal of nearly every stick.
    public static let crystalHz: UInt32 = 28_800_000
    /// Rates the resampler takes: 225 001–300 000 S/s and 900 001–3 200 000 S/s (the gap and the
    /// ends are where it stops working). Above about 2.4 MS/s samples get lost on most hosts.
    public static func isSupportedRate(_ rate: UInt32) -> Bool {
        (225_001...300_000).contains(rate) || (900_001...3_200_000).contains(rate)
    }
    public static let dependableMaxRate: UInt32 = 2_400_000

    /// Resampler ratio registers for a rate: crystal × 2²² / rate, the two low bits cleared; the chip
    /// treats bit 27 as also setting bit 28. Returns the ratio written and the rate it gives exactly.
    public static func resamplerRatio(rate: UInt32, crystalHz: UInt32 = crystalHz) -> (ratio: UInt32, exactRate: Double) {
        let scaled = Double(crystalHz) * 4_194_304.0
        let ratio = UInt32(scaled / Double(rate)) & 0x0fff_fffc
        let effective = ratio | ((ratio & 0x0800_0000) << 1)
        return (ratio, scaled / Double(effective))
    }

    /// The 22-bit IF register value: −IF × 2²² / crystal, in two's complement (the low 22 bits sent).
    public static func ifRegister(ifHz: UInt32, crystalHz: UInt32 = crystalHz) -> Int32 {
        Int32(-(Double(ifHz) * 4_194_304.0 / Double(crystalHz)))
    }

    /// The default 32-tap symmetric FIR in front of the resampler (half of it: 8 taps of 8 bits, then
    /// 8 of 12 bits, outer to inner), the one the vendor's Windows driver uses for DAB/FM.
    public static let defaultFIR: [Int] = [-54, -36, -41, -40, -32, -14, 14, 53,
                                           101, 156, 215, 273, 327, 372, 404, 421]

    /// The FIR packed into the 20 register bytes at demod page 1, 0x1c…0x2f.
    public static func packFIR(_ taps: [Int]) -> [UInt8]? {
        guard taps.count == 16 else { return nil }
        var out: [UInt8] = []
        for t in taps[0..<8] {
            guard (-128...127).contains(t) else { return nil }
            out.append(UInt8(truncatingIfNeeded: t))
        }
        for k in stride(from: 8, to: 16, by: 2) {
            let a = taps[k], b = taps[k + 1]
            guard (-2048...2047).contains(a), (-2048...2047).contains(b) else { return nil }
            out.append(UInt8(truncatingIfNeeded: a >> 4))
            out.append(UInt8(truncatingIfNeeded: (a << 4) | ((b >> 8) & 0x0f)))
            out.append(UInt8(truncatingIfNeeded: b))
        }
        return out
    }
}

/// The RTL2832U demodulator's register interface on an open, claimed USB handle. Writes of 16-bit values
/// go big-endian; reads come back little-endian. After every demodulator write the host reads page
/// 0x0a register 0x01 (a dummy read the vendor library always does; kept so the chip sees the same
/// traffic and our transcripts match).
final class RTL2832UBus: RTLI2CBus {
    let name: String
    private(set) var handle: OpaquePointer?
    static let timeoutMs: UInt32 = 300

    init(handle: OpaquePointer, name: String) {
        self.handle = handle
        self.name = name
    }

    func invalidate() { handle = nil }

    private func fail(_ r: Int32, _ what: String) -> USBRadioError {
        if r == Int32(LIBUSB_ERROR_PIPE.rawValue) { return .refused(device: name, request: what) }
        return USBRadioError.from(r, device: name, call: what)
    }

    /// Raw vendor request 0 out; returns libusb's result (bytes or a negative code).
    @discardableResult
    func rawOut(value: UInt16, index: UInt16, _ data: [UInt8]) -> Int32 {
        guard let handle else { return Int32(LIBUSB_ERROR_NO_DEVICE.rawValue) }
        var d = data
        return libusb_control_transfer(handle, 0x40, 0, value, index, &d, UInt16(d.count), Self.timeoutMs)
    }

    /// Raw vendor request 0 in.
    func rawIn(value: UInt16, index: UInt16, count: Int) -> (Int32, [UInt8]) {
        guard let handle else { return (Int32(LIBUSB_ERROR_NO_DEVICE.rawValue), []) }
        var d = [UInt8](repeating: 0, count: count)
        let r = libusb_control_transfer(handle, 0xC0, 0, value, index, &d, UInt16(count), Self.timeoutMs)
        return (r, r > 0 ? Array(d[0..<Int(r)]) : [])
    }

    private func out(value: UInt16, index: UInt16, _ data: [UInt8], what: @autoclosure () -> String) throws(USBRadioError) {
        let r = rawOut(value: value, index: index, data)
        if r < 0 { throw fail(r, what()) }
        if r != Int32(data.count) { throw .refused(device: name, request: what()) }
    }

    private static func bigEndian(_ value: UInt16, _ length: Int) -> [UInt8] {
        length == 1 ? [UInt8(value & 0xff)] : [UInt8(value >> 8), UInt8(value & 0xff)]
    }

    func writeRegister(_ block: RTLBlock, _ register: RTLRegister, _ value: UInt16, length: Int) throws(USBRadioError) {
        try out(value: register.rawValue, index: UInt16(block.rawValue) << 8 | 0x10, Self.bigEndian(value, length),
                what: "write of register 0x\(String(register.rawValue, radix: 16))")
    }

    func readRegister(_ block: RTLBlock, _ register: RTLRegister, length: Int) throws(USBRadioError) -> UInt16 {
        let (r, d) = rawIn(value: register.rawValue, index: UInt16(block.rawValue) << 8, count: length)
        if r < 0 { throw fail(r, "read of register 0x\(String(register.rawValue, radix: 16))") }
        return d.enumerated().reduce(0) { $0 | UInt16($1.element) << (8 * $1.offset) }
    }

    func demodWrite(page: UInt8, _ register: UInt8, _ value: UInt16, length: Int = 1) throws(USBRadioError) {
        try out(value: UInt16(register) << 8 | 0x20, index: 0x10 | UInt16(page), Self.bigEndian(value, length),
                what: "write of demodulator register \(page):0x\(String(register, radix: 16))")
        _ = try demodRead(page: 0x0a, 0x01)
    }

    func demodRead(page: UInt8, _ register: UInt8, length: Int = 1) throws(USBRadioError) -> UInt16 {
        let (r, d) = rawIn(value: UInt16(register) << 8 | 0x20, index: UInt16(page), count: length)
        if r < 0 { throw fail(r, "read of demodulator register \(page):0x\(String(register, radix: 16))") }
        return d.enumerated().reduce(0) { $0 | UInt16($1.element) << (8 * $1.offset) }
    }

    func i2cWrite(_ address: UInt8, _ bytes: [UInt8]) throws(USBRadioError) {
        try out(value: UInt16(address), index: UInt16(RTLBlock.i2c.rawValue) << 8 | 0x10, bytes,
                what: "I2C write to 0x\(String(address, radix: 16))")
    }

    func i2cRead(_ address: UInt8, count: Int) throws(USBRadioError) -> [UInt8] {
        let (r, d) = rawIn(value: UInt16(address), index: UInt16(RTLBlock.i2c.rawValue) << 8, count: count)
        if r < 0 { throw fail(r, "I2C read from 0x\(String(address, radix: 16))") }
        return d
    }

    /// One register of an I2C device, or nil when it does not acknowledge (the tuner probe).
    func probe(_ address: UInt8, register: UInt8) throws(USBRadioError) -> UInt8? {
        let w = rawOut(value: UInt16(address), index: UInt16(RTLBlock.i2c.rawValue) << 8 | 0x10, [register])
        let (r, d) = rawIn(value: UInt16(address), index: UInt16(RTLBlock.i2c.rawValue) << 8, count: 1)
        if w == Int32(LIBUSB_ERROR_NO_DEVICE.rawValue) || r == Int32(LIBUSB_ERROR_NO_DEVICE.rawValue) {
            throw .unplugged(device: name)
        }
        return r == 1 ? d[0] : nil
    }

    // MARK: Demodulator programming

    /// The I2C repeater (demod page 1, reg 0x01 bit 3) connects the I2C bridge to the tuner.
    func setI2CRepeater(_ on: Bool) throws(USBRadioError) {
        try demodWrite(page: 1, 0x01, on ? 0x18 : 0x10)
    }

    /// USB endpoint set-up, demodulator power-on and soft reset, SDR mode with the default FIR, the
    /// DVB-T loops (AGC, PID filter) off, zero-IF with DC and IQ correction.
    func initBaseband() throws(USBRadioError) {
        try writeRegister(.usb, .usbSysctl, 0x09, length: 1)
        try writeRegister(.usb, .usbEPAMaxPacket, 0x0002, length: 2)
        try writeRegister(.usb, .usbEPAControl, 0x1002, length: 2)
        try writeRegister(.sys, .demodControl1, 0x22, length: 1)
        try writeRegister(.sys, .demodControl, 0xe8, length: 1)
        try softReset()
        try demodWrite(page: 1, 0x15, 0x00)                // spectrum inversion off
        try demodWrite(page: 1, 0x16, 0x0000, length: 2)   // adjacent channel rejection off
        for r in UInt8(0x16)...0x1b { try demodWrite(page: 1, r, 0x00) }   // DDC shift and IF registers
        try setFIR(RTL2832ULimits.defaultFIR)
        try demodWrite(page: 0, 0x19, 0x05)                // SDR mode, digital AGC off, test mode off
        try demodWrite(page: 1, 0x93, 0xf0)                // FSM state-holding registers
        try demodWrite(page: 1, 0x94, 0x0f)
        try demodWrite(page: 1, 0x11, 0x00)                // en_dagc off
        try demodWrite(page: 1, 0x04, 0x00)                // RF and IF AGC loops off
        try demodWrite(page: 0, 0x61, 0x60)                // PID filter off
        try demodWrite(page: 0, 0x06, 0x80)                // default ADC I/Q data path
        try demodWrite(page: 1, 0xb1, 0x1b)                // zero-IF, DC cancellation, IQ compensation
        try demodWrite(page: 0, 0x0d, 0x83)                // no 4.096 MHz clock on TP_CK0
    }

    func softReset() throws(USBRadioError) {
        try demodWrite(page: 1, 0x01, 0x14)
        try demodWrite(page: 1, 0x01, 0x10)
    }

    func setFIR(_ taps: [Int]) throws(USBRadioError) {
        guard let bytes = RTL2832ULimits.packFIR(taps) else {
            throw .invalidSetting(device: name, problem: "FIR taps out of range (8 × int8 then 8 × int12)")
        }
        for (k, b) in bytes.enumerated() { try demodWrite(page: 1, 0x1c + UInt8(k), UInt16(b)) }
    }

    /// Low-IF tuners (R820T/R828D): zero-IF off, only the in-phase ADC, the IF, spectrum inversion on
    /// (the R82xx mixes with the LO above the signal, so its IF spectrum is mirrored).
    func configureForLowIF(ifHz: UInt32, crystalHz: UInt32) throws(USBRadioError) {
        try demodWrite(page: 1, 0xb1, 0x1a)
        try demodWrite(page: 0, 0x08, 0x4d)
        try setIF(ifHz, crystalHz: crystalHz)
        try demodWrite(page: 1, 0x15, 0x01)
    }

    func setIF(_ ifHz: UInt32, crystalHz: UInt32) throws(USBRadioError) {
        let v = RTL2832ULimits.ifRegister(ifHz: ifHz, crystalHz: crystalHz)
        try demodWrite(page: 1, 0x19, UInt16((v >> 16) & 0x3f))
        try demodWrite(page: 1, 0x1a, UInt16((v >> 8) & 0xff))
        try demodWrite(page: 1, 0x1b, UInt16(v & 0xff))
    }

    func setResamplerRatio(_ ratio: UInt32) throws(USBRadioError) {
        try demodWrite(page: 1, 0x9f, UInt16(ratio >> 16), length: 2)
        try demodWrite(page: 1, 0xa1, UInt16(ratio & 0xffff), length: 2)
    }

    /// Sample clock correction: −ppm × 2²⁴ / 10⁶, 14 bits over registers 0x3e/0x3f.
    func setSampleClockCorrection(ppm: Int) throws(USBRadioError) {
        let offset = Int16(truncatingIfNeeded: Int(Double(-ppm) * 16_777_216.0 / 1_000_000.0))
        try demodWrite(page: 1, 0x3f, UInt16(UInt8(truncatingIfNeeded: offset)))
        try demodWrite(page: 1, 0x3e, UInt16((offset >> 8) & 0x3f))
    }

    /// Demod page 0 register 0x19: bit 5 digital AGC, 0x03 the 8-bit counter test pattern, 0x05 samples.
    func setMode(testMode: Bool, digitalAGC: Bool) throws(USBRadioError) {
        try demodWrite(page: 0, 0x19, (testMode ? 0x03 : 0x05) | (digitalAGC ? 0x20 : 0))
    }

    /// Stalls and flushes the bulk endpoint's FIFO, then lets it run: the next bulk data is fresh.
    func resetBulkEndpoint() throws(USBRadioError) {
        try writeRegister(.usb, .usbEPAControl, 0x1002, length: 2)
        try writeRegister(.usb, .usbEPAControl, 0x0000, length: 2)
    }

    func powerOff() throws(USBRadioError) {
        try writeRegister(.sys, .demodControl, 0x20, length: 1)
    }
}
