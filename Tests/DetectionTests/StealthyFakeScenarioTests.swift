import CellwatchModel
import Detection
import Foundation
import Testing

/// A fake cell that copies the operator's ordinary parameters (reselect offset, T3212, paging, a real
/// neighbour list, a good carrier) so that none of the parameter checks fires. It is still caught by how
/// it sits among the real cells: its own LAC, neighbours that do not know it, a channel the operator
/// does not hold. The real network, judged by the same rules for 30 minutes, raises nothing.
@Suite struct StealthyFakeScenarioTests {
    typealias Scenario = DetectorScenarioTests

    static let stealthy = Fixture.gsm(mcc: "460", mnc: "00", lac: 4777, ci: 31338, bsic: 9, arfcn: 110,
                                      cro: 4, temporaryOffset: 0, penaltyTime: 0, t3212: 30, neighbours: [4, 7, 10, 13, 16, 19],
                                      paging: 60, assignments: 5, window: 10, offsetHz: 6, calibrated: true)

    @Test func aWellDisguisedCloneIsRaisedByItsPlaceAmongRealCells() throws {
        var rng = SplitMix64(seed: 3)
        let clock = ManualClock()
        let baseline = Scenario.learnedBaseline(clock, &rng)
        var detector = Detector(baseline: baseline, clock: clock.closure)
        let start = clock.now + 600
        for step in 0..<180 {
            clock.set(start + Double(step) * 10)
            for c in Scenario.network {
                for sensor in ["car-1", "fixed-1"] {
                    let s = detector.process(Scenario.observe(c, sensor: sensor, at: clock.now, &rng))
                    #expect(!s.alertRaised, "\(s.id): \(s.reasons.map(\.reason))")
                }
            }
        }
        #expect(detector.raisedSuspects.isEmpty)

        clock.advance(5)
        var o = Self.stealthy
        o.time = clock.now
        o.position = Scenario.position(sensor: "car-1", at: clock.now)
        let s = detector.process(o)
        let rules = Set(s.reasons.map(\.ruleID))
        // None of the parameter checks has anything to say.
        #expect(rules.isDisjoint(with: ["GSM_CELL_RESELECT_OFFSET_HIGH", "GSM_T3212_LOW", "GSM_NEIGHBOUR_LIST_EMPTY",
                                        "CARRIER_FREQUENCY_ERROR", "CCCH_LOAD_LIKE_SMS_BLASTER", "PARAMETERS_OFF_OPERATOR_NORM"]))
        #expect(rules.isSuperset(of: ["CELL_NOT_IN_BASELINE", "AREA_CODE_UNLIKE_NEIGHBOURS",
                                      "GSM_NEIGHBOUR_LIST_NOT_RECIPROCAL", "GSM_CHANNEL_OUTSIDE_OPERATOR_RANGE"]))
        #expect(s.alertRaised, "\(s.score): \(s.reasons.map(\.reason))")
        #expect(s.reasons.map(\.reason).contains("ARFCN 110 is outside 460-00's GSM channels (0–94, 512–586, 1000–1023)"))
    }
}
