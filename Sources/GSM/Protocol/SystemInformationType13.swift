/// System Information Type 13 (TS 44.018 §9.1.43a): the GPRS parameters of the cell, all in the
/// SI 13 rest octets.
public struct SystemInformationType13: Sendable, Equatable {
    /// nil when the rest octets start with L: the message carries no GPRS parameters.
    public var restOctets: SI13RestOctets?

    static let message = "System Information Type 13"

    init(block: [UInt8]) throws(RRDecodingError) {
        var c = OctetCursor(block: block, index: 3, message: Self.message)
        _ = try c.octets(20, "SI 13 rest octets")
        var r = RestOctetsReader(block: block, fromOctet: 3, message: Self.message, element: "SI 13 rest octets")
        restOctets = try SI13RestOctets(reading: &r)
    }
}

/// SI 13 rest octets (TS 44.018 §10.5.2.37b).
public struct SI13RestOctets: Sendable, Equatable {
    /// BCCH_CHANGE_MARK, 0–7: changes when any SI changes.
    public var bcchChangeMark: Int
    /// SI_CHANGE_FIELD, 0–15: which SI changed.
    public var siChangeField: Int
    /// SI13_CHANGE_MARK when a GPRS mobile allocation is sent.
    public var si13ChangeMark: Int?
    /// A GPRS mobile allocation (TS 44.060 §12.10a) is sent: its HSN.
    public var gprsMobileAllocationHSN: Int?
    /// PBCCH present in the cell (TS 44.018 says this shall never be indicated any more).
    public var pbcchPresent: Bool
    /// PSI1_REPEAT_PERIOD, only with a PBCCH.
    public var psi1RepeatPeriod: Int?
    /// Routing area code, without a PBCCH.
    public var rac: Int?
    /// SPGC_CCCH_SUP: SPLIT_PG_CYCLE is supported on CCCH.
    public var spgcCcchSup: Bool?
    /// PRIORITY_ACCESS_THR coded 0–7 (table 10.5.2.37b.1).
    public var priorityAccessThr: Int?
    /// NETWORK_CONTROL_ORDER: NC0, NC1, NC2 (3 reserved).
    public var networkControlOrder: Int?
    public var gprsCellOptions: GPRSCellOptions?
    public var gprsPowerControl: GPRSPowerControlParameters?
    /// Release 99: SGSNR (the SGSN is release 99 onwards).
    public var sgsnr: Int?
    /// Release 4: SI_STATUS_IND (the network supports PACKET SI STATUS).
    public var siStatusInd: Int?
    /// Release 6: LB_MS_TXPWR_MAX_CCH and SI2n_SUPPORT.
    public var lbMsTxpwrMaxCch: Int?
    public var si2nSupport: Int?

    /// `{ L | H <contents> }`: nil for L.
    init?(reading r: inout RestOctetsReader) throws(RRDecodingError) {
        guard r.isH() else { return nil }
        bcchChangeMark = try r.bits(3, "BCCH_CHANGE_MARK")
        siChangeField = try r.bits(4, "SI_CHANGE_FIELD")
        if try r.bit("SI13_CHANGE_MARK") {
            si13ChangeMark = try r.bits(2, "SI13_CHANGE_MARK")
            gprsMobileAllocationHSN = try Self.skipGPRSMobileAllocation(&r)
        }
        pbcchPresent = try r.bit("PBCCH")
        if pbcchPresent {
            psi1RepeatPeriod = try r.bits(4, "PSI1_REPEAT_PERIOD")
            // PBCCH description: Pb(4) TSC(3) TN(3) { 00 | 01 ARFCN(10) | 1 MAIO(6) }
            try r.skip(10, "PBCCH Description")
            if try r.bit("PBCCH Description") { try r.skip(6, "MAIO") }
            else if try r.bit("PBCCH Description") { try r.skip(10, "ARFCN") }
        } else {
            rac = try r.bits(8, "RAC")
            spgcCcchSup = try r.bit("SPGC_CCCH_SUP")
            priorityAccessThr = try r.bits(3, "PRIORITY_ACCESS_THR")
            networkControlOrder = try r.bits(2, "NETWORK_CONTROL_ORDER")
            gprsCellOptions = try GPRSCellOptions(reading: &r)
            gprsPowerControl = try GPRSPowerControlParameters(reading: &r)
        }
        guard r.isH() else { return }
        sgsnr = try r.bits(1, "SGSNR")
        guard r.isH() else { return }
        siStatusInd = try r.bits(1, "SI_STATUS_IND")
        guard r.isH() else { return }
        if try r.bit("LB_MS_TXPWR_MAX_CCH") { lbMsTxpwrMaxCch = try r.bits(5, "LB_MS_TXPWR_MAX_CCH") }
        si2nSupport = try r.bits(2, "SI2n_SUPPORT")
    }

    /// GPRS mobile allocation (TS 44.060 §12.10a): HSN, RFL numbers, then an MA bitmap or ARFCN indices.
    private static func skipGPRSMobileAllocation(_ r: inout RestOctetsReader) throws(RRDecodingError) -> Int {
        let hsn = try r.bits(6, "HSN")
        if try r.bit("RFL number list") {
            repeat { try r.skip(4, "RFL_NUMBER") } while try r.bit("RFL number list")
        }
        if try r.bit("MA") {
            if try r.bit("ARFCN index list") {
                repeat { try r.skip(6, "ARFCN_INDEX") } while try r.bit("ARFCN index list")
            }
        } else {
            let length = try r.bits(6, "MA_LENGTH") + 1
            try r.skip(length, "MA_BITMAP")
        }
        return hsn
    }
}
