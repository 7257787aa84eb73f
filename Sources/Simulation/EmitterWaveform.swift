import DSP

/// The baseband signal of one transmitter (a GSM C0 carrier, an LTE eNodeB), as a function of absolute
/// scenario time, so a scene can render any stretch of it for any sensor, retune, or skip ahead, and
/// the result is the same signal with a continuous phase.
///
/// The scene (propagation, noise, the sensor's tuning) decides amplitude and frequency offset per call;
/// the waveform decides what is sent (frame numbers, bursts, messages) from the time alone.
public protocol EmitterWaveform: Sendable {
    /// Width of the occupied band, for deciding whether a tuned window sees this emitter at all.
    var occupiedBandwidth: Double { get }

    /// Adds this emitter's signal into `output`: sample `i` is taken at scenario time
    /// `startTime + i / sampleRate` seconds, shifted by `frequencyOffset` hertz from the tuned centre
    /// (the carrier's nominal offset plus its own frequency error and any Doppler), with RMS amplitude
    /// `amplitude` (linear, relative to the ADC's full scale). Adds; never overwrites. Allocation-free
    /// after the first call at a given sample rate.
    mutating func render(into output: UnsafeMutableBufferPointer<ComplexFloat>, startTime: Double,
                         sampleRate: Double, frequencyOffset: Double, amplitude: Float)

    /// Asks the waveform to shape its own spectrum by the receiver's filter, for renders at nominal
    /// `offset` hertz from the tuned centre: each component scaled by `filter.amplitude(at:)` of its
    /// frequency, and nothing rendered at or beyond ±fs/2. Returns false when the waveform cannot
    /// (the default); the renderer then applies one gain for the whole emitter
    /// (`ReceiveFilter.gain(offset:bandwidth:)`). Called when the offset changes (a retune), not per
    /// block; may allocate.
    mutating func shape(to filter: ReceiveFilter, offset: Double) -> Bool
}

extension EmitterWaveform {
    public mutating func shape(to filter: ReceiveFilter, offset: Double) -> Bool { false }
}
