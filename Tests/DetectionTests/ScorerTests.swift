import CellwatchModel
import Detection
import Foundation
import Testing

@Suite struct ScorerTests {
    @Test func scoresCombineAsANoisyOrAndOneRuleCountsOnce() {
        let s = Scorer()
        #expect(s.score([]) == 0)
        #expect(abs(s.score([Finding(ruleID: "A", weight: 0.1, reason: "")]) - 10) < 1e-9)
        let twice = [Finding(ruleID: "A", weight: 0.3, reason: ""), Finding(ruleID: "A", weight: 0.3, reason: "")]
        #expect(abs(s.score(twice) - 30) < 1e-9)
        let two = [Finding(ruleID: "A", weight: 0.5, reason: ""), Finding(ruleID: "B", weight: 0.5, reason: "")]
        #expect(abs(s.score(two) - 75) < 1e-9)
        #expect(s.score((0..<30).map { Finding(ruleID: "R\($0)", weight: 1.5, reason: "") }) == 100)
    }

    @Test func severityFollowsTheRaisedStateAndTheScore() {
        let s = Scorer()
        #expect(s.severity(score: 0, raised: false) == .none)
        #expect(s.severity(score: 55, raised: false) == .low)
        #expect(s.severity(score: 45, raised: true) == .medium)
        #expect(s.severity(score: 85, raised: true) == .high)
    }

    /// A suspect whose evidence wavers around the threshold is raised once and stays raised until the
    /// evidence really drops, then needs the full raise threshold again.
    @Test func hysteresisKeepsASuspectFromFlapping() {
        let clock = ManualClock()
        var detector = Detector(baseline: Baseline(), clock: clock.closure)
        detector.evidenceLifetime = 5  // each observation stands on its own in this test
        func observe(cro: Int, t3212: Int, neighbours: [Int]?, paging: Int) -> Suspect {
            clock.advance(10)
            return detector.process(Fixture.gsm(ci: 31337, cro: cro, temporaryOffset: 3, penaltyTime: 1, t3212: t3212, neighbours: neighbours,
                                                paging: paging, assignments: paging / 8, time: clock.now))
        }
        // CRO 0.35, T3212 0.25, no neighbours 0.20, blaster load 0.40: 76.6.
        let strong = observe(cro: 60, t3212: 1, neighbours: [], paging: 300)
        #expect(strong.alertRaised && strong.severity == .medium)
        #expect(strong.score == 76.6)
        // CRO and T3212 only: 51.25, below the raise threshold but above the clear threshold: stays raised.
        let wavering = observe(cro: 60, t3212: 1, neighbours: [1], paging: 10)
        #expect(wavering.score == 51.2)  // 51.25 stored as 51.2499…
        #expect(wavering.alertRaised && wavering.severity == .medium)
        // CRO only: 35, below 40: cleared.
        let weak = observe(cro: 60, t3212: 30, neighbours: [1], paging: 10)
        #expect(!weak.alertRaised && weak.severity == .low)
        // Back to 51.25: not enough to raise again.
        #expect(!observe(cro: 60, t3212: 1, neighbours: [1], paging: 10).alertRaised)
        #expect(observe(cro: 60, t3212: 1, neighbours: [], paging: 300).alertRaised)
    }

    @Test func thresholdsAreConfigurable() {
        var t = Scorer.Thresholds()
        t.raiseAt = 30
        t.clearBelow = 20
        let s = Scorer(thresholds: t)
        #expect(s.raised(score: 35, wasRaised: false))
        #expect(s.raised(score: 25, wasRaised: true))
        #expect(!s.raised(score: 19, wasRaised: true))
    }
}
