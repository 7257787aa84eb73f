import CellwatchModel
@testable import Detection
import Foundation
import Testing

/// The receive-only rules that compare a cell with what is heard around it, with its own history, with
/// the operator's norms and channels, and with energy measured on channels.
@Suite struct NeighbourhoodRuleTests {
    static func evaluate(_ rule: any Rule, _ o: CellObservation, _ baseline: Baseline, _ configuration: DetectionConfiguration,
                         _ before: [CellObservation]) -> Finding? {
        RuleTests.evaluate(rule, o, baseline: baseline, configuration: configuration, before: before)
    }

    /// Cells of China Mobile LAC 9345 heard by car-1 just before t0, each with its neighbour list.
    static func around(lac: Int = 9345, count: Int = 3, mnc: String = "00", dt: Double = 5,
                       lists: [[Int]?]? = nil) -> [CellObservation] {
        (0..<count).map { i in
            Fixture.gsm(mnc: mnc, lac: lac, ci: 10002 + i, arfcn: 62 + 3 * i,
                        neighbours: lists?[i] ?? [60, 62, 65, 68], time: Fixture.t0 - dt)
        }
    }

    // MARK: AREA_CODE_UNLIKE_NEIGHBOURS

    @Test func aLACUnlikeEveryNeighboursIsFlagged() throws {
        let fake = Fixture.gsm(lac: 4777, ci: 31337, arfcn: 75)
        let f = try #require(Self.evaluate(AreaCodeUnlikeNeighboursRule(), fake, RuleTests.baseline(), DetectionConfiguration(), Self.around()))
        #expect(f.reason == "LAC 4777 unlike all 3 460-00 cells heard around it (LAC 9345)")
        #expect(f.weight == 0.25)
    }

    @Test func lacBordersFewNeighboursOtherOperatorsAndOldSightingsAreNot() {
        let rule = AreaCodeUnlikeNeighboursRule()
        let c = DetectionConfiguration()
        // One neighbour shares the LAC.
        var mixed = Self.around()
        mixed[2].identity.areaCode = 4777
        #expect(Self.evaluate(rule, Fixture.gsm(lac: 4777, ci: 31337, arfcn: 75), RuleTests.baseline(), c, mixed) == nil)
        // At a LAC border: the baseline knows another cell of LAC 9346.
        let border = Baseline(cells: [KnownCell(key: CellKey(rat: .gsm, mcc: 460, mnc: 0, areaCode: 9346, cellId: 20001),
                                                firstSeen: Fixture.t0, lastSeen: Fixture.t0, sources: [.learned])])
        #expect(Self.evaluate(rule, Fixture.gsm(lac: 9346, ci: 20002, arfcn: 80), border, c, Self.around()) == nil)
        // Two neighbours are too few; China Unicom cells are not China Mobile's neighbours; old sightings are not "now".
        #expect(Self.evaluate(rule, Fixture.gsm(lac: 4777, ci: 31337, arfcn: 75), RuleTests.baseline(), c, Self.around(count: 2)) == nil)
        #expect(Self.evaluate(rule, Fixture.gsm(lac: 4777, ci: 31337, arfcn: 75), RuleTests.baseline(), c, Self.around(mnc: "01")) == nil)
        #expect(Self.evaluate(rule, Fixture.gsm(lac: 4777, ci: 31337, arfcn: 75), RuleTests.baseline(), c, Self.around(dt: 600)) == nil)
    }

    @Test func anotherSensorCountsOnlyWhenNearby() throws {
        let rule = AreaCodeUnlikeNeighboursRule()
        let near = Self.around().map { o -> CellObservation in var x = o; x.sensorID = "car-2"; x.position = Fixture.fix(22.55, 114.0579); return x }
        #expect(Self.evaluate(rule, Fixture.gsm(lac: 4777, ci: 31337, arfcn: 75), RuleTests.baseline(), DetectionConfiguration(), near) != nil)
        let far = near.map { o -> CellObservation in var x = o; x.position = Fixture.fix(22.7, 114.0579); return x }
        #expect(Self.evaluate(rule, Fixture.gsm(lac: 4777, ci: 31337, arfcn: 75), RuleTests.baseline(), DetectionConfiguration(), far) == nil)
    }

    // MARK: GSM_NEIGHBOUR_LIST_NOT_RECIPROCAL

    @Test func neighboursThatDoNotListTheCellBackAreFlagged() throws {
        let fake = Fixture.gsm(ci: 31337, arfcn: 75, neighbours: [62, 65, 70])
        let f = try #require(Self.evaluate(NeighbourListNotReciprocalRule(), fake, RuleTests.baseline(), DetectionConfiguration(), Self.around()))
        #expect(f.reason == "lists ARFCN 62, 65, heard nearby, none of which lists ARFCN 75 back")
    }

