/// SystemInformationBlockType2, TS 36.331 §6.3.1: access barring, common radio resources, timers.
/// Every root field is read (UPER has no lengths in a root, so SIB3 behind it in the same SI message
/// is only reachable that way); the fields a detector or an analyst looks at are kept, the rest are in the trace.
public struct SystemInformationBlockType2: Sendable, Equatable {
    public struct AccessBarring: Sendable, Equatable {
        public var emergency: Bool
        /// ac-BarringFactor in percent and ac-BarringTime in seconds, for MO signalling and MO data.
        public var moSignalling: (factorPercent: Int, timeSeconds: Int)?
        public var moData: (factorPercent: Int, timeSeconds: Int)?
        public static func == (a: Self, b: Self) -> Bool {
            a.emergency == b.emergency && a.moSignalling?.0 == b.moSignalling?.0 && a.moSignalling?.1 == b.moSignalling?.1
                && a.moData?.0 == b.moData?.0 && a.moData?.1 == b.moData?.1
        }
    }
    public var accessBarring: AccessBarring?
    public var numberOfRAPreambles: Int
    public var preambleTransMax: Int
    public var prachRootSequenceIndex: Int
    public var prachConfigurationIndex: Int
    /// referenceSignalPower, dBm per resource element.
    public var referenceSignalPower: Int
    /// defaultPagingCycle in radio frames.
    public var defaultPagingCycle: Int
    /// t300 and t310 in ms, n310.
    public var t300Ms: Int
    public var t310Ms: Int
    public var n310: Int
    public var uplinkCarrierEARFCN: Int?
    public var uplinkBandwidthPRB: Int?
    public var additionalSpectrumEmission: Int
    public var mbsfnSubframeConfigurations: Int

    static let barringFactors = [0, 5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95]
    static let barringTimes = [4, 8, 16, 32, 64, 128, 256, 512]

    /// AC-BarringConfig.
    static func barring(_ r: inout UPERReader) throws(RRCDecodeError) -> (factorPercent: Int, timeSeconds: Int) {
        let f = try r.enumerated(barringFactors.map { $0 < 10 ? "p0\($0)" : "p\($0)" }, "ac-BarringFactor")
        let t = try r.enumerated(barringTimes.map { "s\($0)" }, "ac-BarringTime")
        _ = try r.bitString(5, "ac-BarringForSpecialAC")
        return (barringFactors[f], barringTimes[t])
    }

