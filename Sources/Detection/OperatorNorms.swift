import CellwatchModel

/// What each operator's cells normally broadcast and how strong they are: per operator (RAT, MCC, MNC) a
/// histogram of every value seen of CELL_RESELECT_OFFSET, T3212, neighbour count, BS_PA_MFRMS and
/// received power (dBm, whole decibels). Learned by `BaselineLearner` from the observations it is fed.
public struct OperatorNorms: Sendable, Codable, Equatable {
    public enum Parameter: String, Sendable, Codable, CaseIterable {
        case cellReselectOffset = "CELL_RESELECT_OFFSET"
        case t3212 = "T3212"
        case neighbourCount = "neighbour count"
        case bsPaMfrms = "BS_PA_MFRMS"
        case powerDBm = "power dBm"
    }

    /// Counts of each value, per operator and parameter.
    public private(set) var histograms: [Baseline.PLMN: [Parameter: [Int: Int]]] = [:]

    public init() {}

    /// The values of one observation, by parameter.
    static func values(_ o: CellObservation) -> [Parameter: Int] {
        var v: [Parameter: Int] = [:]
        v[.cellReselectOffset] = o.cellReselectOffset
        v[.t3212] = o.t3212DeciHours
        v[.neighbourCount] = o.neighbourARFCNs?.count
        v[.bsPaMfrms] = o.bsPaMfrms
        if let p = o.powerDBm?.value, p.isFinite, abs(p) < 1000 { v[.powerDBm] = Int(p.rounded()) }
        return v
    }

    public mutating func record(_ o: CellObservation) {
        guard let mcc = o.identity.mccValue, let mnc = o.identity.mncValue else { return }
        let plmn = Baseline.PLMN(rat: o.rat, mcc: mcc, mnc: mnc)
        for (parameter, value) in Self.values(o) {
            histograms[plmn, default: [:]][parameter, default: [:]][value, default: 0] += 1
        }
    }

    /// Number of observations behind one parameter's norm.
    public func samples(_ plmn: Baseline.PLMN, _ parameter: Parameter) -> Int {
        histograms[plmn]?[parameter]?.values.reduce(0, +) ?? 0
    }

    /// The value at quantile q (0–1) of one parameter's norm, nil without samples.
    public func quantile(_ plmn: Baseline.PLMN, _ parameter: Parameter, _ q: Double) -> Int? {
        guard let h = histograms[plmn]?[parameter], !h.isEmpty else { return nil }
        let total = h.values.reduce(0, +)
        let target = max(1, Int((q * Double(total)).rounded(.up)))
        var seen = 0
        for value in h.keys.sorted() {
            seen += h[value]!
            if seen >= target { return value }
        }
        return h.keys.max()
    }

    // Codable as a list: dictionaries keyed by structs do not encode as JSON objects.
    private struct Entry: Codable { var plmn: Baseline.PLMN; var parameter: Parameter; var value: Int; var count: Int }

    public init(from decoder: any Decoder) throws {
        for e in try decoder.singleValueContainer().decode([Entry].self) {
            histograms[e.plmn, default: [:]][e.parameter, default: [:]][e.value] = e.count
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var entries: [Entry] = []
        for (plmn, byParameter) in histograms {
            for (parameter, h) in byParameter {
                for (value, count) in h { entries.append(Entry(plmn: plmn, parameter: parameter, value: value, count: count)) }
            }
        }
        entries.sort { ($0.plmn.rat.rawValue, $0.plmn.mcc, $0.plmn.mnc, $0.parameter.rawValue, $0.value)
            < ($1.plmn.rat.rawValue, $1.plmn.mcc, $1.plmn.mnc, $1.parameter.rawValue, $1.value) }
        var c = encoder.singleValueContainer()
        try c.encode(entries)
    }
}
