import CellwatchModel
import DSP

/// How a spectrum scan looks at a recording. Defaults suit GSM and LTE downlinks at any rate.
public struct ScanConfiguration: Sendable {
    /// Bands whose channels are reported; empty means every band Cellwatch knows.
    public var bands: [Band] = []
    /// Target resolution bandwidth; the FFT size is the power of two giving a bin width at or below it.
    public var resolution: Hertz = .kilohertz(4)
    public var window: Window.Kind = .hann
    public var overlap: Double = 0.5
    /// A carrier must stand this far above the noise floor in its channel.
    public var detectionThreshold: Decibels = Decibels(10)
    /// Fraction of the span at each edge left out of noise and carrier measurements: real receivers'
    /// anti-alias filters roll off there.
    public var edgeGuard: Double = 0.05

    public init() {}

    public var effectiveBands: [Band] { bands.isEmpty ? Band.surveyDefaults : bands }

    /// FFT length for `sampleRate`: a power of two, 64 … 65536.
    public func fftSize(sampleRate: Double) -> Int {
        var n = 64
        while Double(n) < sampleRate / resolution.value, n < 65536 { n *= 2 }
        return n
    }
}
