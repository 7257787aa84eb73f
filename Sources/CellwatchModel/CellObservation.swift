import Foundation

/// One sensor's view of one cell over a short observation window: who the cell says it is, the
/// broadcast parameters we decoded, how its carrier looked, and where and when the sensor was.
///
/// Flat on purpose: every field that a detection rule reads is one property away. A field that was
/// not decoded is nil; an empty list is a decoded empty list (an empty neighbour list means SI2 was
/// decoded and lists no neighbour, which is itself evidence).
public struct CellObservation: Hashable, Sendable, Codable {
    public var rat: RAT
    public var channel: RadioChannel
    public var identity: CellIdentity

    // MARK: GSM broadcast parameters (SI3/SI4 and SI2; raw field values, not converted)

    /// CELL_RESELECT_OFFSET, 0–63, meaning 0–126 dB in 2 dB steps (TS 45.008 §9, TS 44.018 §10.5.2.35).
    public var cellReselectOffset: Int?
    /// TEMPORARY_OFFSET, 0–7, meaning 0–60 dB in 10 dB steps, 7 = infinity (TS 45.008 §9).
    public var temporaryOffset: Int?
    /// PENALTY_TIME, 0–31, meaning 20–620 s in 20 s steps; 31 = CELL_RESELECT_OFFSET is subtracted
    /// and TEMPORARY_OFFSET ignored (TS 45.008 §6.4, §9).
    public var penaltyTime: Int?
    /// T3212 periodic location update timer, in deci-hours (6 minutes); 0 = no periodic update
    /// (TS 44.018 §10.5.2.11, Control Channel Description).
    public var t3212DeciHours: Int?
    /// CCCH_CONF, 0–7 (TS 44.018 §10.5.2.11): 1 = one basic physical channel combined with SDCCH/4.
    public var ccchConf: Int?
    /// BS_PA_MFRMS field value 0–7, meaning 2–9 51-multiframes between paging blocks of a group
    /// (TS 44.018 §10.5.2.11).
    public var bsPaMfrms: Int?
    /// BCCH allocation from SI2 (and SI2bis/2ter when decoded); nil when SI2 was not decoded.
    public var neighbourARFCNs: [ARFCN]?

    // MARK: LTE broadcast (SIB1, SIB3, SIB5, SIB6, SIB7; raw field values, nil where not decoded)

    /// cellBarred of SIB1 (TS 36.331 §6.2.2).
    public var cellBarred: Bool? = nil
    /// cellReselectionPriority of the serving E-UTRA frequency, SIB3 (0 lowest … 7 highest; TS 36.304 §5.2.4.1).
    public var servingReselectionPriority: Int? = nil
    /// threshServingLow of SIB3 (0–31, × 2 dB): below it the UE may reselect to a lower-priority RAT
    /// (TS 36.304 §5.2.4.5).
    public var threshServingLow: Int? = nil
    /// The cellReselectionPriority of each SIB5 inter-frequency E-UTRA carrier that has one.
    public var eutraNeighbourPriorities: [Int]? = nil
    /// The cellReselectionPriority of each SIB6 UTRA carrier that has one.
    public var utraPriorities: [Int]? = nil
    /// The cellReselectionPriority of each SIB7 GERAN carrier group that has one (nil: SIB7 not decoded).
    public var geranPriorities: [Int]? = nil
    /// threshX-High (0–31, × 2 dB) of the SIB7 GERAN group with the highest priority.
    public var geranThreshXHigh: Int? = nil
    /// threshX-Low (0–31, × 2 dB) of that group.
    public var geranThreshXLow: Int? = nil

    // MARK: CCCH load over the observation window

    /// Paging request messages (types 1–3) counted on the CCCH during the window.
    public var pagingRequestCount: Int?
    /// Immediate assignment messages (and extended) counted on the AGCH during the window.
    public var immediateAssignmentCount: Int?
    /// Length of the window over which the two counts were taken, in seconds.
    public var countWindowSeconds: Double?

    // MARK: RF

    /// Received carrier power relative to the ADC's full scale.
    public var powerDBFS: Decibels?
    /// Received carrier power in dBm, when the sensor's gain is calibrated.
    public var powerDBm: Decibels?
    /// Signal to noise ratio of the carrier.
    public var snrDB: Decibels?
    /// Carrier frequency offset measured against the channel's nominal downlink frequency, after the
    /// sensor's own frequency correction when `frequencyCalibrated` is true.
    public var carrierOffset: Hertz?
    /// The same offset in parts per million of the nominal downlink frequency.
    public var carrierOffsetPPM: Double?
    /// True when the sensor's reference was disciplined (GPSDO) or calibrated (`cellwatch calibrate`)
    /// so that `carrierOffset` is the cell's error rather than the sensor's crystal error.
    public var frequencyCalibrated: Bool

    // MARK: Who, where, when

    public var sensorID: String
    /// The sensor's position during the window; nil without a GPS fix.
    public var position: GeoFix?
    /// End of the observation window.
    public var time: Date

    public init(rat: RAT, channel: RadioChannel, identity: CellIdentity,
                cellReselectOffset: Int? = nil, temporaryOffset: Int? = nil, penaltyTime: Int? = nil,
                t3212DeciHours: Int? = nil, ccchConf: Int? = nil, bsPaMfrms: Int? = nil,
                neighbourARFCNs: [ARFCN]? = nil,
                pagingRequestCount: Int? = nil, immediateAssignmentCount: Int? = nil,
                countWindowSeconds: Double? = nil,
                powerDBFS: Decibels? = nil, powerDBm: Decibels? = nil, snrDB: Decibels? = nil,
                carrierOffset: Hertz? = nil, carrierOffsetPPM: Double? = nil, frequencyCalibrated: Bool = false,
                sensorID: String, position: GeoFix? = nil, time: Date) {
        self.rat = rat
        self.channel = channel
        self.identity = identity
        self.cellReselectOffset = cellReselectOffset
        self.temporaryOffset = temporaryOffset
        self.penaltyTime = penaltyTime
        self.t3212DeciHours = t3212DeciHours
        self.ccchConf = ccchConf
        self.bsPaMfrms = bsPaMfrms
        self.neighbourARFCNs = neighbourARFCNs
        self.pagingRequestCount = pagingRequestCount
        self.immediateAssignmentCount = immediateAssignmentCount
        self.countWindowSeconds = countWindowSeconds
        self.powerDBFS = powerDBFS
        self.powerDBm = powerDBm
        self.snrDB = snrDB
        self.carrierOffset = carrierOffset
        self.carrierOffsetPPM = carrierOffsetPPM
        self.frequencyCalibrated = frequencyCalibrated
        self.sensorID = sensorID
        self.position = position
        self.time = time
    }

    /// The carrier offset in ppm: the stored value, or the offset in hertz over the nominal frequency.
    public var carrierErrorPPM: Double? {
        if let carrierOffsetPPM { return carrierOffsetPPM }
        guard let carrierOffset, let f = channel.downlinkFrequency, f.value > 0 else { return nil }
        return carrierOffset.value / f.value * 1e6
    }
}
