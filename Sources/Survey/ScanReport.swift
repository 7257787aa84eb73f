import CellwatchModel

/// A transmitter seen in a spectrum: where, how wide, how strong, and what it probably is.
public struct Carrier: Sendable, Equatable {
    /// Absolute centre frequency, when the recording's centre frequency is known.
    public var frequency: Hertz?
    /// Centre relative to the recording's centre frequency.
    public var offset: Hertz
    /// 99 % occupied bandwidth (GSM: of the carrier; LTE: of what is inside the span).
    public var bandwidth: Hertz
    public var rat: RAT
    public var band: Band?
    /// ARFCN (GSM) or downlink EARFCN (LTE) on the band's raster nearest the centre.
    public var channel: Int?
    /// Carrier power over its bandwidth, relative to full scale.
    public var powerDBFS: Decibels
    /// Carrier power over noise power in the same bandwidth.
    public var snr: Decibels
    /// Index of the SigMF capture (tuning step) it was seen in.
    public var segment: Int
    /// The carrier fills the whole recorded span, so its true width and edges are not visible.
    public var exceedsSpan: Bool
    /// Why the RAT was guessed, in a few words ("200 kHz GMSK-shaped", "OFDM cyclic prefix at 66.7 µs").
    public var evidence: String
}

/// Power in one radio channel: a GSM ARFCN (±100 kHz) or an LTE EARFCN's central 6 resource blocks
/// (±540 kHz, where every cell's synchronisation signals and PBCH are, whatever its bandwidth).
public struct ChannelPower: Sendable, Equatable {
    public var band: Band
    public var channel: Int
    public var frequency: Hertz
    public var powerDBFS: Decibels
    public var segment: Int
}

/// What one capture segment (one tuning) looked like.
public struct SegmentSpectrum: Sendable {
    public var segment: Int
    public var centreFrequency: Hertz?
    public var sampleRate: Double
    public var fftSize: Int
    public var segmentsAveraged: Int
    /// Noise power per FFT bin and per 200 kHz (a GSM channel), dBFS.
    public var noiseFloorPerBinDBFS: Decibels
    public var noiseFloorPer200kHzDBFS: Decibels
    public var totalPowerDBFS: Decibels
    /// Largest normalised cyclic-prefix correlation at the LTE symbol lag, and how far above the
    /// correlation's median it stands (OFDM detector).
    public var ofdmCorrelation: Double
    public var ofdmPeakToMedian: Double
}

public struct ScanReport: Sendable {
    public var source: String
    public var sampleRate: Double
    public var samples: Int64
    public var carriers: [Carrier]
    public var channels: [ChannelPower]
    public var spectra: [SegmentSpectrum]
    public var bands: [Band]
}