    static func decode(_ r: inout UPERReader) throws(RRCDecodeError) -> SystemInformationBlockType2 {
        let ext = try r.bit("sib2")
        let opt = try r.optionals(2, "sib2") // ac-BarringInfo, mbsfn-SubframeConfigList
        var barring: AccessBarring?
        if opt[0] {
            let o = try r.optionals(2, "ac-BarringInfo")
            let e = try r.boolean("ac-BarringForEmergency")
            barring = AccessBarring(emergency: e, moSignalling: o[0] ? try Self.barring(&r) : nil, moData: o[1] ? try Self.barring(&r) : nil)
        }
        // RadioResourceConfigCommonSIB (§6.3.2), extensible.
        let rrExt = try r.bit("radioResourceConfigCommon")
        // RACH-ConfigCommon, extensible.
        let rachExt = try r.bit("rach-ConfigCommon")
        let groupA = try r.bit("preambleInfo")
        let preambles = try r.enumerated(stride(from: 4, through: 64, by: 4).map { "n\($0)" }, "numberOfRA-Preambles")
        if groupA {
            let gExt = try r.bit("preamblesGroupAConfig")
            try r.enumerated(stride(from: 4, through: 60, by: 4).map { "n\($0)" }, "sizeOfRA-PreamblesGroupA")
            try r.enumerated(["b56", "b144", "b208", "b256"], "messageSizeGroupA")
            try r.enumerated(["minusinfinity", "dB0", "dB5", "dB8", "dB10", "dB12", "dB15", "dB18"], "messagePowerOffsetGroupB")
            if gExt { try r.extensionAdditions("preamblesGroupAConfig") }
        }
        try r.enumerated(["dB0", "dB2", "dB4", "dB6"], "powerRampingStep")
        try r.enumerated(stride(from: -120, through: -90, by: 2).map { "dBm\($0)" }, "preambleInitialReceivedTargetPower")
        let transMaxValues = [3, 4, 5, 6, 7, 8, 10, 20, 50, 100, 200]
        let transMax = try r.enumerated(transMaxValues.map { "n\($0)" }, "preambleTransMax")
        try r.enumerated(["sf2", "sf3", "sf4", "sf5", "sf6", "sf7", "sf8", "sf10"], "ra-ResponseWindowSize")
        try r.enumerated(stride(from: 8, through: 64, by: 8).map { "sf\($0)" }, "mac-ContentionResolutionTimer")
        _ = try r.integer(1...8, "maxHARQ-Msg3Tx")
        if rachExt { try r.extensionAdditions("rach-ConfigCommon") }
        // BCCH-Config, PCCH-Config.
        try r.enumerated(["n2", "n4", "n8", "n16"], "modificationPeriodCoeff")
        let paging = try r.enumerated(["rf32", "rf64", "rf128", "rf256"], "defaultPagingCycle")
        try r.enumerated(["fourT", "twoT", "oneT", "halfT", "quarterT", "oneEighthT", "oneSixteenthT", "oneThirtySecondT"], "nB")
        // PRACH-ConfigSIB.
        let root = try r.integer(0...837, "rootSequenceIndex")
        let prachIndex = try r.integer(0...63, "prach-ConfigIndex")
        _ = try r.boolean("highSpeedFlag")
        _ = try r.integer(0...15, "zeroCorrelationZoneConfig")
        _ = try r.integer(0...94, "prach-FreqOffset")
        // PDSCH-ConfigCommon.
        let rsPower = try r.integer(-60...50, "referenceSignalPower")
        _ = try r.integer(0...3, "p-b")
        // PUSCH-ConfigCommon.
        _ = try r.integer(1...4, "n-SB")
        try r.enumerated(["interSubFrame", "intraAndInterSubFrame"], "hoppingMode")
        _ = try r.integer(0...98, "pusch-HoppingOffset")
        _ = try r.boolean("enable64QAM")
        _ = try r.boolean("groupHoppingEnabled")
        _ = try r.integer(0...29, "groupAssignmentPUSCH")
        _ = try r.boolean("sequenceHoppingEnabled")
        _ = try r.integer(0...7, "cyclicShift")
        // PUCCH-ConfigCommon.
        try r.enumerated(["ds1", "ds2", "ds3"], "deltaPUCCH-Shift")
        _ = try r.integer(0...98, "nRB-CQI")
        _ = try r.integer(0...7, "nCS-AN")
        _ = try r.integer(0...2047, "n1PUCCH-AN")
        // SoundingRS-UL-ConfigCommon ::= CHOICE { release NULL, setup SEQUENCE {…} }.
        if try r.choice(2, "soundingRS-UL-ConfigCommon") == 1 {
            let maxUpPts = try r.bit("setup")
            try r.enumerated((0..<8).map { "bw\($0)" }, "srs-BandwidthConfig")
            try r.enumerated((0..<16).map { "sc\($0)" }, "srs-SubframeConfig")
            _ = try r.boolean("ackNackSRS-SimultaneousTransmission")
            if maxUpPts { try r.enumerated(["true"], "srs-MaxUpPts") }
        } else {
            r.traced("soundingRS-UL-ConfigCommon", "release")
        }
        // UplinkPowerControlCommon.
        _ = try r.integer(-126...24, "p0-NominalPUSCH")
        try r.enumerated(["al0", "al04", "al05", "al06", "al07", "al08", "al09", "al1"], "alpha")
        _ = try r.integer(-127...(-96), "p0-NominalPUCCH")
        try r.enumerated(["deltaF-2", "deltaF0", "deltaF2"], "deltaF-PUCCH-Format1")
        try r.enumerated(["deltaF1", "deltaF3", "deltaF5"], "deltaF-PUCCH-Format1b")
        try r.enumerated(["deltaF-2", "deltaF0", "deltaF1", "deltaF2"], "deltaF-PUCCH-Format2")
        try r.enumerated(["deltaF-2", "deltaF0", "deltaF2"], "deltaF-PUCCH-Format2a")
        try r.enumerated(["deltaF-2", "deltaF0", "deltaF2"], "deltaF-PUCCH-Format2b")
        _ = try r.integer(-1...6, "deltaPreambleMsg3")
        try r.enumerated(["len1", "len2"], "ul-CyclicPrefixLength")
        if rrExt { try r.extensionAdditions("radioResourceConfigCommon") }
        // UE-TimersAndConstants, extensible.
        let timersExt = try r.bit("ue-TimersAndConstants")
        let t30x = [100, 200, 300, 400, 600, 1000, 1500, 2000]
        let t300 = try r.enumerated(t30x.map { "ms\($0)" }, "t300")
        try r.enumerated(t30x.map { "ms\($0)" }, "t301")
        let t310Values = [0, 50, 100, 200, 500, 1000, 2000]
        let t310 = try r.enumerated(t310Values.map { "ms\($0)" }, "t310")
        let n310Values = [1, 2, 3, 4, 6, 8, 10, 20]
        let n310 = try r.enumerated(n310Values.map { "n\($0)" }, "n310")
        try r.enumerated([1000, 3000, 5000, 10000, 15000, 20000, 30000].map { "ms\($0)" }, "t311")
        try r.enumerated([1, 2, 3, 4, 5, 6, 8, 10].map { "n\($0)" }, "n311")
        if timersExt { try r.extensionAdditions("ue-TimersAndConstants") }
        // freqInfo: OPTIONAL ul-CarrierFreq, ul-Bandwidth.
        let f = try r.optionals(2, "freqInfo")
        let ulFreq = f[0] ? try r.integer(0...65535, "ul-CarrierFreq") : nil
        let ulBW = f[1] ? MasterInformationBlock.bandwidths[try r.enumerated(MasterInformationBlock.bandwidths.map { "n\($0)" }, "ul-Bandwidth")] : nil
        let ase = try r.integer(1...32, "additionalSpectrumEmission")
        var mbsfn = 0
        if opt[1] {
            mbsfn = try r.size(1...8, "mbsfn-SubframeConfigList") // maxMBSFN-Allocations
            for _ in 0..<mbsfn {
                try r.enumerated(["n1", "n2", "n4", "n8", "n16", "n32"], "radioframeAllocationPeriod")
                _ = try r.integer(0...7, "radioframeAllocationOffset")
                if try r.choice(2, "subframeAllocation") == 0 {
                    _ = try r.bitString(6, "oneFrame")
                } else {
                    _ = try r.bitString(24, "fourFrames")
                }
            }
        }
        try r.enumerated(["sf500", "sf750", "sf1280", "sf1920", "sf2560", "sf5120", "sf10240", "infinity"], "timeAlignmentTimerCommon")
        if ext { try r.extensionAdditions("sib2") }
        return SystemInformationBlockType2(
            accessBarring: barring, numberOfRAPreambles: 4 * (preambles + 1), preambleTransMax: transMaxValues[transMax],
            prachRootSequenceIndex: root, prachConfigurationIndex: prachIndex, referenceSignalPower: rsPower,
            defaultPagingCycle: [32, 64, 128, 256][paging], t300Ms: t30x[t300], t310Ms: t310Values[t310], n310: n310Values[n310],
            uplinkCarrierEARFCN: ulFreq, uplinkBandwidthPRB: ulBW, additionalSpectrumEmission: ase,
            mbsfnSubframeConfigurations: mbsfn)
    }
}
