/// SystemInformationBlockType3, TS 36.331 §6.3.1: reselection parameters of the serving frequency.
public struct SystemInformationBlockType3: Sendable, Equatable {
    /// q-Hyst in dB.
    public var qHystDB: Int
    /// s-NonIntraSearch and threshServingLow, ReselectionThreshold (value · 2 dB).
    public var sNonIntraSearch: Int?
    public var threshServingLow: Int
    /// cellReselectionPriority of the serving E-UTRA frequency (0 lowest … 7 highest), TS 36.304 §5.2.4.1.
    public var cellReselectionPriority: Int
    public var qRxLevMin: Int
    public var pMax: Int?
    public var sIntraSearch: Int?
    public var allowedMeasBandwidthPRB: Int?
    public var tReselectionEUTRA: Int
    /// From the v920 extension group, when sent.
    public var qQualMin: Int?

    static let qHyst = [0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24]

    /// SpeedStateScaleFactors (§6.3.4).
    static func speedStateScaleFactors(_ r: inout UPERReader) throws(RRCDecodeError) {
        try r.enumerated(["oDot25", "oDot5", "oDot75", "lDot0"], "sf-Medium")
        try r.enumerated(["oDot25", "oDot5", "oDot75", "lDot0"], "sf-High")
    }

    /// AllowedMeasBandwidth (§6.3.5) as PRBs.
    static func allowedMeasBandwidth(_ r: inout UPERReader) throws(RRCDecodeError) -> Int {
        MasterInformationBlock.bandwidths[try r.enumerated(MasterInformationBlock.bandwidths.map { "mbw\($0)" }, "allowedMeasBandwidth")]
    }

    static func decode(_ r: inout UPERReader) throws(RRCDecodeError) -> SystemInformationBlockType3 {
        let ext = try r.bit("sib3")
        // cellReselectionInfoCommon: OPTIONAL speedStateReselectionPars.
        let speed = try r.bit("cellReselectionInfoCommon")
        let hyst = try r.enumerated(qHyst.map { "dB\($0)" }, "q-Hyst")
        if speed {
            // MobilityStateParameters, then q-HystSF.
            let t = ["s30", "s60", "s120", "s180", "s240", "spare3", "spare2", "spare1"]
            try r.enumerated(t, "t-Evaluation")
            try r.enumerated(t, "t-HystNormal")
            _ = try r.integer(1...16, "n-CellChangeMedium")
            _ = try r.integer(1...16, "n-CellChangeHigh")
            try r.enumerated(["dB-6", "dB-4", "dB-2", "dB0"], "sf-Medium")
            try r.enumerated(["dB-6", "dB-4", "dB-2", "dB0"], "sf-High")
        }
        // cellReselectionServingFreqInfo: OPTIONAL s-NonIntraSearch.
        let nonIntra = try r.bit("cellReselectionServingFreqInfo")
        let sNonIntra = nonIntra ? try r.integer(0...31, "s-NonIntraSearch") : nil
        let threshLow = try r.integer(0...31, "threshServingLow")
        let priority = try r.integer(0...7, "cellReselectionPriority")
        // intraFreqCellReselectionInfo: OPTIONAL p-Max, s-IntraSearch, allowedMeasBandwidth, t-ReselectionEUTRA-SF.
        let o = try r.optionals(4, "intraFreqCellReselectionInfo")
        let qRxLevMin = try r.integer(-70...(-22), "q-RxLevMin")
        let pMax = o[0] ? try r.integer(-30...33, "p-Max") : nil
        let sIntra = o[1] ? try r.integer(0...31, "s-IntraSearch") : nil
        let mbw = o[2] ? try allowedMeasBandwidth(&r) : nil
        _ = try r.boolean("presenceAntennaPort1")
        _ = try r.bitString(2, "neighCellConfig")
        let tResel = try r.integer(0...7, "t-ReselectionEUTRA")
        if o[3] { try speedStateScaleFactors(&r) }
        var sib3 = SystemInformationBlockType3(qHystDB: qHyst[hyst], sNonIntraSearch: sNonIntra, threshServingLow: threshLow,
                                               cellReselectionPriority: priority, qRxLevMin: qRxLevMin, pMax: pMax,
                                               sIntraSearch: sIntra, allowedMeasBandwidthPRB: mbw, tReselectionEUTRA: tResel)
        if ext {
            // Additions: lateNonCriticalExtension, then the [[ v920 ]] group (§6.3.1); later groups are passed over.
            for (i, var x) in try r.extensionAdditions("sib3") {
                switch i {
                case 0: _ = try x.octetString(nil, "lateNonCriticalExtension")
                case 1:
                    let g = try x.optionals(4, "sib3 v920")
                    if g[0] { _ = try x.integer(0...31, "s-IntraSearchP-r9"); _ = try x.integer(0...31, "s-IntraSearchQ-r9") }
                    if g[1] { _ = try x.integer(0...31, "s-NonIntraSearchP-r9"); _ = try x.integer(0...31, "s-NonIntraSearchQ-r9") }
                    if g[2] { sib3.qQualMin = try x.integer(-34...(-3), "q-QualMin-r9") }
                    if g[3] { _ = try x.integer(0...31, "threshServingLowQ-r9") }
                default: break
                }
            }
        }
        return sib3
    }
}
