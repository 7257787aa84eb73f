/// How TS 45.003 numbers the bits of the octets it codes: information bit d(k) is bit (k mod 8) of
/// octet (k div 8), least significant bit first. In TS 44.004/44.018 terms, d(0) is bit 1 of octet 1
/// and d(7) is bit 8 of octet 1. The xCCH blocks of a live network (vf_call6 capture, checked against
/// gr-gsm) and the SCH fields (T1, T2, T3' of frame numbers the GSMTAP headers state) both confirm it.
enum OctetBitOrder {
    /// d(0 ..< 8·octets.count) from octets, one bit (0 or 1) per element.
    static func unpack(_ octets: [UInt8], into bits: UnsafeMutableBufferPointer<UInt8>) {
        for k in 0..<(octets.count * 8) {
            bits[k] = (octets[k >> 3] >> UInt8(k & 7)) & 1
        }
    }

    /// Octets from d(0 ..< 8·count); only bit 0 of each element is used.
    static func pack(_ bits: UnsafeMutableBufferPointer<UInt8>, octetCount: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: octetCount) { octets, initialized in
            for i in 0..<octetCount {
                var octet: UInt8 = 0
                for b in 0..<8 {
                    octet |= (bits[8 * i + b] & 1) << UInt8(b)
                }
                octets[i] = octet
            }
            initialized = octetCount
        }
    }
}
