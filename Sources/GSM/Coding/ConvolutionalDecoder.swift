/// Soft-decision Viterbi decoder for the TS 45.003 §4.1.3 convolutional code (see
/// `ConvolutionalEncoder`), for blocks whose trellis starts and ends in the zero state (four zero tail
/// bits). It maximises the correlation Σ ±r between the soft input r (positive = 1) and the code word.
///
/// `init` allocates the survivor memory for the longest block; `decode` allocates nothing.
final class ConvolutionalDecoder {
    static let stateCount = 16

    /// The longest block, in information bits u (trellis steps), this decoder accepts.
    let maximumStepCount: Int

    /// Per step k, bit s is set when the survivor into state s came from the predecessor with
    /// u(k−4) = 1 (state bit 3 set).
    private let unsafeDecisions: UnsafeMutableBufferPointer<UInt16>
    /// Path metrics, two rows of 16: the current step's and the next step's.
    private let unsafeMetrics: UnsafeMutableBufferPointer<Float>

    /// Soft values beyond this magnitude carry no more certainty; keeps every metric finite.
    static let softLimit: SoftBit = 1e6

    init(maximumStepCount: Int) {
        self.maximumStepCount = maximumStepCount
        unsafeDecisions = .allocate(capacity: maximumStepCount)
        unsafeDecisions.initialize(repeating: 0)
        unsafeMetrics = .allocate(capacity: 2 * Self.stateCount)
        unsafeMetrics.initialize(repeating: 0)
    }

    deinit {
        unsafeDecisions.deallocate()
        unsafeMetrics.deallocate()
    }

    /// Decodes `stepCount` information bits u (0 or 1, tail bits included) from 2·stepCount soft coded
    /// bits. Returns how many coded bits the decoded code word disagrees with (hard decisions of
    /// non-zero soft values): the channel bit errors the code corrected if the block is right.
    func decode(
        _ coded: UnsafeMutableBufferPointer<SoftBit>, stepCount: Int, into u: UnsafeMutableBufferPointer<UInt8>
    ) -> Int {
        precondition(stepCount <= maximumStepCount && coded.count >= 2 * stepCount && u.count >= stepCount)
        let n = Self.stateCount
        var old = 0, new = n  // offsets of the two metric rows
        unsafeMetrics[old] = 0
        for s in 1..<n { unsafeMetrics[old + s] = -.infinity }

        for k in 0..<stepCount {
            let r0 = Self.limited(coded[2 * k]), r1 = Self.limited(coded[2 * k + 1])
            var decisions: UInt16 = 0
            for next in 0..<n {
                // next = u(k) | u(k−1)<<1 | u(k−2)<<2 | u(k−3)<<3; its predecessors differ in u(k−4) only.
                let b = UInt8(next & 1)
                let p0 = next >> 1, p1 = p0 | 8
                let (c0, c1) = ConvolutionalEncoder.outputs(input: b, state: UInt8(p0))
                // Flipping u(k−4) flips both outputs, so the branch from p1 scores −branch.
                let branch = (c0 == 1 ? r0 : -r0) + (c1 == 1 ? r1 : -r1)
                let m0 = unsafeMetrics[old + p0] + branch
                let m1 = unsafeMetrics[old + p1] - branch
                if m1 > m0 {
                    unsafeMetrics[new + next] = m1
                    decisions |= 1 << UInt16(next)
                } else {
                    unsafeMetrics[new + next] = m0
                }
            }
            unsafeDecisions[k] = decisions
            swap(&old, &new)
        }

        // Trace back from the zero state the tail bits force.
        var state = 0
        for k in stride(from: stepCount - 1, through: 0, by: -1) {
            u[k] = UInt8(state & 1)
            let fromUpper = Int(unsafeDecisions[k] >> UInt16(state)) & 1
            state = state >> 1 | fromUpper << 3
        }

        // Re-encode and count the disagreements.
        var disagreements = 0
        var s: UInt8 = 0
        for k in 0..<stepCount {
            let (c0, c1) = ConvolutionalEncoder.outputs(input: u[k], state: s)
            s = (s << 1 | u[k]) & 0xF
            disagreements += Self.disagrees(coded[2 * k], c0) + Self.disagrees(coded[2 * k + 1], c1)
        }
        return disagreements
    }

    /// NaN carries no information (0); ±∞ and huge values are held at ±softLimit.
    @inline(__always)
    static func limited(_ r: SoftBit) -> SoftBit {
        r.isNaN ? 0 : min(max(r, -softLimit), softLimit)
    }

    @inline(__always)
    static func disagrees(_ r: SoftBit, _ bit: UInt8) -> Int {
        (r > 0 && bit == 0) || (r < 0 && bit == 1) ? 1 : 0
    }
}
