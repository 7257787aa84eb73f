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

    /// The share of the sample rate, centred on the tuned frequency, in which the samples hold what the
    /// antenna hears there and nothing folded in from outside: the receiver's filter passes it nearly
    /// flat, and whatever sampling folds onto it (signals one sample rate away) is suppressed far enough to
    /// ignore. The survey steps, detects and decodes only inside it. Default 0.9: the outer 5 % at each
    /// edge rolls off on any receiver. A radio with a gentle anti-alias filter says less (HackRF).
    var aliasFreeFraction: Double { get }
}

extension RadioDevice {
    public var totalSamples: Int64? { nil }
    public var aliasFreeFraction: Double { 0.9 }
    public func tune(to frequency: Hertz) throws(RadioError) {
        throw .notSupported("\(name) cannot be tuned")
    }
}
