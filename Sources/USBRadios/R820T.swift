/// The I2C side of the RTL2832U that a tuner driver talks through (the demodulator's I2C repeater must
/// be on while it does).
protocol RTLI2CBus: AnyObject {
    var name: String { get }
    /// Writes `bytes` (register address first) to the 8-bit bus address; throws when nobody acknowledges.
    func i2cWrite(_ address: UInt8, _ bytes: [UInt8]) throws(USBRadioError)
    /// Reads `count` bytes from the 8-bit bus address.
    func i2cRead(_ address: UInt8, count: Int) throws(USBRadioError) -> [UInt8]
}

/// The Rafael Micro tuners Cellwatch drives behind an RTL2832U.
public enum R82xxChip: String, Sendable {
    /// R820T / R820T2: I2C address 0x34, clocked from the RTL2832U's 28.8 MHz crystal.
    case r820t = "Rafael Micro R820T"
    /// R828D (RTL-SDR Blog V4 and some DVB sticks): address 0x74, its own 16 MHz crystal.
    case r828d = "Rafael Micro R828D"

    /// 8-bit I2C address (the 7-bit address shifted left, as the RTL2832U's I2C block wants it).
    public var i2cAddress: UInt8 { self == .r820t ? 0x34 : 0x74 }
}

/// What the R820T/R828D can be set to. Register layout and tables are the chip's, as the RTL-SDR host
/// library (osmocom rtl-sdr 0.6.0-33, `tuner_r82xx.c`) programs it; read there for facts only.
public enum R82xxTables {
    /// Register 0 reads 0x69 on both chips: how the probe recognises them.
    static let chipID: UInt8 = 0x69
    /// Registers 0x00–0x04 are read-only status; the writable file starts at 0x05.
    static let firstWritable: UInt8 = 0x05
    static let registerCount = 30
    /// The RTL2832U's I2C block forwards at most 8 bytes per message: the register address and 7 values.
    static let maxValuesPerMessage = 7
    /// DVB-T 6 MHz mode's IF, the one the demodulator is set up for at open (before the first bandwidth).
    public static let defaultIF: UInt32 = 3_570_000
    /// Version field written to register 0x13 at init.
    static let versionNumber: UInt8 = 49

    /// Power-on values of registers 0x05…0x22 (the last three are written as zero: the host library's
    /// array is sized for 30 registers and the init write sends all of them).
    static let initialValues: [UInt8] = [
        0x83, 0x32, 0x75, 0xc0, 0x40, 0xd6, 0x6c, 0xf5, 0x63, 0x75, 0x68, 0x6c, 0x83, 0x80, 0x00,
        0x0f, 0x00, 0xc0, 0x30, 0x48, 0xcc, 0x60, 0x00, 0x54, 0xae, 0x4a, 0xc0, 0x00, 0x00, 0x00,
    ]

    /// RF input filter and tracking-filter settings by LO frequency (start MHz of each range):
    /// open-drain bit (reg 0x17 b3), RF mux / poly-phase filter (reg 0x1a b7:6, b1:0), tracking filter
    /// band (reg 0x1b), crystal load for the 0 pF (high-drive) setting the driver uses (reg 0x10 b1:0).
    struct MuxRange {
        let startMHz: UInt32
        let openDrain: UInt8
        let rfMuxPoly: UInt8
        let trackingFilter: UInt8
        let xtalCap0p: UInt8
    }

