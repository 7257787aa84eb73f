#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@inline(__always) func atan2Double(_ y: Double, _ x: Double) -> Double { atan2(y, x) }

/// 10·log10(p) with a floor so that empty bins print as a very low level rather than −inf.
@inline(__always)
public func decibels(power p: Double) -> Double { p > 1e-30 ? 10 * log10(p) : -300 }
