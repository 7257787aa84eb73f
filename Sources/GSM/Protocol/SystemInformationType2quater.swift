/// System Information Type 2quater (TS 44.018 §9.1.34a): measurement and reselection parameters for
/// other radio access technologies, all in the SI 2quater rest octets (§10.5.2.33b). A cell may send
/// up to 16 instances (SI2quater_INDEX of SI2quater_COUNT).
public struct SystemInformationType2quater: Sendable, Equatable {
    public var restOctets: SI2quaterRestOctets

    static let message = "System Information Type 2quater"

    init(block: [UInt8]) throws(RRDecodingError) {
        var c = OctetCursor(block: block, index: 3, message: Self.message)
        _ = try c.octets(20, "SI 2quater rest octets")
        var r = RestOctetsReader(block: block, fromOctet: 3, message: Self.message, element: "SI 2quater rest octets")
        restOctets = try SI2quaterRestOctets(reading: &r)
    }
}

/// SI 2quater rest octets (TS 44.018 §10.5.2.33b), read in full. The parts a fake-cell check needs
/// are kept (UTRAN FDD and E-UTRAN neighbours, priorities); the other parts are read past and their
/// names listed in `notKept`.
public struct SI2quaterRestOctets: Sendable, Equatable {
    public var baInd: Int
    public var threeGBAInd: Int
    public var mpChangeMark: Int
    public var index: Int
    public var count: Int
    /// Measurement parameters description: REPORT_TYPE and SERVING_BAND_REPORTING.
    public var reportType: Int?
    public var servingBandReporting: Int?
    /// CCN_SUPPORTED per cell of the BA (SI2q extension information), when sent.
    public var ccnSupported: [Bool]?
    /// 3G neighbour cell description.
    public var indexStart3G: Int?
    public var absoluteIndexStartEMR: Int?
    public var utranFDDBandwidth: Int?
    public var utranFDDNeighbours: [UTRANFDDNeighbourFrequency]
    /// UTRAN TDD frequencies (TDD-ARFCN), their cells not kept.
    public var utranTDDFrequencies: [Int]
    /// 3G measurement parameters description.
    public var qsearchI: Int?
    public var qsearchCInitial: Int?
    public var fddQoffset: Int?
    public var fddQmin: Int?
    /// Release 6: 3G_CCN_ACTIVE.
    public var threeGCCNActive: Bool?
    /// Release 8: priority based reselection (TS 45.008 §6.6.6).
    public var servingCellPriority: ServingCellPriorityParameters?
    public var utranPriority: UTRANPriorityParameters?
    public var eutran: EUTRANParameters?
    /// Names of the parts that were present and read past without keeping their values.
    public var notKept: [String]

