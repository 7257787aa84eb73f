/// One complex baseband sample, single precision. Memory layout is two `Float`s, real then imaginary,
/// the same as FFTW's `fftwf_complex` and as interleaved cf32 recordings, so buffers pass to FFTW and
/// from files without copying.
@frozen
public struct ComplexFloat: Hashable, Sendable, BitwiseCopyable {
    public var real: Float
    public var imag: Float

    @inlinable @inline(__always)
    public init(_ real: Float, _ imag: Float) {
        self.real = real
        self.imag = imag
    }

    public static let zero = ComplexFloat(0, 0)

    /// |z|², the instantaneous power.
    @inlinable @inline(__always)
    public var magnitudeSquared: Float { real * real + imag * imag }

    @inlinable @inline(__always)
    public static func + (a: ComplexFloat, b: ComplexFloat) -> ComplexFloat { ComplexFloat(a.real + b.real, a.imag + b.imag) }
    @inlinable @inline(__always)
    public static func - (a: ComplexFloat, b: ComplexFloat) -> ComplexFloat { ComplexFloat(a.real - b.real, a.imag - b.imag) }
    @inlinable @inline(__always)
    public static func * (a: ComplexFloat, b: ComplexFloat) -> ComplexFloat {
        ComplexFloat(a.real * b.real - a.imag * b.imag, a.real * b.imag + a.imag * b.real)
    }
    @inlinable @inline(__always)
    public static func * (a: ComplexFloat, s: Float) -> ComplexFloat { ComplexFloat(a.real * s, a.imag * s) }
    @inlinable @inline(__always)
    public var conjugate: ComplexFloat { ComplexFloat(real, -imag) }
}
