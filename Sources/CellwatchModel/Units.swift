/// A frequency. Stored in hertz as `Double`: 6 GHz needs more than `Float`'s 24-bit mantissa for 1 Hz steps.
public struct Hertz: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var value: Double

    public init(_ value: Double) { self.value = value }
    public static func kilohertz(_ k: Double) -> Hertz { Hertz(k * 1e3) }
    public static func megahertz(_ m: Double) -> Hertz { Hertz(m * 1e6) }

    public var megahertz: Double { value / 1e6 }
    public var kilohertz: Double { value / 1e3 }

    public static func < (a: Hertz, b: Hertz) -> Bool { a.value < b.value }
    public static func + (a: Hertz, b: Hertz) -> Hertz { Hertz(a.value + b.value) }
    public static func - (a: Hertz, b: Hertz) -> Hertz { Hertz(a.value - b.value) }

    public init(from decoder: any Decoder) throws { value = try decoder.singleValueContainer().decode(Double.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }

    /// "947.000 MHz", "1.083 MHz", "67.7 kHz": the form people read on a spectrum analyser.
    public var description: String {
        let a = abs(value)
        if a >= 1e6 { return "\((value / 1e6).fixed(3)) MHz" }
        if a >= 1e3 { return "\((value / 1e3).fixed(1)) kHz" }
        return "\(value.fixed(0)) Hz"
    }
}

/// A power ratio in decibels. Whether it is relative to full scale (dBFS), to a milliwatt (dBm) or to
/// another power (SNR) is said by the name of the property that holds it; the two are never mixed.
public struct Decibels: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var value: Double
    public init(_ value: Double) { self.value = value }

    /// 10·log10 of a linear power ratio; a zero or negative ratio gives -infinity rather than NaN.
    public init(powerRatio: Double) {
        value = powerRatio > 0 ? 10 * log10Double(powerRatio) : -.infinity
    }
    public var powerRatio: Double { pow10Double(value / 10) }

    public static func < (a: Decibels, b: Decibels) -> Bool { a.value < b.value }
    public static func + (a: Decibels, b: Decibels) -> Decibels { Decibels(a.value + b.value) }
    public static func - (a: Decibels, b: Decibels) -> Decibels { Decibels(a.value - b.value) }

    public init(from decoder: any Decoder) throws { value = try decoder.singleValueContainer().decode(Double.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
    public var description: String { "\(value.fixed(1)) dB" }
}

/// Radio access technology.
public enum RAT: String, Sendable, Codable, CaseIterable {
    case gsm = "GSM"
    case lte = "LTE"
    case unknown = "unknown"
}