    init(reading r: inout RestOctetsReader) throws(RRDecodingError) {
        baInd = try r.bits(1, "BA_IND")
        threeGBAInd = try r.bits(1, "3G_BA_IND")
        mpChangeMark = try r.bits(1, "MP_CHANGE_MARK")
        index = try r.bits(4, "SI2quater_INDEX")
        count = try r.bits(4, "SI2quater_COUNT")
        utranFDDNeighbours = []
        utranTDDFrequencies = []
        notKept = []
        if try r.bit("Measurement_Parameters Description") {
            reportType = try r.bits(1, "REPORT_TYPE")
            servingBandReporting = try r.bits(2, "SERVING_BAND_REPORTING")
        }
        if try r.bit("GPRS_Real Time Difference Description") {
            try Self.skipRealTimeDifference(&r)
            notKept.append("GPRS Real Time Difference Description")
        }
        if try r.bit("GPRS_BSIC Description") {
            if try r.bit("BA_Index_Start_BSIC") { try r.skip(5, "BA_Index_Start_BSIC") }
            try r.skip(6, "BSIC")
            let remaining = try r.bits(7, "Number_Remaining_BSIC")
            try r.skip(7 * remaining, "BSIC list")
            notKept.append("GPRS BSIC Description")
        }
        if try r.bit("GPRS_REPORT PRIORITY Description") {
            try r.skip(try r.bits(7, "Number_Cells"), "REP_PRIORITY")
            notKept.append("GPRS Report Priority Description")
        }
        if try r.bit("GPRS_MEASUREMENT_Parameters Description") {
            try r.skip(3, "REPORT_TYPE, REPORTING_RATE, INVALID_BSIC_REPORTING")
            if try r.bit("MULTIBAND_REPORTING") { try r.skip(2, "MULTIBAND_REPORTING") }
            if try r.bit("SERVING_BAND_REPORTING") { try r.skip(2, "SERVING_BAND_REPORTING") }
            try r.skip(2, "SCALE_ORD")
            for _ in 0..<5 {
                if try r.bit("REPORTING_OFFSET") { try r.skip(6, "REPORTING_OFFSET and THRESHOLD") }
            }
            notKept.append("GPRS Measurement Parameters Description")
        }
        if try r.bit("NC Measurement Parameters") {
            try r.skip(2, "NETWORK_CONTROL_ORDER")
            if try r.bit("NC periods") { try r.skip(9, "NC periods") }
            notKept.append("NC Measurement Parameters")
        }
        if try r.bit("SI2q Extension Information") {
            let length = try r.bits(8, "extension length") + 1
            let end = r.bitPosition + length
            if try r.bit("CCN Support Description") {
                let cells = try r.bits(7, "Number_Cells")
                var support: [Bool] = []
                for _ in 0..<cells { support.append(try r.bit("CCN_SUPPORTED")) }
                ccnSupported = support
            }
            guard r.bitPosition <= end else { throw r.malformed("SI2q Extension Information", "is longer than its extension length \(length - 1)") }
            try r.skip(end - r.bitPosition, "SI2q Extension Information")
        }
        if try r.bit("3G Neighbour Cell Description") {
            if try r.bit("Index_Start_3G") { indexStart3G = try r.bits(7, "Index_Start_3G") }
            if try r.bit("Absolute_Index_Start_EMR") { absoluteIndexStartEMR = try r.bits(7, "Absolute_Index_Start_EMR") }
            if try r.bit("UTRAN FDD Description") {
                if try r.bit("Bandwidth_FDD") { utranFDDBandwidth = try r.bits(3, "Bandwidth_FDD") }
                while try r.bit("Repeated UTRAN FDD Neighbour Cells") {
                    utranFDDNeighbours.append(try UTRANFDDNeighbourFrequency(reading: &r))
                }
            }
            if try r.bit("UTRAN TDD Description") {
                if try r.bit("Bandwidth_TDD") { try r.skip(3, "Bandwidth_TDD") }
                while try r.bit("Repeated UTRAN TDD Neighbour Cells") {
                    guard try !r.bit("Repeated UTRAN TDD Neighbour Cells") else {
                        throw r.malformed("Repeated UTRAN TDD Neighbour Cells", "uses the earlier coding '1' that shall not be used")
                    }
                    utranTDDFrequencies.append(try r.bits(14, "TDD-ARFCN"))
                    try r.skip(1, "TDD_Indic0")
                    let cells = try r.bits(5, "NR_OF_TDD_CELLS")
                    try r.skip(UTRANFDDNeighbourFrequency.cellInformationBits(cells: cells, rangeBits: 9), "TDD_CELL_INFORMATION Field")
                }
                notKept.append("UTRAN TDD cells")
            }
        }
        if try r.bit("3G Measurement Parameters Description") {
            qsearchI = try r.bits(4, "Qsearch_I")
            qsearchCInitial = try r.bits(1, "Qsearch_C_Initial")
            if try r.bit("FDD information") {
                fddQoffset = try r.bits(4, "FDD_Qoffset")
                try r.skip(3, "FDD_REP_QUANT and FDD_MULTIRAT_REPORTING")
                fddQmin = try r.bits(3, "FDD_Qmin")
            }
            if try r.bit("TDD information") { try r.skip(6, "TDD_Qoffset and TDD_MULTIRAT_REPORTING") }
        }
        if try r.bit("GPRS_3G_MEASUREMENT Parameters Description") {
            try r.skip(5, "Qsearch_P")
            if try r.bit("FDD parameters") { try r.skip(3, "FDD_REP_QUANT and FDD_MULTIRAT_REPORTING") }
            if try r.bit("FDD_REPORTING_OFFSET") { try r.skip(6, "FDD_REPORTING_OFFSET and THRESHOLD") }
            if try r.bit("TDD_MULTIRAT_REPORTING") { try r.skip(2, "TDD_MULTIRAT_REPORTING") }
            if try r.bit("TDD_REPORTING_OFFSET") { try r.skip(6, "TDD_REPORTING_OFFSET and THRESHOLD") }
            notKept.append("GPRS 3G Measurement Parameters Description")
        }
        // Release 5 and later additions, each behind an L | H flag.
        guard r.isH() else { return }
        if try r.bit("3G Additional Measurement Parameters Description") { try r.skip(7, "FDD_Qmin_Offset and FDD_RSCPmin") }
        if try r.bit("3G ADDITIONAL MEASUREMENT Parameters Description 2"), try r.bit("FDD_REPORTING_THRESHOLD_2") {
            try r.skip(6, "FDD_REPORTING_THRESHOLD_2")
        }
        guard r.isH() else { return }
        threeGCCNActive = try r.bit("3G_CCN_ACTIVE")
        guard r.isH() else { return }
        if try r.bit("700_REPORTING_OFFSET") { try r.skip(6, "700_REPORTING_OFFSET and THRESHOLD") }
        if try r.bit("810_REPORTING_OFFSET") { try r.skip(6, "810_REPORTING_OFFSET and THRESHOLD") }
        guard r.isH() else { return }
        if try r.bit("Priority and E-UTRAN Parameters Description") {
            if try r.bit("Serving Cell Priority Parameters Description") {
                servingCellPriority = try ServingCellPriorityParameters(reading: &r)
            }
            if try r.bit("3G Priority Parameters Description") {
                utranPriority = try UTRANPriorityParameters(reading: &r)
            }
            if try r.bit("E-UTRAN Parameters Description") {
                eutran = try EUTRANParameters(reading: &r)
            }
        }
        if try r.bit("3G CSG Description") {
            while try r.bit("CSG_PSC_SPLIT") {
                try Self.skipPSCGroup(&r)
                while try r.bit("UTRAN_FREQUENCY_INDEX") { try r.skip(5, "UTRAN_FREQUENCY_INDEX") }
            }
            while try r.bit("CSG UARFCN") { try r.skip(15, "CSG UARFCN") }
            notKept.append("3G CSG Description")
        }
        if try r.bit("E-UTRAN CSG Description") {
            while try r.bit("CSG_PCI_SPLIT") {
                try EUTRANParameters.skipPCIDGroup(&r)
                while try r.bit("E-UTRAN_FREQUENCY_INDEX") { try r.skip(3, "E-UTRAN_FREQUENCY_INDEX") }
            }
            while try r.bit("CSG_EARFCN") { try r.skip(16, "CSG_EARFCN") }
            notKept.append("E-UTRAN CSG Description")
        }
        guard r.isH() else { return }
        if try r.bit("Enhanced Cell Reselection Parameters Description") {
            while try r.bit("Repeated E-UTRAN Enhanced Cell Reselection Parameters") {
                while try r.bit("E-UTRAN_FREQUENCY_INDEX") { try r.skip(3, "E-UTRAN_FREQUENCY_INDEX") }
                if try r.bit("reselection on RSRQ") {
                    try r.skip(5, "THRESH_E-UTRAN_high_Q")
                    if try r.bit("THRESH_E-UTRAN_low_Q") { try r.skip(5, "THRESH_E-UTRAN_low_Q") }
                    if try r.bit("E-UTRAN_QQUALMIN") { try r.skip(4, "E-UTRAN_QQUALMIN") }
                    if try r.bit("E-UTRAN_RSRPmin") { try r.skip(5, "E-UTRAN_RSRPmin") }
                } else {
                    try r.skip(4, "E-UTRAN_Qmin")
                }
            }
            notKept.append("Enhanced Cell Reselection Parameters")
        }
        if try r.bit("CSG Cells Reporting Description") {
            if try r.bit("UTRAN CSG Cells Reporting Description") {
                if try r.bit("UTRAN_CSG_FDD_REPORTING_THRESHOLD") { try r.skip(9, "UTRAN_CSG_FDD_REPORTING_THRESHOLD") }
                if try r.bit("UTRAN_CSG_TDD_REPORTING_THRESHOLD") { try r.skip(3, "UTRAN_CSG_TDD_REPORTING_THRESHOLD") }
            }
            if try r.bit("E-UTRAN CSG Cells Reporting Description") {
                if try r.bit("E-UTRAN_CSG_FDD_REPORTING_THRESHOLD") { try r.skip(9, "E-UTRAN_CSG_FDD_REPORTING_THRESHOLD") }
                if try r.bit("E-UTRAN_CSG_TDD_REPORTING_THRESHOLD") { try r.skip(9, "E-UTRAN_CSG_TDD_REPORTING_THRESHOLD") }
            }
            notKept.append("CSG Cells Reporting Description")
        }
        guard r.isH() else { return }
        if try r.bit("INIT_PWR_RED") { try r.skip(1, "INIT_PWR_RED") }
        try r.skip(1, "NC2_CSG_PCCN_permitted")
        guard r.isH() else { return }
        if try r.bit("Extended EARFCNs Description") {
            while try r.bit("EARFCN_extended") { try r.skip(18, "EARFCN_extended") }
            notKept.append("Extended EARFCNs Description")
        }
        if try r.bit("Extended EARFCNs Description for CSG Cells") {
            while try r.bit("CSG_EARFCN_extended") { try r.skip(18, "CSG_EARFCN_extended") }
            notKept.append("Extended EARFCNs Description for CSG Cells")
        }
    }

