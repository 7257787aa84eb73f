/// The key of a known cell: RAT, PLMN, LAC/TAC and CI/ECI — the CGI (TS 23.003 §4.3.1) or ECGI plus
/// TAC. MCC and MNC are kept as numbers because OpenCellID stores `net` as a number ("01" ≡ "1");
/// a three-digit MNC "001" and a two-digit "01" therefore share a key, which no real PLMN pair of one
/// country does in practice.
public struct CellKey: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var rat: RAT
    public var mcc: Int
    public var mnc: Int
    public var areaCode: Int
    public var cellId: Int

    public init(rat: RAT, mcc: Int, mnc: Int, areaCode: Int, cellId: Int) {
        self.rat = rat
        self.mcc = mcc
        self.mnc = mnc
        self.areaCode = areaCode
        self.cellId = cellId
    }

    /// The key of an observed cell; nil when its MCC or MNC digits are not decimal.
    public init?(_ o: CellObservation) {
        guard let mcc = o.identity.mccValue, let mnc = o.identity.mncValue else { return nil }
        self.init(rat: o.rat, mcc: mcc, mnc: mnc, areaCode: o.identity.areaCode, cellId: o.identity.cellId)
    }

    /// The cell without its area code: a CI that shows up under another LAC is found through this.
    public var withoutArea: CellKey { CellKey(rat: rat, mcc: mcc, mnc: mnc, areaCode: -1, cellId: cellId) }

    public static func < (a: CellKey, b: CellKey) -> Bool {
        (a.rat.rawValue, a.mcc, a.mnc, a.areaCode, a.cellId) < (b.rat.rawValue, b.mcc, b.mnc, b.areaCode, b.cellId)
    }

    public var description: String { "\(rat.rawValue) \(mcc)-\(mnc)-\(areaCode)-\(cellId)" }
}
