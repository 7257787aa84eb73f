/// The range-coded frequency sets of TS 44.018 §10.5.2.13.3–6 and Annex J: a set of values is sent as
/// a binary tree of W(k) words, each the pivot of its sub-range plus one, 0 meaning "no more".
enum FrequencyRangeDecoding {
    /// Width in bits of W(k) for a range of 2^`rangeBits` (1024 → 10, 512 → 9, …): each generation of
    /// the tree halves the range and loses one bit (TS 44.018 §10.5.2.13.3, table 10.5.2.13.3.1).
    static func wordWidth(index k: Int, rangeBits: Int) -> Int {
        rangeBits - greatestPowerOfTwoExponent(k)
    }

    /// floor(log2(k)) for k ≥ 1.
    static func greatestPowerOfTwoExponent(_ k: Int) -> Int {
        var e = 0
        while (2 << e) <= k { e += 1 }
        return e
    }

    /// Annex J.5 DECODE: the values N(k) in 0 ..< `originalRange` coded by `w` (W(1) first), up to the
    /// first W(k) = 0. `originalRange` is 2^n − 1 (1023, 511, 255, 127).
    ///
    /// Returns nil when a W(k) after the first zero word is not zero: the list ended and restarted,
    /// which TS 44.018 §10.5.2.13.3 forbids ("If W(k) is null, W(k+1) … shall be null too").
    static func decode(w: [Int], originalRange: Int) -> [Int]? {
        let count = w.firstIndex(of: 0) ?? w.count
        if w[count...].contains(where: { $0 != 0 }) { return nil }
        var values: [Int] = []
        values.reserveCapacity(count)
        for k in stride(from: 1, through: count, by: 1) {
            var index = k
            var power = 1 << greatestPowerOfTwoExponent(index)
            var range = originalRange / power
            var n = w[index - 1] - 1
            while index > 1 {
                // The parent's range is 2 × range + 1 whether this node is a left or a right child.
                range = 2 * range + 1
                if 2 * index < 3 * power {
                    // Left child: its sub-range starts half the parent's range after the parent's pivot.
                    index -= power / 2
                    n = (n + w[index - 1] - 1 + (range - 1) / 2 + 1) % range
                } else {
                    // Right child: its sub-range starts just after the parent's pivot.
                    index -= power
                    n = (n + w[index - 1] - 1 + 1) % range
                }
                power = 1 << greatestPowerOfTwoExponent(index)
            }
            values.append(n)
        }
        return values
    }
}
