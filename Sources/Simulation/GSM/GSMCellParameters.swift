import CellwatchModel
import GSM

/// Everything a scenario sets for one GSM BCCH carrier (C0) of a cell: identity, broadcast parameters
/// (TS 44.018 §10.5.2) and the load on its common control channels.
///
/// Values are given as the coded fields of the air interface (ranges in the comments), so what a
/// scenario writes is exactly what a receiver decodes. `validationProblems()` names every field out of
/// range. In `Codable` form only `arfcn`, `mcc`, `mnc`, `lac` and `cellId` are required; a missing key
/// takes the value of `defaults(…)`.
public struct GSMCellParameters: Sendable, Hashable, Codable {
    public var arfcn: ARFCN
    /// Network colour code, 0–7 (TS 23.003 §4.3.2).
    public var ncc: Int
    /// Base station colour code, 0–7; also the training sequence code of the carrier.
    public var bcc: Int
    /// Three decimal digits.
    public var mcc: String
    /// Two or three decimal digits.
    public var mnc: String
    /// Location area code, 0–65535.
    public var lac: Int
    /// Cell identity, 0–65535.
    public var cellId: Int

    /// CELL_RESELECT_OFFSET coded 0–63 (2 dB steps; TS 45.008 §6.4, TS 44.018 §10.5.2.35).
    public var cellReselectOffset: Int
    /// TEMPORARY_OFFSET coded 0–7 (10 dB steps; 7 means infinity).
    public var temporaryOffset: Int
    /// PENALTY_TIME coded 0–31 (20 s + 20 s × code; 31 means CRO is subtracted instead).
    public var penaltyTime: Int
    /// CELL-RESELECT-HYSTERESIS coded 0–7 (2 dB steps).
    public var cellReselectHysteresis: Int
    /// T3212 periodic location updating timer in deci-hours (6 min), 0–255; 0 means none.
    public var t3212: Int
    /// BS_PA_MFRMS as a number of 51-multiframes, 2–9 (sent coded as value − 2).
    public var bsPaMfrms: Int
    /// BS_AG_BLKS_RES: CCCH blocks of each 51-multiframe reserved for AGCH, 0–7 (of the 9 CCCH
    /// blocks of a non-combined C0; TS 45.002 §6.5.1, §7 Table 5).
    public var bsAgBlksRes: Int
    /// CCCH_CONF (TS 44.018 Table 10.5.2.11.1). Only 0 (one basic physical channel, not combined
    /// with SDCCH) is transmitted.
    public var ccchConf: Int
    /// ATT: mobiles apply IMSI attach and detach.
    public var attachDetachAllowed: Bool

    /// BA list of the cell (SI2 neighbour cell description, TS 44.018 §10.5.2.22), ARFCNs in the same
    /// band group; may be empty (as some fake cells send).
    public var neighbourARFCNs: [ARFCN]
    /// Extension of the BA list in SI2bis (EXT-IND set in SI2); empty means no SI2bis is sent.
    public var extendedNeighbourARFCNs: [ARFCN]
    /// Multiband neighbours in SI2ter (other band); empty means no SI2ter is sent.
    public var multibandNeighbourARFCNs: [ARFCN]
    /// Send a (minimal) SI2quater, announced in SI3 rest octets.
    public var sendsSI2quater: Bool

    /// CELL_BAR_ACCESS (RACH control parameters).
    public var cellBarred: Bool
    /// MS-TXPWR-MAX-CCH power control level, 0–31 (TS 45.005).
    public var msTxPwrMax: Int
    /// RXLEV-ACCESS-MIN coded 0–63 (−110 dBm + code).
    public var rxLevAccessMin: Int
    /// MAX-RETRANS coded 0–3 (1, 2, 4, 7 retransmissions).
    public var maxRetrans: Int
    /// TX-INTEGER coded 0–15.
    public var txInteger: Int
    /// GPRS is offered: SI13 is broadcast and SI3/SI4 rest octets carry the GPRS indicator.
    public var gprs: Bool

