/// The rate 1/3 turbo code of TS 36.212 §5.1.3.2: two 8-state recursive systematic encoders
/// (feedback g0 = 1 + D² + D³, parity g1 = 1 + D + D³), the QPP interleaver between them and trellis
/// termination with 12 tail bits. `decode` is max-log-MAP with extrinsic scaling.
public final class TurboDecoder {
    public let k: Int
    private let pi: [Int]
    // Scratch, sized once for K.
    private var alpha: [Float], beta: [Float]
    private var la: [Float], le: [Float], sysI: [Float], laI: [Float], leI: [Float]
    /// Extrinsic information scaling, the usual correction for max-log-MAP.
    public var extrinsicScale: Float = 0.75

    /// Trellis of one constituent encoder: for state s (bits s1 s2 s3 as 4·s1 + 2·s2 + s3) and input u,
    /// the next state and the parity bit.
    static let next: [[Int]] = (0..<8).map { s in (0..<2).map { u in step(s, u).next } }
    static let parity: [[Int]] = (0..<8).map { s in (0..<2).map { u in step(s, u).parity } }

    static func step(_ s: Int, _ u: Int) -> (next: Int, parity: Int) {
        let s1 = (s >> 2) & 1, s2 = (s >> 1) & 1, s3 = s & 1
        let a = u ^ s2 ^ s3
        let z = a ^ s1 ^ s3
        return ((a << 2) | (s1 << 1) | s2, z)
    }

    public init?(k: Int) {
        guard let p = QPPInterleaver.permutation(k: k) else { return nil }
        self.k = k
        pi = p
        alpha = [Float](repeating: 0, count: (k + 4) * 8)
        beta = [Float](repeating: 0, count: (k + 4) * 8)
        la = [Float](repeating: 0, count: k); le = la; sysI = la; laI = la; leI = la
    }

    /// Encodes K bits into d(0), d(1), d(2), each K + 4 long (§5.1.3.2.1–2).
    public static func encode(_ c: [UInt8]) -> [[UInt8]]? {
        let k = c.count
        guard let pi = QPPInterleaver.permutation(k: k) else { return nil }
        func rsc(_ x: [UInt8]) -> (z: [UInt8], tailX: [UInt8], tailZ: [UInt8]) {
            var s = 0, z = [UInt8](repeating: 0, count: x.count)
            for i in 0..<x.count { let o = step(s, Int(x[i])); z[i] = UInt8(o.parity); s = o.next }
            var tx: [UInt8] = [], tz: [UInt8] = []
            for _ in 0..<3 {
                let u = ((s >> 1) & 1) ^ (s & 1) // makes the feedback 0
                let o = step(s, u)
                tx.append(UInt8(u)); tz.append(UInt8(o.parity)); s = o.next
            }
            return (z, tx, tz)
        }
        let e1 = rsc(c)
        let e2 = rsc(pi.map { c[$0] })
        var d0 = c, d1 = e1.z, d2 = e2.z
        // §5.1.3.2.2: tail bits distributed over the three streams.
        d0 += [e1.tailX[0], e1.tailZ[1], e2.tailX[0], e2.tailZ[1]]
        d1 += [e1.tailZ[0], e1.tailX[2], e2.tailZ[0], e2.tailX[2]]
        d2 += [e1.tailX[1], e1.tailZ[2], e2.tailX[1], e2.tailZ[2]]
        return [d0, d1, d2]
    }

    /// One max-log-MAP pass of a constituent decoder. Inputs are LLRs (positive = 0); `tail` holds
    /// (systematic, parity) LLRs of its three termination steps. Writes extrinsic LLRs into `ext`.
    private func bcjr(sys: [Float], par: ArraySlice<Float>, apriori: [Float], tail: [(Float, Float)], ext: inout [Float]) {
        let n = k + 3
        let neg: Float = -1e9
        for s in 0..<8 { alpha[s] = s == 0 ? 0 : neg; beta[n * 8 + s] = s == 0 ? 0 : neg }
        func gamma(_ t: Int, _ u: Int, _ p: Int) -> Float {
            let ls: Float, lp: Float, lap: Float
            if t < k { ls = sys[t]; lp = par[par.startIndex + t]; lap = apriori[t] } else { ls = tail[t - k].0; lp = tail[t - k].1; lap = 0 }
            return 0.5 * ((u == 0 ? 1 : -1) * (ls + lap) + (p == 0 ? 1 : -1) * lp)
        }
        for t in 0..<n {
            var row = [Float](repeating: neg, count: 8)
            for s in 0..<8 where alpha[t * 8 + s] > neg / 2 {
                for u in 0..<2 {
                    let ns = Self.next[s][u]
                    let m = alpha[t * 8 + s] + gamma(t, u, Self.parity[s][u])
                    if m > row[ns] { row[ns] = m }
                }
            }
            let top = row.max() ?? 0
            for s in 0..<8 { alpha[(t + 1) * 8 + s] = row[s] - top }
        }
        for t in stride(from: n - 1, through: 0, by: -1) {
            var top: Float = neg
            for s in 0..<8 {
                var best: Float = neg
                for u in 0..<2 {
                    let m = beta[(t + 1) * 8 + Self.next[s][u]] + gamma(t, u, Self.parity[s][u])
                    if m > best { best = m }
                }
                beta[t * 8 + s] = best
                if best > top { top = best }
            }
            for s in 0..<8 { beta[t * 8 + s] -= top }
        }
        for t in 0..<k {
            var m0: Float = neg, m1: Float = neg
            for s in 0..<8 {
                for u in 0..<2 {
                    let ns = Self.next[s][u]
                    let m = alpha[t * 8 + s] + gamma(t, u, Self.parity[s][u]) + beta[(t + 1) * 8 + ns]
                    if u == 0 { if m > m0 { m0 = m } } else if m > m1 { m1 = m }
                }
            }
            ext[t] = (m0 - m1) - sys[t] - apriori[t]
        }
    }

