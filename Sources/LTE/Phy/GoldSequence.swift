/// The length-31 Gold pseudo-random sequence of TS 36.211 §7.2 (N_C = 1600).
public enum GoldSequence {
    /// c(0) … c(length-1) for the given c_init, as 0/1.
    public static func bits(cInit: UInt32, length: Int) -> [UInt8] {
        let nc = 1600, total = nc + length + 31
        var x1 = [UInt8](repeating: 0, count: total), x2 = [UInt8](repeating: 0, count: total)
        x1[0] = 1
        for i in 0..<31 { x2[i] = UInt8((cInit >> UInt32(i)) & 1) }
        for n in 0..<(total - 31) {
            x1[n + 31] = (x1[n + 3] ^ x1[n]) & 1
            x2[n + 31] = (x2[n + 3] ^ x2[n + 2] ^ x2[n + 1] ^ x2[n]) & 1
        }
        return (0..<max(0, length)).map { x1[$0 + nc] ^ x2[$0 + nc] }
    }
}
