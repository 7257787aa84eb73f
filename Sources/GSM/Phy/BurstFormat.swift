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

    /// Normal burst (TS 45.002 §5.2.3): 3 tail, 57 data, stealing flag, 26 training, stealing flag,
    /// 57 data, 3 tail. Positions of the training sequence's first bit and of the two data halves.
    public static let normalTrainingStart = 61
    public static let normalDataFirst = 3..<60
    public static let normalDataSecond = 88..<145

    /// Synchronisation burst (TS 45.002 §5.2.5): 3 tail, 39 data, 64 extended training, 39 data, 3 tail.
    public static let syncTrainingStart = 42
    public static let syncDataFirst = 3..<42
    public static let syncDataSecond = 106..<145

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

/// What TS0 of a BCCH carrier holds in each frame of the 51-multiframe (TS 45.002 §6.3, §7 Table 3),
/// for a non-combined (CCCH_CONF 0, 2, 4, 6) or combined (CCCH_CONF 1, with SDCCH/4) layout.
public enum TimeslotZeroChannel: Sendable, Equatable {
    case fcch
    case sch
    /// First burst (`burst` 0) … fourth (3) of a BCCH block.
    case bcch(burst: Int)
    /// CCCH block `block` (0-based within the multiframe), burst 0…3.
    case ccch(block: Int, burst: Int)
    /// SDCCH/4 or SACCH/4 on a combined layout: decoded as data blocks but not parsed as CCCH.
    case dedicated(burst: Int)
    case idle

    /// The channel of frame `fn mod 51`.
    public static func at(_ t3: Int, combined: Bool) -> TimeslotZeroChannel {
        switch t3 {
        case 0, 10, 20, 30, 40: return .fcch
        case 1, 11, 21, 31, 41: return .sch
        case 2...5: return .bcch(burst: t3 - 2)
        case 50: return .idle
        default: break
        }
        // Data blocks of four frames start at 6, 12, 16, 22, 26, 32, 36, 42, 46 (TS 45.002 Table 3).
        let starts = [6, 12, 16, 22, 26, 32, 36, 42, 46]
        guard let index = starts.lastIndex(where: { $0 <= t3 }), t3 - starts[index] < 4 else { return .idle }
        let burst = t3 - starts[index]
        if combined {
            // Combined: CCCH blocks 0–2 at 6, 12, 16; SDCCH/4 and SACCH/4 from 22 on.
            return index < 3 ? .ccch(block: index, burst: burst) : .dedicated(burst: burst)
        }
        return .ccch(block: index, burst: burst)
    }
}