    static let muxRanges: [MuxRange] = [
        .init(startMHz: 0, openDrain: 0x08, rfMuxPoly: 0x02, trackingFilter: 0xdf, xtalCap0p: 0),
        .init(startMHz: 50, openDrain: 0x08, rfMuxPoly: 0x02, trackingFilter: 0xbe, xtalCap0p: 0),
        .init(startMHz: 55, openDrain: 0x08, rfMuxPoly: 0x02, trackingFilter: 0x8b, xtalCap0p: 0),
        .init(startMHz: 60, openDrain: 0x08, rfMuxPoly: 0x02, trackingFilter: 0x7b, xtalCap0p: 0),
        .init(startMHz: 65, openDrain: 0x08, rfMuxPoly: 0x02, trackingFilter: 0x69, xtalCap0p: 0),
        .init(startMHz: 70, openDrain: 0x08, rfMuxPoly: 0x02, trackingFilter: 0x58, xtalCap0p: 0),
        .init(startMHz: 75, openDrain: 0x00, rfMuxPoly: 0x02, trackingFilter: 0x44, xtalCap0p: 0),
        .init(startMHz: 80, openDrain: 0x00, rfMuxPoly: 0x02, trackingFilter: 0x44, xtalCap0p: 0),
        .init(startMHz: 90, openDrain: 0x00, rfMuxPoly: 0x02, trackingFilter: 0x34, xtalCap0p: 0),
        .init(startMHz: 100, openDrain: 0x00, rfMuxPoly: 0x02, trackingFilter: 0x34, xtalCap0p: 0),
        .init(startMHz: 110, openDrain: 0x00, rfMuxPoly: 0x02, trackingFilter: 0x24, xtalCap0p: 0),
        .init(startMHz: 120, openDrain: 0x00, rfMuxPoly: 0x02, trackingFilter: 0x24, xtalCap0p: 0),
        .init(startMHz: 140, openDrain: 0x00, rfMuxPoly: 0x02, trackingFilter: 0x14, xtalCap0p: 0),
        .init(startMHz: 180, openDrain: 0x00, rfMuxPoly: 0x02, trackingFilter: 0x13, xtalCap0p: 0),
        .init(startMHz: 220, openDrain: 0x00, rfMuxPoly: 0x02, trackingFilter: 0x13, xtalCap0p: 0),
        .init(startMHz: 250, openDrain: 0x00, rfMuxPoly: 0x02, trackingFilter: 0x11, xtalCap0p: 0),
        .init(startMHz: 280, openDrain: 0x00, rfMuxPoly: 0x02, trackingFilter: 0x00, xtalCap0p: 0),
        .init(startMHz: 310, openDrain: 0x00, rfMuxPoly: 0x41, trackingFilter: 0x00, xtalCap0p: 0),
        .init(startMHz: 450, openDrain: 0x00, rfMuxPoly: 0x41, trackingFilter: 0x00, xtalCap0p: 0),
        .init(startMHz: 588, openDrain: 0x00, rfMuxPoly: 0x40, trackingFilter: 0x00, xtalCap0p: 0),
        .init(startMHz: 650, openDrain: 0x00, rfMuxPoly: 0x40, trackingFilter: 0x00, xtalCap0p: 0),
    ]

    /// The range a LO frequency falls in: the last whose start is at or below it.
    static func muxRange(forHz hz: UInt32) -> MuxRange {
        let mhz = hz / 1_000_000
        return muxRanges.last { $0.startMHz <= mhz } ?? muxRanges[0]
    }

    /// Gain added by each LNA step (index 1…15) and mixer step, in tenths of a dB (measured at 928 MHz by
    /// the RTL-SDR authors); the manual-gain search alternates LNA and mixer steps.
    static let lnaSteps: [Int] = [0, 9, 13, 40, 38, 13, 31, 22, 26, 31, 26, 14, 19, 5, 35, 13]
    static let mixerSteps: [Int] = [0, 5, 10, 10, 19, 9, 10, 25, 17, 10, 8, 16, 13, 6, 3, -8]

    /// The total gains (tenths of a dB) the host tools offer; a requested gain goes to the nearest.
    public static let gains: [Int] = [
        0, 9, 14, 27, 37, 77, 87, 125, 144, 157, 166, 197, 207, 229, 254, 280, 297, 328,
        338, 364, 372, 386, 402, 421, 434, 439, 445, 480, 496,
    ]

    /// The table entry nearest `tenths` (the lower one on a tie, as rtl_sdr picks).
    public static func nearestGain(_ tenths: Int) -> Int {
        var best = gains[0]
        for g in gains where abs(tenths - g) < abs(tenths - best) { best = g }
        return best
    }

    /// LNA and mixer indices for a gain: add LNA, then mixer, step by step until the total reaches it.
    static func gainIndices(forTenths gain: Int) -> (lna: UInt8, mixer: UInt8) {
        var total = 0
        var lna = 0, mixer = 0
        for _ in 0..<15 {
            if total >= gain { break }
            lna += 1
            total += lnaSteps[lna]
            if total >= gain { break }
            mixer += 1
            total += mixerSteps[mixer]
        }
        return (UInt8(lna), UInt8(mixer))
    }

    /// IF low-pass filter corners (Hz) for register 0x0b's low nibble settings 15, 14, …, 6.
    static let lowPassCorners: [Int] = [1_700_000, 1_600_000, 1_550_000, 1_450_000, 1_200_000, 900_000,
                                        700_000, 550_000, 450_000, 350_000]
    static let highPass1 = 350_000
    static let highPass2 = 380_000