    /// GPRS real time difference description: lists of 6-bit and of 12-bit RTDs per BA frequency.
    private static func skipRealTimeDifference(_ r: inout RestOctetsReader) throws(RRDecodingError) {
        for width in [6, 12] {
            guard try r.bit("RTD\(width)") else { continue }
            if try r.bit("BA_Index_Start_RTD") { try r.skip(5, "BA_Index_Start_RTD") }
            // <RTD struct> { 0 <RTD struct> } ** 1, each <RTD struct> being { 0 <RTD> } ** 1.
            repeat {
                while try !r.bit("RTD") { try r.skip(width, "RTD") }
            } while try !r.bit("RTD list")
        }
    }

    /// PSC Group IE (TS 44.060 §12.58).
    static func skipPSCGroup(_ r: inout RestOctetsReader) throws(RRDecodingError) {
        while try r.bit("PSC") { try r.skip(9, "PSC") }
        while try r.bit("PSC_Pattern") {
            let length = try r.bits(3, "PSC_Pattern_length") + 1
            try r.skip(length + 1, "PSC_Pattern")
        }
    }
}

/// One UTRAN FDD frequency of the 3G neighbour cell description with its cells.
public struct UTRANFDDNeighbourFrequency: Sendable, Equatable {
    /// FDD-ARFCN, the UARFCN of the downlink (TS 25.101).
    public var uarfcn: Int
    /// In the order the range 1024 tree decodes them (value 0 first when FDD_Indic0 is set).
    public var cells: [Cell]

