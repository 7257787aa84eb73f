import CellwatchModel
import Detection
import Foundation
import Testing

/// A legitimate China Mobile GSM 900 network of 20 cells in two LACs around Shenzhen is learned into
/// the baseline; then an SMS blaster cloning the operator appears. Randomness is a seeded generator (SplitMix64).
@Suite struct DetectorScenarioTests {
    struct LegitimateCell {
        var lac: Int
        var ci: Int
        var arfcn: Int
        var bsic: Int
        var neighbours: [Int]
    }

    static let network: [LegitimateCell] = (0..<20).map { i in
        LegitimateCell(lac: i < 10 ? 9345 : 9346, ci: 10001 + i, arfcn: 1 + 3 * i, bsic: (i * 7) % 64,
                       neighbours: (1...6).map { 1 + 3 * ((i + $0) % 20) })
    }

    /// One sensor driving slowly north-east through the area; a second one at a fixed site.
    static func position(sensor: String, at time: Date) -> GeoFix {
        if sensor == "fixed-1" {
            return GeoFix(latitudeDegrees: 22.5400, longitudeDegrees: 114.0500, horizontalAccuracyMeters: 3,
                          time: time, speedMetersPerSecond: 0)
        }
        let t = time.timeIntervalSince(Fixture.t0).truncatingRemainder(dividingBy: 600)
        return GeoFix(latitudeDegrees: 22.5431 + t * 0.000_01, longitudeDegrees: 114.0579 + t * 0.000_01,
                      horizontalAccuracyMeters: 8, time: time, speedMetersPerSecond: 1.5)
    }

    static func observe(_ c: LegitimateCell, sensor: String, at time: Date, _ rng: inout SplitMix64) -> CellObservation {
        Fixture.gsm(lac: c.lac, ci: c.ci, bsic: c.bsic, arfcn: c.arfcn, cro: Int.random(in: 0...8, using: &rng),
                    t3212: 30, neighbours: c.neighbours,
                    paging: Int.random(in: 20...150, using: &rng), assignments: Int.random(in: 1...15, using: &rng),
                    offsetHz: Double.random(in: -15...15, using: &rng), calibrated: true,
                    sensor: sensor, position: position(sensor: sensor, at: time), time: time)
    }

    static let blaster = Fixture.gsm(mcc: "460", mnc: "00", lac: 4777, ci: 31337, bsic: 5, arfcn: 75,
                                     cro: 60, temporaryOffset: 0, penaltyTime: 0, t3212: 1, neighbours: [],
                                     paging: 350, assignments: 45, window: 10, offsetHz: 400, calibrated: true)

    /// Learns the network for an hour (one round of observations every 10 minutes from both sensors).
    static func learnedBaseline(_ clock: ManualClock, _ rng: inout SplitMix64) -> Baseline {
        var learner = BaselineLearner(clock: clock.closure)
        for round in 0..<7 {
            clock.set(Fixture.t0 + Double(round) * 600)
            for c in network {
                for sensor in ["car-1", "fixed-1"] { learner.learn(observe(c, sensor: sensor, at: clock.now, &rng)) }
            }
        }
        return learner.baseline
    }

    @Test func theBaselineLearnsEveryLegitimateCell() {
        var rng = SplitMix64(seed: 1)
        let b = Self.learnedBaseline(ManualClock(), &rng)
        #expect(b.count == 20)
        #expect(b.cells.values.allSatisfy { $0.channels.count == 1 && $0.sources == [.learned] && $0.rangeMeters != nil })
    }

