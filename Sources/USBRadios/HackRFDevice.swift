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
    private var radio: HackRFOne?
    private var segment = 0
    private var resumed = false
    private var samplesBeforeSegment: Int64 = 0
    private var lastStreamSamples: Int64 = 0
    /// Seconds `read` waits for samples before calling the stream stalled.
    public var stallTimeout: Double = 2
    public let deviceName: String

    public var name: String { deviceName }
    public var sampleRate: Double { settings.sampleRate }
    /// Overflows in the current stream: bytes dropped and times it happened.
    public var overflow: (bytes: Int64, events: Int) { radio?.ring?.overflow ?? (0, 0) }

    private let ringBytes: Int

    /// `ringBytes`: the hand-off ring between USB completions and `read` (32 MiB ≈ 0.8 s at 20 MS/s).
    public init(serial: String? = nil, settings: HackRFSettings = .init(), ringBytes: Int = 32 << 20) throws(USBRadioError) {
        self.serial = serial
        self.settings = settings
        self.ringBytes = ringBytes
        let r = try HackRFOne(serial: serial, ringBytes: ringBytes)
        radio = r
        deviceName = r.name
        do throws(USBRadioError) { try apply(settings, to: r) } catch { r.close(); throw error }
    }

    public convenience init(spec serial: String?) throws(RadioError) {
        do { try self.init(serial: serial) } catch { throw error.radioError }
    }

    /// hackrf_transfer's order: rate (and filter), hardware sync off, frequency, amplifier, antenna power,
    /// VGA, LNA.
    private func apply(_ s: HackRFSettings, to r: HackRFOne) throws(USBRadioError) {
        try r.setSampleRate(s.sampleRate)
        if let f = s.basebandFilter { try r.setBasebandFilter(f) }
        try r.setHardwareSync(false)
        try r.setFrequency(s.frequency)
        try r.setAmplifier(s.amplifier)
        if s.antennaPower { try r.setAntennaPower(true) }
        try r.setVGAGain(s.vgaGain)
        try r.setLNAGain(s.lnaGain)
    }

    public func tune(to frequency: Hertz) throws(RadioError) {
        let hz = UInt64(max(0, frequency.value.rounded()))
        do throws(USBRadioError) {
            // After an unplug this is where the radio comes back: reopened, settings reapplied.
            let r = try connected()
            try r.setFrequency(hz)
            settings.frequency = hz
            segment += 1
            // Samples already in the ring were taken at the old frequency.
            r.ring?.discardPending()
        } catch {
            if case .unplugged = error { dropRadio() }
            throw error.radioError
        }
    }

    /// Stops the stream and closes the device (the receiver is turned off).
    public func close() {
        if let r = radio { try? r.stopReceiving(); r.close() }
        radio = nil
    }

    deinit { close() }

    public func read(into block: SampleBlock) throws(RadioError) -> Bool {
        do throws(USBRadioError) {
            let r = try connected()
            if !r.isStreaming { try r.startReceiving() }
            guard let ring = r.ring else { throw .unplugged(device: deviceName) }
            let dst = block.unsafeSamples.baseAddress!
            let result = ring.read(maxBytes: block.capacity * 2, timeout: stallTimeout) { a, b in
                if a.count > 0 { SampleConverter.convertCI8(a.baseAddress!, dst, a.count / 2) }
                if b.count > 0 { SampleConverter.convertCI8(b.baseAddress!, dst + a.count / 2, b.count / 2) }
            }
            switch result {
            case .data(let bytes, let offset, let afterGap):
                let start = samplesBeforeSegment + offset / 2
                lastStreamSamples = offset / 2 + Int64(bytes / 2)
                block.setFilled(count: bytes / 2, startSample: start, centreFrequency: Hertz(Double(settings.frequency)),
                                sampleRate: settings.sampleRate, segment: segment, overflow: afterGap || resumed)
                resumed = false
                return true
            case .ended, .timedOut:
                if let end = r.streamEnd() { throw end }
                throw .libusb(device: deviceName, call: "streaming (no samples for \(stallTimeout) s)",
                              code: -7)
            }
        } catch {
            if case .unplugged = error { dropRadio() }
            throw error.radioError
        }
    }

    private func dropRadio() {
        if let r = radio {
            r.close()
        }
        radio = nil
    }

    /// The open radio, or the same one reopened after an unplug (throws while it is still away).
    private func connected() throws(USBRadioError) -> HackRFOne {
        if let r = radio { return r }
        let wanted = serial ?? String(deviceName.dropFirst("HackRF One ".count))
        let r: HackRFOne
        do throws(USBRadioError) {
            r = try HackRFOne(serial: wanted.isEmpty ? nil : wanted, ringBytes: ringBytes)
        } catch {
            if case .notFound = error { throw .unplugged(device: deviceName) }
            throw error
        }
        try apply(settings, to: r)
        radio = r
        segment += 1
        samplesBeforeSegment += lastStreamSamples
        lastStreamSamples = 0
        resumed = true
        return r
    }
}
