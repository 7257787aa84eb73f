/// RACH control parameters (TS 44.018 §10.5.2.29).
public struct RACHControlParameters: Sendable, Equatable {
    /// MAX RETRANS coded 0–3.
    public var maxRetransCode: Int
    /// Tx-integer coded 0–15.
    public var txIntegerCode: Int
    /// CELL_BAR_ACCESS: the cell is barred for access.
    public var cellBarAccess: Bool
    /// RE = 0: call re-establishment is allowed in the cell.
    public var callReestablishmentAllowed: Bool
    /// EC (bit "AC C10"): emergency calls are allowed only to mobiles of access classes 11–15.
    public var emergencyCallRestricted: Bool
    /// Access classes 0–9 and 11–15 whose bit is set: not allowed to access the cell.
    public var barredAccessClasses: [Int]

    /// Maximum number of retransmissions: 1, 2, 4 or 7.
    public var maxRetrans: Int { [1, 2, 4, 7][maxRetransCode] }
    /// Number of slots to spread transmission (table 10.5.2.29.1).
    public var txInteger: Int { [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 20, 25, 32, 50][txIntegerCode] }

    init(octets o: [UInt8]) {
        maxRetransCode = Int(o[0] >> 6)
        txIntegerCode = Int(o[0] >> 2 & 0xF)
        cellBarAccess = o[0] >> 1 & 1 == 1
        callReestablishmentAllowed = o[0] & 1 == 0
        let classes = Int(o[1]) << 8 | Int(o[2])
        emergencyCallRestricted = classes >> 10 & 1 == 1
        barredAccessClasses = (0..<16).filter { $0 != 10 && classes >> $0 & 1 == 1 }
    }
}
