/// The downlink 51-frame multiframe of timeslot 0 on the BCCH carrier in the non-combined
/// configuration (FCCH + SCH + BCCH + CCCH; TS 45.002 §6.3, §7 Table 3 and Figure 8a), which tells
/// which bursts form one xCCH block:
///
///     T3 = FN mod 51:  0 F  1 S  2–5 BCCH  6–9 CCCH 0
///                     10 F 11 S 12–15 CCCH 1  16–19 CCCH 2
///                     20 F 21 S 22–25 CCCH 3  26–29 CCCH 4
///                     30 F 31 S 32–35 CCCH 5  36–39 CCCH 6
///                     40 F 41 S 42–45 CCCH 7  46–49 CCCH 8   50 idle
///
/// In the combined configuration (CCCH_CONF = 1, Figure 8b) only CCCH 0–2 remain; frames 22–49 carry
/// the four SDCCH/4 sub-channels and their SACCH/4:
///
///     22–25 SDCCH/4 0  26–29 SDCCH/4 1  32–35 SDCCH/4 2  36–39 SDCCH/4 3  42–45, 46–49 SACCH/4
public enum BCCHCCCHMultiframe {
    public enum Channel: Hashable, Sendable {
        case frequencyCorrection
        case synchronization
        case broadcastControl
        /// A CCCH block (PCH or AGCH; CCCH 0 may also carry extended BCCH), 0 … 8.
        case commonControl(block: Int)
        /// Combined layout only: SDCCH/4 sub-channel blocks 0–3, then the two SACCH/4 blocks (4, 5).
        case dedicatedControl(block: Int)
        case idle
    }

    /// The channel of a timeslot-0 burst and its index within its four-burst block (0 for F, S, idle).
    public static func position(of frameNumber: GSMFrameNumber, combined: Bool = false) -> (channel: Channel, burstIndex: Int) {
        let t3 = frameNumber.t3
        if combined, t3 >= 22, t3 < 50, t3 % 10 >= 2 {
            // Blocks 3…8 of the non-combined numbering become SDCCH/4 0–3 and SACCH/4 0–1.
            let group = t3 / 10, offset = t3 % 10
            let half = (offset - 2) / 4
            return (.dedicatedControl(block: 2 * (group - 2) + half), (offset - 2) % 4)
        }
        if t3 == 50 { return (.idle, 0) }
        let group = t3 / 10, offset = t3 % 10  // five groups of ten frames: F, S, two blocks of 4
        switch offset {
        case 0: return (.frequencyCorrection, 0)
        case 1: return (.synchronization, 0)
        default:
            let half = (offset - 2) / 4, index = (offset - 2) % 4
            if group == 0 && half == 0 { return (.broadcastControl, index) }
            return (.commonControl(block: 2 * group + half - 1), index)
        }
    }

    /// Whether the burst in this frame starts a BCCH or CCCH block (T3 = 2, 6, 12, 16, … 46).
    public static func startsBlock(_ frameNumber: GSMFrameNumber) -> Bool {
        let p = position(of: frameNumber)
        switch p.channel {
        case .broadcastControl, .commonControl: return p.burstIndex == 0
        default: return false
        }
    }
}