    /// Mean rate of Paging Request messages on the PCH (Poisson arrivals, each with 1–4 synthetic
    /// identities). An SMS blaster pages constantly.
    public var pagingRequestsPerSecond: Double
    /// Mean rate of Immediate Assignment messages on the AGCH (or PCH blocks when BS_AG_BLKS_RES = 0).
    public var immediateAssignmentsPerSecond: Double
    /// Frame number at scenario time 0 (timeslot 0, first bit), 0 ..< 2 715 648.
    public var firstFrameNumber: Int
    /// Power of the dummy bursts on idle timeslots 1–7 relative to timeslot 0, in dB (0: all slots at
    /// the same level, as a C0 transmits; negative values for a quieter traffic carrier).
    public var idleTimeslotRelativePowerDB: Double

    public init(arfcn: ARFCN, ncc: Int, bcc: Int, mcc: String, mnc: String, lac: Int, cellId: Int,
                cellReselectOffset: Int, temporaryOffset: Int, penaltyTime: Int, cellReselectHysteresis: Int,
                t3212: Int, bsPaMfrms: Int, bsAgBlksRes: Int, ccchConf: Int, attachDetachAllowed: Bool,
                neighbourARFCNs: [ARFCN], extendedNeighbourARFCNs: [ARFCN], multibandNeighbourARFCNs: [ARFCN],
                sendsSI2quater: Bool, cellBarred: Bool, msTxPwrMax: Int, rxLevAccessMin: Int,
                maxRetrans: Int, txInteger: Int, gprs: Bool,
                pagingRequestsPerSecond: Double, immediateAssignmentsPerSecond: Double,
                firstFrameNumber: Int, idleTimeslotRelativePowerDB: Double) {
        self.arfcn = arfcn
        self.ncc = ncc
        self.bcc = bcc
        self.mcc = mcc
        self.mnc = mnc
        self.lac = lac
        self.cellId = cellId
        self.cellReselectOffset = cellReselectOffset
        self.temporaryOffset = temporaryOffset
        self.penaltyTime = penaltyTime
        self.cellReselectHysteresis = cellReselectHysteresis
        self.t3212 = t3212
        self.bsPaMfrms = bsPaMfrms
        self.bsAgBlksRes = bsAgBlksRes
        self.ccchConf = ccchConf
        self.attachDetachAllowed = attachDetachAllowed
        self.neighbourARFCNs = neighbourARFCNs
        self.extendedNeighbourARFCNs = extendedNeighbourARFCNs
        self.multibandNeighbourARFCNs = multibandNeighbourARFCNs
        self.sendsSI2quater = sendsSI2quater
        self.cellBarred = cellBarred
        self.msTxPwrMax = msTxPwrMax
        self.rxLevAccessMin = rxLevAccessMin
        self.maxRetrans = maxRetrans
        self.txInteger = txInteger
        self.gprs = gprs
        self.pagingRequestsPerSecond = pagingRequestsPerSecond
        self.immediateAssignmentsPerSecond = immediateAssignmentsPerSecond
        self.firstFrameNumber = firstFrameNumber
        self.idleTimeslotRelativePowerDB = idleTimeslotRelativePowerDB
    }

    /// A typical legitimate cell: CRO 0, T3212 = 1 h (10 deci-hours), BS_PA_MFRMS 4, one AGCH block,
    /// RXLEV-ACCESS-MIN −105 dBm, light paging (2/s) and assignment (1/s) load, GPRS on, no SI2bis/ter.
    public static func defaults(arfcn: ARFCN, mcc: String, mnc: String, lac: Int, cellId: Int,
                                ncc: Int = 0, bcc: Int = 0, neighbourARFCNs: [ARFCN] = [],
                                firstFrameNumber: Int = 0) -> GSMCellParameters {
        GSMCellParameters(
            arfcn: arfcn, ncc: ncc, bcc: bcc, mcc: mcc, mnc: mnc, lac: lac, cellId: cellId,
            cellReselectOffset: 0, temporaryOffset: 0, penaltyTime: 0, cellReselectHysteresis: 2,
            t3212: 10, bsPaMfrms: 4, bsAgBlksRes: 1, ccchConf: 0, attachDetachAllowed: true,
            neighbourARFCNs: neighbourARFCNs, extendedNeighbourARFCNs: [], multibandNeighbourARFCNs: [],
            sendsSI2quater: false, cellBarred: false, msTxPwrMax: 5, rxLevAccessMin: 5,
            maxRetrans: 3, txInteger: 12, gprs: true,
            pagingRequestsPerSecond: 2, immediateAssignmentsPerSecond: 1,
            firstFrameNumber: firstFrameNumber, idleTimeslotRelativePowerDB: 0)
    }

