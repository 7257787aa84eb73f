/// CRC-24A of TS 36.212 §5.1.1 (g_CRC24A(D) = D^24 + D^23 + D^18 + D^17 + D^14 + D^11 + D^10 + D^7 +
/// D^6 + D^5 + D^4 + D^3 + D + 1), zero initial state: the transport-block CRC of the DL-SCH.
public enum LTECRC24A {
    public static func parity(_ bits: some Collection<UInt8>) -> UInt32 {
        var reg: UInt32 = 0
        for b in bits {
            let feedback = ((reg >> 23) & 1) ^ UInt32(b & 1)
            reg = (reg << 1) & 0xFF_FFFF
            if feedback != 0 { reg ^= 0x86_4CFB }
        }
        return reg
    }

    /// True when the last 24 bits of `bits` are the CRC-24A of the ones before.
    public static func check(_ bits: ArraySlice<UInt8>) -> Bool {
        guard bits.count > 24 else { return false }
        let payload = bits.prefix(bits.count - 24)
        let received = bits.suffix(24).reduce(UInt32(0)) { ($0 << 1) | UInt32($1 & 1) }
        return parity(payload) == received
    }
}
