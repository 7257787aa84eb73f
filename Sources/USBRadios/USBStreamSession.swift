import CellwatchModel
import DSP
import Radio

/// What a USB radio driver offers its `RadioDevice`: a bulk stream into a ring of raw IQ bytes.
protocol USBStreamingRadio: AnyObject {
    var isStreaming: Bool { get }
    /// The ring the stream fills, while streaming.
    var ring: ByteRing? { get }
    func startReceiving() throws(USBRadioError)
    func stopReceiving() throws(USBRadioError)
    /// Why the stream ended by itself (unplug, transfer error), if it did.
    func streamEnd() -> USBRadioError?
    func close()
}

extension HackRFOne: USBStreamingRadio {}
extension RTLSDR: USBStreamingRadio {}

/// The part of a USB `RadioDevice` that does not depend on the radio: the open driver, reopened (and
/// set up again by `reopen`) after an unplug; segments (a new one after each retune or reconnect); the
/// stream position across reconnects; and the ring-to-block hand-off, converting 2 bytes per sample.
final class USBStreamSession<Driver: USBStreamingRadio> {
    let deviceName: String
    /// Seconds `read` waits for samples before calling the stream stalled.
    var stallTimeout: Double = 2
    private(set) var driver: Driver?
    private(set) var segment = 0
    private var resumed = false
    private var samplesBeforeSegment: Int64 = 0
    private var lastStreamSamples: Int64 = 0
    /// Opens the radio again and applies the settings; `.notFound` while it is still away.
    private let reopen: () throws(USBRadioError) -> Driver

    init(driver: Driver, deviceName: String, reopen: @escaping () throws(USBRadioError) -> Driver) {
        self.driver = driver
        self.deviceName = deviceName
        self.reopen = reopen
    }

    /// The open radio, or the same one reopened after an unplug (throws `.unplugged` while it is away).
    func connected() throws(USBRadioError) -> Driver {
        if let d = driver { return d }
        let d: Driver
        do throws(USBRadioError) { d = try reopen() } catch {
            if case .notFound = error { throw .unplugged(device: deviceName) }
            throw error
        }
        driver = d
        segment += 1
        samplesBeforeSegment += lastStreamSamples
        lastStreamSamples = 0
        resumed = true
        return d
    }

    /// Runs `body` on the connected radio; an unplug closes it (a later call reopens it), and every
    /// error leaves as the `RadioError` the daemon understands.
    func withConnected<T>(_ body: (Driver) throws(USBRadioError) -> T) throws(RadioError) -> T {
        do throws(USBRadioError) {
            return try body(try connected())
        } catch {
            if case .unplugged = error { drop() }
            throw error.radioError
        }
    }

    /// After a retune: a new segment, and the samples already in the ring (taken at the old frequency)
    /// dropped.
    func retuned(_ d: Driver) {
        segment += 1
        d.ring?.discardPending()
    }

    func drop() {
        driver?.close()
        driver = nil
    }

    /// Stops the stream and closes the radio.
    func close() {
        if let d = driver { try? d.stopReceiving(); d.close() }
        driver = nil
    }

    /// Fills `block` from the stream (starting it if needed) with `convert` (raw bytes → samples, no
    /// allocation). A block after dropped bytes or a reconnect is flagged `overflow`; `startSample`
    /// counts the dropped samples.
    func read(into block: SampleBlock, centreFrequency: Hertz, sampleRate: Double,
              convert: (UnsafeRawPointer, UnsafeMutablePointer<ComplexFloat>, Int) -> Void) throws(RadioError) -> Bool {
        try withConnected { (d: Driver) throws(USBRadioError) -> Bool in
            if !d.isStreaming { try d.startReceiving() }
            guard let ring = d.ring else { throw .unplugged(device: deviceName) }
            let dst = block.unsafeSamples.baseAddress!
            let result = ring.read(maxBytes: block.capacity * 2, timeout: stallTimeout) { a, b in
                if a.count > 0 { convert(a.baseAddress!, dst, a.count / 2) }
                if b.count > 0 { convert(b.baseAddress!, dst + a.count / 2, b.count / 2) }
            }
            switch result {
            case .data(let bytes, let offset, let afterGap):
                let start = samplesBeforeSegment + offset / 2
                lastStreamSamples = offset / 2 + Int64(bytes / 2)
                block.setFilled(count: bytes / 2, startSample: start, centreFrequency: centreFrequency,
                                sampleRate: sampleRate, segment: segment, overflow: afterGap || resumed)
                resumed = false
                return true
            case .ended, .timedOut:
                if let end = d.streamEnd() { throw end }
                throw .libusb(device: deviceName, call: "streaming (no samples for \(stallTimeout) s)", code: -7)
            }
        }
    }
}
