/// GSM physical-layer timing and burst formats (TS 45.002 §5, TS 45.004 §2).
public enum BurstFormat {
    /// Modulation symbol rate, 1625/6 kHz (TS 45.004 §2.1; TS 45.010 §5.1).
    public static let symbolRate = 1_625_000.0 / 6
    /// The receiver works at 4 samples per symbol.
    public static let samplesPerSymbol = 4
    public static let sampleRate = symbolRate * Double(samplesPerSymbol)
    /// A timeslot lasts 156.25 symbol periods, a TDMA frame 8 of them: 1250 symbols, 5000 samples.
    public static let frameSamples = 1250 * samplesPerSymbol
    public static let timeslotSymbols = 156.25
    /// Bits of a burst proper (without guard period).
    public static let burstBits = 148

    /// First bit of the training sequence in a normal and in a synchronisation burst (the layouts are
    /// `NormalBurst` and `SynchronizationBurst`).
    public static let normalTrainingStart = NormalBurst.trainingSequence.lowerBound
    public static let syncTrainingStart = SynchronizationBurst.extendedTrainingSequence.lowerBound

    /// Training sequence codes, set 1, TSC 0–7 (TS 45.002 §5.2.3 Table 5.2.3a). On the BCCH carrier
    /// the TSC equals the BCC.
    public static let trainingSequences: [[UInt8]] = [
        [0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 1, 1],
        [0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1],
        [0, 1, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0],
        [0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0],
        [0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1],
        [0, 1, 0, 0, 1, 1, 1, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 0, 1, 0],
        [1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1],
        [1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0],
    ]

    /// Extended training sequence of the synchronisation burst (TS 45.002 §5.2.5).
    public static let syncTrainingSequence: [UInt8] = [
        1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1,
        0, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 1,
    ]

    /// Frequency correction: the FCCH burst is all zeros, which GMSK turns into a tone a quarter of the
    /// symbol rate above the carrier (TS 45.002 §5.2.4).
    public static let fcchToneOffset = symbolRate / 4
}

