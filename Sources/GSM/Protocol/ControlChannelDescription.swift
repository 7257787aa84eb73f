/// Control channel description (TS 44.018 §10.5.2.11).
public struct ControlChannelDescription: Sendable, Equatable {
    /// MSCR: the MSC is Release '99 onwards.
    public var mscr: Bool
    /// ATT: mobiles shall apply IMSI attach and detach.
    public var att: Bool
    /// BS_AG_BLKS_RES: CCCH blocks reserved for AGCH, 0–7.
    public var bsAgBlksRes: Int
    /// CCCH_CONF coded 0–7 (table 10.5.2.11.1).
    public var ccchConf: Int
    /// CBQ3 (Iu mode cell barring), 0–3.
    public var cbq3: Int
    /// BS_PA_MFRMS coded 0–7: paging recurs every `bsPaMfrms` = code + 2 multiframes.
    public var bsPaMfrmsCode: Int
    /// T3212, the periodic location updating timer, in deci-hours (6-minute units); 0 means none.
    public var t3212: Int

    /// Multiframes between transmissions of paging messages to the same paging group (2–9).
    public var bsPaMfrms: Int { bsPaMfrmsCode + 2 }
    /// T3212 in minutes; 0 means periodic updating is off.
    public var t3212Minutes: Int { t3212 * 6 }

    /// CCCH_CONF in words (table 10.5.2.11.1).
    public var ccchConfDescription: String {
        switch ccchConf {
        case 0: "1 basic physical channel for CCCH, not combined with SDCCHs"
        case 1: "1 basic physical channel for CCCH, combined with SDCCHs"
        case 2: "2 basic physical channels for CCCH, not combined with SDCCHs"
        case 4: "3 basic physical channels for CCCH, not combined with SDCCHs"
        case 6: "4 basic physical channels for CCCH, not combined with SDCCHs"
        default: "reserved"
        }
    }

    init(octets o: [UInt8]) {
        mscr = o[0] >> 7 == 1
        att = o[0] >> 6 & 1 == 1
        bsAgBlksRes = Int(o[0] >> 3 & 7)
        ccchConf = Int(o[0] & 7)
        cbq3 = Int(o[1] >> 5 & 3)
        bsPaMfrmsCode = Int(o[1] & 7)
        t3212 = Int(o[2])
    }
}
