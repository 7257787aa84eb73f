/// PLMN-Identity, TS 36.331 §6.3.4: MCC is absent when it equals the previous entry's.
public struct PLMNIdentity: Sendable, Equatable {
    /// Three digits, or nil when the message leaves it out (same as the preceding PLMN in the list).
    public var mcc: String?
    /// Two or three digits.
    public var mnc: String
    public var reservedForOperatorUse: Bool
}

/// TDD-Config, TS 36.331 §6.3.2 (uplink-downlink configuration 0…6, special subframe pattern 0…8).
public struct TDDConfiguration: Sendable, Equatable {
    public var subframeAssignment: Int
    public var specialSubframePattern: Int
    public init(subframeAssignment: Int, specialSubframePattern: Int) {
        self.subframeAssignment = subframeAssignment
        self.specialSubframePattern = specialSubframePattern
    }
}

/// SchedulingInfo, TS 36.331 §6.2.2: one SI message, its period and the SIBs it carries.
public struct SchedulingInfo: Sendable, Equatable {
    /// si-Periodicity in radio frames (8…512).
    public var periodicityFrames: Int
    /// SIB numbers mapped to this SI message (3…); SIB2 is always in the first SI message and not listed.
    public var sibTypes: [Int]
    public init(periodicityFrames: Int, sibTypes: [Int]) {
        self.periodicityFrames = periodicityFrames
        self.sibTypes = sibTypes
    }
}

/// SystemInformationBlockType1, TS 36.331 §6.2.2 (Rel-8 root, v890/v920 non-critical extensions).
public struct SystemInformationBlockType1: Sendable, Equatable {
    public var plmns: [PLMNIdentity]
    /// trackingAreaCode, 16 bits.
    public var trackingAreaCode: Int
    /// cellIdentity, 28 bits (eNB ID · 256 + local cell ID).
    public var cellIdentity: Int
    public var cellBarred: Bool
    public var intraFrequencyReselectionAllowed: Bool
    public var csgIndication: Bool
    public var csgIdentity: Int?
    /// q-RxLevMin as sent (−70…−22); the level in dBm is twice this (TS 36.304 §5.2.3.2).
    public var qRxLevMin: Int
    public var qRxLevMinOffset: Int?
    /// p-Max, dBm.
    public var pMax: Int?
    public var frequencyBandIndicator: Int
    public var schedulingInfo: [SchedulingInfo]
    public var tddConfiguration: TDDConfiguration?
    /// si-WindowLength in ms (1…40).
    public var siWindowLengthMs: Int
    public var systemInfoValueTag: Int
    /// ims-EmergencySupport-r9 and q-QualMin-r9 (cellSelectionInfo-v920), when sent.
    public var imsEmergencySupport: Bool = false
    public var qQualMin: Int?
    /// True when later non-critical extensions (v1130 onwards) follow; they end the message and are not read.
    public var laterExtensionsPresent: Bool = false

    public var qRxLevMinDBm: Int { 2 * qRxLevMin }
    /// The MCC of the first PLMN (always present there).
    public var mcc: String? { plmns.first?.mcc }
    public var mnc: String? { plmns.first?.mnc }

    static let siPeriodicities = ["rf8", "rf16", "rf32", "rf64", "rf128", "rf256", "rf512"]
    static let siPeriodicityFrames = [8, 16, 32, 64, 128, 256, 512]
    static let siWindowLengths = ["ms1", "ms2", "ms5", "ms10", "ms15", "ms20", "ms40"]
    static let siWindowMs = [1, 2, 5, 10, 15, 20, 40]
    /// SIB-Type root values (Rel-8 names, later releases' sibType12…18 took the spares; 16 in the root).
    static let sibTypeNames = ["sibType3", "sibType4", "sibType5", "sibType6", "sibType7", "sibType8", "sibType9",
                               "sibType10", "sibType11", "sibType12-v920", "sibType13-v920", "sibType14-v1130",
                               "sibType15-v1130", "sibType16-v1130", "sibType17-v1250", "sibType18-v1250"]
    /// SIB numbers of the SIB-Type extension values in order (sibType19-v1250, 20-v1310, 21-v1430, 24…26-v1530).
    static let sibTypeExtensionNumbers = [19, 20, 21, 24, 25, 26]

