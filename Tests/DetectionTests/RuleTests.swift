import CellwatchModel
@testable import Detection
import Foundation
import Testing

/// Each rule: the case it catches, with the concrete values in the reason, and its known false-positive
/// causes, where it must stay silent.
@Suite struct RuleTests {
    static let home = CellKey(rat: .gsm, mcc: 460, mnc: 0, areaCode: 9345, cellId: 10001)

    /// A baseline that knows the fixture's default cell on ARFCN 60 / BSIC 21 around Shenzhen centre.
    static func baseline(range: Double = 1500, sources: Set<BaselineSource> = [.learned], samples: Int = 50) -> Baseline {
        Baseline(cells: [KnownCell(key: home, channels: [.arfcn(ARFCN(60))], physicalCodes: [21],
                                   latitudeDegrees: 22.5431, longitudeDegrees: 114.0579, rangeMeters: range,
                                   firstSeen: Fixture.t0 - 86400, lastSeen: Fixture.t0, samples: samples, sources: sources)])
    }

    static func evaluate(_ rule: any Rule, _ o: CellObservation, baseline: Baseline = baseline(),
                         configuration: DetectionConfiguration = DetectionConfiguration(),
                         before: [CellObservation] = []) -> Finding? {
        var history = ObservationHistory()
        for p in before + [o] { history.record(p, baseline: baseline) }
        let f = rule.evaluate(o, in: RuleContext(baseline: baseline, configuration: configuration, history: history))
        if let f { #expect(f.ruleID == rule.id) }
        return f
    }

    @Test func everyRuleDocumentsItself() {
        let ids = StandardRules.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        for r in StandardRules.all {
            #expect(!r.reason.isEmpty && !r.inputs.isEmpty && !r.knownFalsePositiveCauses.isEmpty)
            #expect(r.weight > 0 && r.weight <= 0.5)
        }
    }

    @Test func aLegitimateObservationFiresNoRule() {
        for r in StandardRules.all { #expect(Self.evaluate(r, Fixture.gsm()) == nil, "\(r.id)") }
    }

    // MARK: CELL_NOT_IN_BASELINE

    @Test func unknownIdentityInACoveringBaselineIsWeakEvidence() throws {
        let f = try #require(Self.evaluate(CellNotInBaselineRule(), Fixture.gsm(ci: 777)))
        #expect(f.weight == 0.10)
        #expect(f.reason == "cell 460-00-9345-777 is not among the 1 known cells")
    }

    @Test func unknownIdentityIsNoEvidenceWithoutABaselineForTheOperator() {
        #expect(Self.evaluate(CellNotInBaselineRule(), Fixture.gsm(ci: 777), baseline: Baseline()) == nil)
        // The baseline knows China Mobile only: a China Unicom cell is not evidence.
        #expect(Self.evaluate(CellNotInBaselineRule(), Fixture.gsm(mnc: "01", ci: 777)) == nil)
    }

    // MARK: PLMN_FOREIGN_OR_UNKNOWN

    @Test func unallocatedMNCAndForeignMCCAreFlagged() throws {
        let unknown = try #require(Self.evaluate(PLMNNotValidRule(), Fixture.gsm(mnc: "99")))
        #expect(unknown.reason == "MNC 99 is not allocated under MCC 460")
        #expect(unknown.weight == 0.35)
        let foreign = try #require(Self.evaluate(PLMNNotValidRule(), Fixture.gsm(mcc: "310", mnc: "260")))
        #expect(foreign.weight == 0.20)
        #expect(foreign.reason.contains("MCC 310"))
        #expect(Self.evaluate(PLMNNotValidRule(), Fixture.gsm(mnc: "0A")) != nil)
    }

    @Test(arguments: ["00", "01", "02", "03", "05", "06", "07", "09", "11", "15", "20"])
    func allocatedChineseMNCsAreAccepted(mnc: String) {
        #expect(Self.evaluate(PLMNNotValidRule(), Fixture.gsm(mnc: mnc)) == nil)
    }

    @Test func borderRoamingIsAcceptedThroughTheAllowList() {
        var c = DetectionConfiguration()
        c.allowedPLMNs = [PLMNCode(mcc: 454, mnc: 0)]
        #expect(Self.evaluate(PLMNNotValidRule(), Fixture.gsm(mcc: "454", mnc: "00"), configuration: c) == nil)
    }

    // MARK: AREA_CODE_CHANGED

    @Test func aKnownCellUnderAnotherLACNearbyIsFlagged() throws {
        let f = try #require(Self.evaluate(AreaCodeChangedRule(), Fixture.gsm(lac: 4660)))
        #expect(f.reason == "cell 10001 known in LAC 9345 announces LAC 4660")
    }

    @Test func theSameGSMCIUnderAnotherLACFarAwayIsAnotherCell() {
        // Beijing: 1900 km from the known cell. CIs are unique only within a LAC.
        #expect(Self.evaluate(AreaCodeChangedRule(), Fixture.gsm(lac: 4660, position: Fixture.fix(39.9, 116.4))) == nil)
        #expect(Self.evaluate(AreaCodeChangedRule(), Fixture.gsm(lac: 4660, position: nil)) == nil)
    }

    // MARK: CGI_ON_OTHER_CHANNEL_OR_CODE

    @Test func aKnownCGIOnAnotherARFCNOrBSICIsFlagged() throws {
        let f = try #require(Self.evaluate(CGIChannelMismatchRule(), Fixture.gsm(bsic: 7, arfcn: 75)))
        #expect(f.reason == "known cell 460-00-9345-10001 heard on ARFCN 75, known on ARFCN 60 and with BSIC 7, known with 21")
    }

    @Test func sourcesWithoutChannelsLeaveTheCheckSilent() {
        let b = Baseline(cells: [KnownCell(key: Self.home, latitudeDegrees: 22.5431, longitudeDegrees: 114.0579,
                                           rangeMeters: 1000, firstSeen: Fixture.t0, lastSeen: Fixture.t0, sources: [.openCellID])])
        #expect(Self.evaluate(CGIChannelMismatchRule(), Fixture.gsm(bsic: 7, arfcn: 75), baseline: b) == nil)
    }

    // MARK: CELL_OUTSIDE_KNOWN_AREA

    @Test func aKnownCellHeardFarFromItsAreaIsFlagged() throws {
        // Dongguan, about 48 km north.
        let f = try #require(Self.evaluate(CellOutsideKnownAreaRule(), Fixture.gsm(position: Fixture.fix(22.97, 114.0))))
        #expect(f.weight == 0.45)
        #expect(f.reason.hasPrefix("cell 460-00-9345-10001 known within 1.5 km of its position is heard 47."))
    }

    @Test func withinRangePlusMarginOrWithAPoorFixItIsNot() {
        // 4 km away: inside 1.5 km + 3 km margin.
        #expect(Self.evaluate(CellOutsideKnownAreaRule(), Fixture.gsm(position: Fixture.fix(22.579, 114.0579))) == nil)
        // 6 km away but the fix is only good to 2 km.
        #expect(Self.evaluate(CellOutsideKnownAreaRule(), Fixture.gsm(position: Fixture.fix(22.597, 114.0579, accuracy: 2000))) == nil)
    }

    @Test func aFewSampleOpenCellIDPositionIsWeakerEvidence() throws {
        let b = Self.baseline(sources: [.openCellID], samples: 3)
        let f = try #require(Self.evaluate(CellOutsideKnownAreaRule(), Fixture.gsm(position: Fixture.fix(22.97, 114.0)), baseline: b))
        #expect(f.weight == 0.25)
    }

    // MARK: CELL_MOVES

    @Test func anEmitterHeardAtPlacesTooFarApartMoves() throws {
        let earlier = Fixture.gsm(ci: 555, sensor: "car-2", position: Fixture.fix(23.13, 113.26), time: Fixture.t0 - 1200)
        let f = try #require(Self.evaluate(CellMovesRule(), Fixture.gsm(ci: 555), before: [earlier]))
        #expect(f.reason.contains("within 20 min"))
        // A known cell's range makes the bound tighter: 12 km apart with a 1.5 km range.
        let near = Fixture.gsm(sensor: "car-2", position: Fixture.fix(22.65, 114.0579), time: Fixture.t0 - 600)
        #expect(Self.evaluate(CellMovesRule(), Fixture.gsm(), before: [near]) != nil)
    }

    @Test func oldSightingsAndPoorFixesDoNotMakeACellMove() {
        let old = Fixture.gsm(ci: 555, position: Fixture.fix(23.13, 113.26), time: Fixture.t0 - 7200)
        #expect(Self.evaluate(CellMovesRule(), Fixture.gsm(ci: 555), before: [old]) == nil)
        // Unknown cell 12 km apart: within twice the 35 km audible range.
        let near = Fixture.gsm(ci: 555, position: Fixture.fix(22.65, 114.0579), time: Fixture.t0 - 600)
        #expect(Self.evaluate(CellMovesRule(), Fixture.gsm(ci: 555), before: [near]) == nil)
        let blurred = Fixture.gsm(sensor: "car-2", position: Fixture.fix(22.65, 114.0579, accuracy: 9000), time: Fixture.t0 - 600)
        #expect(Self.evaluate(CellMovesRule(), Fixture.gsm(), before: [blurred]) == nil)
    }

    // MARK: GSM_CELL_RESELECT_OFFSET_HIGH and GSM_C2_IMMEDIATE_BONUS

    @Test func aHighReselectOffsetIsFlaggedWithItsValueInDecibels() throws {
        let f = try #require(Self.evaluate(CellReselectOffsetRule(), Fixture.gsm(cro: 63)))
        #expect(f.reason == "CELL_RESELECT_OFFSET 63 (126 dB) above 40")
        #expect(Self.evaluate(CellReselectOffsetRule(), Fixture.gsm(cro: 40)) == nil)
    }

    @Test func aSubtractedOffsetIsNotABonus() {
        #expect(Self.evaluate(CellReselectOffsetRule(), Fixture.gsm(cro: 63, penaltyTime: 31)) == nil)
        #expect(Self.evaluate(ImmediateReselectBonusRule(), Fixture.gsm(cro: 63, penaltyTime: 31)) == nil)
    }

    @Test func aLargeBonusWithoutPenaltyIsFlaggedButAPenalisedOneIsNot() throws {
        let f = try #require(Self.evaluate(ImmediateReselectBonusRule(), Fixture.gsm(cro: 25)))
        #expect(f.reason == "CELL_RESELECT_OFFSET 25 (50 dB) with TEMPORARY_OFFSET 0 during PENALTY_TIME 0 (20 s): no penalty")
        // Layer steering with a proper temporary offset, and ordinary small offsets, are silent.
        #expect(Self.evaluate(ImmediateReselectBonusRule(), Fixture.gsm(cro: 25, temporaryOffset: 3, penaltyTime: 1)) == nil)
        #expect(Self.evaluate(ImmediateReselectBonusRule(), Fixture.gsm(cro: 10)) == nil)
    }

    // MARK: GSM_T3212_LOW

    @Test func aShortOrDisabledPeriodicUpdateIsFlagged() throws {
        let f = try #require(Self.evaluate(T3212Rule(), Fixture.gsm(t3212: 1)))
        #expect(f.reason == "T3212 1 (6 min) below 10 (60 min)")
        let zero = try #require(Self.evaluate(T3212Rule(), Fixture.gsm(t3212: 0)))
        #expect(zero.weight == 0.20)
    }

    @Test func operatorsShortTimersCanBeAllowed() {
        var c = DetectionConfiguration()
        c.t3212LowLimitDeciHours = 5
        #expect(Self.evaluate(T3212Rule(), Fixture.gsm(t3212: 6), configuration: c) == nil)
        #expect(Self.evaluate(T3212Rule(), Fixture.gsm(t3212: 10)) == nil)
    }

    // MARK: GSM_NEIGHBOUR_LIST_EMPTY

    @Test func anEmptyNeighbourListIsFlaggedButAnUndecodedOneIsNot() {
        #expect(Self.evaluate(NeighbourListEmptyRule(), Fixture.gsm(neighbours: []))?.reason == "neighbour list (SI2 BA) is empty")
        #expect(Self.evaluate(NeighbourListEmptyRule(), Fixture.gsm(neighbours: nil)) == nil)
    }

    // MARK: CARRIER_FREQUENCY_ERROR

    @Test func aCalibratedSensorFlagsAFourHundredHertzError() throws {
        // ARFCN 75 is 950.0 MHz; +400 Hz is 0.42 ppm. A fixed sensor: no Doppler.
        let o = Fixture.gsm(arfcn: 75, offsetHz: 400, position: GeoFix(latitudeDegrees: 22.5431, longitudeDegrees: 114.0579,
                            horizontalAccuracyMeters: 5, time: Fixture.t0, speedMetersPerSecond: 0))
        let f = try #require(Self.evaluate(CarrierFrequencyErrorRule(), o))
        #expect(f.reason == "carrier +400 Hz, +0.42 ppm at 950.000 MHz, beyond the 0.05 ppm real base stations hold (limit with sensor residual and Doppler 0.08 ppm)")
    }

    @Test func dopplerOfAMovingSensorIsAllowedFor() {
        // 100 Hz at 950 MHz = 0.105 ppm: what 110 km/h adds. Flagged for a fixed sensor, not a moving one.
        func at(_ speed: Double?) -> CellObservation {
            Fixture.gsm(arfcn: 75, offsetHz: 100, position: GeoFix(latitudeDegrees: 22.5431, longitudeDegrees: 114.0579,
                        horizontalAccuracyMeters: 5, time: Fixture.t0, speedMetersPerSecond: speed))
        }
        #expect(Self.evaluate(CarrierFrequencyErrorRule(), at(0)) != nil)
        #expect(Self.evaluate(CarrierFrequencyErrorRule(), at(31)) == nil)
        #expect(Self.evaluate(CarrierFrequencyErrorRule(), at(nil)) == nil)
    }

    @Test func anUncalibratedSensorIsJudgedAgainstTheKnownCellsItHears() throws {
        // The sensor's crystal is +15 ppm off: every known cell reads about +15 ppm.
        var cells: [KnownCell] = []
        var before: [CellObservation] = []
        for i in 0..<4 {
            let key = CellKey(rat: .gsm, mcc: 460, mnc: 0, areaCode: 9345, cellId: 20000 + i)
            cells.append(KnownCell(key: key, firstSeen: Fixture.t0, lastSeen: Fixture.t0, sources: [.learned]))
            var o = Fixture.gsm(ci: 20000 + i, offsetHz: nil, calibrated: false)
            o.carrierOffsetPPM = 15 + Double(i) * 0.01
            before.append(o)
        }
        let b = Baseline(cells: cells)
        var good = Fixture.gsm(ci: 999, offsetHz: nil, calibrated: false)
        good.carrierOffsetPPM = 15.02
        #expect(Self.evaluate(CarrierFrequencyErrorRule(), good, baseline: b, before: before) == nil)
        var fake = good
        fake.carrierOffsetPPM = 15.6
        let f = try #require(Self.evaluate(CarrierFrequencyErrorRule(), fake, baseline: b, before: before))
        #expect(f.reason.hasPrefix("carrier +0.58 ppm at 947.000 MHz relative to known cells"))
        // Without enough known cells the sensor's own error is unknown: silent.
        #expect(Self.evaluate(CarrierFrequencyErrorRule(), fake, baseline: b, before: Array(before.prefix(2))) == nil)
    }

    // MARK: CCCH_LOAD_LIKE_SMS_BLASTER

    @Test func blasterLikePagingAndAssignmentRatesAreFlagged() throws {
        let f = try #require(Self.evaluate(BlasterTrafficRule(), Fixture.gsm(paging: 300, assignments: 40)))
        #expect(f.reason == "paging 30.0/s (limit 20.0) and immediate assignment 4.0/s (limit 2.0) over 10 s")
        #expect(f.weight == 0.40)
        #expect(Self.evaluate(BlasterTrafficRule(), Fixture.gsm(paging: 50, assignments: 40))?.weight == 0.25)
    }

    @Test func busyRealCellsAndShortWindowsAreNotBlasters() {
        // A busy station cell: 15 pagings/s, 1.5 assignments/s.
        #expect(Self.evaluate(BlasterTrafficRule(), Fixture.gsm(paging: 150, assignments: 15)) == nil)
        #expect(Self.evaluate(BlasterTrafficRule(), Fixture.gsm(paging: 100, assignments: 10, window: 2)) == nil)
        // The real Vodafone cell of shared/testdata: a paging message in nearly every CCCH block (31.9/s),
        // few assignments. Paging alone is not a blaster.
        #expect(Self.evaluate(BlasterTrafficRule(), Fixture.gsm(paging: 319, assignments: 3)) == nil)
    }

    @Test func shortDwellsOfOneSensorAddUpToARate() throws {
        // A sweeping sensor hears the channel 2 s at a time: no dwell alone is long enough, three within
        // the count window are (6 s: 40 pagings/s, 8 assignments/s like the simulated blaster).
        let dwells = (0..<3).map { i in
            Fixture.gsm(paging: 80, assignments: 16, window: 2, time: Fixture.t0.addingTimeInterval(Double(i) * 30))
        }
        #expect(Self.evaluate(BlasterTrafficRule(), dwells[0]) == nil)
        let f = try #require(Self.evaluate(BlasterTrafficRule(), dwells[2], before: Array(dwells.prefix(2))))
        #expect(f.reason == "paging 40.0/s (limit 20.0) and immediate assignment 8.0/s (limit 2.0) over 6 s in 3 observations")
        #expect(f.weight == 0.40)
        // Another sensor's dwells, or dwells older than the count window, are not added.
        let other = dwells.prefix(2).map { o -> CellObservation in
            var o = o
            o.sensorID = "car-2"
            return o
        }
        #expect(Self.evaluate(BlasterTrafficRule(), dwells[2], before: other) == nil)
        let old = dwells.prefix(2).map { o -> CellObservation in
            var o = o
            o.time = o.time.addingTimeInterval(-DetectionConfiguration().ccchCountWindowSeconds - 61)
            return o
        }
        #expect(Self.evaluate(BlasterTrafficRule(), dwells[2], before: old) == nil)
        // A busy real cell stays below the limits however many dwells are added.
        let busy = (0..<10).map { i in
            Fixture.gsm(paging: 30, assignments: 3, window: 2, time: Fixture.t0.addingTimeInterval(Double(i) * 20))
        }
        #expect(Self.evaluate(BlasterTrafficRule(), busy[9], before: Array(busy.prefix(9))) == nil)
    }

    // MARK: AREA_WITH_SINGLE_CELL

    @Test func aLACWithOneCellOverManyObservationsIsFlagged() throws {
        let before = (0..<19).map { Fixture.gsm(lac: 777, ci: 1, time: Fixture.t0 - Double($0)) }
        let f = try #require(Self.evaluate(SingleCellAreaRule(), Fixture.gsm(lac: 777, ci: 1), before: before))
        #expect(f.reason == "LAC 777 of 460-00 shows only cell 1 in 20 observations")
        #expect(Self.evaluate(SingleCellAreaRule(), Fixture.gsm(lac: 777, ci: 1), before: Array(before.prefix(5))) == nil)
    }

    @Test func aSingleHeardCellOfALACTheBaselineKnowsMoreOfIsNot() {
        let before = (0..<30).map { Fixture.gsm(ci: 10002, time: Fixture.t0 - Double($0)) }
        // The sensor only hears cell 10002 of LAC 9345, but the baseline knows 10001 there too.
        #expect(Self.evaluate(SingleCellAreaRule(), Fixture.gsm(ci: 10002), before: before) == nil)
    }
}
