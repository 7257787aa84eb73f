/// The rate 1/3, constraint length 7 tail-biting convolutional code of TS 36.212 §5.1.3.1
/// (generators 133, 171, 165 octal) and a soft-input Viterbi decoder for it.
///
/// Register convention: the 7-bit window is (c_k, c_k-1, …, c_k-6) with c_k in bit 6, so a generator
/// written in octal with its most significant tap on the current input is ANDed directly.
public struct TailBitingConvolutionalCode: Sendable {
    public static let generators: [Int] = [0o133, 0o171, 0o165]

    public init() {}

    /// Encodes `bits` (0/1) into three streams d(0), d(1), d(2), each as long as the input (§5.1.3.1:
    /// the shift register starts with the last six input bits).
    public static func encode(_ bits: [UInt8]) -> [[UInt8]] {
        let k = bits.count
        var out = [[UInt8]](repeating: [UInt8](repeating: 0, count: k), count: 3)
        guard k > 0 else { return out }
        var state = 0 // bits 5…0 = c_k-1 … c_k-6
        for i in 0..<6 { state |= Int(bits[(k - 1 - i + 6 * k) % k] & 1) << (5 - i) }
        for i in 0..<k {
            let window = (Int(bits[i] & 1) << 6) | state
            for g in 0..<3 { out[g][i] = UInt8((window & generators[g]).nonzeroBitCount & 1) }
            state = window >> 1
        }
        return out
    }

    /// Soft-decision tail-biting Viterbi decoding. `llr[g][i]` is the log-likelihood ratio of bit i of
    /// stream g (positive: 0 more likely). The trellis is run over the sequence three times round
    /// (wrap-around Viterbi), and the middle pass is traced back, so no start state is assumed.
    public static func decode(_ llr: [[Float]]) -> [UInt8] {
        let k = llr.first?.count ?? 0
        guard k > 0, llr.count == 3, llr.allSatisfy({ $0.count == k }) else { return [] }
        let passes = 3, n = k * passes
        // Branch outputs for each (state, input).
        var outputs = [Int](repeating: 0, count: 128)
        for w in 0..<128 {
            var o = 0
            for g in 0..<3 where (w & generators[g]).nonzeroBitCount & 1 == 1 { o |= 1 << g }
            outputs[w] = o
        }
        var metric = [Float](repeating: 0, count: 64)
        var next = [Float](repeating: 0, count: 64)
        var decisions = [UInt8](repeating: 0, count: n * 64) // which predecessor (its dropped bit)
        var branch = [Float](repeating: 0, count: 8)
        for t in 0..<n {
            let i = t % k
            let l0 = llr[0][i], l1 = llr[1][i], l2 = llr[2][i]
            // Correlation metric for each of the 8 output patterns (bit 0 → +llr).
            for o in 0..<8 {
                branch[o] = (o & 1 == 0 ? l0 : -l0) + (o & 2 == 0 ? l1 : -l1) + (o & 4 == 0 ? l2 : -l2)
            }
            for s in 0..<64 { // new state s = window >> 1; input bit = bit 5 of s
                let base = (s << 1) & 0x7E // window without its lowest bit
                let wA = base | 0, wB = base | 1
                let pA = wA & 0x3F, pB = wB & 0x3F // predecessor states (window & 0x3F)
                let mA = metric[pA] + branch[outputs[wA]]
                let mB = metric[pB] + branch[outputs[wB]]
                if mA >= mB { next[s] = mA; decisions[t * 64 + s] = 0 } else { next[s] = mB; decisions[t * 64 + s] = 1 }
            }
            let top = next.max() ?? 0
            for s in 0..<64 { metric[s] = next[s] - top }
        }
        var state = metric.indices.max { metric[$0] < metric[$1] } ?? 0
        var bits = [UInt8](repeating: 0, count: n)
        for t in stride(from: n - 1, through: 0, by: -1) {
            bits[t] = UInt8((state >> 5) & 1)
            let d = Int(decisions[t * 64 + state])
            state = ((state << 1) & 0x3E) | d
        }
        return Array(bits[k..<(2 * k)])
    }
}