    /// Filter registers and IF for a wanted bandwidth: 0x0a bit 4, 0x0b (without bit 4), IF in Hz.
    /// Wide settings are the DVB-T 8, 7 and 6 MHz modes; narrower ones combine the low-pass corner with
    /// two optional high-pass corners and centre the IF in what passes.
    public static func bandwidthSetting(_ bandwidth: Int) -> (reg0A: UInt8, reg0B: UInt8, ifHz: UInt32) {
        if bandwidth > 7_000_000 { return (0x10, 0x0b, 4_570_000) }
        if bandwidth > 6_000_000 { return (0x10, 0x2a, 4_570_000) }
        if bandwidth > lowPassCorners[0] + highPass1 + highPass2 { return (0x10, 0x6b, 3_570_000) }
        var bw = bandwidth
        var reg0B: UInt8 = 0x80
        var ifHz = 2_300_000
        var passed = 0
        if bw > lowPassCorners[0] + highPass1 {
            bw -= highPass2
            ifHz += highPass2
            passed += highPass2
        } else {
            reg0B |= 0x20
        }
        if bw > lowPassCorners[0] {
            bw -= highPass1
            ifHz += highPass1
            passed += highPass1
        } else {
            reg0B |= 0x40
        }
        // The narrowest corner still wider than what is left (the widest when none is narrower).
        let firstBelow = lowPassCorners.firstIndex { bw > $0 } ?? lowPassCorners.count
        let k = max(0, firstBelow - 1)
        reg0B |= UInt8(15 - k)
        passed += lowPassCorners[k]
        ifHz -= passed / 2
        return (0x00, reg0B, UInt32(ifHz))
    }
}

/// The R820T/R828D tuner, programmed over the RTL2832U's I2C bridge. Keeps a shadow of the writable
/// registers (the chip's reads return the status registers from 0 on, bit-reversed, so masked writes
/// work from the shadow). Every method expects the I2C repeater to be on.
final class R82xxTuner {
    let chip: R82xxChip
    /// Reference clock of the PLL, Hz (the crystal, corrected for its ppm error).
    var referenceHz: UInt32
    private unowned let bus: any RTLI2CBus
    private var shadow = [UInt8](repeating: 0, count: R82xxTables.registerCount)
    /// IF the tuner mixes the wanted channel to, Hz (set by the bandwidth).
    private(set) var ifHz: UInt32 = R82xxTables.defaultIF
    private(set) var pllLocked = false
    private var initialised = false
    /// Input selected on the R828D (reg 0x05 b6:5): 0 air, 0x60 cable 1.
    private var input: UInt8 = 0

    init(chip: R82xxChip, referenceHz: UInt32, bus: any RTLI2CBus) {
        self.chip = chip
        self.referenceHz = referenceHz
        self.bus = bus
    }

    // MARK: Register access

    private func write(_ register: UInt8, _ values: [UInt8]) throws(USBRadioError) {
        // Shadow first (only the part inside the writable file).
        for (k, v) in values.enumerated() {
            let r = Int(register) + k - Int(R82xxTables.firstWritable)
            if r >= 0 && r < shadow.count { shadow[r] = v }
        }
        var start = 0
        while start < values.count {
            let n = min(R82xxTables.maxValuesPerMessage, values.count - start)
            try bus.i2cWrite(chip.i2cAddress, [register &+ UInt8(start)] + values[start..<start + n])
            start += n
        }
    }

    private func write(_ register: UInt8, _ value: UInt8) throws(USBRadioError) {
        try write(register, [value])
    }

    /// Changes the bits of `mask` to those of `value`, the others as last written.
    private func write(_ register: UInt8, _ value: UInt8, mask: UInt8) throws(USBRadioError) {
        let r = Int(register) - Int(R82xxTables.firstWritable)
        precondition(r >= 0 && r < shadow.count, "R82xx register \(register) is not writable")
        try write(register, [(shadow[r] & ~mask) | (value & mask)])
    }

    /// Registers 0…count-1 (reads always start at 0); the chip sends each byte bit-reversed.
    func readStatus(_ count: Int) throws(USBRadioError) -> [UInt8] {
        try bus.i2cWrite(chip.i2cAddress, [0x00])
        let raw = try bus.i2cRead(chip.i2cAddress, count: count)
        guard raw.count == count else {
            throw .refused(device: bus.name, request: "a \(count)-byte status read from the \(chip.rawValue)")
        }
        return raw.map(bitReversed)
    }