    /// Decodes the three soft streams (each K + 4 LLRs, positive = 0). `accept` is asked after each
    /// iteration with the hard decisions; decoding stops when it returns true. Returns the last decisions.
    public func decode(_ d: [[Float]], iterations: Int = 8, accept: ([UInt8]) -> Bool) -> (bits: [UInt8], accepted: Bool) {
        guard d.count == 3, d.allSatisfy({ $0.count == k + 4 }) else { return ([], false) }
        let sys = Array(d[0][0..<k])
        // Tail LLRs per §5.1.3.2.2 (see `encode`).
        let t1: [(Float, Float)] = [(d[0][k], d[1][k]), (d[2][k], d[0][k + 1]), (d[1][k + 1], d[2][k + 1])]
        let t2: [(Float, Float)] = [(d[0][k + 2], d[1][k + 2]), (d[2][k + 2], d[0][k + 3]), (d[1][k + 3], d[2][k + 3])]
        for i in 0..<k { la[i] = 0; sysI[i] = sys[pi[i]] }
        var bits = [UInt8](repeating: 0, count: k)
        for _ in 0..<max(1, iterations) {
            bcjr(sys: sys, par: d[1][0..<k], apriori: la, tail: t1, ext: &le)
            for i in 0..<k { laI[i] = extrinsicScale * le[pi[i]] }
            bcjr(sys: sysI, par: d[2][0..<k], apriori: laI, tail: t2, ext: &leI)
            for i in 0..<k { la[pi[i]] = extrinsicScale * leI[i] }
            for i in 0..<k { bits[i] = sys[i] + le[i] + la[i] < 0 ? 1 : 0 }
            if accept(bits) { return (bits, true) }
        }
        return (bits, false)
    }
}

/// Rate matching for turbo coded transport channels, TS 36.212 §5.1.4.1: sub-block interleaving of
/// the three streams (the third with the shifted permutation), the circular buffer and bit selection
/// from k0 for a redundancy version. `recover` adds every received LLR onto the coded bit it carries.
public struct TurboRateMatcher: Sendable {
    /// Inter-column permutation of the turbo sub-block interleaver, TS 36.212 Table 5.1.4-1 (not the
    /// convolutional code's Table 5.1.4-2).
    public static let columnPermutation: [Int] = [0, 16, 8, 24, 4, 20, 12, 28, 2, 18, 10, 26, 6, 22, 14, 30,
                                                  1, 17, 9, 25, 5, 21, 13, 29, 3, 19, 11, 27, 7, 23, 15, 31]
    public let streamLength: Int
    /// For each position of the circular buffer w: (stream, index), or nil for a <NULL> (dummy or filler).
    private let bufferMap: [(Int, Int)?]
    private let rows: Int

    /// `fillerBits`: F filler bits at the start of the code block (NULL in d(0) and d(1)).
    public init(streamLength d: Int, fillerBits f: Int = 0) {
        streamLength = d
        let c = 32, r = max(1, (d + c - 1) / c), kPi = r * c, nd = kPi - d
        rows = r
        let p = Self.columnPermutation
        func entry(_ y: Int, stream s: Int) -> (Int, Int)? {
            let idx = y - nd
            guard idx >= 0 else { return nil }
            if s < 2 && idx < f { return nil }
            return (s, idx)
        }
        var v0: [(Int, Int)?] = [], v1: [(Int, Int)?] = [], v2: [(Int, Int)?] = []
        for kk in 0..<kPi {
            let y = p[kk / r] + c * (kk % r)
            v0.append(entry(y, stream: 0))
            v1.append(entry(y, stream: 1))
            v2.append(entry((y + 1) % kPi, stream: 2))
        }
        var w = v0
        for kk in 0..<kPi { w.append(v1[kk]); w.append(v2[kk]) }
        bufferMap = w
    }

    private func k0(rv: Int) -> Int {
        let ncb = bufferMap.count
        return rows * (2 * ((ncb + 8 * rows - 1) / (8 * rows)) * rv + 2)
    }

    /// e_0 … e_(E-1) for redundancy version `rv` (N_cb = K_w).
    public func match(_ streams: [[UInt8]], outputLength e: Int, rv: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(e)
        var j = k0(rv: rv)
        let n = bufferMap.count
        while out.count < e && streamLength > 0 {
            if let (s, i) = bufferMap[j % n] { out.append(streams[s][i]) }
            j += 1
        }
        return out
    }

    /// Adds `llr` onto three streams of summed LLRs (allocated by the caller, each `streamLength`).
    public func recover(_ llr: [Float], rv: Int, into streams: inout [[Float]]) {
        guard streamLength > 0 else { return }
        let n = bufferMap.count
        var j = k0(rv: rv)
        for v in llr {
            while bufferMap[j % n] == nil { j += 1 }
            let (s, i) = bufferMap[j % n]!
            streams[s][i] += v
            j += 1
        }
    }
}
