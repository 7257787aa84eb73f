import CellwatchModel

/// One source of IQ samples: a recording, a simulated scene or an SDR.
///
/// Like SoapySDR's device interface, every capability has a default "not supported", so a source
/// implements only what it really has (a recording cannot be retuned).
public protocol RadioDevice: AnyObject {
    /// What the device is, for logs and messages ("file ref_c0.sigmf-data (cf32_le)").
    var name: String { get }
    /// Samples per second of the stream.
    var sampleRate: Double { get }
    /// Fills `block` with the next samples. Returns false at the end of the stream.
    func read(into block: SampleBlock) throws(RadioError) -> Bool

    /// Total samples, when known in advance (recordings).
    var totalSamples: Int64? { get }
    func tune(to frequency: Hertz) throws(RadioError)
}

extension RadioDevice {
    public var totalSamples: Int64? { nil }
    public func tune(to frequency: Hertz) throws(RadioError) {
        throw .notSupported("\(name) cannot be tuned")
    }
}
