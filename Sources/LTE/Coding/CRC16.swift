/// CRC-16 of TS 36.212 §5.1.1 (g_CRC16(D) = D^16 + D^12 + D^5 + 1), zero initial state, parity bits
/// appended most significant first.
public enum LTECRC16 {
    /// Parity of `bits` (one bit per element, 0 or 1) as a 16-bit value, first parity bit in bit 15.
    public static func parity(_ bits: some Collection<UInt8>) -> UInt16 {
        var reg: UInt16 = 0
        for b in bits {
            let feedback = ((reg >> 15) & 1) ^ UInt16(b & 1)
            reg <<= 1
            if feedback != 0 { reg ^= 0x1021 }
        }
        return reg
    }
}

/// PBCH CRC masks by number of transmit antenna ports, TS 36.212 §5.3.1.1 Table 5.3.1.1-1.
public enum PBCHCRCMask {
    public static func mask(ports: Int) -> UInt16? {
        switch ports {
        case 1: return 0x0000
        case 2: return 0xFFFF
        case 4: return 0x5555
        default: return nil
        }
    }

    /// The port count whose mask turns `computed` into `received`, if any.
    public static func ports(computed: UInt16, received: UInt16) -> Int? {
        for p in [1, 2, 4] where computed ^ mask(ports: p)! == received { return p }
        return nil
    }
}