    @Test func oneReciprocalNeighbourAKnownCellOrUndecodedListsKeepItSilent() {
        let rule = NeighbourListNotReciprocalRule()
        let c = DetectionConfiguration()
        let fake = Fixture.gsm(ci: 31337, arfcn: 75, neighbours: [62, 65, 70])
        #expect(Self.evaluate(rule, fake, RuleTests.baseline(), c, Self.around(lists: [[60, 75], nil, nil])) == nil)
        // The known cell on its known ARFCN 60 is not judged on its neighbours' planning.
        #expect(Self.evaluate(rule, Fixture.gsm(neighbours: [62, 65, 70]), RuleTests.baseline(), c, Self.around(lists: [[61], [61], [61]])) == nil)
        // Neighbours whose own lists were not decoded (nil) or are empty do not count: one left is too few.
        #expect(Self.evaluate(rule, fake, RuleTests.baseline(), c, Self.around(lists: [[60], [], nil]).enumerated().map { i, o in
            var x = o; if i == 2 { x.neighbourARFCNs = nil }; return x }) == nil)
    }

    // MARK: CELL_SHORT_LIVED

    /// car-1 decodes the known cell at one place every 10 min for three hours up to t0 − 600.
    static let watched: [CellObservation] = (0..<18).map { k in Fixture.gsm(time: Fixture.t0 - 10800 + Double(k) * 600) }

    @Test func aCellAppearingWhereASensorHasListenedForHoursIsFlagged() throws {
        let first = Fixture.gsm(lac: 4777, ci: 31337, arfcn: 75, time: Fixture.t0 - 240)
        let f = try #require(Self.evaluate(NewCellInWatchedAreaRule(), Fixture.gsm(lac: 4777, ci: 31337, arfcn: 75),
                                           RuleTests.baseline(), DetectionConfiguration(), Self.watched + [first]))
        #expect(f.reason == "first heard 4 min ago by car-1, which had decoded cells at that place for 2.9 h without hearing it")
    }

    @Test func knownCellsNewArrivalsAndOldCellsAreNotShortLived() {
        let rule = NewCellInWatchedAreaRule()
        let c = DetectionConfiguration()
        // The sensor just arrived: nothing says the cell was not there before.
        #expect(Self.evaluate(rule, Fixture.gsm(lac: 4777, ci: 31337, arfcn: 75), RuleTests.baseline(), c, Array(Self.watched.suffix(2))) == nil)
        // The sensor had been away for two hours before the cell appeared.
        let away = Array(Self.watched.prefix(6))
        #expect(Self.evaluate(rule, Fixture.gsm(lac: 4777, ci: 31337, arfcn: 75), RuleTests.baseline(), c, away) == nil)
        // Heard for an hour already: no longer new.
        let hourAgo = Fixture.gsm(lac: 4777, ci: 31337, arfcn: 75, time: Fixture.t0 - 3600)
        let early = (0..<18).map { k in Fixture.gsm(time: Fixture.t0 - 14400 + Double(k) * 600) }
        #expect(Self.evaluate(rule, Fixture.gsm(lac: 4777, ci: 31337, arfcn: 75), RuleTests.baseline(), c, early + [hourAgo]) == nil)
        // A known cell switched back on after maintenance.
        #expect(Self.evaluate(rule, Fixture.gsm(), RuleTests.baseline(), c, Self.watched.map { var x = $0; x.identity.cellId = 10005; return x }) == nil)
    }

    // MARK: Operator norms: GSM_PAGING_GROUPS_UNUSUAL and PARAMETERS_OFF_OPERATOR_NORM

    /// A baseline whose norms come from 60 China Mobile observations: CRO 0–8, T3212 30, five
    /// neighbours, BS_PA_MFRMS 3 (5 multiframes), power −85…−55 dBm.
    static func normBaseline(bsPaMfrms: (Int) -> Int = { _ in 3 }) -> Baseline {
        var learner = BaselineLearner(baseline: RuleTests.baseline(), clock: { Fixture.t0 })
        for i in 0..<60 {
            var o = Fixture.gsm(ci: 10001 + i % 12, arfcn: 1 + i % 12, cro: i % 9)
            o.bsPaMfrms = bsPaMfrms(i)
            o.powerDBm = Decibels(-85 + Double(i % 31))
            learner.learn(o)
        }
        return learner.baseline
    }

    @Test func aPagingGroupSpacingTheOperatorDoesNotUseIsFlagged() throws {
        var fake = Fixture.gsm(ci: 31337, arfcn: 75)
        fake.bsPaMfrms = 7
        let f = try #require(Self.evaluate(PagingGroupsRule(), fake, Self.normBaseline(), DetectionConfiguration(), []))
        #expect(f.reason == "BS_PA_MFRMS 7 (9 multiframes between paging blocks), the operator's cells use 5 in 60 observations")
    }

    @Test func pagingGroupsWithinTheNormOrWithoutOneAreSilent() {
        var o = Fixture.gsm(ci: 31337, arfcn: 75)
        o.bsPaMfrms = 4
        let mixed = Self.normBaseline { 2 + $0 % 3 }
        #expect(Self.evaluate(PagingGroupsRule(), o, mixed, DetectionConfiguration(), []) == nil)
        o.bsPaMfrms = 7
        #expect(Self.evaluate(PagingGroupsRule(), o, RuleTests.baseline(), DetectionConfiguration(), []) == nil)
        // Another operator has no norm yet.
        var unicom = Fixture.gsm(mnc: "01", ci: 31337, arfcn: 110)
        unicom.bsPaMfrms = 7
        #expect(Self.evaluate(PagingGroupsRule(), unicom, Self.normBaseline(), DetectionConfiguration(), []) == nil)
    }

    @Test func parametersFarFromTheOperatorsNormAreFlagged() throws {
        let b = Self.normBaseline()
        let one = try #require(Self.evaluate(OperatorNormRule(), Fixture.gsm(ci: 31337, arfcn: 75, cro: 30), b, DetectionConfiguration(), []))
        #expect(one.reason == "CELL_RESELECT_OFFSET 30 (operator's usual 0…8) for 460-00")
        #expect(one.weight == 0.15)
        var loud = Fixture.gsm(ci: 31337, arfcn: 75, t3212: 5, neighbours: [62])
        loud.powerDBm = Decibels(-30)
        let many = try #require(Self.evaluate(OperatorNormRule(), loud, b, DetectionConfiguration(), []))
        #expect(many.reason == "T3212 5 (operator's usual 30), neighbour count 1 (operator's usual 5), power dBm -30 (operator's usual -85…-55) for 460-00")
        #expect(many.weight == 0.25)
    }

    @Test func usualValuesSmallDeviationsAndThinNormsAreSilent() {
        let b = Self.normBaseline()
        var o = Fixture.gsm(ci: 31337, arfcn: 75, cro: 9, neighbours: [62, 65, 70, 74, 81, 90, 91])
        o.powerDBm = Decibels(-50)   // 5 dB above the 99th percentile: near a mast, not evidence
        #expect(Self.evaluate(OperatorNormRule(), o, b, DetectionConfiguration(), []) == nil)
        #expect(Self.evaluate(OperatorNormRule(), Fixture.gsm(ci: 31337, arfcn: 75, cro: 30), RuleTests.baseline(), DetectionConfiguration(), []) == nil)
    }

    @Test func normsSurviveTheBaselineFileAndOldFilesStillLoad() throws {
        let b = Self.normBaseline()
        let data = try JSONEncoder().encode(b)
        let back = try JSONDecoder().decode(Baseline.self, from: data)
        #expect(back == b)
        #expect(back.norms.samples(.init(rat: .gsm, mcc: 460, mnc: 0), .cellReselectOffset) == 60)
        let old = try JSONDecoder().decode(Baseline.self, from: Data(#"{"version":1,"cells":[]}"#.utf8))
        #expect(old.norms == OperatorNorms())
    }

    // MARK: POWER_JUMP_ABOVE_ALL

    static func powered(_ o: CellObservation, _ dbfs: Double) -> CellObservation {
        var x = o
        x.powerDBFS = Decibels(dbfs)
        return x
    }

    /// Six earlier readings of the known cell at −40 dBFS here, and cell 10002 at −45 dBFS just now.
    static let powerHistory: [CellObservation] = (1...6).map { powered(Fixture.gsm(time: Fixture.t0 - Double($0) * 60), -40) }
        + [powered(Fixture.gsm(ci: 10002, arfcn: 62, time: Fixture.t0 - 5), -45)]

    @Test func aCellFarAboveItsHistoryAndEveryOtherCellIsFlagged() throws {
        let f = try #require(Self.evaluate(PowerJumpRule(), Self.powered(Fixture.gsm(), -15), RuleTests.baseline(), DetectionConfiguration(), Self.powerHistory))
        #expect(f.reason == "-15.0 dBFS, +25.0 dB over its median of 6 earlier readings here and +30.0 dB over the strongest of 1 other cells")
    }

    @Test func approachingAMastAnEquallyStrongNeighbourOrAThinHistoryAreNot() {
        let rule = PowerJumpRule()
        let c = DetectionConfiguration()
        // Earlier readings 1 km away (driving towards the mast): not comparable.
        let far = Self.powerHistory.map { o -> CellObservation in
            var x = o; if x.identity.cellId == 10001 { x.position = Fixture.fix(22.552, 114.0579) }; return x }
        #expect(Self.evaluate(rule, Self.powered(Fixture.gsm(), -15), RuleTests.baseline(), c, far) == nil)
        // Another cell is as strong: a gain step or a good spot, not one loud emitter.
        let loudNeighbour = Self.powerHistory + [Self.powered(Fixture.gsm(ci: 10003, arfcn: 65, time: Fixture.t0 - 2), -16)]
        #expect(Self.evaluate(rule, Self.powered(Fixture.gsm(), -15), RuleTests.baseline(), c, loudNeighbour) == nil)
        #expect(Self.evaluate(rule, Self.powered(Fixture.gsm(), -15), RuleTests.baseline(), c, Array(Self.powerHistory.suffix(4))) == nil)
        #expect(Self.evaluate(rule, Self.powered(Fixture.gsm(), -30), RuleTests.baseline(), c, Self.powerHistory) == nil)
        // Another sensor's history (other gain) does not count.
        #expect(Self.evaluate(rule, Self.powered(Fixture.gsm(sensor: "car-2"), -15), RuleTests.baseline(), c, Self.powerHistory) == nil)
    }

    // MARK: GSM_CHANNEL_OUTSIDE_OPERATOR_RANGE

    @Test func channelsOutsideTheOperatorsBlocksAreFlagged() throws {
        let f = try #require(Self.evaluate(ChannelOutsideOperatorRangeRule(), Fixture.gsm(arfcn: 110), RuleTests.baseline(), DetectionConfiguration(), []))
        #expect(f.reason == "ARFCN 110 is outside 460-00's GSM channels (0–94, 512–586, 1000–1023)")
        let telecom = try #require(Self.evaluate(ChannelOutsideOperatorRangeRule(), Fixture.gsm(mnc: "03", arfcn: 60), RuleTests.baseline(), DetectionConfiguration(), []))
        #expect(telecom.reason == "GSM cell of 460-03 on ARFCN 60: the operator runs no GSM network")
    }

    @Test(arguments: [("00", 1), ("00", 94), ("00", 520), ("00", 1010), ("01", 110), ("01", 700), ("310", 200)])
    func channelsInsideTheBlocksOrOfUnlistedOperatorsAreNot(mnc: String, arfcn: Int) {
        let o = mnc == "310" ? Fixture.gsm(mcc: "310", mnc: "260", arfcn: arfcn) : Fixture.gsm(mnc: mnc, arfcn: arfcn)
        #expect(Self.evaluate(ChannelOutsideOperatorRangeRule(), o, RuleTests.baseline(), DetectionConfiguration(), []) == nil)
    }

    @Test func theRangesAreConfigurable() {
        var c = DetectionConfiguration()
        c.operatorGSMChannels[PLMNCode(mcc: 460, mnc: 0)]?.append(100...110)
        #expect(Self.evaluate(ChannelOutsideOperatorRangeRule(), Fixture.gsm(arfcn: 110), RuleTests.baseline(), c, []) == nil)
    }

    // MARK: JAM_AND_DOWNGRADE and UNDECODED_STRONG_CARRIER

    static func lte(_ dbfs: Double, at t: Double, sensor: String = "car-1") -> ChannelMeasurement {
        ChannelMeasurement(channel: .earfcn(EARFCN(1300)), bandPowerDBFS: Decibels(dbfs), noiseFloorDBFS: Decibels(-75),
                           decoded: true, sensorID: sensor, position: Fixture.fix(), time: Fixture.t0 + t)
    }

    static func judge(_ o: CellObservation, measurements: [ChannelMeasurement], before: [CellObservation] = []) -> Finding? {
        var h = ObservationHistory()
        let b = RuleTests.baseline()
        for m in measurements { h.record(m) }
        for p in before + [o] { h.record(p, baseline: b) }
        return JamAndDowngradeRule().evaluate(o, in: RuleContext(baseline: b, history: h))
    }

    /// EARFCN 1300 at −60 dBFS every 30 s for 15 minutes, then −42 dBFS in the last minute.
    static let jammed = (0..<30).map { lte(-60, at: -1200 + Double($0) * 30) } + [lte(-42, at: -50), lte(-41, at: -20)]

    @Test func aGSMCellAppearingWhileLTEIsJammedIsFlagged() throws {
        let f = try #require(Self.judge(Fixture.gsm(ci: 31337, arfcn: 75), measurements: Self.jammed))
        #expect(f.reason == "GSM cell appeared while EARFCN 1300 rose 19.0 dB above its usual -60.0 dBFS")
        #expect(f.weight == 0.40)
    }

    @Test func loadPeaksOldCellsEarlierJammingAndOtherSensorsAreNot() {
        let fake = Fixture.gsm(ci: 31337, arfcn: 75)
        let busy = (0..<30).map { Self.lte(-60, at: -1200 + Double($0) * 30) } + [Self.lte(-55, at: -20)]
        #expect(Self.judge(fake, measurements: busy) == nil)
        // The GSM cell has been heard for ten minutes: it did not appear with the noise.
        #expect(Self.judge(fake, measurements: Self.jammed, before: [Fixture.gsm(ci: 31337, arfcn: 75, time: Fixture.t0 - 600)]) == nil)
        // Only another sensor saw the rise.
        #expect(Self.judge(fake, measurements: Self.jammed.map { var m = $0; m.sensorID = "car-2"; return m }) == nil)
        #expect(Self.judge(Fixture.gsm(ci: 31337, arfcn: 75), measurements: Array(Self.jammed.suffix(5))) == nil)
    }

    static func carrier(at t: Double, snr: Double = 30, decoded: Bool = false, continuous: Bool? = true) -> ChannelMeasurement {
        ChannelMeasurement(channel: .arfcn(ARFCN(88)), bandPowerDBFS: Decibels(-75 + snr), noiseFloorDBFS: Decibels(-75),
                           decoded: decoded, continuous: continuous, sensorID: "car-1", position: Fixture.fix(), time: Fixture.t0 + t)
    }

    static func judge(_ ms: [ChannelMeasurement]) -> Finding? {
        var h = ObservationHistory()
        for m in ms { h.record(m) }
        return UndecodedCarrierRule().evaluate(ms.last!, in: RuleContext(baseline: Baseline(), history: h))
    }

    @Test func aStrongContinuousUndecodableCarrierIsFlagged() throws {
        let f = try #require(Self.judge([Self.carrier(at: 0), Self.carrier(at: 30), Self.carrier(at: 60)]))
        #expect(f.reason == "ARFCN 88: 30.0 dB above the noise floor, continuous, no cell decoded in 3 measurements over 60 s")
    }

    @Test func trafficCarriersWeakOnesDecodedOnesAndShortRunsAreNot() {
        #expect(Self.judge([Self.carrier(at: 0, continuous: false), Self.carrier(at: 30, continuous: false), Self.carrier(at: 60, continuous: false)]) == nil)
        #expect(Self.judge([Self.carrier(at: 0, snr: 12), Self.carrier(at: 30, snr: 12), Self.carrier(at: 60, snr: 12)]) == nil)
        #expect(Self.judge([Self.carrier(at: 0), Self.carrier(at: 30, decoded: true), Self.carrier(at: 60)]) == nil)
        #expect(Self.judge([Self.carrier(at: 0), Self.carrier(at: 10), Self.carrier(at: 20)]) == nil)
    }

    @Test func channelRulesDocumentThemselves() {
        for r in StandardRules.channelRules {
            #expect(!r.reason.isEmpty && !r.inputs.isEmpty && !r.knownFalsePositiveCauses.isEmpty)
            #expect(r.weight > 0 && r.weight <= 0.5)
        }
        let ids = StandardRules.all.map(\.id) + StandardRules.channelRules.map(\.id)
        #expect(Set(ids).count == ids.count)
    }

    @Test func theDetectorMakesAnUndecodedCarrierASuspectOfItsChannel() throws {
        let clock = ManualClock()
        var d = Detector(baseline: Baseline(), clock: clock.closure)
        let first = d.process(Self.carrier(at: 0))
        #expect(first == nil)
        clock.advance(30)
        let second = d.process(Self.carrier(at: 30))
        #expect(second == nil)
        clock.advance(30)
        let third = d.process(Self.carrier(at: 60))
        let s = try #require(third)
        #expect(s.id == "GSM:-1--1--1--1@ARFCN 88")
        #expect(s.reasons.map(\.ruleID) == ["UNDECODED_STRONG_CARRIER"])
        #expect(s.score == 15 && !s.alertRaised)
    }
}
