import CellwatchModel
import Radio

/// Receiver settings for a HackRF One, applied in the order the HackRF tools apply them.
public struct HackRFSettings: Sendable, Equatable {
    public var frequency: UInt64
    public var sampleRate: Double
    /// nil: the widest filter no wider than 0.75 × the sample rate.
    public var basebandFilter: UInt32?
    public var lnaGain: Int
    public var vgaGain: Int
    public var amplifier: Bool
    /// Bias tee; off by default.
    public var antennaPower: Bool

    public init(frequency: UInt64 = 947_600_000, sampleRate: Double = 20_000_000, basebandFilter: UInt32? = nil,
                lnaGain: Int = 16, vgaGain: Int = 20, amplifier: Bool = false, antennaPower: Bool = false) {
        self.frequency = frequency
        self.sampleRate = sampleRate
        self.basebandFilter = basebandFilter
        self.lnaGain = lnaGain
        self.vgaGain = vgaGain
        self.amplifier = amplifier
        self.antennaPower = antennaPower
    }
}

/// A HackRF One as a `RadioDevice`: int8 IQ from the bulk stream, converted block by block into the
/// caller's `SampleBlock` (no allocation per block). A block after dropped bytes is flagged `overflow`
/// and its `startSample` counts the dropped samples. When the device is unplugged, `read` throws
/// `RadioError.deviceGone`; later calls look for the same serial number again and, once it is back,
/// reapply the settings and resume (new segment, overflow flagged).
public final class HackRFDevice: RadioDevice {
    public private(set) var settings: HackRFSettings
    public let serial: String?
    private var session: USBStreamSession<HackRFOne>!
    /// Seconds `read` waits for samples before calling the stream stalled.
    public var stallTimeout: Double {
        get { session.stallTimeout }
        set { session.stallTimeout = newValue }
    }
    public let deviceName: String

    public var name: String { deviceName }
    public var sampleRate: Double { settings.sampleRate }
    /// From the baseband filter in use (`HackRFLimits.aliasFreeFraction`): 0.5 with the sensor's filter.
    public var aliasFreeFraction: Double {
        let filter = settings.basebandFilter ?? HackRFLimits.defaultFilter(sampleRate: settings.sampleRate)
        return HackRFLimits.aliasFreeFraction(filter: filter, sampleRate: settings.sampleRate)
    }
    /// Overflows in the current stream: bytes dropped and times it happened.
    public var overflow: (bytes: Int64, events: Int) { session.driver?.ring?.overflow ?? (0, 0) }

    /// `ringBytes`: the hand-off ring between USB completions and `read` (32 MiB ≈ 0.8 s at 20 MS/s).
    public init(serial: String? = nil, settings: HackRFSettings = .init(), ringBytes: Int = 32 << 20) throws(USBRadioError) {
        self.serial = serial
        self.settings = settings
        let r = try HackRFOne(serial: serial, ringBytes: ringBytes)
        deviceName = r.name
        do throws(USBRadioError) { try Self.apply(settings, to: r) } catch { r.close(); throw error }
        // A replugged HackRF is looked for by its serial number, then set up as it was.
        let wanted = serial ?? String(r.name.dropFirst("HackRF One ".count))
        session = USBStreamSession(driver: r, deviceName: r.name) { [unowned self] () throws(USBRadioError) -> HackRFOne in
            let again = try HackRFOne(serial: wanted.isEmpty ? nil : wanted, ringBytes: ringBytes)
            do throws(USBRadioError) { try Self.apply(self.settings, to: again) } catch { again.close(); throw error }
            return again
        }
    }

    /// The sensor's and `calibrate`'s HackRF (`--device hackrf[:SERIAL]`): 20 MS/s with the survey filter
    /// (`HackRFLimits.surveyFilter`), so the survey looks only where nothing folds in.
    public convenience init(spec serial: String?) throws(RadioError) {
        var settings = HackRFSettings()
        settings.basebandFilter = HackRFLimits.surveyFilter(sampleRate: settings.sampleRate)
        do { try self.init(serial: serial, settings: settings) } catch { throw error.radioError }
    }

    /// hackrf_transfer's order: rate (and filter), hardware sync off, frequency, amplifier, antenna power,
    /// VGA, LNA.
    private static func apply(_ s: HackRFSettings, to r: HackRFOne) throws(USBRadioError) {
        try r.setSampleRate(s.sampleRate)
        if let f = s.basebandFilter { try r.setBasebandFilter(f) }
        try r.setHardwareSync(false)
        try r.setFrequency(s.frequency)
        try r.setAmplifier(s.amplifier)
        if s.antennaPower { try r.setAntennaPower(true) }
        try r.setVGAGain(s.vgaGain)
        try r.setLNAGain(s.lnaGain)
    }

    /// After an unplug this is where the radio comes back: reopened, settings reapplied.
    public func tune(to frequency: Hertz) throws(RadioError) {
        let hz = UInt64(max(0, frequency.value.rounded()))
        try session.withConnected { (r: HackRFOne) throws(USBRadioError) in
            try r.setFrequency(hz)
            settings.frequency = hz
            session.retuned(r)
        }
    }

    /// Stops the stream and closes the device (the receiver is turned off).
    public func close() { session?.close() }   // nil only when init failed

    deinit { close() }

    public func read(into block: SampleBlock) throws(RadioError) -> Bool {
        try session.read(into: block, centreFrequency: Hertz(Double(settings.frequency)), sampleRate: settings.sampleRate,
                         convert: SampleConverter.convertCI8)
    }
}
