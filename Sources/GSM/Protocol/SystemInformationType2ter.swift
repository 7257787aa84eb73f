/// System Information Type 2ter (TS 44.018 §9.1.34): neighbour cells in other bands (multiband) and,
/// in the rest octets, a short UTRAN neighbour description.
public struct SystemInformationType2ter: Sendable, Equatable {
    /// Extended BCCH frequency list, a neighbour cell description 2 (§10.5.2.22a).
    public var extendedNeighbourCells: NeighbourCellDescription2
    /// SI 2ter rest octets (§10.5.2.33a), nil when they are empty (first flag L).
    public var restOctets: SI2terRestOctets?

    static let message = "System Information Type 2ter"

    init(block: [UInt8]) throws(RRDecodingError) {
        var c = OctetCursor(block: block, index: 3, message: Self.message)
        let ncd = try c.octets(16, "extended BCCH frequency list")
        extendedNeighbourCells = try NeighbourCellDescription2(octets: ncd, cursor: c, element: "extended BCCH frequency list")
        _ = try c.octets(4, "SI 2ter rest octets")
        var r = RestOctetsReader(block: block, fromOctet: 19, message: Self.message, element: "SI 2ter rest octets")
        restOctets = try SI2terRestOctets(reading: &r)
    }
}

/// SI 2ter rest octets (TS 44.018 §10.5.2.33a).
public struct SI2terRestOctets: Sendable, Equatable {
    public var mpChangeMark: Int
    public var threeGChangeMark: Int
    public var index: Int
    public var count: Int
    /// UTRAN FDD: the UARFCN (FDD-ARFCN) and Bandwidth_FDD, when sent.
    public var fddARFCN: Int?
    public var fddBandwidth: Int?
    /// UTRAN TDD: the UARFCN and Bandwidth_TDD, when sent.
    public var tddARFCN: Int?
    public var tddBandwidth: Int?
    /// 3G measurement parameters: Qsearch_I and, for FDD, FDD_Qoffset and FDD_Qmin.
    public var qsearchI: Int?
    public var fddQoffset: Int?
    public var fddQmin: Int?
    public var tddQoffset: Int?
    /// Release 5 additions: FDD_Qmin_Offset and FDD_RSCPmin.
    public var fddQminOffset: Int?
    public var fddRSCPmin: Int?

    /// nil when the first flag is L (no content).
    init?(reading r: inout RestOctetsReader) throws(RRDecodingError) {
        guard r.isH() else { return nil }
        mpChangeMark = try r.bits(1, "SI2ter_MP_CHANGE_MARK")
        threeGChangeMark = try r.bits(1, "SI2ter_3G_CHANGE_MARK")
        index = try r.bits(3, "SI2ter_INDEX")
        count = try r.bits(3, "SI2ter_COUNT")
        if try r.bit("UTRAN FDD Description") {
            // "01" then the FDD-ARFCN: 00, 10 and 11 were an earlier coding and shall not be used.
            let lead = try r.bits(2, "UTRAN FDD Description")
            guard lead == 0b01 else { throw r.malformed("UTRAN FDD Description", "starts with \(lead), not binary 01") }
            fddARFCN = try r.bits(14, "FDD-ARFCN")
            if try r.bit("Bandwidth_FDD") { fddBandwidth = try r.bits(3, "Bandwidth_FDD") }
        }
        if try r.bit("UTRAN TDD Description") {
            let lead = try r.bits(2, "UTRAN TDD Description")
            guard lead == 0b01 else { throw r.malformed("UTRAN TDD Description", "starts with \(lead), not binary 01") }
            tddARFCN = try r.bits(14, "TDD-ARFCN")
            if try r.bit("Bandwidth_TDD") { tddBandwidth = try r.bits(3, "Bandwidth_TDD") }
        }
        if try r.bit("3G Measurement Parameters Description") {
            qsearchI = try r.bits(4, "Qsearch_I")
            if try r.bit("FDD parameters") {
                fddQoffset = try r.bits(4, "FDD_Qoffset")
                fddQmin = try r.bits(3, "FDD_Qmin")
            }
            if try r.bit("TDD parameters") { tddQoffset = try r.bits(4, "TDD_Qoffset") }
        }
        if r.isH(), try r.bit("3G Additional Measurement Parameters Description") {
            fddQminOffset = try r.bits(3, "FDD_Qmin_Offset")
            fddRSCPmin = try r.bits(4, "FDD_RSCPmin")
        }
    }
}
