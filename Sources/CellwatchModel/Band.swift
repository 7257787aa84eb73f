/// A band a survey can be limited to: a GSM band or an LTE operating band, named as on the command line
/// (`--band DCS1800`, `--band E-GSM900`, `--band LTE-B3`, `--band B40`).
public enum Band: Hashable, Sendable, CustomStringConvertible {
    case gsm(GSMBand)
    case lte(LTEBand)

    public var name: String {
        switch self {
        case .gsm(let b): b.rawValue
        case .lte(let b): b.name
        }
    }
    public var description: String { name }

    public var rat: RAT {
        switch self {
        case .gsm: .gsm
        case .lte: .lte
        }
    }

    /// Downlink range a receiver needs to see: for GSM the carrier centres ± 100 kHz (half a channel).
    public var downlinkRange: ClosedRange<Hertz> {
        switch self {
        case .gsm(let b):
            let s = b.downlinkCarrierSpan
            return s.lowerBound - .kilohertz(100) ... s.upperBound + .kilohertz(100)
        case .lte(let b):
            return b.downlinkRange
        }
    }

    /// Every band a scan covers by default.
    public static var surveyDefaults: [Band] {
        GSMBand.surveyDefaults.map(Band.gsm) + LTEBand.preferenceOrder.compactMap(LTEBand.band).map(Band.lte)
    }

    /// Every band name `init(name:)` accepts, for help texts and error messages.
    public static var allNames: [String] {
        GSMBand.allCases.map(\.rawValue) + LTEBand.all.map(\.name)
    }

    /// Parses a band name, ignoring case; also accepts GSM900 (E-GSM), GSM1800, GSM1900, B3, BAND3.
    public init?(name: String) {
        let n = name.uppercased().replacingOccurrences(of: "_", with: "-")
        if let g = GSMBand.allCases.first(where: { $0.rawValue == n }) { self = .gsm(g); return }
        switch n {
        case "GSM900", "EGSM900", "EGSM": self = .gsm(.egsm900); return
        case "PGSM900", "PGSM": self = .gsm(.pgsm900); return
        case "RGSM900", "RGSM": self = .gsm(.rgsm900); return
        case "GSM1800", "DCS": self = .gsm(.dcs1800); return
        case "GSM1900", "PCS": self = .gsm(.pcs1900); return
        default: break
        }
        var digits = Substring(n)
        for prefix in ["LTE-B", "LTEB", "LTE-", "BAND", "B"] where digits.hasPrefix(prefix) {
            digits = digits.dropFirst(prefix.count)
            break
        }
        if digits.hasPrefix("-") { digits = digits.dropFirst() }
        guard let number = Int(digits), let band = LTEBand.band(number) else { return nil }
        self = .lte(band)
    }
}

private extension String {
    func replacingOccurrences(of a: String, with b: String) -> String {
        split(separator: Character(a), omittingEmptySubsequences: false).joined(separator: b)
    }
}
