/// What a cell says it is: its PLMN, location/tracking area and cell identity (TS 23.003 §4.3.1 CGI,
/// §19.6 ECGI), plus the physical-layer code that a receiver sees before decoding any message.
public struct CellIdentity: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Mobile country code as broadcast, three digits ("460").
    public var mcc: String
    /// Mobile network code as broadcast, two or three digits with leading zeros ("00", "001").
    public var mnc: String
    /// GSM location area code (LAC, 16 bits) or LTE tracking area code (TAC, 16 bits).
    public var areaCode: Int
    /// GSM cell identity (CI, 16 bits) or LTE E-UTRAN cell identity (ECI, 28 bits: eNB ID × 256 + cell).
    public var cellId: Int
    /// GSM base station identity code (6 bits, NCC × 8 + BCC; TS 23.003 §4.3.2), from the SCH.
    public var bsic: Int?
    /// LTE physical cell identity (0–503; TS 36.211 §6.11), from PSS/SSS.
    public var pci: Int?

    public init(mcc: String, mnc: String, areaCode: Int, cellId: Int, bsic: Int? = nil, pci: Int? = nil) {
        self.mcc = mcc
        self.mnc = mnc
        self.areaCode = areaCode
        self.cellId = cellId
        self.bsic = bsic
        self.pci = pci
    }

    /// MCC and MNC as numbers; nil when the broadcast digits are not decimal.
    public var mccValue: Int? { Int(mcc) }
    public var mncValue: Int? { Int(mnc) }

    /// "460-00-4660-12345" (MCC-MNC-LAC/TAC-CI/ECI), the form operators and OpenCellID users read.
    public var description: String { "\(mcc)-\(mnc)-\(areaCode)-\(cellId)" }
}
