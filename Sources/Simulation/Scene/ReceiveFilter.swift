import Foundation

/// The low-pass a receiver puts in front of its samples (its anti-alias filter), as the scene applies
/// it: flat to 0.8·fs/2, a raised-cosine transition to fs/2 (amplitude complementary about 0.9·fs/2,
/// −6 dB there, the shape of a half-band decimator's transition), and nothing at or beyond fs/2.
///
/// Without it the renderer would generate a carrier near or beyond ±fs/2 at its offset at the complex
/// sample rate, where it wraps to the opposite edge: a carrier where nothing transmits. Real front
/// ends filter before the samples are taken:
///
/// - HackRF One: libhackrf sets the MAX2837's baseband low-pass to the widest setting ≤ 0.75·fs with the
///   rate (firmware-notes/hackrf.md, "Setting the sample rate also sets the baseband filter"), so its
///   corner sits at 0.75·fs/2 or below. The MAX2837's skirt alone is shallow: its narrowest (1.75 MHz)
///   setting attenuates only ~4 dB at ±1 MHz and ~33 dB at ±2 MHz, and more than 60 dB only from
///   ±2.8 MHz; Great Scott Gadgets therefore advise sampling at 8 MS/s or more and decimating with a
///   sharp digital low-pass for narrower spans (greatscottgadgets/hackrf, docs/source/sampling_rate.rst,
///   "Sampling Rate and Baseband Filters").
/// - RTL2832U with R820T/R828D: the tuner's IF filter is set to about the sample rate (librtlsdr
///   `r82xx_set_bandwidth`, firmware-notes/rtlsdr.md "IF") and the RTL2832U resamples its 28.8 MHz ADC
///   stream to the output rate through a digital low-pass; the outer edges of the span roll off, which
///   is why rtl_power recommends cropping 20–50 % of every hop (osmocom/rtl-sdr, src/rtl_power.c,
///   `-c crop_percent`).
///
/// The figures: passband edge 0.8·fs/2 (what rtl_power's smallest recommended crop keeps, and just
/// above the MAX2837 corner libhackrf picks), stopband from fs/2 with at least
/// `stopbandRejectionDB` (the HackRF documentation's "more than 60 dB", what a sharp decimating
/// low-pass after the analogue filter achieves). The model is that of a receiver run the way the makers
/// recommend, filter then decimation. A HackRF One sampled natively at 2 MS/s has no such filter and
/// does alias (only the MAX2837's 4 dB at ±1 MHz); the scene does not model that.
///
/// How the renderer applies it (one gain per emitter, no filtering in the sample loop): an emitter is
/// scaled by the amplitude response at its instantaneous offset (nominal offset, frequency errors and
/// Doppler); an emitter whose occupied band reaches beyond ±fs/2 is not rendered at all (that part
/// would wrap); a waveform that can shape its own spectrum (OFDM: each subcarrier by the response at
/// its frequency) does so instead, see `EmitterWaveform.shape(to:offset:)`.
public struct ReceiveFilter: Sendable, Equatable {
    /// Edge of the flat passband, as a fraction of fs/2.
    public static let passbandFraction = 0.8
    /// Rejection the model guarantees at and beyond fs/2, dB (it renders nothing there: more).
    public static let stopbandRejectionDB = 60.0

    /// Half the sample rate, hertz: where the stopband begins.
    public let nyquist: Double
    /// Upper edge of the flat passband, hertz (either side of the tuned centre).
    public var passbandEdge: Double { nyquist * Self.passbandFraction }

    public init(sampleRate: Double) {
        nyquist = sampleRate / 2
    }

    /// Amplitude response (linear, 0 … 1) at `offset` hertz from the tuned centre.
    @inline(__always)
    public func amplitude(at offset: Double) -> Double {
        let f = abs(offset)
        let edge = passbandEdge
        if f <= edge { return 1 }
        if f >= nyquist { return 0 }
        return 0.5 * (1 + cos(Double.pi * (f - edge) / (nyquist - edge)))
    }

    /// Response in dB at `offset` (−∞ in the stopband).
    public func responseDB(at offset: Double) -> Double { 20 * log10(amplitude(at: offset)) }

    /// Amplitude gain for an emitter of occupied bandwidth `bandwidth` centred at `offset` that cannot
    /// shape its own spectrum: the response at its centre, or 0 (not rendered) when any of its band
    /// lies at or beyond ±fs/2, where it would wrap to the other edge. For a narrow emitter (a 200 kHz
    /// GSM carrier in a 2 MS/s span) the response varies little over its band.
    @inline(__always)
    public func gain(offset: Double, bandwidth: Double) -> Double {
        if abs(offset) + bandwidth / 2 > nyquist { return 0 }
        return amplitude(at: offset)
    }

    /// Fraction of a flat spectrum `bandwidth` wide centred at `offset` that the filter passes (mean of
    /// the power response over the band): what reaches the ADC of a waveform that shapes itself.
    public func powerFraction(offset: Double, bandwidth: Double) -> Double {
        let steps = 256
        var sum = 0.0
        for i in 0..<steps {
            let a = amplitude(at: offset + bandwidth * ((Double(i) + 0.5) / Double(steps) - 0.5))
            sum += a * a
        }
        return sum / Double(steps)
    }
}
