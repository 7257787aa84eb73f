/// GPRS cell options (TS 44.060 §12.24), sent in SI13 rest octets.
public struct GPRSCellOptions: Sendable, Equatable {
    /// NMO coded 0–3: network mode of operation I, II, III (3 reserved).
    public var nmo: Int
    /// T3168 coded 0–7: (code + 1) × 500 ms.
    public var t3168: Int
    /// T3192 coded 0–7 (TS 44.060 table 12.24.2): 500, 1000, 1500, 0, 80, 120, 160, 200 ms.
    public var t3192: Int
    /// DRX_TIMER_MAX coded 0–7: 0 s, then 2^(code − 1) s.
    public var drxTimerMax: Int
    /// ACCESS_BURST_TYPE: 0 8-bit, 1 11-bit access bursts.
    public var accessBurstType: Int
    /// CONTROL_ACK_TYPE: 0 four access bursts, 1 RLC/MAC control block.
    public var controlAckType: Int
    public var bsCvMax: Int
    /// PAN_DEC, PAN_INC, PAN_MAX when sent.
    public var panDec: Int?
    public var panInc: Int?
    public var panMax: Int?
    /// The extension information, when sent (release 99 and later fields).
    public var extensionLength: Int?
    /// EGPRS is supported by the cell (EGPRS_PACKET_CHANNEL_REQUEST and BEP_PERIOD follow).
    public var egprsSupported: Bool?
    public var pfcFeatureMode: Bool?
    public var dtmSupport: Bool?
    public var bssPagingCoordination: Bool?
    public var ccnActive: Bool?
    public var nwExtUTBF: Bool?

    /// T3168 in milliseconds.
    public var t3168Milliseconds: Int { (t3168 + 1) * 500 }
    /// T3192 in milliseconds.
    public var t3192Milliseconds: Int { [500, 1000, 1500, 0, 80, 120, 160, 200][t3192] }
    /// DRX_TIMER_MAX in seconds.
    public var drxTimerMaxSeconds: Int { drxTimerMax == 0 ? 0 : 1 << (drxTimerMax - 1) }

    init(reading r: inout RestOctetsReader) throws(RRDecodingError) {
        nmo = try r.bits(2, "NMO")
        t3168 = try r.bits(3, "T3168")
        t3192 = try r.bits(3, "T3192")
        drxTimerMax = try r.bits(3, "DRX_TIMER_MAX")
        accessBurstType = try r.bits(1, "ACCESS_BURST_TYPE")
        controlAckType = try r.bits(1, "CONTROL_ACK_TYPE")
        bsCvMax = try r.bits(4, "BS_CV_MAX")
        if try r.bit("PAN") {
            panDec = try r.bits(3, "PAN_DEC")
            panInc = try r.bits(3, "PAN_INC")
            panMax = try r.bits(3, "PAN_MAX")
        }
        guard try r.bit("Extension") else { return }
        let length = try r.bits(6, "Extension Length") + 1
        extensionLength = length - 1
        let end = r.bitPosition + length
        // The extension may be shorter than the fields this release knows (truncated between releases):
        // read only the fields that lie wholly inside it.
        func fits(_ n: Int) -> Bool { r.bitPosition + n <= end }
        if fits(1) {
            egprsSupported = try r.bit("EGPRS")
            if egprsSupported == true { try r.skip(min(5, end - r.bitPosition), "EGPRS_PACKET_CHANNEL_REQUEST and BEP_PERIOD") }
        }
        if fits(3) {
            pfcFeatureMode = try r.bit("PFC_FEATURE_MODE")
            dtmSupport = try r.bit("DTM_SUPPORT")
            bssPagingCoordination = try r.bit("BSS_PAGING_COORDINATION")
        }
        if fits(2) {
            ccnActive = try r.bit("CCN_ACTIVE")
            nwExtUTBF = try r.bit("NW_EXT_UTBF")
        }
        try r.skip(max(0, end - r.bitPosition), "extension information")
    }
}

/// GPRS power control parameters (TS 44.060 §12.9a).
public struct GPRSPowerControlParameters: Sendable, Equatable {
    /// ALPHA coded 0–10 (× 0.1).
    public var alpha: Int
    public var tAvgW: Int
    public var tAvgT: Int
    /// PC_MEAS_CHAN: 0 measure on BCCH, 1 on PDCH.
    public var pcMeasChan: Int
    public var nAvgI: Int

    init(reading r: inout RestOctetsReader) throws(RRDecodingError) {
        alpha = try r.bits(4, "ALPHA")
        tAvgW = try r.bits(5, "T_AVG_W")
        tAvgT = try r.bits(5, "T_AVG_T")
        pcMeasChan = try r.bits(1, "PC_MEAS_CHAN")
        nAvgI = try r.bits(4, "N_AVG_I")
    }
}