    /// The BSIC (NCC, BCC) of the cell; nil when either is out of range.
    public var bsic: BSIC? { BSIC(ncc: UInt8(clamping: ncc), bcc: UInt8(clamping: bcc)) }

    /// Every field out of its coded range, as "field: problem" lines; empty when the carrier can be sent.
    public func validationProblems() -> [String] {
        var p: [String] = []
        func range(_ name: String, _ v: Int, _ r: ClosedRange<Int>) {
            if !r.contains(v) { p.append("\(name): \(v) is outside \(r.lowerBound)…\(r.upperBound)") }
        }
        func digits(_ name: String, _ s: String, _ counts: Set<Int>) {
            if !counts.contains(s.count) || !s.allSatisfy({ $0.isASCII && $0.isNumber }) {
                p.append("\(name): \"\(s)\" is not \(counts.sorted().map(String.init).joined(separator: " or ")) decimal digits")
            }
        }
        if GSMBand.allCases.first(where: { $0.contains(arfcn) }) == nil {
            p.append("arfcn: \(arfcn) is in no GSM band")
        }
        range("ncc", ncc, 0...7)
        range("bcc", bcc, 0...7)
        digits("mcc", mcc, [3])
        digits("mnc", mnc, [2, 3])
        range("lac", lac, 0...65535)
        range("cellId", cellId, 0...65535)
        range("cellReselectOffset", cellReselectOffset, 0...63)
        range("temporaryOffset", temporaryOffset, 0...7)
        range("penaltyTime", penaltyTime, 0...31)
        range("cellReselectHysteresis", cellReselectHysteresis, 0...7)
        range("t3212", t3212, 0...255)
        range("bsPaMfrms", bsPaMfrms, 2...9)
        range("bsAgBlksRes", bsAgBlksRes, 0...7)
        range("ccchConf", ccchConf, 0...0)
        range("msTxPwrMax", msTxPwrMax, 0...31)
        range("rxLevAccessMin", rxLevAccessMin, 0...63)
        range("maxRetrans", maxRetrans, 0...3)
        range("txInteger", txInteger, 0...15)
        range("firstFrameNumber", firstFrameNumber, 0...Int(GSMFrameNumber.hyperframe) - 1)
        for (name, list) in [("neighbourARFCNs", neighbourARFCNs), ("extendedNeighbourARFCNs", extendedNeighbourARFCNs),
                             ("multibandNeighbourARFCNs", multibandNeighbourARFCNs)] {
            for a in list where !(0...1023).contains(a.value) { p.append("\(name): \(a) is outside 0…1023") }
            if !GSMFrequencyListEncoder.fits(list) {
                p.append("\(name): \(list.map(\.value)) is neither all in 1…124 nor within 111 channels of its lowest (TS 44.018 §10.5.2.13)")
            }
        }
        if !(pagingRequestsPerSecond >= 0 && pagingRequestsPerSecond.isFinite) {
            p.append("pagingRequestsPerSecond: \(pagingRequestsPerSecond) is not a rate ≥ 0")
        }
        if !(immediateAssignmentsPerSecond >= 0 && immediateAssignmentsPerSecond.isFinite) {
            p.append("immediateAssignmentsPerSecond: \(immediateAssignmentsPerSecond) is not a rate ≥ 0")
        }
        if !(idleTimeslotRelativePowerDB.isFinite && idleTimeslotRelativePowerDB <= 0) {
            p.append("idleTimeslotRelativePowerDB: \(idleTimeslotRelativePowerDB) is not a finite level ≤ 0 dB")
        }
        return p
    }