    /// One FDD_CELL_INFORMATION value: bits 1–9 the primary scrambling code, bit 10 diversity.
    public struct Cell: Sendable, Equatable {
        public var scramblingCode: Int
        public var diversity: Bool
    }

    init(reading r: inout RestOctetsReader) throws(RRDecodingError) {
        guard try !r.bit("Repeated UTRAN FDD Neighbour Cells") else {
            throw r.malformed("Repeated UTRAN FDD Neighbour Cells", "uses the earlier coding '1' that shall not be used")
        }
        uarfcn = try r.bits(14, "FDD-ARFCN")
        let indic0 = try r.bit("FDD_Indic0")
        let count = try r.bits(5, "NR_OF_FDD_CELLS")
        // The cells are a set of 10-bit values coded as a range 1024 list (TS 44.018 §9.1.54.1, Annex J),
        // p(n) bits long; FDD_Indic0 says whether the value 0 is in the set.
        var w: [Int] = []
        if count <= 16 {
            for k in stride(from: 1, through: count, by: 1) {
                w.append(try r.bits(FrequencyRangeDecoding.wordWidth(index: k, rangeBits: 10), "FDD_CELL_INFORMATION Field"))
            }
        }
        guard let values = FrequencyRangeDecoding.decode(w: w, originalRange: 1023) else {
            throw r.malformed("FDD_CELL_INFORMATION Field", "has a word after the list's terminating zero word")
        }
        let all = (indic0 ? [0] : []) + values.map { $0 + 1 }
        cells = all.map { Cell(scramblingCode: $0 & 0x1FF, diversity: $0 >> 9 == 1) }
    }

