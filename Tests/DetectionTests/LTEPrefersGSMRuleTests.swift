import CellwatchModel
@testable import Detection
import Foundation
import Testing

/// LTE_PREFERS_GSM: the downgrade broadcast (SIB3 serving priority vs SIB7 GERAN priorities) and the
/// real-network settings where it must stay silent.
@Suite struct LTEPrefersGSMRuleTests {
    static func lte(serving: Int? = 5, threshServingLow: Int? = 4, geran: [Int]? = [2], geranHigh: Int? = 20,
                    geranLow: Int? = 4, eutra: [Int]? = [6], utra: [Int]? = nil) -> CellObservation {
        var o = CellObservation(rat: .lte, channel: .earfcn(EARFCN(1300)),
                                identity: CellIdentity(mcc: "460", mnc: "00", areaCode: 22801, cellId: 0x1A2B3C, pci: 77),
                                powerDBFS: Decibels(-45), snrDB: Decibels(18), carrierOffset: Hertz(40),
                                frequencyCalibrated: true, sensorID: "car-1", position: Fixture.fix(), time: Fixture.t0)
        o.cellBarred = false
        o.servingReselectionPriority = serving
        o.threshServingLow = threshServingLow
        o.geranPriorities = geran
        o.geranThreshXHigh = geranHigh
        o.geranThreshXLow = geranLow
        o.eutraNeighbourPriorities = eutra
        o.utraPriorities = utra
        return o
    }

    static func evaluate(_ o: CellObservation, configuration: DetectionConfiguration = .init()) -> Finding? {
        var history = ObservationHistory()
        history.record(o, baseline: Baseline())
        return LTEPrefersGSMRule().evaluate(o, in: RuleContext(baseline: Baseline(), configuration: configuration, history: history))
    }

    @Test func gsmRankedAboveTheServingLTEFrequencyIsFlagged() throws {
        // The downgrade catcher: GERAN 7, serving 1, nothing else ranked higher, any GSM cell 0 dB above minimum.
        let f = try #require(Self.evaluate(Self.lte(serving: 1, geran: [7, 3], geranHigh: 0, eutra: [], utra: nil)))
        #expect(f.ruleID == "LTE_PREFERS_GSM")
        #expect(f.weight == 0.45)
        #expect(f.reason.contains("priority 7") && f.reason.contains("SIB3 priority 1") && f.reason.contains("0 dB"))
    }

    @Test func aHigherRankedLTENeighbourMakesItWeaker() throws {
        let f = try #require(Self.evaluate(Self.lte(serving: 2, geran: [4], eutra: [6])))
        #expect(f.weight == 0.30)
        #expect(f.reason.contains("neighbour LTE/UMTS frequency ranks 6"))
    }

    @Test func aServingThresholdNoCellReachesIsFlaggedWeakly() throws {
        let f = try #require(Self.evaluate(Self.lte(serving: 5, threshServingLow: 31, geran: [1], geranLow: 0)))
        #expect(f.weight == 0.25)
        #expect(f.reason.contains("threshServingLow 31 (62 dB)") && f.reason.contains("threshX-Low 0"))
    }

    @Test func equalPrioritiesBetweenRATsAreWeakEvidence() throws {
        let f = try #require(Self.evaluate(Self.lte(serving: 4, geran: [4])))
        #expect(f.weight == 0.15)
    }

    // Known false-positive causes and missing inputs: silent.

    @Test func aRealNetworkRankingLTEAboveGSMIsNotFlagged() {
        // Typical: LTE 5–7, GSM 0–2, threshServingLow a few (×2 dB).
        #expect(Self.evaluate(Self.lte()) == nil)
        #expect(Self.evaluate(Self.lte(serving: 7, threshServingLow: 0, geran: [0, 1, 2])) == nil)
    }

    @Test func aCoverageEdgeThresholdBelowTheLimitIsNotFlagged() {
        #expect(Self.evaluate(Self.lte(serving: 5, threshServingLow: 10, geran: [1])) == nil)
        var c = DetectionConfiguration()
        c.lteThreshServingLowLimit = 32
        #expect(Self.evaluate(Self.lte(serving: 5, threshServingLow: 31, geran: [1]), configuration: c) == nil)
    }

    @Test func withoutSIB3OrPrioritisedGERANTheRuleIsSilent() {
        #expect(Self.evaluate(Self.lte(serving: nil, geran: [7])) == nil)         // SIB3 not decoded
        #expect(Self.evaluate(Self.lte(serving: 1, geran: nil)) == nil)           // SIB7 not decoded
        #expect(Self.evaluate(Self.lte(serving: 1, geran: [])) == nil)            // GERAN listed without priorities
    }

    @Test func gsmObservationsAreNotJudged() {
        #expect(Self.evaluate(Fixture.gsm()) == nil)
    }

    @Test func theDetectorRaisesAnLTEDowngradeCellWithItsReasons() {
        // An unknown PLMN identity on LTE that prefers GSM: the rule's finding is in the suspect's reasons.
        let clock = ManualClock()
        var d = Detector(baseline: Baseline(), clock: clock.closure)
        var o = Self.lte(serving: 1, geran: [7], geranHigh: 0, eutra: [], utra: nil)
        o.identity.mnc = "99"
        let s = d.process(o)
        #expect(s.rat == .lte)
        #expect(s.reasons.contains { $0.ruleID == "LTE_PREFERS_GSM" })
        #expect(s.reasons.contains { $0.ruleID == "PLMN_FOREIGN_OR_UNKNOWN" })
        #expect(s.alertRaised == (s.score >= 60))
        // The real-looking cell next to it scores nothing from this rule.
        let legit = d.process(Self.lte())
        #expect(!legit.reasons.contains { $0.ruleID == "LTE_PREFERS_GSM" })
    }
}
