import CellwatchModel
import Foundation

/// The real network as it normally is: every known cell, indexed for the rules' questions (is this
/// CGI known, is this CI known under another LAC, which cells share a LAC, does the baseline cover
/// this operator at all).
public struct Baseline: Sendable, Codable, Equatable {
    public private(set) var cells: [CellKey: KnownCell] = [:]
    private var byCellWithoutArea: [CellKey: Set<CellKey>] = [:]
    private var operators: Set<PLMN> = []
    /// Per-operator norms of broadcast parameters and power (learned; absent in files written before).
    public var norms = OperatorNorms()

    /// MCC and MNC as numbers.
    public struct PLMN: Hashable, Sendable, Codable {
        public var rat: RAT
        public var mcc: Int
        public var mnc: Int
        public init(rat: RAT, mcc: Int, mnc: Int) {
            self.rat = rat
            self.mcc = mcc
            self.mnc = mnc
        }
    }

    public init() {}
    public init(cells: [KnownCell]) {
        for c in cells { merge(c) }
    }

    public var isEmpty: Bool { cells.isEmpty }
    public var count: Int { cells.count }

    public subscript(key: CellKey) -> KnownCell? { cells[key] }

    /// Known cells with the same RAT, PLMN and CI/ECI as `key`, whatever their LAC/TAC.
    public func cells(sameCellIdAs key: CellKey) -> [KnownCell] {
        (byCellWithoutArea[key.withoutArea] ?? []).compactMap { cells[$0] }.sorted { $0.key < $1.key }
    }

    /// Known cells of one location/tracking area of one operator.
    public func cells(inArea areaCode: Int, of plmn: PLMN) -> [KnownCell] {
        cells.values.filter {
            $0.key.areaCode == areaCode && $0.key.mcc == plmn.mcc && $0.key.mnc == plmn.mnc && $0.key.rat == plmn.rat
        }
    }

    /// Whether the baseline holds any cell of this operator and RAT (if not, it cannot vouch for or
    /// against the operator's cells).
    public func covers(_ plmn: PLMN) -> Bool { operators.contains(plmn) }

    /// Adds a cell, or merges it into the entry with the same key: channels, codes and sources are
    /// united, first/last seen widened, samples added; a position is kept from the better source
    /// (operator over OpenCellID over learned) or, between two learned entries, the newer one.
    public mutating func merge(_ cell: KnownCell) {
        let key = cell.key
        if var old = cells[key] {
            old.channels.formUnion(cell.channels)
            old.physicalCodes.formUnion(cell.physicalCodes)
            old.firstSeen = min(old.firstSeen, cell.firstSeen)
            old.lastSeen = max(old.lastSeen, cell.lastSeen)
            old.samples += cell.samples
            if cell.latitudeDegrees != nil, Self.rank(cell.sources) >= Self.rank(old.sources) || old.latitudeDegrees == nil {
                old.latitudeDegrees = cell.latitudeDegrees
                old.longitudeDegrees = cell.longitudeDegrees
                old.rangeMeters = cell.rangeMeters
            }
            old.sources.formUnion(cell.sources)
            cells[key] = old
        } else {
            cells[key] = cell
        }
        byCellWithoutArea[key.withoutArea, default: []].insert(key)
        operators.insert(PLMN(rat: key.rat, mcc: key.mcc, mnc: key.mnc))
    }

    /// Replaces an entry (used by the learner, which keeps its own running position estimate).
    public mutating func replace(_ cell: KnownCell) {
        cells[cell.key] = cell
        byCellWithoutArea[cell.key.withoutArea, default: []].insert(cell.key)
        operators.insert(PLMN(rat: cell.key.rat, mcc: cell.key.mcc, mnc: cell.key.mnc))
    }

    private static func rank(_ s: Set<BaselineSource>) -> Int {
        s.contains(.operatorList) ? 2 : s.contains(.openCellID) ? 1 : 0
    }

    // The indexes are rebuilt on decoding: the file holds the cells only.
    private enum CodingKeys: String, CodingKey { case version, cells, norms }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let version = try c.decode(Int.self, forKey: .version)
        guard version == 1 else {
            throw DecodingError.dataCorruptedError(forKey: .version, in: c,
                                                   debugDescription: "baseline file version \(version) is not 1")
        }
        self.init(cells: try c.decode([KnownCell].self, forKey: .cells))
        norms = try c.decodeIfPresent(OperatorNorms.self, forKey: .norms) ?? OperatorNorms()
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(1, forKey: .version)
        try c.encode(cells.values.sorted { $0.key < $1.key }, forKey: .cells)
        try c.encode(norms, forKey: .norms)
    }
}
