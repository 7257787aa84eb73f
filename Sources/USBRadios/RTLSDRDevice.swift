import CellwatchModel
import Radio

/// Receiver settings for an RTL-SDR, applied in the order rtl_sdr applies them.
public struct RTLSDRSettings: Sendable, Equatable {
    public var frequency: UInt32
    /// S/s; 2.4 MS/s is the dependable maximum (see `RTL2832ULimits`).
    public var sampleRate: UInt32
    public var gain: RTLSDRGain
    /// Crystal error to correct, ppm (from `cellwatch calibrate`).
    public var ppm: Int
    /// IF filter bandwidth in Hz; 0 follows the sample rate.
    public var bandwidth: UInt32
    /// The RTL2832U's digital AGC; off by default (levels must stay comparable between cells).
    public var digitalAGC: Bool

    public init(frequency: UInt32 = 947_000_000, sampleRate: UInt32 = 2_400_000, gain: RTLSDRGain = .automatic,
                ppm: Int = 0, bandwidth: UInt32 = 0, digitalAGC: Bool = false) {
        self.frequency = frequency
        self.sampleRate = sampleRate
        self.gain = gain
        self.ppm = ppm
        self.bandwidth = bandwidth
        self.digitalAGC = digitalAGC
    }
}

/// An RTL-SDR as a `RadioDevice`: uint8 IQ from the bulk stream, converted block by block into the
/// caller's `SampleBlock` (no allocation per block). A block after dropped bytes is flagged `overflow`
/// and its `startSample` counts the dropped samples. When the stick is unplugged, `read` throws
/// `RadioError.deviceGone`; later calls look for the same serial number (or index) again and, once it is
/// back, re-initialise it, reapply the settings and resume (new segment, overflow flagged).
public final class RTLSDRDevice: RadioDevice {
    public private(set) var settings: RTLSDRSettings
    public let serial: String?
    public let index: Int?
    private var session: USBStreamSession<RTLSDR>!
    private var exactRate: Double
    /// Seconds `read` waits for samples before calling the stream stalled.
    public var stallTimeout: Double {
        get { session.stallTimeout }
        set { session.stallTimeout = newValue }
    }
    public let deviceName: String

    public var name: String { deviceName }
    public var sampleRate: Double { exactRate }
    public var tuner: R82xxChip? { session.driver?.tuner }
    /// Overflows in the current stream: bytes dropped and times it happened.
    public var overflow: (bytes: Int64, events: Int) { session.driver?.ring?.overflow ?? (0, 0) }

    /// `ringBytes`: the hand-off ring between USB completions and `read` (8 MiB ≈ 1.7 s at 2.4 MS/s).
    public init(serial: String? = nil, index: Int? = nil, settings: RTLSDRSettings = .init(),
                ringBytes: Int = 8 << 20) throws(USBRadioError) {
        self.serial = serial
        self.index = index
        self.settings = settings
        let r = try RTLSDR(serial: serial, index: index, ringBytes: ringBytes)
        deviceName = r.name
        exactRate = Double(settings.sampleRate)
        do throws(USBRadioError) { exactRate = try Self.apply(settings, to: r) } catch { r.close(); throw error }
        let opened = r.serial   // what a replugged stick is recognised by
        session = USBStreamSession(driver: r, deviceName: r.name) { [unowned self] () throws(USBRadioError) -> RTLSDR in
            // By serial when the stick has one (cheap sticks all say 00000001: then any RTL-SDR will do,
            // as the index would pick the same one).
            let again = opened.isEmpty ? try RTLSDR(index: index ?? 0, ringBytes: ringBytes)
                                       : try RTLSDR(serial: opened, ringBytes: ringBytes)
            do throws(USBRadioError) { self.exactRate = try Self.apply(self.settings, to: again) } catch { again.close(); throw error }
            return again
        }
    }

    /// `rtlsdr[:N]` from a device spec.
    public convenience init(spec index: Int?) throws(RadioError) {
        do { try self.init(index: index) } catch { throw error.radioError }
    }

    /// rtl_sdr's order: rate (with the IF filter), frequency, gain, crystal correction; then the digital AGC.
    private static func apply(_ s: RTLSDRSettings, to r: RTLSDR) throws(USBRadioError) -> Double {
        if s.bandwidth != 0 { try r.setBandwidth(s.bandwidth) }
        let exact = try r.setSampleRate(s.sampleRate)
        try r.setFrequency(s.frequency)
        try r.setGain(s.gain)
        try r.setFrequencyCorrection(ppm: s.ppm)
        if s.digitalAGC { try r.setDigitalAGC(true) }
        return exact
    }

    public func tune(to frequency: Hertz) throws(RadioError) {
        let hz = UInt32(clamping: Int64(max(0, frequency.value.rounded())))
        try session.withConnected { (r: RTLSDR) throws(USBRadioError) in
            try r.setFrequency(hz)
            settings.frequency = hz
            session.retuned(r)
        }
    }

    /// Stops the stream, puts the tuner in standby and closes the stick.
    public func close() { session?.close() }   // nil only when init failed

    deinit { close() }

    public func read(into block: SampleBlock) throws(RadioError) -> Bool {
        try session.read(into: block, centreFrequency: Hertz(Double(settings.frequency)), sampleRate: exactRate,
                         convert: SampleConverter.convertCU8)
    }
}
