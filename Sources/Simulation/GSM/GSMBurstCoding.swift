import GSM

/// The TS 45.003 channel codes of the transmitter, in a form that allocates nothing per block.
///
/// The xCCH code (§4.1: Fire code, convolutional code, interleaving) and the SCH code (§4.7) are
/// affine over GF(2): coded = E(0) ⊕ Σ over set information bits of (E(eₖ) ⊕ E(0)). The tables are
/// built once from `XCCHEncoder` and `SCHEncoder` themselves, so the codes stay those of the GSM
/// target; encoding a block is then an XOR of up to 184 precomputed rows.
enum GSMBurstCoding {
    /// 456 coded bits of an xCCH block packed in 8 words: bit b·114 + j is i(B = b, j).
    static let xcchWords = 8
    /// Row 0: E(0); row 1 + k: the contribution of information bit k (octet k div 8, bit k mod 8).
    static let xcchRows: [UInt64] = {
        let encoder = XCCHEncoder()
        func packed(_ l2: [UInt8]) -> [UInt64] {
            let bursts = try! encoder.encode(l2)
            var w = [UInt64](repeating: 0, count: xcchWords)
            for b in 0..<4 { for j in 0..<114 where bursts[b][j] == 1 { let n = b * 114 + j; w[n >> 6] |= 1 << UInt64(n & 63) } }
            return w
        }
        let zero = packed([UInt8](repeating: 0, count: 23))
        var rows = zero
        for k in 0..<184 {
            var l2 = [UInt8](repeating: 0, count: 23)
            l2[k / 8] = 1 << UInt8(k % 8)
            let e = packed(l2)
            rows += (0..<xcchWords).map { e[$0] ^ zero[$0] }
        }
        return rows
    }()

    /// Encodes the 23 octets `l2` into 4 × 114 bits (0/1): `bits[b·114 + j]` = i(B = b, j).
    static func encodeXCCH(_ l2: UnsafeBufferPointer<UInt8>, into bits: UnsafeMutableBufferPointer<UInt8>) {
        xcchRows.withUnsafeBufferPointer { rows in
            var acc = (rows[0], rows[1], rows[2], rows[3], rows[4], rows[5], rows[6], rows[7])
            for octet in 0..<23 {
                var v = l2[octet]
                while v != 0 {
                    let bit = v.trailingZeroBitCount
                    v &= v - 1
                    let r = (1 + octet * 8 + bit) * xcchWords
                    acc.0 ^= rows[r]; acc.1 ^= rows[r + 1]; acc.2 ^= rows[r + 2]; acc.3 ^= rows[r + 3]
                    acc.4 ^= rows[r + 4]; acc.5 ^= rows[r + 5]; acc.6 ^= rows[r + 6]; acc.7 ^= rows[r + 7]
                }
            }
            for n in 0..<456 {
                let w: UInt64
                switch n >> 6 {
                case 0: w = acc.0
                case 1: w = acc.1
                case 2: w = acc.2
                case 3: w = acc.3
                case 4: w = acc.4
                case 5: w = acc.5
                case 6: w = acc.6
                default: w = acc.7
                }
                bits[n] = UInt8(truncatingIfNeeded: w >> UInt64(n & 63) & 1)
            }
        }
    }

    /// SCH: row 0 is E(BSIC 0, FN with T1 = T2 = T3' = 0); then one row per bit of BSIC (6), T1 (11),
    /// T2 (5) and T3' (3). 78 coded bits in two words.
    static let schRows: [UInt64] = {
        let encoder = SCHEncoder()
        func packed(_ bsic: UInt8, _ t1: Int, _ t2: Int, _ t3p: Int) -> (UInt64, UInt64) {
            let c = encoder.encode(bsic: BSIC(value: bsic), frameNumber: GSMFrameNumber(t1: t1, t2: t2, t3Prime: t3p)!)
            var w: (UInt64, UInt64) = (0, 0)
            for n in 0..<78 where c[n] == 1 { if n < 64 { w.0 |= 1 << UInt64(n) } else { w.1 |= 1 << UInt64(n - 64) } }
            return w
        }
        let zero = packed(0, 0, 0, 0)
        var rows = [zero.0, zero.1]
        func add(_ e: (UInt64, UInt64)) { rows += [e.0 ^ zero.0, e.1 ^ zero.1] }
        for i in 0..<6 { add(packed(1 << UInt8(i), 0, 0, 0)) }
        for i in 0..<11 { add(packed(0, 1 << i, 0, 0)) }
        for i in 0..<5 { add(packed(0, 0, 1 << i, 0)) }
        for i in 0..<3 { add(packed(0, 0, 0, 1 << i)) }
        return rows
    }()

    /// The 78 coded SCH bits for `bsic` and the frame's T1, T2, T3' (0/1), written to `bits`.
    static func encodeSCH(bsic: UInt8, frameNumber: GSMFrameNumber, into bits: UnsafeMutableBufferPointer<UInt8>) {
        schRows.withUnsafeBufferPointer { rows in
            var w0 = rows[0], w1 = rows[1]
            var row = 1
            func fold(_ value: Int, _ width: Int) {
                for i in 0..<width {
                    if value >> i & 1 == 1 { w0 ^= rows[2 * (row + i)]; w1 ^= rows[2 * (row + i) + 1] }
                }
                row += width
            }
            fold(Int(bsic), 6)
            fold(frameNumber.t1, 11)
            fold(frameNumber.t2, 5)
            fold(frameNumber.t3Prime, 3)
            for n in 0..<78 { bits[n] = UInt8(truncatingIfNeeded: (n < 64 ? w0 >> UInt64(n) : w1 >> UInt64(n - 64)) & 1) }
        }
    }

    /// Dummy burst bits (TS 45.002 §5.2.6), the 148 bits C0 sends in every timeslot with nothing else.
    static let dummyBurst: [UInt8] = Array(
        "0001111101101110110000010100100111000001001000100000001111100011100010111000101110001010111010010100011001100111001111010011111000100101111101010000"
    ).map { $0 == "1" ? 1 : 0 }
}
