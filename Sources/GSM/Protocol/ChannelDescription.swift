/// Channel description (TS 44.018 §10.5.2.5): a dedicated channel's type, timeslot, training sequence
/// and radio frequency channel, hopping or not.
public struct ChannelDescription: Sendable, Equatable {
    /// Channel type and TDMA offset (table 10.5.2.5.1), with the subchannel where the type has them.
    public enum ChannelType: Sendable, Equatable {
        case tchF
        case tchH(subchannel: Int)
        case sdcch4(subchannel: Int)
        case sdcch8(subchannel: Int)

        public var name: String {
            switch self {
            case .tchF: "TCH/F"
            case .tchH: "TCH/H"
            case .sdcch4: "SDCCH/4"
            case .sdcch8: "SDCCH/8"
            }
        }

        public var subchannel: Int? {
            switch self {
            case .tchF: nil
            case .tchH(let s), .sdcch4(let s), .sdcch8(let s): s
            }
        }
    }

    public var channelType: ChannelType
    /// TN, the timeslot number 0–7.
    public var timeslot: Int
    /// TSC, the training sequence code 0–7.
    public var tsc: Int
    public var hopping: Hopping

    public enum Hopping: Sendable, Equatable {
        case single(arfcn: Int)
        case hopping(maio: Int, hsn: Int)
    }

    init(octets o: [UInt8], cursor: OctetCursor, element: String) throws(RRDecodingError) {
        let code = Int(o[0] >> 3)
        switch code {
        case 0b00001: channelType = .tchF
        case 0b00010...0b00011: channelType = .tchH(subchannel: code & 1)
        case 0b00100...0b00111: channelType = .sdcch4(subchannel: code & 3)
        case 0b01000...0b01111: channelType = .sdcch8(subchannel: code & 7)
        default:
            throw cursor.malformed(element, "has the reserved channel type and TDMA offset \(code)")
        }
        timeslot = Int(o[0] & 7)
        tsc = Int(o[1] >> 5)
        hopping = Self.hopping(o)
    }

    /// H = 0: ARFCN on 10 bits; H = 1: MAIO on 6 bits and HSN on 6 bits.
    static func hopping(_ o: [UInt8]) -> Hopping {
        if o[1] >> 4 & 1 == 0 {
            return .single(arfcn: Int(o[1] & 3) << 8 | Int(o[2]))
        }
        return .hopping(maio: Int(o[1] & 0xF) << 2 | Int(o[2] >> 6), hsn: Int(o[2] & 0x3F))
    }
}

/// Packet channel description (TS 44.018 §10.5.2.25a): the PDCH of a TBF in an immediate assignment.
public struct PacketChannelDescription: Sendable, Equatable {
    /// Channel type coded on 5 bits (00001 for a PDCH; other values are kept as sent).
    public var channelType: Int
    public var timeslot: Int
    public var tsc: Int
    public var hopping: Hopping

    public enum Hopping: Sendable, Equatable {
        case single(arfcn: Int)
        /// Indirect encoding: MAIO, MA_NUMBER_IND and CHANGE_MARK_1 when sent.
        case indirect(maio: Int, maNumberInd: Int, changeMark1: Int?)
        /// Direct encoding: MAIO and HSN.
        case direct(maio: Int, hsn: Int)
    }

    init(octets o: [UInt8]) {
        channelType = Int(o[0] >> 3)
        timeslot = Int(o[0] & 7)
        tsc = Int(o[1] >> 5)
        if o[1] >> 4 & 1 == 1 {
            hopping = .direct(maio: Int(o[1] & 0xF) << 2 | Int(o[2] >> 6), hsn: Int(o[2] & 0x3F))
        } else if o[1] >> 3 & 1 == 0 {
            hopping = .single(arfcn: Int(o[1] & 3) << 8 | Int(o[2]))
        } else {
            // 1 <spare> <MAIO:6> <MA_NUMBER_IND:1> {0 <spare:2> | 1 <CHANGE_MARK_1:2>}
            let maio = Int(o[1] & 3) << 4 | Int(o[2] >> 4)
            let changeMark = o[2] >> 2 & 1 == 1 ? Int(o[2] & 3) : nil
            hopping = .indirect(maio: maio, maNumberInd: Int(o[2] >> 3 & 1), changeMark1: changeMark)
        }
    }
}
