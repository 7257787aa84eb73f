import Foundation

/// Writes L2 blocks as GSMTAP v2 packets (ECOSYSTEM.md §4, libosmocore gsmtap.h) in a pcap file of
/// link type 228 (raw IPv4), UDP to port 4729, so Wireshark's dissectors can read them.
enum ProtocolGSMTAPPcap {
    struct Packet {
        var arfcn: UInt16
        var frameNumber: UInt32
        /// GSMTAP Um sub-type: 1 BCCH, 2 CCCH.
        var subType: UInt8
        var l2: [UInt8]
    }

    static func write(_ packets: [Packet], to url: URL) throws {
        var out: [UInt8] = []
        func le32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        func le16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        // pcap global header: magic, version 2.4, zone, sigfigs, snaplen, link type 228 (LINKTYPE_IPV4).
        le32(0xA1B2_C3D4); le16(2); le16(4); le32(0); le32(0); le32(65535); le32(228)
        for (i, p) in packets.enumerated() {
            var gsmtap: [UInt8] = [2, 4, 1, 0]  // version 2, header length 4 words, type 1 GSM Um, timeslot 0
            gsmtap += [UInt8(p.arfcn >> 8), UInt8(p.arfcn & 0xFF)]
            gsmtap += [UInt8(bitPattern: -60), 20]  // signal dBm, SNR dB
            gsmtap += withUnsafeBytes(of: p.frameNumber.bigEndian) { Array($0) }
            gsmtap += [p.subType, 0, 0, 0]  // sub-type, antenna, sub-slot, reserved
            gsmtap += p.l2
            let udpLength = 8 + gsmtap.count
            var udp: [UInt8] = [0x12, 0x79, 0x12, 0x79, UInt8(udpLength >> 8), UInt8(udpLength & 0xFF), 0, 0]
            udp += gsmtap
            let ipLength = 20 + udp.count
            var ip: [UInt8] = [0x45, 0, UInt8(ipLength >> 8), UInt8(ipLength & 0xFF), 0, 0, 0, 0, 64, 17, 0, 0,
                               127, 0, 0, 1, 127, 0, 0, 1]
            ip += udp
            le32(UInt32(i)); le32(0); le32(UInt32(ip.count)); le32(UInt32(ip.count))
            out += ip
        }
        try Data(out).write(to: url)
    }
}
