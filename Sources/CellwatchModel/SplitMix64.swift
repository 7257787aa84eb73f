/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014): a
/// small, fast, seeded generator, so that simulated scenes, synthetic test signals and benchmark data
/// are the same on every run. Not for anything secret.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 { Self.step(&state) }

    /// One step of the generator on a caller's own state (for generators that derive or lock it):
    /// advances `state` by the golden-ratio increment and returns the mixed output.
    @inline(__always)
    public static func step(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
