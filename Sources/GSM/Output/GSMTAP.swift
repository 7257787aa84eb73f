/// GSMTAP v2 (libosmocore `gsmtap.h`; ECOSYSTEM.md §4): the UDP encapsulation Wireshark dissects on
/// port 4729. A 16-byte big-endian header, then the 23-octet L2 block.
public enum GSMTAP {
    public static let udpPort: UInt16 = 4729

    /// GSMTAP Um sub-types.
    public enum UmChannel: UInt8, Sendable {
        case bcch = 1
        case ccch = 2

        public init(_ channel: GSMBlock.Channel) {
            self = channel == .bcch ? .bcch : .ccch
        }
    }

    /// One GSM Um packet: header (version 2, 4 words, type 1 = Um) and payload.
    public static func umPacket(arfcn: Int, pcs: Bool = false, uplink: Bool = false, timeslot: Int = 0,
                                signalDBm: Int = 0, snrDB: Int = 0, frameNumber: GSMFrameNumber,
                                channel: UmChannel, l2: [UInt8]) -> [UInt8] {
        var field = UInt16(arfcn & 0x3fff)
        if pcs { field |= 0x8000 }
        if uplink { field |= 0x4000 }
        var p: [UInt8] = [2, 4, 1, UInt8(timeslot & 7), UInt8(field >> 8), UInt8(field & 0xff),
                          UInt8(bitPattern: Int8(clamping: signalDBm)), UInt8(bitPattern: Int8(clamping: snrDB))]
        let fn = frameNumber.value
        p += [UInt8(fn >> 24), UInt8((fn >> 16) & 0xff), UInt8((fn >> 8) & 0xff), UInt8(fn & 0xff)]
        p += [channel.rawValue, 0, 0, 0]  // sub-type, antenna, sub-slot, reserved
        return p + l2
    }
}
