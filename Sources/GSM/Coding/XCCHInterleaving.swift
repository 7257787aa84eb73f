/// TS 45.003 §4.1.4: block rectangular interleaving of one 456-bit xCCH code word over four bursts.
///
///     i(B, j) = c(n, k)  for k = 0 … 455,
///     B = B0 + 4n + (k mod 4),  j = 2·((49k) mod 57) + ((k mod 8) div 4)
///
/// so burst k mod 4 carries c(k) at position j of its 114 interleaved bits i(B, 0 … 113). Those are
/// mapped on the burst's data bits by §4.1.5 (see `NormalBurst`).
struct XCCHInterleaving: Sendable {
    static let codedBitCount = 456
    static let burstCount = 4

    /// For each k, where c(k) sits: burst B − B0 − 4n (0 … 3) and position j (0 … 113).
    let positions: [(burst: Int, bit: Int)]

    init() {
        positions = (0..<Self.codedBitCount).map { k in
            (burst: k % 4, bit: 2 * ((49 * k) % 57) + (k % 8) / 4)
        }
    }
}