    // MARK: Initialisation

    /// Power-on register values, filter calibration, DVB-T (digital) front-end settings.
    func initialise() throws(USBRadioError) {
        try write(R82xxTables.firstWritable, R82xxTables.initialValues)
        try setStandard()
        try setFrontEnd()
        initialised = true
    }

    /// The 6 MHz digital standard, with the channel filter calibrated against a 56 MHz reference tone
    /// (up to two tries; a code of 0 or 15 means the calibration failed).
    private func setStandard() throws(USBRadioError) {
        let highPassCorner: UInt8 = 0x6b
        shadow = R82xxTables.initialValues
        try write(0x0c, 0x00, mask: 0x0f)
        try write(0x13, R82xxTables.versionNumber, mask: 0x3f)
        try write(0x1d, 0x00, mask: 0x38)
        ifHz = R82xxTables.defaultIF
        var calibration: UInt8 = 0
        for _ in 0..<2 {
            try write(0x0b, highPassCorner, mask: 0x60)
            try write(0x0f, 0x04, mask: 0x04)          // calibration clock on
            try write(0x10, 0x00, mask: 0x03)          // crystal load 0 pF for the PLL
            try setPLL(56_000_000)
            if !pllLocked { return }
            try write(0x0b, 0x10, mask: 0x10)          // start
            try write(0x0b, 0x00, mask: 0x10)          // stop
            try write(0x0f, 0x00, mask: 0x04)          // calibration clock off
            calibration = try readStatus(5)[4] & 0x0f
            if calibration != 0 && calibration != 0x0f { break }
        }
        if calibration == 0x0f { calibration = 0 }
        try write(0x0a, 0x10 | calibration, mask: 0x1f)   // low Q, calibrated code
        try write(0x0b, highPassCorner, mask: 0xef)
        try write(0x07, 0x00, mask: 0x80)                 // image rejection: negative
        try write(0x06, 0x10, mask: 0x30)                 // filter +3 dB, 6 MHz
        try write(0x1e, 0x60, mask: 0x60)                 // channel filter extension
        try write(0x05, 0x01, mask: 0x80)                 // loop-through off
        try write(0x1f, 0x00, mask: 0x80)                 // loop-through attenuation
        try write(0x0f, 0x00, mask: 0x80)                 // filter extension not widest
        try write(0x19, 0x60, mask: 0x60)                 // RF poly filter current minimum
    }

    /// LNA/mixer take-over points, charge-pump and buffer currents, AGC clock: the DVB-T settings.
    private func setFrontEnd() throws(USBRadioError) {
        let mixerTop: UInt8 = 0x24
        try write(0x1d, 0xe5, mask: 0xc7)     // LNA take-over point, detector bandwidth
        try write(0x1c, mixerTop, mask: 0xf8)
        try write(0x0d, 0x53)                 // LNA VTH/VTL
        try write(0x0e, 0x75)                 // mixer VTH/VTL
        input = 0
        try write(0x05, 0x00, mask: 0x60)     // air input
        try write(0x06, 0x00, mask: 0x08)     // cable 2 input off
        try write(0x11, 0x38, mask: 0x38)     // charge pump current auto
        try write(0x17, 0x30, mask: 0x30)     // divider buffer current
        try write(0x0a, 0x40, mask: 0x60)     // filter current low
        try write(0x1d, 0x00, mask: 0x38)     // LNA top lowest
        try write(0x1c, 0x00, mask: 0x04)     // normal mode
        try write(0x06, 0x00, mask: 0x40)     // pre-detector off
        try write(0x1a, 0x30, mask: 0x30)     // AGC clock 250 Hz
        try write(0x1d, 0x18, mask: 0x38)     // LNA top 3
        try write(0x1c, mixerTop, mask: 0x04) // discharge mode
        try write(0x1e, 14, mask: 0x1f)       // LNA discharge current
        try write(0x1a, 0x20, mask: 0x30)     // AGC clock 60 Hz
    }