    private enum CodingKeys: String, CodingKey {
        case arfcn, ncc, bcc, mcc, mnc, lac, cellId, cellReselectOffset, temporaryOffset, penaltyTime,
             cellReselectHysteresis, t3212, bsPaMfrms, bsAgBlksRes, ccchConf, attachDetachAllowed,
             neighbourARFCNs, extendedNeighbourARFCNs, multibandNeighbourARFCNs, sendsSI2quater, cellBarred,
             msTxPwrMax, rxLevAccessMin, maxRetrans, txInteger, gprs, pagingRequestsPerSecond,
             immediateAssignmentsPerSecond, firstFrameNumber, idleTimeslotRelativePowerDB
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var p = GSMCellParameters.defaults(
            arfcn: try c.decode(ARFCN.self, forKey: .arfcn), mcc: try c.decode(String.self, forKey: .mcc),
            mnc: try c.decode(String.self, forKey: .mnc), lac: try c.decode(Int.self, forKey: .lac),
            cellId: try c.decode(Int.self, forKey: .cellId))
        func opt<T: Decodable>(_ key: CodingKeys, _ path: WritableKeyPath<GSMCellParameters, T>) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { p[keyPath: path] = v }
        }
        try opt(.ncc, \.ncc)
        try opt(.bcc, \.bcc)
        try opt(.cellReselectOffset, \.cellReselectOffset)
        try opt(.temporaryOffset, \.temporaryOffset)
        try opt(.penaltyTime, \.penaltyTime)
        try opt(.cellReselectHysteresis, \.cellReselectHysteresis)
        try opt(.t3212, \.t3212)
        try opt(.bsPaMfrms, \.bsPaMfrms)
        try opt(.bsAgBlksRes, \.bsAgBlksRes)
        try opt(.ccchConf, \.ccchConf)
        try opt(.attachDetachAllowed, \.attachDetachAllowed)
        try opt(.neighbourARFCNs, \.neighbourARFCNs)
        try opt(.extendedNeighbourARFCNs, \.extendedNeighbourARFCNs)
        try opt(.multibandNeighbourARFCNs, \.multibandNeighbourARFCNs)
        try opt(.sendsSI2quater, \.sendsSI2quater)
        try opt(.cellBarred, \.cellBarred)
        try opt(.msTxPwrMax, \.msTxPwrMax)
        try opt(.rxLevAccessMin, \.rxLevAccessMin)
        try opt(.maxRetrans, \.maxRetrans)
        try opt(.txInteger, \.txInteger)
        try opt(.gprs, \.gprs)
        try opt(.pagingRequestsPerSecond, \.pagingRequestsPerSecond)
        try opt(.immediateAssignmentsPerSecond, \.immediateAssignmentsPerSecond)
        try opt(.firstFrameNumber, \.firstFrameNumber)
        try opt(.idleTimeslotRelativePowerDB, \.idleTimeslotRelativePowerDB)
        self = p
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(arfcn, forKey: .arfcn)
        try c.encode(ncc, forKey: .ncc)
        try c.encode(bcc, forKey: .bcc)
        try c.encode(mcc, forKey: .mcc)
        try c.encode(mnc, forKey: .mnc)
        try c.encode(lac, forKey: .lac)
        try c.encode(cellId, forKey: .cellId)
        try c.encode(cellReselectOffset, forKey: .cellReselectOffset)
        try c.encode(temporaryOffset, forKey: .temporaryOffset)
        try c.encode(penaltyTime, forKey: .penaltyTime)
        try c.encode(cellReselectHysteresis, forKey: .cellReselectHysteresis)
        try c.encode(t3212, forKey: .t3212)
        try c.encode(bsPaMfrms, forKey: .bsPaMfrms)
        try c.encode(bsAgBlksRes, forKey: .bsAgBlksRes)
        try c.encode(ccchConf, forKey: .ccchConf)
        try c.encode(attachDetachAllowed, forKey: .attachDetachAllowed)
        try c.encode(neighbourARFCNs, forKey: .neighbourARFCNs)
        try c.encode(extendedNeighbourARFCNs, forKey: .extendedNeighbourARFCNs)
        try c.encode(multibandNeighbourARFCNs, forKey: .multibandNeighbourARFCNs)
        try c.encode(sendsSI2quater, forKey: .sendsSI2quater)
        try c.encode(cellBarred, forKey: .cellBarred)
        try c.encode(msTxPwrMax, forKey: .msTxPwrMax)
        try c.encode(rxLevAccessMin, forKey: .rxLevAccessMin)
        try c.encode(maxRetrans, forKey: .maxRetrans)
        try c.encode(txInteger, forKey: .txInteger)
        try c.encode(gprs, forKey: .gprs)
        try c.encode(pagingRequestsPerSecond, forKey: .pagingRequestsPerSecond)
        try c.encode(immediateAssignmentsPerSecond, forKey: .immediateAssignmentsPerSecond)
        try c.encode(firstFrameNumber, forKey: .firstFrameNumber)
        try c.encode(idleTimeslotRelativePowerDB, forKey: .idleTimeslotRelativePowerDB)
    }
}
