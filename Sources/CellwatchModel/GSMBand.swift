/// Absolute radio frequency channel number of a GSM carrier (TS 45.005 §2). Its own type so that it is
/// never confused with an LTE EARFCN or a plain count.
public struct ARFCN: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var value: Int
    public init(_ value: Int) { self.value = value }
    public static func < (a: ARFCN, b: ARFCN) -> Bool { a.value < b.value }
    public init(from decoder: any Decoder) throws { value = try decoder.singleValueContainer().decode(Int.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
    public var description: String { String(value) }
}

/// The GSM frequency bands of TS 45.005 §2 and their ARFCN ↔ frequency rules.
///
/// In TS 45.005 Fl(n) is the carrier in the lower band and Fu(n) the one in the upper band. For every
/// band listed here the lower band is the mobile's uplink and the upper band the base station's
/// downlink, which is what a receive-only sensor hears. (GSM 750, T-GSM 380/410 and 710/810 are not
/// listed: no network that our users face uses them.)
public enum GSMBand: String, Sendable, Codable, CaseIterable {
    case gsm450 = "GSM450"
    case gsm480 = "GSM480"
    case gsm850 = "GSM850"
    case pgsm900 = "P-GSM900"
    case egsm900 = "E-GSM900"
    case rgsm900 = "R-GSM900"
    case dcs1800 = "DCS1800"
    case pcs1900 = "PCS1900"

    /// The bands a scan considers when none is named. P-GSM and E-GSM are subsets of R-GSM's channel
    /// numbers; E-GSM is what Chinese and European operators use, so it stands for the 900 MHz band.
    public static let surveyDefaults: [GSMBand] = [.gsm450, .gsm480, .gsm850, .egsm900, .dcs1800, .pcs1900]

    /// The ARFCN ranges of the band (TS 45.005 §2).
    public var arfcnRanges: [ClosedRange<Int>] {
        switch self {
        case .gsm450: [259...293]
        case .gsm480: [306...340]
        case .gsm850: [128...251]
        case .pgsm900: [1...124]
        case .egsm900: [0...124, 975...1023]
        case .rgsm900: [0...124, 955...1023]
        case .dcs1800: [512...885]
        case .pcs1900: [512...810]
        }
    }

    /// Duplex spacing Fu(n) − Fl(n) (TS 45.005 §2).
    public var duplexSpacing: Hertz {
        switch self {
        case .gsm450, .gsm480: .megahertz(10)
        case .gsm850, .pgsm900, .egsm900, .rgsm900: .megahertz(45)
        case .dcs1800: .megahertz(95)
        case .pcs1900: .megahertz(80)
        }
    }

    public func contains(_ arfcn: ARFCN) -> Bool {
        arfcnRanges.contains { $0.contains(arfcn.value) }
    }

    /// Every ARFCN of the band in ascending order of frequency.
    public var channels: [ARFCN] {
        arfcnRanges.flatMap { $0 }.map(ARFCN.init).sorted { uplinkMHzUnchecked($0.value) < uplinkMHzUnchecked($1.value) }
    }

    /// Fl(n), the uplink (mobile transmit) carrier frequency, or nil when `arfcn` is not in the band.
    public func uplink(_ arfcn: ARFCN) -> Hertz? {
        guard contains(arfcn) else { return nil }
        return .megahertz(uplinkMHzUnchecked(arfcn.value))
    }

    /// Fu(n), the downlink (base station transmit) carrier frequency, or nil when `arfcn` is not in the band.
    public func downlink(_ arfcn: ARFCN) -> Hertz? {
        guard let up = uplink(arfcn) else { return nil }
        return up + duplexSpacing
    }

    /// The ARFCN whose downlink carrier is nearest to `frequency`, if one lies within `tolerance`.
    public func arfcn(downlink frequency: Hertz, tolerance: Hertz = .kilohertz(100)) -> ARFCN? {
        arfcn(uplink: frequency - duplexSpacing, tolerance: tolerance)
    }

    /// The ARFCN whose uplink carrier is nearest to `frequency`, if one lies within `tolerance`.
    public func arfcn(uplink frequency: Hertz, tolerance: Hertz = .kilohertz(100)) -> ARFCN? {
        let mhz = frequency.megahertz
        var best: (arfcn: Int, distance: Double)?
        for range in arfcnRanges {
            let first = uplinkMHzUnchecked(range.lowerBound)
            let step = (mhz - first) / 0.2
            let n = range.lowerBound + Int(step.rounded())
            guard range.contains(n) else { continue }
            let d = abs(uplinkMHzUnchecked(n) - mhz) * 1e6
            if best == nil || d < best!.distance { best = (n, d) }
        }
        guard let best, best.distance <= tolerance.value else { return nil }
        return ARFCN(best.arfcn)
    }

    /// Lowest and highest downlink carrier frequencies (carrier centres, not channel edges).
    public var downlinkCarrierSpan: ClosedRange<Hertz> {
        let all = arfcnRanges.flatMap { [$0.lowerBound, $0.upperBound] }.map { uplinkMHzUnchecked($0) }
        return Hertz.megahertz(all.min()!) + duplexSpacing ... Hertz.megahertz(all.max()!) + duplexSpacing
    }

    /// TS 45.005 §2, Fl(n) in MHz for an n inside one of the band's ranges.
    private func uplinkMHzUnchecked(_ n: Int) -> Double {
        switch self {
        case .gsm450: 450.6 + 0.2 * Double(n - 259)
        case .gsm480: 479.0 + 0.2 * Double(n - 306)
        case .gsm850: 824.2 + 0.2 * Double(n - 128)
        case .pgsm900: 890.0 + 0.2 * Double(n)
        case .egsm900, .rgsm900: n <= 124 ? 890.0 + 0.2 * Double(n) : 890.0 + 0.2 * Double(n - 1024)
        case .dcs1800: 1710.2 + 0.2 * Double(n - 512)
        case .pcs1900: 1850.2 + 0.2 * Double(n - 512)
        }
    }
}