    /// Powers the tuner down (only once initialised).
    func standby() throws(USBRadioError) {
        guard initialised else { return }
        for (r, v): (UInt8, UInt8) in [(0x06, 0xb1), (0x05, 0xa0), (0x07, 0x3a), (0x08, 0x40), (0x09, 0xc0), (0x0a, 0x36),
                                       (0x0c, 0x35), (0x0f, 0x68), (0x11, 0x03), (0x17, 0xf4), (0x19, 0x0c)] {
            try write(r, v)
        }
    }

    // MARK: Tuning

    /// Whether the LO for `hz` is reachable: VCO 1.77–3.54 GHz divided by 2…64, and the PLL's integer
    /// divider below its limit.
    static func pllPlan(loHz: UInt32, referenceHz: UInt32, chip: R82xxChip) -> (mixDiv: Int, divNum: Int)? {
        let khz = (Int(loHz) + 500) / 1000
        var mixDiv = 2
        while mixDiv <= 64 {
            let vco = khz * mixDiv
            if vco >= vcoMinKHz && vco < 2 * vcoMinKHz {
                var divNum = 0, b = mixDiv
                while b > 2 { b >>= 1; divNum += 1 }
                let nint = Int(loHz) * mixDiv / (2 * Int(referenceHz))
                let limit = 128 / (chip == .r828d ? 1 : 2) - 1
                return nint <= limit && nint >= 13 ? (mixDiv, divNum) : nil
            }
            mixDiv <<= 1
        }
        return nil
    }

    static let vcoMinKHz = 1_770_000

    /// Programs the PLL for a LO frequency: mixer divider, integer and sigma-delta fractional parts,
    /// then waits for lock (raising the VCO current once if needed). The register arithmetic keeps the
    /// chip's 8-bit fields (an unreachable LO, as when the vendor library tunes to 0 Hz, programs the
    /// same wrapped values it does); callers that mean it check `pllPlan` first.
    private func setPLL(_ loHz: UInt32) throws(USBRadioError) {
        let refKHz = (Int(referenceHz) + 500) / 1000
        try write(0x10, 0x00, mask: 0x10)   // reference divider 1
        try write(0x1a, 0x00, mask: 0x0c)   // PLL auto-tune 128 kHz
        try write(0x12, 0x80, mask: 0xe0)   // VCO current 100
        // Mixer divider: the power of two (2…64) that puts the VCO in 1.77–3.54 GHz; 128 when none does.
        let khz = (Int(loHz) + 500) / 1000
        var mixDiv = 2, divNum = 0
        while mixDiv <= 64 {
            if khz * mixDiv >= Self.vcoMinKHz && khz * mixDiv < 2 * Self.vcoMinKHz {
                var b = mixDiv
                while b > 2 { b >>= 1; divNum += 1 }
                break
            }
            mixDiv <<= 1
        }
        let status = try readStatus(5)
        // The VCO's fine-tune reading (reg 4 b5:4) against the chip's reference level moves the divider.
        let powerRef = chip == .r828d ? 1 : 2
        let fineTune = Int(status[4] & 0x30) >> 4
        if fineTune > powerRef { divNum -= 1 } else if fineTune < powerRef { divNum += 1 }
        try write(0x10, UInt8(truncatingIfNeeded: divNum << 5), mask: 0xe0)

        let vco = UInt64(loHz) * UInt64(mixDiv)
        let twoRef = 2 * UInt64(referenceHz)
        let nint = Int(UInt8(truncatingIfNeeded: vco / twoRef))
        var fractionKHz = Int(UInt32(truncatingIfNeeded: (vco &- twoRef &* UInt64(nint)) / 1000))
        guard nint <= 128 / powerRef - 1 else {
            throw .invalidSetting(device: bus.name, problem: "the \(chip.rawValue)'s PLL cannot make a \(loHz) Hz LO")
        }
        let ni = Int(UInt8(truncatingIfNeeded: (nint - 13) / 4))
        let si = Int(UInt8(truncatingIfNeeded: nint - 4 * ni - 13))
        try write(0x14, UInt8(truncatingIfNeeded: ni + (si << 6)))
        try write(0x12, fractionKHz == 0 ? 0x08 : 0x00, mask: 0x08)   // sigma-delta off when integer

        // Sigma-delta word: binary expansion of the fraction in units of 2 × reference.
        var sdm = 0
        var n = 2
        while fractionKHz > 1 {
            let step = 2 * refKHz / n
            if fractionKHz > step {
                sdm += 32768 / (n / 2)
                fractionKHz -= step
                if n >= 0x8000 { break }
            }
            n <<= 1
        }
        try write(0x16, UInt8(truncatingIfNeeded: sdm >> 8))
        try write(0x15, UInt8(truncatingIfNeeded: sdm))

        var locked = false
        for attempt in 0..<2 {
            if try readStatus(3)[2] & 0x40 != 0 { locked = true; break }
            if attempt == 0 { try write(0x12, 0x60, mask: 0xe0) }   // more VCO current
        }
        pllLocked = locked
        guard locked else { return }
        try write(0x1a, 0x08, mask: 0x08)   // PLL auto-tune 8 kHz
    }

