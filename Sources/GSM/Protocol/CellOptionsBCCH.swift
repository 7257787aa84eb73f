/// Cell options on the BCCH (TS 44.018 §10.5.2.3).
public struct CellOptionsBCCH: Sendable, Equatable {
    /// DN-IND: dynamic ARFCN mapping is used in the PLMN.
    public var dnInd: Bool
    /// PWRC: power control indicator.
    public var pwrc: Bool
    /// DTX coded 0–3: 0 mobiles may use uplink DTX, 1 shall use it, 2 shall not.
    public var dtx: Int
    /// RADIO-LINK-TIMEOUT coded 0–15.
    public var radioLinkTimeoutCode: Int

    /// Radio link timeout in SACCH blocks: 4, 8, … 64.
    public var radioLinkTimeout: Int { 4 * (radioLinkTimeoutCode + 1) }

    init(octet: UInt8) {
        dnInd = octet >> 7 == 1
        pwrc = octet >> 6 & 1 == 1
        dtx = Int(octet >> 4 & 3)
        radioLinkTimeoutCode = Int(octet & 0xF)
    }
}
