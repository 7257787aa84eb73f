#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// CellwatchModel imports only Foundation-level facilities; these wrap the C maths library so the
// value types need nothing heavier.
@inline(__always) func log10Double(_ x: Double) -> Double { log10(x) }
@inline(__always) func pow10Double(_ x: Double) -> Double { pow(10, x) }