    /// The RF filters and PLL for `hz` without range check or lock requirement: what the vendor library
    /// does when it re-applies a frequency it does not have yet (0 Hz, the LO then sits at the IF).
    func program(_ hz: UInt32) throws(USBRadioError) {
        let lo = hz &+ ifHz
        try setMux(lo)
        try setPLL(lo)
        guard pllLocked else { return }
        // The R828D's air input is better above 345 MHz, cable 1 below.
        let wanted: UInt8 = hz > 345_000_000 ? 0x00 : 0x60
        if chip == .r828d && wanted != input {
            input = wanted
            try write(0x05, wanted, mask: 0x60)
        }
    }

    /// RF filters for the LO, then the PLL. Throws when `hz` is out of range or the PLL does not lock.
    func setFrequency(_ hz: UInt32) throws(USBRadioError) {
        guard Self.pllPlan(loHz: hz &+ ifHz, referenceHz: referenceHz, chip: chip) != nil else {
            throw .invalidSetting(device: bus.name, problem: "\(hz) Hz is outside the \(chip.rawValue)'s tuning range (about 24–1766 MHz)")
        }
        try program(hz)
        guard pllLocked else {
            throw .refused(device: bus.name, request: "\(hz) Hz: the \(chip.rawValue)'s PLL did not lock")
        }
    }

    private func setMux(_ loHz: UInt32) throws(USBRadioError) {
        let range = R82xxTables.muxRange(forHz: loHz)
        try write(0x17, range.openDrain, mask: 0x08)
        try write(0x1a, range.rfMuxPoly, mask: 0xc3)
        try write(0x1b, range.trackingFilter)
        // Crystal load: the driver uses the high-drive 0 pF setting (no 0x08 low-drive bit).
        try write(0x10, range.xtalCap0p, mask: 0x0b)
        try write(0x08, 0x00, mask: 0x3f)
        try write(0x09, 0x00, mask: 0x3f)
    }

    /// Sets the IF filter for a bandwidth; returns the IF the demodulator must then use.
    func setBandwidth(_ hz: Int) throws(USBRadioError) -> UInt32 {
        let s = R82xxTables.bandwidthSetting(hz)
        ifHz = s.ifHz
        try write(0x0a, s.reg0A, mask: 0x10)
        try write(0x0b, s.reg0B, mask: 0xef)
        return s.ifHz
    }

    // MARK: Gain

    /// Manual gain: LNA and mixer AGC off, VGA fixed at 16.3 dB, LNA/mixer steps for `tenths` (0 = both
    /// at their lowest, which is what switching to manual leaves them at).
    func setManualGain(_ tenths: Int) throws(USBRadioError) {
        try write(0x05, 0x10, mask: 0x10)   // LNA AGC off
        try write(0x07, 0x00, mask: 0x10)   // mixer AGC off
        _ = try readStatus(4)               // the chip's gain readout (reg 3), read as the vendor does
        try write(0x0c, 0x08, mask: 0x9f)   // VGA 16.3 dB
        let (lna, mixer) = R82xxTables.gainIndices(forTenths: tenths)
        try write(0x05, lna, mask: 0x0f)
        try write(0x07, mixer, mask: 0x0f)
    }

    /// Automatic gain: the tuner's LNA and mixer AGC loops on, VGA fixed at 26.5 dB.
    func setAutomaticGain() throws(USBRadioError) {
        try write(0x05, 0x00, mask: 0x10)
        try write(0x07, 0x10, mask: 0x10)
        try write(0x0c, 0x0b, mask: 0x9f)
    }
}

@inline(__always)
func bitReversed(_ b: UInt8) -> UInt8 {
    var v = b
    v = (v & 0xf0) >> 4 | (v & 0x0f) << 4
    v = (v & 0xcc) >> 2 | (v & 0x33) << 2
    v = (v & 0xaa) >> 1 | (v & 0x55) << 1
    return v
}
