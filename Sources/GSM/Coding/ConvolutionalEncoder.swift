/// The rate-1/2 convolutional code of the GSM control channels, TS 45.003 §4.1.3 (used unchanged by
/// the SCH, §4.7): constraint length 5, generators G0 = 1 + D^3 + D^4 and G1 = 1 + D + D^3 + D^4.
///
///     c(2k)   = u(k) + u(k−3) + u(k−4)
///     c(2k+1) = u(k) + u(k−1) + u(k−3) + u(k−4)        (mod 2, u(k) = 0 for k < 0)
///
/// Blocks end in four zero tail bits, so the encoder starts and ends in the all-zero state.
enum ConvolutionalEncoder {
    /// Number of tail bits that return the encoder to the zero state (constraint length − 1).
    static let tailBitCount = 4

    /// c(0 ..< 2·count) from u(0 ..< count); elements are 0 or 1.
    static func encode(
        _ u: UnsafeMutableBufferPointer<UInt8>, count: Int, into c: UnsafeMutableBufferPointer<UInt8>
    ) {
        // state bit i holds u(k−1−i)
        var state: UInt8 = 0
        for k in 0..<count {
            let (c0, c1) = outputs(input: u[k] & 1, state: state)
            c[2 * k] = c0
            c[2 * k + 1] = c1
            state = (state << 1 | (u[k] & 1)) & 0xF
        }
    }

    /// The two coded bits for input u(k) when `state` holds u(k−1) in bit 0 … u(k−4) in bit 3.
    @inline(__always)
    static func outputs(input b: UInt8, state s: UInt8) -> (UInt8, UInt8) {
        let u1 = s & 1, u3 = (s >> 2) & 1, u4 = (s >> 3) & 1
        return (b ^ u3 ^ u4, b ^ u1 ^ u3 ^ u4)
    }
}
