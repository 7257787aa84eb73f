import DSP

/// Brings one GSM carrier of a recording to baseband at 4 samples per symbol: mixes it to 0 Hz, then
/// low-pass filters and resamples (L/M polyphase) from the input rate to 1083.33 kS/s. Several
/// selectors on one wideband stream decode several carriers.
public final class ChannelSelector {
    public let inputRate: Double
    public let interpolation: Int
    public let decimation: Int
    /// Carrier offset from the recording's centre that is mixed to 0 Hz (includes corrections).
    public private(set) var shift: Double
    private let mixer: Mixer
    private let resampler: RationalResampler
    private var scratch: [ComplexFloat] = []

    public init(inputRate: Double, carrierOffset: Double) throws(DSPError) {
        guard inputRate >= 400e3 else {
            throw .invalidParameter("a GSM carrier needs at least 400 kS/s; the recording has \(inputRate) S/s")
        }
        self.inputRate = inputRate
        shift = carrierOffset
        mixer = Mixer(frequency: -carrierOffset, sampleRate: inputRate)
        let (l, m) = RationalResampler.fraction(approximating: BurstFormat.sampleRate / inputRate)
        interpolation = l
        decimation = m
        // Keep the GSM channel (±~100 kHz of modulation) and reject the rest of the input band: cutoff
        // 135 kHz, transition ~150 kHz wide (Blackman: 5.5 / taps of the input rate), so the adjacent
        // carrier 200 kHz away is much reduced and noise outside the channel is gone. Wide inputs need
        // long filters; 256 taps per phase caps the cost (a multi-stage decimator would do better at
        // 10–20 MS/s).
        let nyquist = min(inputRate, BurstFormat.sampleRate) / 2
        let taps = min(256, max(16, Int((5.5 * inputRate / 150e3).rounded(.up))))
        resampler = try RationalResampler(interpolation: l, decimation: m, tapsPerPhase: taps, passband: min(0.9, 135e3 / nyquist))
    }

    /// Moves the carrier by `delta` Hz more (frequency tracking from FCCH measurements).
    public func adjust(by delta: Double) {
        shift += delta
        mixer.retune(-shift)
    }

    /// The output sample rate actually produced (equal to `BurstFormat.sampleRate` unless the ratio had
    /// to be approximated).
    public var outputRate: Double { inputRate * Double(interpolation) / Double(decimation) }

    /// Appends the selected channel of `input` to `output`.
    public func process(_ input: UnsafeBufferPointer<ComplexFloat>, appendingTo output: inout [ComplexFloat]) {
        if scratch.count < input.count { scratch = [ComplexFloat](repeating: .zero, count: input.count) }
        let n = input.count
        scratch.withUnsafeMutableBufferPointer { s in
            _ = s.initialize(from: input)
            mixer.process(UnsafeMutableBufferPointer(rebasing: s[0..<n]))
        }
        let before = output.count
        let room = resampler.maximumOutputCount(forInput: n)
        output.append(contentsOf: repeatElement(ComplexFloat.zero, count: room))
        let written = scratch.withUnsafeBufferPointer { s in
            output.withUnsafeMutableBufferPointer { o in
                resampler.process(UnsafeBufferPointer(rebasing: s[0..<n]), into: UnsafeMutableBufferPointer(rebasing: o[before..<(before + room)]))
            }
        }
        output.removeLast(room - written)
    }
}
