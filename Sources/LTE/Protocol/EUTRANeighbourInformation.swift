/// PhysCellIdRange, TS 36.331 §6.3.4.
public struct PhysicalCellIdRange: Sendable, Equatable {
    public var start: Int
    /// Number of PCIs in the range (1 when the range field is absent).
    public var count: Int

    static let ranges = [4, 8, 12, 16, 24, 32, 48, 64, 84, 96, 128, 168, 252, 504]

    static func decode(_ r: inout UPERReader) throws(RRCDecodeError) -> PhysicalCellIdRange {
        let hasRange = try r.bit("PhysCellIdRange")
        let start = try r.integer(0...503, "start")
        guard hasRange else { return PhysicalCellIdRange(start: start, count: 1) }
        let i = try r.enumerated(ranges.map { "n\($0)" } + ["spare2", "spare1"], "range")
        guard i < ranges.count else { throw .invalidValue(field: "range", value: i, allowed: "n4…n504") }
        return PhysicalCellIdRange(start: start, count: ranges[i])
    }
}

/// Q-OffsetRange (§6.3.4) in dB.
enum QOffsetRange {
    static let dB = [-24, -22, -20, -18, -16, -14, -12, -10, -8, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24]
    static func decode(_ r: inout UPERReader, _ field: String) throws(RRCDecodeError) -> Int {
        dB[try r.enumerated(dB.map { "dB\($0)" }, field)]
    }
}

/// SystemInformationBlockType4, TS 36.331 §6.3.1: intra-frequency neighbours and black list.
public struct SystemInformationBlockType4: Sendable, Equatable {
    public var neighbours: [(pci: Int, qOffsetDB: Int)]
    public var blackList: [PhysicalCellIdRange]
    public var csgPhysicalCellIdRange: PhysicalCellIdRange?

    public static func == (a: Self, b: Self) -> Bool {
        a.neighbours.map(\.pci) == b.neighbours.map(\.pci) && a.neighbours.map(\.qOffsetDB) == b.neighbours.map(\.qOffsetDB)
            && a.blackList == b.blackList && a.csgPhysicalCellIdRange == b.csgPhysicalCellIdRange
    }

    static func decode(_ r: inout UPERReader) throws(RRCDecodeError) -> SystemInformationBlockType4 {
        let ext = try r.bit("sib4")
        let o = try r.optionals(3, "sib4")
        var sib4 = SystemInformationBlockType4(neighbours: [], blackList: [], csgPhysicalCellIdRange: nil)
        if o[0] {
            for _ in 0..<(try r.size(1...16, "intraFreqNeighCellList")) { // maxCellIntra
                let e = try r.bit("IntraFreqNeighCellInfo")
                let pci = try r.integer(0...503, "physCellId")
                let q = try QOffsetRange.decode(&r, "q-OffsetCell")
                if e { try r.extensionAdditions("IntraFreqNeighCellInfo") }
                sib4.neighbours.append((pci, q))
            }
        }
        if o[1] {
            for _ in 0..<(try r.size(1...16, "intraFreqBlackCellList")) { sib4.blackList.append(try PhysicalCellIdRange.decode(&r)) } // maxCellBlack
        }
        if o[2] { sib4.csgPhysicalCellIdRange = try PhysicalCellIdRange.decode(&r) }
        if ext { try r.extensionAdditions("sib4") }
        return sib4
    }
}

/// InterFreqCarrierFreqInfo, TS 36.331 §6.3.1 (SIB5): one neighbour E-UTRA carrier.
public struct InterFrequencyCarrier: Sendable, Equatable {
    public var earfcn: Int
    public var qRxLevMin: Int
    public var pMax: Int?
    public var tReselectionEUTRA: Int
    public var threshXHigh: Int
    public var threshXLow: Int
    public var allowedMeasBandwidthPRB: Int
    /// cellReselectionPriority (0…7) when sent; absent means the UE does not reselect to this frequency by priority.
    public var cellReselectionPriority: Int?
    public var qOffsetFrequencyDB: Int
    public var neighbourPCIs: [Int]
    public var blackList: [PhysicalCellIdRange]
    public var qQualMin: Int?
}

/// SystemInformationBlockType5, TS 36.331 §6.3.1: inter-frequency E-UTRA neighbours.
public struct SystemInformationBlockType5: Sendable, Equatable {
    public var carriers: [InterFrequencyCarrier]

    static func decode(_ r: inout UPERReader) throws(RRCDecodeError) -> SystemInformationBlockType5 {
        let ext = try r.bit("sib5")
        var carriers: [InterFrequencyCarrier] = []
        for _ in 0..<(try r.size(1...8, "interFreqCarrierFreqList")) { // maxFreq
            let e = try r.bit("InterFreqCarrierFreqInfo")
            // OPTIONAL/DEFAULT: p-Max, t-ReselectionEUTRA-SF, cellReselectionPriority, q-OffsetFreq, neighbour list, black list.
            let o = try r.optionals(6, "InterFreqCarrierFreqInfo")
            let earfcn = try r.integer(0...65535, "dl-CarrierFreq")
            let q = try r.integer(-70...(-22), "q-RxLevMin")
            let pMax = o[0] ? try r.integer(-30...33, "p-Max") : nil
            let tResel = try r.integer(0...7, "t-ReselectionEUTRA")
            if o[1] { try SystemInformationBlockType3.speedStateScaleFactors(&r) }
            let high = try r.integer(0...31, "threshX-High")
            let low = try r.integer(0...31, "threshX-Low")
            let mbw = try SystemInformationBlockType3.allowedMeasBandwidth(&r)
            _ = try r.boolean("presenceAntennaPort1")
            let prio = o[2] ? try r.integer(0...7, "cellReselectionPriority") : nil
            _ = try r.bitString(2, "neighCellConfig")
            let qOffset = o[3] ? try QOffsetRange.decode(&r, "q-OffsetFreq") : 0
            var carrier = InterFrequencyCarrier(earfcn: earfcn, qRxLevMin: q, pMax: pMax, tReselectionEUTRA: tResel,
                                                threshXHigh: high, threshXLow: low, allowedMeasBandwidthPRB: mbw,
                                                cellReselectionPriority: prio, qOffsetFrequencyDB: qOffset,
                                                neighbourPCIs: [], blackList: [])
            if o[4] {
                for _ in 0..<(try r.size(1...16, "interFreqNeighCellList")) { // maxCellInter
                    carrier.neighbourPCIs.append(try r.integer(0...503, "physCellId"))
                    _ = try QOffsetRange.decode(&r, "q-OffsetCell")
                }
            }
            if o[5] {
                for _ in 0..<(try r.size(1...16, "interFreqBlackCellList")) { carrier.blackList.append(try PhysicalCellIdRange.decode(&r)) }
            }
            if e {
                for (i, var x) in try r.extensionAdditions("InterFreqCarrierFreqInfo") where i == 0 {
                    // [[ q-QualMin-r9, threshX-Q-r9 ]]
                    let g = try x.optionals(2, "InterFreqCarrierFreqInfo v920")
                    if g[0] { carrier.qQualMin = try x.integer(-34...(-3), "q-QualMin-r9") }
                    if g[1] { _ = try x.integer(0...31, "threshX-HighQ-r9"); _ = try x.integer(0...31, "threshX-LowQ-r9") }
                }
            }
            carriers.append(carrier)
        }
        if ext { try r.extensionAdditions("sib5") }
        return SystemInformationBlockType5(carriers: carriers)
    }
}