    /// p(n) and q(n) of TS 44.018 table 9.1.54.1: the bits of n range-coded words (0 for n > 16 / 20).
    static func cellInformationBits(cells n: Int, rangeBits: Int) -> Int {
        guard n <= (rangeBits == 10 ? 16 : 20) else { return 0 }
        var total = 0
        for k in stride(from: 1, through: n, by: 1) { total += FrequencyRangeDecoding.wordWidth(index: k, rangeBits: rangeBits) }
        return total
    }
}

/// Serving cell priority parameters (TS 44.018 §10.5.2.33b, TS 45.008 §6.6.6).
public struct ServingCellPriorityParameters: Sendable, Equatable {
    /// GERAN_PRIORITY, 0 (lowest) – 7.
    public var geranPriority: Int
    /// THRESH_Priority_Search coded 0–15.
    public var threshPrioritySearch: Int
    /// THRESH_GSM_low coded 0–15.
    public var threshGSMLow: Int
    /// H_PRIO coded 0–3.
    public var hPrio: Int
    /// T_Reselection coded 0–3: 5, 10, 15, 20 s.
    public var tReselection: Int

    init(reading r: inout RestOctetsReader) throws(RRDecodingError) {
        geranPriority = try r.bits(3, "GERAN_PRIORITY")
        threshPrioritySearch = try r.bits(4, "THRESH_Priority_Search")
        threshGSMLow = try r.bits(4, "THRESH_GSM_low")
        hPrio = try r.bits(2, "H_PRIO")
        tReselection = try r.bits(2, "T_Reselection")
    }
}

/// 3G priority parameters description (TS 44.018 §10.5.2.33b).
public struct UTRANPriorityParameters: Sendable, Equatable {
    public var utranStart: Bool
    public var utranStop: Bool
    public var defaultPriority: Int?
    public var defaultThresh: Int?
    public var defaultQRxLevMin: Int?
    public var repeated: [Repeated]

    public struct Repeated: Sendable, Equatable {
        public var frequencyIndices: [Int]
        public var priority: Int?
        public var threshHigh: Int
        public var threshLow: Int?
        public var qRxLevMin: Int?
    }

