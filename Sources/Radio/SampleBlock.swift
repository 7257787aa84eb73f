import CellwatchModel
import DSP

/// A block of IQ samples with where and when they were taken. The block owns a buffer of fixed
/// capacity, allocated once; devices fill it again and again (`RadioDevice.read(into:)`), so a
/// stream of blocks allocates nothing.
public final class SampleBlock {
    public let capacity: Int
    /// Samples `0..<count` are valid.
    public let unsafeSamples: UnsafeMutableBufferPointer<ComplexFloat>
    public internal(set) var count = 0
    /// Index of the first sample since the start of the stream.
    public internal(set) var startSample: Int64 = 0
    /// Centre frequency the samples were taken at, when known.
    public internal(set) var centreFrequency: Hertz?
    public internal(set) var sampleRate: Double = 0
    /// Capture segment (SigMF `captures[i]`) or tuning step the block belongs to.
    public internal(set) var segment = 0
    /// The device reported lost samples just before this block.
    public internal(set) var overflow = false

    public init(capacity: Int) {
        precondition(capacity > 0, "block capacity must be positive")
        self.capacity = capacity
        unsafeSamples = .allocate(capacity: capacity)
        unsafeSamples.initialize(repeating: .zero)
    }

    deinit { unsafeSamples.deallocate() }

    /// The valid samples, for the duration of `body`.
    @inlinable
    public func withSamples<R>(_ body: (UnsafeBufferPointer<ComplexFloat>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(rebasing: unsafeSamples[0..<count]))
    }
}