    @Test func anSMSBlasterIsHighOnItsFirstObservationAndTheRealCellsStayQuiet() throws {
        var rng = SplitMix64(seed: 2)
        let clock = ManualClock()
        let baseline = Self.learnedBaseline(clock, &rng)
        var detector = Detector(baseline: baseline, clock: clock.closure)

        // Thirty minutes of the real network, every 10 s, from both sensors: no alert, low scores.
        let start = clock.now + 600
        var maximum = 0.0
        for step in 0..<180 {
            clock.set(start + Double(step) * 10)
            for c in Self.network {
                for sensor in ["car-1", "fixed-1"] {
                    let s = detector.process(Self.observe(c, sensor: sensor, at: clock.now, &rng))
                    maximum = max(maximum, s.score)
                    #expect(!s.alertRaised, "\(s.id): \(s.reasons.map(\.reason))")
                }
            }
        }
        #expect(maximum < 40)
        #expect(detector.raisedSuspects.isEmpty)

        // The blaster comes into range of the moving sensor.
        clock.advance(10)
        var o = Self.blaster
        o.time = clock.now
        o.position = Self.position(sensor: "car-1", at: clock.now)
        let suspect = detector.process(o)
        #expect(suspect.severity == .high)
        #expect(suspect.alertRaised)
        #expect(suspect.score >= 80)
        #expect(suspect.id == "GSM:460-0-4777-31337@ARFCN 75")
        let rules = Set(suspect.reasons.map(\.ruleID))
        #expect(rules.isSuperset(of: ["CELL_NOT_IN_BASELINE", "GSM_CELL_RESELECT_OFFSET_HIGH", "GSM_T3212_LOW",
                                      "GSM_NEIGHBOUR_LIST_EMPTY", "CARRIER_FREQUENCY_ERROR", "CCCH_LOAD_LIKE_SMS_BLASTER"]))
        let reasons = suspect.reasons.map(\.reason)
        #expect(reasons.contains("CELL_RESELECT_OFFSET 60 (120 dB) above 40"))
        #expect(reasons.contains("T3212 1 (6 min) below 10 (60 min)"))
        #expect(reasons.contains { $0.hasPrefix("carrier +400 Hz, +0.42 ppm at 950.000 MHz") })
        #expect(suspect.reasons.first?.ruleID == "CCCH_LOAD_LIKE_SMS_BLASTER")  // strongest first
        #expect(detector.raisedSuspects.map(\.id) == [suspect.id])

        // The fixed sensor hears it too: the same suspect, now with both sensors and positions.
        clock.advance(5)
        var seenAgain = Self.blaster
        seenAgain.sensorID = "fixed-1"
        seenAgain.time = clock.now
        seenAgain.position = Self.position(sensor: "fixed-1", at: clock.now)
        let merged = detector.process(seenAgain)
        #expect(merged.id == suspect.id)
        #expect(merged.sensors == ["car-1", "fixed-1"])
        #expect(merged.lastPositions.count == 2)
        #expect(merged.firstSeen == o.time)
        #expect(detector.raisedSuspects.count == 1)
    }

    @Test func theSuspectRoundTripsThroughJSON() throws {
        let clock = ManualClock()
        var detector = Detector(baseline: Baseline(), clock: clock.closure)
        let s = detector.process(Self.blaster)
        // The id is the shared emitter key the collector re-derives and checks.
        #expect(s.id == EmitterKey(s).description && s.id == EmitterKey(Self.blaster).description)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        #expect(try decoder.decode(Suspect.self, from: encoder.encode(s)) == s)
        #expect(try decoder.decode(CellObservation.self, from: encoder.encode(Self.blaster)) == Self.blaster)
        let json = String(decoding: try encoder.encode(Self.blaster.channel), as: UTF8.self)
        #expect(json == "{\"arfcn\":75}")
    }

    @Test func evidenceExpiresWithTheInjectedClock() {
        let clock = ManualClock()
        var detector = Detector(baseline: Baseline(), clock: clock.closure)
        #expect(detector.process(Self.blaster).alertRaised)
        // Ten minutes later the same cell looks ordinary: the old evidence is gone, the alert clears.
        clock.advance(11 * 60)
        let calm = Fixture.gsm(lac: 4777, ci: 31337, bsic: 5, arfcn: 75, time: clock.now)
        let s = detector.process(calm)
        #expect(!s.alertRaised)
        #expect(s.reasons.isEmpty)
    }
}