    init(reading r: inout RestOctetsReader) throws(RRDecodingError) {
        utranStart = try r.bit("UTRAN_Start")
        utranStop = try r.bit("UTRAN_Stop")
        if try r.bit("Default UTRAN priority parameters") {
            defaultPriority = try r.bits(3, "DEFAULT_UTRAN_PRIORITY")
            defaultThresh = try r.bits(5, "DEFAULT_THRESH_UTRAN")
            defaultQRxLevMin = try r.bits(5, "DEFAULT_UTRAN_QRXLEVMIN")
        }
        repeated = []
        while try r.bit("Repeated UTRAN Priority Parameters") {
            var indices: [Int] = []
            while try r.bit("UTRAN_FREQUENCY_INDEX") { indices.append(try r.bits(5, "UTRAN_FREQUENCY_INDEX")) }
            let priority = try r.bit("UTRAN_PRIORITY") ? try r.bits(3, "UTRAN_PRIORITY") : nil
            let high = try r.bits(5, "THRESH_UTRAN_high")
            let low = try r.bit("THRESH_UTRAN_low") ? try r.bits(5, "THRESH_UTRAN_low") : nil
            let qmin = try r.bit("UTRAN_QRXLEVMIN") ? try r.bits(5, "UTRAN_QRXLEVMIN") : nil
            repeated.append(Repeated(frequencyIndices: indices, priority: priority, threshHigh: high, threshLow: low, qRxLevMin: qmin))
        }
    }
}

/// E-UTRAN parameters description (TS 44.018 §10.5.2.33b): the LTE neighbour frequencies a cell
/// points its mobiles to, with their reselection priorities and thresholds.
public struct EUTRANParameters: Sendable, Equatable {
    public var ccnActive: Bool
    public var start: Bool
    public var stop: Bool
    /// E-UTRAN measurement parameters description: Qsearch_C_E-UTRAN_Initial, when sent.
    public var qsearchCInitial: Int?
    /// Repeated E-UTRAN neighbour cells: groups of EARFCNs sharing priority and thresholds.
    public var neighbourFrequencies: [NeighbourFrequencies]
    /// Number of "not allowed cells" groups and of PCID-to-TA mappings (their PCIDs are not kept).
    public var notAllowedCellGroups: Int
    public var pcidToTAMappings: Int

    public struct NeighbourFrequencies: Sendable, Equatable {
        public var earfcns: [EARFCNEntry]
        /// E-UTRAN_PRIORITY 0–7, when sent.
        public var priority: Int?
        /// THRESH_E-UTRAN_high coded 0–31 (2 dB steps).
        public var threshHigh: Int
        public var threshLow: Int?
        /// E-UTRAN_QRXLEVMIN coded 0–31 (−140 dBm + 2 × code).
        public var qRxLevMin: Int?
    }

    public struct EARFCNEntry: Sendable, Equatable {
        public var earfcn: Int
        /// Measurement bandwidth coded 0–7 (6, 15, 25, 50, 75, 100 PRBs), when sent.
        public var measurementBandwidth: Int?

        public init(earfcn: Int, measurementBandwidth: Int?) {
            self.earfcn = earfcn
            self.measurementBandwidth = measurementBandwidth
        }
    }