    static func decode(_ r: inout UPERReader) throws(RRCDecodeError) -> SystemInformationBlockType1 {
        // Not extensible; OPTIONAL p-Max, tdd-Config, nonCriticalExtension.
        let opt = try r.optionals(3, "systemInformationBlockType1")
        // cellAccessRelatedInfo: OPTIONAL csg-Identity.
        let csgPresent = try r.bit("cellAccessRelatedInfo")
        let plmnCount = try r.size(1...6, "plmn-IdentityList") // maxPLMN-r11
        var plmns: [PLMNIdentity] = []
        for _ in 0..<plmnCount {
            let mccPresent = try r.bit("plmn-Identity")
            var mcc: String?
            if mccPresent {
                var d = ""
                for _ in 0..<3 { d += String(try r.integer(0...9, "MCC-MNC-Digit")) }
                mcc = d
            }
            let n = try r.size(2...3, "mnc")
            var mnc = ""
            for _ in 0..<n { mnc += String(try r.integer(0...9, "MCC-MNC-Digit")) }
            let reserved = try r.enumerated(["reserved", "notReserved"], "cellReservedForOperatorUse") == 0
            plmns.append(PLMNIdentity(mcc: mcc ?? plmns.last?.mcc, mnc: mnc, reservedForOperatorUse: reserved))
        }
        let tac = try r.bitString(16, "trackingAreaCode")
        let ci = try r.bitString(28, "cellIdentity")
        let barred = try r.enumerated(["barred", "notBarred"], "cellBarred") == 0
        let intra = try r.enumerated(["allowed", "notAllowed"], "intraFreqReselection") == 0
        let csg = try r.boolean("csg-Indication")
        let csgIdentity = csgPresent ? try r.bitString(27, "csg-Identity") : nil
        // cellSelectionInfo: OPTIONAL q-RxLevMinOffset.
        let offsetPresent = try r.bit("cellSelectionInfo")
        let qRxLevMin = try r.integer(-70...(-22), "q-RxLevMin")
        let offset = offsetPresent ? try r.integer(1...8, "q-RxLevMinOffset") : nil
        let pMax = opt[0] ? try r.integer(-30...33, "p-Max") : nil
        let band = try r.integer(1...64, "freqBandIndicator")
        let siCount = try r.size(1...32, "schedulingInfoList") // maxSI-Message
        var scheduling: [SchedulingInfo] = []
        for _ in 0..<siCount {
            let p = try r.enumerated(siPeriodicities, "si-Periodicity")
            let m = try r.size(0...31, "sib-MappingInfo") // maxSIB-1
            var sibs: [Int] = []
            for _ in 0..<m {
                let t = try r.enumerated(sibTypeNames, "sib-MappingInfo", extensible: true)
                let k = t - sibTypeNames.count
                sibs.append(t < sibTypeNames.count ? t + 3 : (k < sibTypeExtensionNumbers.count ? sibTypeExtensionNumbers[k] : 100 + k))
            }
            scheduling.append(SchedulingInfo(periodicityFrames: siPeriodicityFrames[p], sibTypes: sibs))
        }
        var tdd: TDDConfiguration?
        if opt[1] {
            let sa = try r.enumerated((0..<7).map { "sa\($0)" }, "subframeAssignment")
            let ssp = try r.enumerated((0..<9).map { "ssp\($0)" }, "specialSubframePatterns")
            tdd = TDDConfiguration(subframeAssignment: sa, specialSubframePattern: ssp)
        }
        let window = try r.enumerated(siWindowLengths, "si-WindowLength")
        let tag = try r.integer(0...31, "systemInfoValueTag")
        var sib1 = SystemInformationBlockType1(
            plmns: plmns, trackingAreaCode: tac, cellIdentity: ci, cellBarred: barred,
            intraFrequencyReselectionAllowed: intra, csgIndication: csg, csgIdentity: csgIdentity,
            qRxLevMin: qRxLevMin, qRxLevMinOffset: offset, pMax: pMax, frequencyBandIndicator: band,
            schedulingInfo: scheduling, tddConfiguration: tdd, siWindowLengthMs: siWindowMs[window],
            systemInfoValueTag: tag)
        if opt[2] {
            // SystemInformationBlockType1-v890-IEs: lateNonCriticalExtension, nonCriticalExtension (v920).
            let v890 = try r.optionals(2, "SystemInformationBlockType1-v890-IEs")
            if v890[0] { _ = try r.octetString(nil, "lateNonCriticalExtension") }
            if v890[1] {
                // v920: ims-EmergencySupport-r9, cellSelectionInfo-v920, nonCriticalExtension (v1130).
                let v920 = try r.optionals(3, "SystemInformationBlockType1-v920-IEs")
                if v920[0] { sib1.imsEmergencySupport = try r.enumerated(["true"], "ims-EmergencySupport-r9") == 0 }
                if v920[1] {
                    let qOffset = try r.bit("cellSelectionInfo-v920")
                    sib1.qQualMin = try r.integer(-34...(-3), "q-QualMin-r9")
                    if qOffset { _ = try r.integer(1...8, "q-QualMinOffset-r9") }
                }
                sib1.laterExtensionsPresent = v920[2]
            }
        }
        return sib1
    }
}
