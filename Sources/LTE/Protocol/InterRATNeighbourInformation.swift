/// CarrierFreqUTRA-FDD / CarrierFreqUTRA-TDD, TS 36.331 §6.3.1 (SIB6).
public struct UTRACarrier: Sendable, Equatable {
    public var uarfcn: Int
    public var cellReselectionPriority: Int?
    public var threshXHigh: Int
    public var threshXLow: Int
    public var qRxLevMin: Int
    public var pMaxUTRA: Int
    /// FDD only.
    public var qQualMin: Int?
}

/// SystemInformationBlockType6, TS 36.331 §6.3.1: UTRA neighbour frequencies.
public struct SystemInformationBlockType6: Sendable, Equatable {
    public var fdd: [UTRACarrier]
    public var tdd: [UTRACarrier]
    public var tReselectionUTRA: Int

    static func carrier(_ r: inout UPERReader, fdd: Bool) throws(RRCDecodeError) -> UTRACarrier {
        let e = try r.bit(fdd ? "CarrierFreqUTRA-FDD" : "CarrierFreqUTRA-TDD")
        let hasPriority = try r.bit("cellReselectionPriority")
        let f = try r.integer(0...16383, "carrierFreq")
        let p = hasPriority ? try r.integer(0...7, "cellReselectionPriority") : nil
        let high = try r.integer(0...31, "threshX-High")
        let low = try r.integer(0...31, "threshX-Low")
        let q = try r.integer(-60...(-13), "q-RxLevMin")
        let pMax = try r.integer(-50...33, "p-MaxUTRA")
        let qq = fdd ? try r.integer(-24...0, "q-QualMin") : nil
        if e { try r.extensionAdditions("CarrierFreqUTRA") }
        return UTRACarrier(uarfcn: f, cellReselectionPriority: p, threshXHigh: high, threshXLow: low, qRxLevMin: q, pMaxUTRA: pMax, qQualMin: qq)
    }

    static func decode(_ r: inout UPERReader) throws(RRCDecodeError) -> SystemInformationBlockType6 {
        let ext = try r.bit("sib6")
        let o = try r.optionals(3, "sib6")
        var sib6 = SystemInformationBlockType6(fdd: [], tdd: [], tReselectionUTRA: 0)
        if o[0] { for _ in 0..<(try r.size(1...16, "carrierFreqListUTRA-FDD")) { sib6.fdd.append(try carrier(&r, fdd: true)) } }
        if o[1] { for _ in 0..<(try r.size(1...16, "carrierFreqListUTRA-TDD")) { sib6.tdd.append(try carrier(&r, fdd: false)) } }
        sib6.tReselectionUTRA = try r.integer(0...7, "t-ReselectionUTRA")
        if o[2] { try SystemInformationBlockType3.speedStateScaleFactors(&r) }
        if ext { try r.extensionAdditions("sib6") }
        return sib6
    }
}

/// CarrierFreqsInfoGERAN, TS 36.331 §6.3.1 (SIB7): a group of GSM carriers with common reselection parameters.
public struct GERANCarrierGroup: Sendable, Equatable {
    public enum Band: String, Sendable { case dcs1800, pcs1900 }
    /// The ARFCNs of CarrierFreqsGERAN (§6.3.4), expanded.
    public var arfcns: [Int]
    /// bandIndicator: how ARFCNs 512…810 are read (DCS 1800 or PCS 1900).
    public var band: Band
    /// cellReselectionPriority of these GERAN frequencies (0…7), when sent.
    public var cellReselectionPriority: Int?
    /// ncc-Permitted as the 8-bit string (leftmost bit NCC 0).
    public var nccPermitted: Int
    /// q-RxLevMin (0…45); the level in dBm is −115 + 2·value (TS 36.304).
    public var qRxLevMin: Int
    public var pMaxGERAN: Int?
    public var threshXHigh: Int
    public var threshXLow: Int
}

/// SystemInformationBlockType7, TS 36.331 §6.3.1: GERAN neighbour frequencies and priorities.
public struct SystemInformationBlockType7: Sendable, Equatable {
    public var tReselectionGERAN: Int
    public var carrierGroups: [GERANCarrierGroup]

    /// CarrierFreqsGERAN, §6.3.4: a starting ARFCN and a list, an equal spacing or a bitmap of the following ones.
    static func carrierFreqs(_ r: inout UPERReader) throws(RRCDecodeError) -> (arfcns: [Int], band: GERANCarrierGroup.Band) {
        let start = try r.integer(0...1023, "startingARFCN")
        let band: GERANCarrierGroup.Band = try r.enumerated(["dcs1800", "pcs1900"], "bandIndicator") == 0 ? .dcs1800 : .pcs1900
        var arfcns = [start]
        switch try r.choice(3, "followingARFCNs") {
        case 0:
            for _ in 0..<(try r.size(0...31, "explicitListOfARFCNs")) { arfcns.append(try r.integer(0...1023, "ARFCN-ValueGERAN")) }
        case 1:
            let spacing = try r.integer(1...8, "arfcn-Spacing")
            let n = try r.integer(0...31, "numberOfFollowingARFCNs")
            for i in stride(from: 1, through: n, by: 1) { arfcns.append((start + i * spacing) % 1024) }
        default:
            // variableBitMapOfARFCNs: bit i (from the left) set means ARFCN start + 1 + i.
            let bitmap = try r.octetString(1...16, "variableBitMapOfARFCNs")
            for (j, byte) in bitmap.enumerated() {
                for b in 0..<8 where byte & (0x80 >> UInt8(b)) != 0 { arfcns.append((start + 1 + 8 * j + b) % 1024) }
            }
        }
        return (arfcns, band)
    }

    static func decode(_ r: inout UPERReader) throws(RRCDecodeError) -> SystemInformationBlockType7 {
        let ext = try r.bit("sib7")
        let o = try r.optionals(2, "sib7")
        let tResel = try r.integer(0...7, "t-ReselectionGERAN")
        if o[0] { try SystemInformationBlockType3.speedStateScaleFactors(&r) }
        var groups: [GERANCarrierGroup] = []
        if o[1] {
            for _ in 0..<(try r.size(1...16, "carrierFreqsInfoList")) { // maxGNFG
                let e = try r.bit("CarrierFreqsInfoGERAN")
                let (arfcns, band) = try carrierFreqs(&r)
                let c = try r.optionals(2, "commonInfo") // cellReselectionPriority, p-MaxGERAN
                let prio = c[0] ? try r.integer(0...7, "cellReselectionPriority") : nil
                let ncc = try r.bitString(8, "ncc-Permitted")
                let q = try r.integer(0...45, "q-RxLevMin")
                let pMax = c[1] ? try r.integer(0...39, "p-MaxGERAN") : nil
                let high = try r.integer(0...31, "threshX-High")
                let low = try r.integer(0...31, "threshX-Low")
                if e { try r.extensionAdditions("CarrierFreqsInfoGERAN") }
                groups.append(GERANCarrierGroup(arfcns: arfcns, band: band, cellReselectionPriority: prio, nccPermitted: ncc,
                                                qRxLevMin: q, pMaxGERAN: pMax, threshXHigh: high, threshXLow: low))
            }
        }
        if ext { try r.extensionAdditions("sib7") }
        return SystemInformationBlockType7(tReselectionGERAN: tResel, carrierGroups: groups)
    }
}