    init(reading r: inout RestOctetsReader) throws(RRDecodingError) {
        ccnActive = try r.bit("E-UTRAN_CCN_ACTIVE")
        start = try r.bit("E-UTRAN_Start")
        stop = try r.bit("E-UTRAN_Stop")
        if try r.bit("E-UTRAN Measurement Parameters Description") {
            qsearchCInitial = try r.bits(4, "Qsearch_C_E-UTRAN_Initial")
            try r.skip(3, "E-UTRAN_REP_QUANT and E-UTRAN_MULTIRAT_REPORTING")
            if try r.bit("reporting kind") {
                // 3-bit reporting: FDD and TDD measurement report offsets, then REPORTING_GRANULARITY.
                for _ in 0..<2 {
                    guard try r.bit("MEASUREMENT_REPORT_OFFSET") else { continue }
                    try r.skip(6, "MEASUREMENT_REPORT_OFFSET")
                    try Self.skipThreshold2AndOffset(&r)
                }
                try r.skip(1, "REPORTING_GRANULARITY")
            } else {
                for _ in 0..<2 {
                    guard try r.bit("REPORTING_THRESHOLD") else { continue }
                    try r.skip(3, "REPORTING_THRESHOLD")
                    try Self.skipThreshold2AndOffset(&r)
                }
            }
        }
        if try r.bit("GPRS E-UTRAN Measurement Parameters Description") {
            try r.skip(7, "Qsearch_P_E-UTRAN, E-UTRAN_REP_QUANT, E-UTRAN_MULTIRAT_REPORTING")
            for _ in 0..<2 {
                guard try r.bit("REPORTING_THRESHOLD") else { continue }
                try r.skip(3, "REPORTING_THRESHOLD")
                try Self.skipThreshold2AndOffset(&r)
            }
        }
        neighbourFrequencies = []
        while try r.bit("Repeated E-UTRAN Neighbour Cells") {
            var earfcns: [EARFCNEntry] = []
            while try r.bit("EARFCN") {
                let earfcn = try r.bits(16, "EARFCN")
                let bandwidth = try r.bit("Measurement Bandwidth") ? try r.bits(3, "Measurement Bandwidth") : nil
                earfcns.append(EARFCNEntry(earfcn: earfcn, measurementBandwidth: bandwidth))
            }
            let priority = try r.bit("E-UTRAN_PRIORITY") ? try r.bits(3, "E-UTRAN_PRIORITY") : nil
            let high = try r.bits(5, "THRESH_E-UTRAN_high")
            let low = try r.bit("THRESH_E-UTRAN_low") ? try r.bits(5, "THRESH_E-UTRAN_low") : nil
            let qmin = try r.bit("E-UTRAN_QRXLEVMIN") ? try r.bits(5, "E-UTRAN_QRXLEVMIN") : nil
            neighbourFrequencies.append(NeighbourFrequencies(earfcns: earfcns, priority: priority, threshHigh: high, threshLow: low, qRxLevMin: qmin))
        }
        notAllowedCellGroups = 0
        while try r.bit("Repeated E-UTRAN Not Allowed Cells") {
            try Self.skipPCIDGroup(&r)
            while try r.bit("E-UTRAN_FREQUENCY_INDEX") { try r.skip(3, "E-UTRAN_FREQUENCY_INDEX") }
            notAllowedCellGroups += 1
        }
        pcidToTAMappings = 0
        while try r.bit("Repeated E-UTRAN PCID to TA mapping") {
            while try r.bit("PCID to TA mapping") { try Self.skipPCIDGroup(&r) }
            while try r.bit("E-UTRAN_FREQUENCY_INDEX") { try r.skip(3, "E-UTRAN_FREQUENCY_INDEX") }
            pcidToTAMappings += 1
        }
    }

    private static func skipThreshold2AndOffset(_ r: inout RestOctetsReader) throws(RRDecodingError) {
        if try r.bit("REPORTING_THRESHOLD_2") { try r.skip(6, "REPORTING_THRESHOLD_2") }
        if try r.bit("REPORTING_OFFSET") { try r.skip(3, "REPORTING_OFFSET") }
    }

    /// PCID Group IE (TS 44.060 §12.57).
    static func skipPCIDGroup(_ r: inout RestOctetsReader) throws(RRDecodingError) {
        while try r.bit("PCID") { try r.skip(9, "PCID") }
        if try r.bit("PCID_BITMAP_GROUP") { try r.skip(6, "PCID_BITMAP_GROUP") }
        while try r.bit("PCID_Pattern") {
            let length = try r.bits(3, "PCID_Pattern_length") + 1
            try r.skip(length + 1, "PCID_Pattern")
        }
    }
}
