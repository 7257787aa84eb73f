/// Cell selection parameters (TS 44.018 §10.5.2.4).
public struct CellSelectionParameters: Sendable, Equatable {
    /// CELL-RESELECT-HYSTERESIS coded 0–7, in steps of 2 dB.
    public var cellReselectHysteresis: Int
    /// MS-TXPWR-MAX-CCH, the power control level a mobile may use on RACH (TS 45.005).
    public var msTxpwrMaxCch: Int
    /// ACS: additional reselect parameters are in SI4 rest octets rather than SI3's (for SI4 messages).
    public var acs: Bool
    /// NECI: new establishment causes are supported.
    public var neci: Bool
    /// RXLEV-ACCESS-MIN coded 0–63 (TS 45.008 §8.1.4: level −110 dBm + code).
    public var rxlevAccessMin: Int

    /// The hysteresis in dB.
    public var cellReselectHysteresisDB: Int { 2 * cellReselectHysteresis }
    /// The minimum received level for access in dBm (lower edge of the RXLEV band).
    public var rxlevAccessMinDBm: Int { -110 + rxlevAccessMin }

    init(octets o: [UInt8]) {
        cellReselectHysteresis = Int(o[0] >> 5)
        msTxpwrMaxCch = Int(o[0] & 0x1F)
        acs = o[1] >> 7 == 1
        neci = o[1] >> 6 & 1 == 1
        rxlevAccessMin = Int(o[1] & 0x3F)
    }
}
