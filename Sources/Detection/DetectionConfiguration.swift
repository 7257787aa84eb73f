import Foundation

/// Thresholds and lists the rules use. Every default says where it comes from; those marked
/// "provisional" are engineering guesses to be tuned on the simulated scenarios and recordings.
public struct DetectionConfiguration: Sendable {
    /// MNCs allocated per MCC of the country the sensors work in. A PLMN whose MCC is listed but whose
    /// MNC is not is unknown; a PLMN whose MCC is not listed is foreign.
    public var countryMNCs: [Int: Set<Int>] = [460: DetectionConfiguration.chinaMNCs]
    /// PLMNs (MCC, MNC) accepted whatever the lists say: roaming partners across a border (Hong Kong
    /// 454, Macau 455), private networks the user knows about.
    public var allowedPLMNs: Set<PLMNCode> = []

    /// China (MCC 460) MNCs: 00/02/04/07/08 China Mobile, 01/06/09 China Unicom, 03/05/11 China Telecom,
    /// 15 China Broadnet, 20 China Tietong (GSM-R). Source: the Wikipedia list "Mobile Network Codes in
    /// ITU region 4xx (Asia)" as of 2024, not checked against the ITU-T E.212 Operational Bulletin;
    /// 04 and 08 are held by China Mobile for IoT/satellite use and are rarely heard on a broadcast
    /// channel. Extend through `countryMNCs` or `allowedPLMNs` rather than by editing this list.
    public static let chinaMNCs: Set<Int> = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 15, 20]

    /// CELL_RESELECT_OFFSET raw value above which the C2 bonus is abnormal: 40 = 80 dB (TS 45.008 §9);
    /// SnoopSnitch and Crocodile Hunter use the same bound.
    public var cellReselectOffsetLimit = 40
    /// CRO (raw) from which an immediate bonus (TEMPORARY_OFFSET 0, PENALTY_TIME 0) is unusual:
    /// 20 = 40 dB. Provisional.
    public var immediateBonusCellReselectOffset = 20
    /// T3212 (deci-hours) below which the periodic update is unusually frequent: 10 = 1 hour.
    /// Provisional; networks commonly use 1–4 hours (TS 44.018 §10.5.2.11 gives the unit).
    public var t3212LowLimitDeciHours = 10

    /// GSM BTS carrier accuracy: 0.05 ppm (TS 45.010 §5.1, TS 45.005 §6.1).
    public var gsmFrequencyTolerancePPM = 0.05
    /// LTE eNB accuracy: 0.05 ppm wide area, 0.1 ppm local area, 0.25 ppm home eNB (TS 36.104 §6.5.1).
    /// The local-area figure so that small cells do not alarm.
    public var lteFrequencyTolerancePPM = 0.1
    /// What a calibrated sensor may still be off (GPSDO or calibration residual, estimator noise).
    /// Provisional.
    public var calibratedSensorResidualPPM = 0.03
    /// Allowance when an uncalibrated sensor's error is estimated from the median of known cells it
    /// hears (the median's own scatter). Provisional.
    public var referenceResidualPPM = 0.1
    /// Known cells the uncalibrated sensor must hear before its own error is estimated.
    public var minimumReferenceCells = 3
    /// Speed assumed when a fix gives none, for the Doppler allowance: 33 m/s (120 km/h) adds 0.11 ppm.
    public var assumedSpeedMetersPerSecond = 33.0

    /// CCCH load typical of an SMS blaster, per second. Provisional: a non-combined CCCH carries at most
    /// 9 blocks per 51-multiframe (≈ 38 messages/s; TS 45.002 §6.5); a busy real cell pages a few to a
    /// few tens per second and assigns a few per second.
    public var pagingPerSecondLimit = 20.0
    public var immediateAssignmentsPerSecondLimit = 2.0
    /// Counts over a shorter window say too little.
    public var minimumCountWindowSeconds = 5.0
    /// A sensor's shorter counts of one cell (dwells of a second or two) within this many seconds are
    /// added up into one rate. Provisional: long enough to gather 5 s from a sweep that returns to a
    /// channel every 20–60 s, short enough that an old burst of traffic does not linger.
    public var ccchCountWindowSeconds: TimeInterval = 300

    /// Margin beyond a known cell's range before "heard outside its area" fires. Provisional.
    public var areaMarginMeters = 3000.0
    /// Furthest a GSM cell is used: timing advance 63 ≈ 35 km (TS 45.010 §5.5). Two sensors hearing one
    /// fixed cell are at most twice this apart.
    public var maximumAudibleRangeMeters = 35_000.0
    /// Sightings older than this are not compared for movement.
    public var movementWindow: TimeInterval = 3600

    /// Observations of a LAC/TAC before "only one cell in it" is evidence.
    public var singleCellAreaMinimumObservations = 20

    // MARK: Cells heard together

    /// Cells heard within this time of each other (and, across sensors, this distance) count as heard
    /// together: the neighbourhood the LAC and neighbour-list checks compare with. Provisional.
    public var neighbourhoodWindowSeconds: TimeInterval = 120
    public var neighbourhoodRadiusMeters = 3000.0
    /// Same-operator cells heard together, all in other LACs, before "LAC unlike every neighbour's" fires.
    public var areaCodeMinimumNeighbours = 3
    /// Listed neighbours heard (with a decoded list of their own) before "none lists it back" fires.
    public var reciprocityMinimumNeighbours = 2

    // MARK: A cell that appears

    /// A cell first heard less than this ago counts as new. Provisional.
    public var newCellMaximumAgeSeconds: TimeInterval = 1800
    /// …and is evidence only if the sensor had been decoding cells at that place for this long before
    /// without hearing it, and until at most `newCellMaximumGapSeconds` before it appeared. Provisional.
    public var newCellWatchedBeforeSeconds: TimeInterval = 7200
    public var newCellMaximumGapSeconds: TimeInterval = 600

    // MARK: Operator norms

    /// Observations behind an operator's norm of a parameter before it is used.
    public var normMinimumSamples = 50
    /// A value counts as far from the norm below the `normQuantile` quantile or above 1 − `normQuantile`,
    /// by more than the parameter's margin (raw units; power in dB). Provisional.
    public var normQuantile = 0.01
    public var normMargins: [OperatorNorms.Parameter: Int] = [
        .cellReselectOffset: 2, .t3212: 0, .neighbourCount: 2, .bsPaMfrms: 0, .powerDBm: 6,
    ]

    // MARK: Power

    /// Rise over the median of the cell's own earlier power, measured by the same sensor within
    /// `powerHistoryRadiusMeters` of the present position, that counts as a jump. Provisional.
    public var powerJumpDB = 15.0
    public var powerHistoryMinimumSamples = 5
    public var powerHistoryRadiusMeters = 300.0
    /// …and the cell must then also be this much stronger than every other cell the sensor heard within
    /// `neighbourhoodWindowSeconds`.
    public var powerAboveOthersDB = 3.0

    // MARK: Channels

    /// GSM ARFCNs each operator holds, keyed by MCC/MNC. An operator not listed is not checked; one
    /// listed with no ranges runs no GSM network. Default: China (see `chinaGSMChannels`).
    public var operatorGSMChannels: [PLMNCode: [ClosedRange<Int>]] = DetectionConfiguration.chinaGSMChannels

    /// China's GSM allocations as downlink ARFCNs (E-GSM 900: f = 935 + 0.2·n MHz, n = 0–124, and
    /// 925.2 + 0.2·(n − 975) for n = 975–1023; DCS 1800: f = 1805.2 + 0.2·(n − 512); TS 45.005 §2).
    /// China Mobile: 930–954 MHz (ARFCN 1000–1023 and 0–94) and 1805–1820 MHz (512–586); China Unicom:
    /// 954–960 MHz (95–124) and 1840–1850 MHz (686–736); China Telecom runs no GSM.
    /// Source: the MIIT band split as published in the Wikipedia articles "GSM frequency bands" and
    /// "China Mobile"/"China Unicom" (2024), not checked against MIIT documents; the edge channels are
    /// counted inside. Operators refarm within their own blocks, so the blocks stay valid.
    public static let chinaGSMChannels: [PLMNCode: [ClosedRange<Int>]] = {
        let mobile: [ClosedRange<Int>] = [0...94, 1000...1023, 512...586]
        let unicom: [ClosedRange<Int>] = [95...124, 686...736]
        var t: [PLMNCode: [ClosedRange<Int>]] = [:]
        for mnc in [0, 2, 7] { t[PLMNCode(mcc: 460, mnc: mnc)] = mobile }
        for mnc in [1, 6, 9] { t[PLMNCode(mcc: 460, mnc: mnc)] = unicom }
        for mnc in [3, 5, 11] { t[PLMNCode(mcc: 460, mnc: mnc)] = [] }
        return t
    }()

    // MARK: Jamming and undecoded energy

    /// Rise of an LTE channel's band power over its own median (same sensor) that counts as jamming, the
    /// earlier measurements that median needs, and how close in time to a GSM cell's appearance the rise
    /// must be. Provisional.
    public var jamRiseDB = 10.0
    public var jamMinimumHistory = 5
    public var jamWindowSeconds: TimeInterval = 120
    /// A carrier with no decoded cell is evidence when this far above the noise floor (dB), continuous,
    /// and undecoded in this many measurements spanning this long. Provisional.
    public var undecodedMinimumSNR = 20.0
    public var undecodedMinimumCount = 3
    public var undecodedMinimumSpanSeconds: TimeInterval = 60

    // MARK: LTE reselection

    /// SIB3 threshServingLow (raw, × 2 dB) from which the serving LTE cell counts as "low" nearly
    /// everywhere (TS 36.304 §5.2.4.5): 20 = 40 dB above q-RxLevMin, i.e. below about −84 dBm RSRP at the
    /// usual −124 dBm minimum. Provisional.
    public var lteThreshServingLowLimit = 20

    public init() {}
}

/// MCC and MNC as numbers.
public struct PLMNCode: Hashable, Sendable, Codable {
    public var mcc: Int
    public var mnc: Int
    public init(mcc: Int, mnc: Int) {
        self.mcc = mcc
        self.mnc = mnc
    }
}
