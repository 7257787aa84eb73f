/// E-UTRA absolute radio frequency channel number (TS 36.101 §5.7.3). Downlink and uplink EARFCNs
/// are different numbers for the same FDD carrier; the API names which one it takes.
public struct EARFCN: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var value: Int
    public init(_ value: Int) { self.value = value }
    public static func < (a: EARFCN, b: EARFCN) -> Bool { a.value < b.value }
    public init(from decoder: any Decoder) throws { value = try decoder.singleValueContainer().decode(Int.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
    public var description: String { String(value) }
}

public enum Duplex: String, Sendable, Codable {
    case fdd = "FDD"
    case tdd = "TDD"
}

/// An E-UTRA operating band with its EARFCN rule, TS 36.101 Table 5.7.3-1:
/// F_DL = F_DL_low + 0.1 (N_DL − N_Offs-DL) and F_UL = F_UL_low + 0.1 (N_UL − N_Offs-UL), in MHz.
public struct LTEBand: Hashable, Sendable, Codable, CustomStringConvertible {
    public let number: Int
    public let duplex: Duplex
    /// F_DL_low in units of 100 kHz, and N_Offs-DL … last downlink EARFCN.
    let downlinkLow100kHz: Int
    public let downlinkEARFCNs: ClosedRange<Int>
    /// F_UL_low in units of 100 kHz, and N_Offs-UL … last uplink EARFCN (same as downlink for TDD).
    let uplinkLow100kHz: Int
    public let uplinkEARFCNs: ClosedRange<Int>

    public var name: String { "LTE-B\(number)" }
    public var description: String { name }

    public func downlink(_ n: EARFCN) -> Hertz? {
        guard downlinkEARFCNs.contains(n.value) else { return nil }
        return Hertz(Double(downlinkLow100kHz + n.value - downlinkEARFCNs.lowerBound) * 1e5)
    }

    public func uplink(_ n: EARFCN) -> Hertz? {
        guard uplinkEARFCNs.contains(n.value) else { return nil }
        return Hertz(Double(uplinkLow100kHz + n.value - uplinkEARFCNs.lowerBound) * 1e5)
    }

    /// The downlink EARFCN nearest to `frequency` on the 100 kHz channel raster, if within `tolerance`.
    public func earfcn(downlink frequency: Hertz, tolerance: Hertz = .kilohertz(50)) -> EARFCN? {
        Self.nearest(frequency, low: downlinkLow100kHz, range: downlinkEARFCNs, tolerance: tolerance)
    }

    public func earfcn(uplink frequency: Hertz, tolerance: Hertz = .kilohertz(50)) -> EARFCN? {
        Self.nearest(frequency, low: uplinkLow100kHz, range: uplinkEARFCNs, tolerance: tolerance)
    }

    /// Downlink band edges F_DL_low … F_DL_high.
    public var downlinkRange: ClosedRange<Hertz> {
        Hertz(Double(downlinkLow100kHz) * 1e5) ... Hertz(Double(downlinkLow100kHz + downlinkEARFCNs.count) * 1e5)
    }

    private static func nearest(_ f: Hertz, low: Int, range: ClosedRange<Int>, tolerance: Hertz) -> EARFCN? {
        let steps = (f.value / 1e5 - Double(low)).rounded()
        let n = range.lowerBound + Int(steps)
        guard range.contains(n) else { return nil }
        let centre = Double(low + n - range.lowerBound) * 1e5
        guard abs(centre - f.value) <= tolerance.value else { return nil }
        return EARFCN(n)
    }

    private init(_ number: Int, _ duplex: Duplex, dl: Double, _ nDL: ClosedRange<Int>, ul: Double, _ nUL: ClosedRange<Int>) {
        self.number = number
        self.duplex = duplex
        downlinkLow100kHz = Int((dl * 10).rounded())
        downlinkEARFCNs = nDL
        uplinkLow100kHz = Int((ul * 10).rounded())
        uplinkEARFCNs = nUL
    }

    private static func tdd(_ number: Int, _ low: Double, _ n: ClosedRange<Int>) -> LTEBand {
        LTEBand(number, .tdd, dl: low, n, ul: low, n)
    }

    // TS 36.101 Table 5.7.3-1 (F_DL_low MHz, N_Offs-DL … N_DL high, F_UL_low MHz, N_Offs-UL … N_UL high).
    // China: 1, 3, 5, 8 (FDD) and 34, 38, 39, 40, 41 (TD-LTE); elsewhere 2, 4, 7, 12, 13, 20, 25, 26, 28, 66, 71.
    public static let all: [LTEBand] = [
        LTEBand(1, .fdd, dl: 2110, 0...599, ul: 1920, 18000...18599),
        LTEBand(2, .fdd, dl: 1930, 600...1199, ul: 1850, 18600...19199),
        LTEBand(3, .fdd, dl: 1805, 1200...1949, ul: 1710, 19200...19949),
        LTEBand(4, .fdd, dl: 2110, 1950...2399, ul: 1710, 19950...20399),
        LTEBand(5, .fdd, dl: 869, 2400...2649, ul: 824, 20400...20649),
        LTEBand(7, .fdd, dl: 2620, 2750...3449, ul: 2500, 20750...21449),
        LTEBand(8, .fdd, dl: 925, 3450...3799, ul: 880, 21450...21799),
        LTEBand(12, .fdd, dl: 729, 5010...5179, ul: 699, 23010...23179),
        LTEBand(13, .fdd, dl: 746, 5180...5279, ul: 777, 23180...23279),
        LTEBand(20, .fdd, dl: 791, 6150...6449, ul: 832, 24150...24449),
        LTEBand(25, .fdd, dl: 1930, 8040...8689, ul: 1850, 26040...26689),
        LTEBand(26, .fdd, dl: 859, 8690...9039, ul: 814, 26690...27039),
        LTEBand(28, .fdd, dl: 758, 9210...9659, ul: 703, 27210...27659),
        tdd(34, 2010, 36200...36349),
        tdd(38, 2570, 37750...38249),
        tdd(39, 1880, 38250...38649),
        tdd(40, 2300, 38650...39649),
        tdd(41, 2496, 39650...41589),
        LTEBand(66, .fdd, dl: 2110, 66436...67335, ul: 1710, 131972...132671),
        LTEBand(71, .fdd, dl: 617, 68586...68935, ul: 663, 133122...133471),
    ]

    /// Preference when a downlink frequency lies in several bands: the bands deployed in China first
    /// (our first users), then in the order of the table.
    public static let preferenceOrder: [Int] = [1, 3, 5, 8, 34, 38, 39, 40, 41, 2, 4, 7, 12, 13, 20, 25, 26, 28, 66, 71]

    public static func band(_ number: Int) -> LTEBand? { all.first { $0.number == number } }

    /// The band whose downlink EARFCN this is (EARFCN numbers are unique across bands, except that
    /// B66/B71 come after the TDD bands).
    public static func band(downlink n: EARFCN) -> LTEBand? { all.first { $0.downlinkEARFCNs.contains(n.value) } }
}
