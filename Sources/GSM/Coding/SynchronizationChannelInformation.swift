/// The 25 information bits of the SCH: the Synchronization channel information element of
/// TS 44.018 §9.1.30 (BSIC and the reduced frame number T1, T2, T3' of §10.5.2.38), in four octets
///
///     octet 1: BSIC (6 bits, bits 8 … 3), T1 bits 10 … 9 (bits 2 … 1)
///     octet 2: T1 bits 8 … 1
///     octet 3: T1 bit 0 (bit 8), T2 (5 bits, bits 7 … 3), T3' bits 2 … 1 (bits 2 … 1)
///     octet 4: T3' bit 0 (bit 1)
///
/// numbered d(0 … 24) like every TS 45.003 block (`OctetBitOrder`, least significant bit first): so
/// d(0) = T1 bit 9, d(1) = T1 bit 10, d(2 … 7) = BSIC bits 0 … 5, d(8 … 15) = T1 bits 1 … 8,
/// d(16 … 17) = T3' bits 1 … 2, d(18 … 22) = T2 bits 0 … 4, d(23) = T1 bit 0, d(24) = T3' bit 0.
/// The SCH bursts of a live network (vf_call6 capture) decode this way to BSIC 48 and the frame numbers
/// of their GSMTAP headers.
enum SynchronizationChannelInformation {
    static let bitCount = 25
    static let octetCount = 4

    static func octets(bsic: BSIC, t1: Int, t2: Int, t3Prime: Int) -> [UInt8] {
        [
            bsic.value << 2 | UInt8((t1 >> 9) & 0x3),
            UInt8((t1 >> 1) & 0xFF),
            UInt8((t1 & 1) << 7 | (t2 & 0x1F) << 2 | (t3Prime >> 1) & 0x3),
            UInt8(t3Prime & 1),
        ]
    }

    /// BSIC, T1, T2 and T3' from d(0 … 24) in `bits`.
    static func fields(_ d: UnsafeMutableBufferPointer<UInt8>) -> (bsic: BSIC, t1: Int, t2: Int, t3Prime: Int) {
        func field(_ from: Int, _ count: Int) -> Int {  // d(from … from+count−1), d(from) least significant
            var v = 0
            for i in 0..<count { v |= Int(d[from + i] & 1) << i }
            return v
        }
        let bsic = BSIC(value: UInt8(field(2, 6)))
        let t1 = field(23, 1) | field(8, 8) << 1 | field(0, 2) << 9
        let t2 = field(18, 5)
        let t3Prime = field(24, 1) | field(16, 2) << 1
        return (bsic, t1, t2, t3Prime)
    }
}
