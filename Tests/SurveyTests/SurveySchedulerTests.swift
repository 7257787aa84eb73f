import CellwatchModel
import Foundation
import Survey
import Testing

/// The survey scheduler as pure logic: a fake world of carriers per tuning step, a clock that advances
/// by what each action costs in scene time (a look its look seconds, a dwell its dwell), and the
/// scheduler's decisions. No radio, no DSP.
@Suite("Survey scheduler")
struct SurveySchedulerTests {
    /// A manually advanced clock, shared with the scheduler.
    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var t = 0.0
        var now: Double { lock.withLock { t } }
        func advance(_ s: Double) { lock.withLock { t += s } }
    }

    struct Transmitter {
        var key: CarrierKey
        var step: Int
        var on: Double = 0
        var off: Double = .infinity
        var power: (Double) -> Double = { _ in -40 }
    }

    static func gsm(_ n: Int) -> CarrierKey { CarrierKey(rat: .gsm, band: .gsm(.egsm900), channel: n) }

    /// Runs the scheduler against `world` until the clock passes `until`; returns every decode (time at
    /// its end, carriers, reason). `verdict` can mark carriers as suspects after their decode.
    static func run(_ s: inout SurveyScheduler, clock: Clock, world: [Transmitter], until: Double,
                    verdict: (CarrierKey, Double) -> (scored: Bool, raised: Bool) = { _, _ in (false, false) })
        -> [(t: Double, keys: [CarrierKey], reason: SurveyScheduler.Reason)] {
        var decodes: [(t: Double, keys: [CarrierKey], reason: SurveyScheduler.Reason)] = []
        while clock.now < until {
            let a = s.next()
            clock.advance(a.seconds)
            let t = clock.now
            let here = world.filter { $0.step == a.step && t >= $0.on && t < $0.off }
            s.recordLook(step: a.step, carriers: here.map { SeenCarrier(key: $0.key, offset: Hertz(0), powerDBFS: Decibels($0.power(t))) })
            if case .decode(_, let keys, _, let reason) = a {
                let audible = Set(here.map(\.key))
                let done = keys.isEmpty ? Array(audible) : keys
                s.recordDecode(carriers: done, identified: audible.intersection(done))
                decodes.append((t, done, reason))
                for k in done where audible.contains(k) {
                    let v = verdict(k, t)
                    s.recordVerdict(k, scored: v.scored, raised: v.raised, step: a.step)
                }
            }
        }
        return decodes
    }

    /// 15 known cells spread over a 138-step plan (the example config's GSM900 + DCS1800 and LTE bands
    /// at 2 MS/s), and a fake that comes on at 60 s on step 100.
    static func district(planCount: Int = 138) -> [Transmitter] {
        var w = (0..<15).map { i in Transmitter(key: gsm(i * 7 + 1), step: (i * 9) % planCount) }
        w.append(Transmitter(key: gsm(18), step: 100 % planCount, on: 60))
        return w
    }

    static func firstDecode(of key: CarrierKey, after t0: Double, in decodes: [(t: Double, keys: [CarrierKey], reason: SurveyScheduler.Reason)]) -> Double? {
        decodes.first { $0.t > t0 && $0.keys.contains(key) }.map { $0.t - t0 }
    }

    @Test func newCarrierIsDecodedWithinSecondsWhateverThePlanSize() {
        for planCount in [22, 138, 400] {
            let clock = Clock()
            var s = SurveyScheduler(planCount: planCount, settings: .init(lookSeconds: 0.02, dwellSeconds: 1, suspectDwellSeconds: 4),
                                    clock: { clock.now })
            let decodes = Self.run(&s, clock: clock, world: Self.district(planCount: planCount), until: 120)
            let latency = Self.firstDecode(of: Self.gsm(18), after: 60, in: decodes)
            // One look pass (plan × 20 ms) plus the dwell in progress and its own dwell.
            let bound = Double(planCount) * 0.02 + 2 * 1 + 0.1
            #expect(latency != nil && latency! <= bound, "plan \(planCount): first decode after \(latency ?? -1) s, bound \(bound) s")
            #expect(decodes.first { $0.keys.contains(Self.gsm(18)) }?.reason == .new)
        }
    }

    @Test func theOldSweepNeedsAWholePlanOfDwells() {
        // Looks off: what the survey did before (full dwells at every step in turn). Same world: the fake
        // waits for the sweep to come round, up to 138 s — the figure this scheduler replaces.
        let clock = Clock()
        var s = SurveyScheduler(planCount: 138, settings: .init(lookSeconds: 0, dwellSeconds: 1, suspectDwellSeconds: 4),
                                clock: { clock.now })
        let decodes = Self.run(&s, clock: clock, world: Self.district(), until: 400)
        #expect(decodes.allSatisfy { $0.reason == .sweep })
        let latency = Self.firstDecode(of: Self.gsm(18), after: 60, in: decodes)
        #expect(latency != nil && latency! > 30)
        // And the sweep visits the steps in order, one dwell each.
        #expect(decodes.count >= 138)
    }

    @Test func changedCarrierIsDecodedBeforeRoundRobin() {
        // ARFCN 8 is known; at 40 s its power jumps by 25 dB (a second transmitter on the channel).
        let clock = Clock()
        var s = SurveyScheduler(planCount: 22, settings: .init(lookSeconds: 0.02, dwellSeconds: 1, suspectDwellSeconds: 4),
                                clock: { clock.now })
        var world = Self.district(planCount: 22)
        world.append(Transmitter(key: Self.gsm(8), step: 5, power: { $0 < 40 ? -60 : -35 }))
        let decodes = Self.run(&s, clock: clock, world: world, until: 60)
        let after = decodes.filter { $0.t > 40 }
        let first = after.first { $0.keys.contains(Self.gsm(8)) }
        #expect(first?.reason == .changed)
        #expect(first.map { $0.t - 40 } ?? 99 <= 22 * 0.02 + 2.1)
        // A few dB of fading is not a change.
        let clock2 = Clock()
        var s2 = SurveyScheduler(planCount: 22, settings: .init(lookSeconds: 0.02, dwellSeconds: 1, suspectDwellSeconds: 4),
                                 clock: { clock2.now })
        let fading = [Transmitter(key: Self.gsm(8), step: 5, power: { -50 + 4 * sin($0) })]
        let d2 = Self.run(&s2, clock: clock2, world: fading, until: 60)
        #expect(!d2.contains { $0.reason == .changed })
    }

    @Test func suspectsBeforeKnownCellsAndKnownCellsRoundRobin() {
        let clock = Clock()
        var s = SurveyScheduler(planCount: 22, settings: .init(lookSeconds: 0.02, dwellSeconds: 1, suspectDwellSeconds: 4,
                                                               suspectRevisitSeconds: 5),
                                clock: { clock.now })
        let world = Self.district(planCount: 22).filter { $0.key != Self.gsm(18) }
        // ARFCN 22 scores (a suspect, not raised).
        let decodes = Self.run(&s, clock: clock, world: world, until: 200) { k, _ in (k == Self.gsm(22), false) }
        let revisits = decodes.filter { $0.reason == .revisit || $0.reason == .suspect }
        #expect(!revisits.isEmpty)
        // The suspect is decoded again about every suspectRevisitSeconds (plus a look pass and a dwell).
        let suspectTimes = decodes.filter { $0.keys.contains(Self.gsm(22)) }.map(\.t)
        let gaps = zip(suspectTimes.dropFirst(), suspectTimes).map { $0 - $1 }
        #expect(gaps.count >= 20)
        // (After the start, when every cell is new and decoded first.)
        #expect(gaps.dropFirst().allSatisfy { $0 <= 5 + 22 * 0.02 + 1 + 1.1 }, "\(gaps)")
        // Every known cell is revisited, least recently decoded first: no cell waits more than about
        // (cells) × (look pass + dwell) × 2 (suspect turns in between).
        for w in world where w.key != Self.gsm(22) {
            let times = decodes.filter { $0.keys.contains(w.key) }.map(\.t)
            #expect(times.count >= 3, "\(w.key) decoded \(times.count) times")
            let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
            #expect(gaps.allSatisfy { $0 <= 15 * (22 * 0.02 + 1) * 2 + 5 }, "\(w.key): \(gaps)")
        }
        // Known-cell revisits are in least-recently-decoded order: the order of the first round repeats.
        let known = decodes.filter { $0.reason == .revisit }.map { $0.keys[0] }
        #expect(known.count >= 28)
        #expect(Array(known[0..<14]) == Array(known[14..<28]))
    }

    @Test func raisedSuspectGetsOneEvidenceDwell() {
        let clock = Clock()
        var s = SurveyScheduler(planCount: 22, settings: .init(lookSeconds: 0.02, dwellSeconds: 1, suspectDwellSeconds: 4),
                                clock: { clock.now })
        let world = Self.district(planCount: 22)
        let decodes = Self.run(&s, clock: clock, world: world, until: 100) { k, _ in (k == Self.gsm(18), k == Self.gsm(18)) }
        let evidence = decodes.filter { $0.reason == .evidence }
        // Raised at its first decode (≈ 60 s): one evidence dwell right after, the next not before 60 s later.
        #expect(evidence.count == 1)
        #expect(evidence.first?.keys == [Self.gsm(18)])
        let first = Self.firstDecode(of: Self.gsm(18), after: 60, in: decodes) ?? 99
        #expect(evidence.first.map { $0.t - 60 - first } ?? 99 <= 4.1)
    }

    @Test func carrierBackAfterSilenceIsNewAgainButNotAfterAShortFade() {
        let clock = Clock()
        var s = SurveyScheduler(planCount: 10, settings: .init(lookSeconds: 0.02, dwellSeconds: 1, suspectDwellSeconds: 4,
                                                               forgetSeconds: 30),
                                clock: { clock.now })
        let k = Self.gsm(30)
        // On 0–20 s, off 20–80 s (forgotten), on again; a 5 s fade at 100–105 s is not a new carrier.
        let world = [Transmitter(key: k, step: 3, on: 0, off: 20), Transmitter(key: k, step: 3, on: 80, off: 100),
                     Transmitter(key: k, step: 3, on: 105, off: 200)]
        let decodes = Self.run(&s, clock: clock, world: world, until: 150)
        let news = decodes.filter { $0.reason == .new && $0.keys.contains(k) }.map(\.t)
        #expect(news.count == 2, "\(news)")
        #expect(news.last.map { $0 >= 80 && $0 < 80 + 10 * 0.02 + 1.1 } == true)
        #expect(s.map[k] != nil)
    }

    @Test func lteCarriersAreMappedAndDecodedLikeGSM() {
        let clock = Clock()
        var s = SurveyScheduler(planCount: 40, settings: .init(lookSeconds: 0.02, dwellSeconds: 1, suspectDwellSeconds: 4),
                                clock: { clock.now })
        let lte = CarrierKey(rat: .lte, band: .lte(LTEBand.band(downlink: EARFCN(1300))!), channel: 1300)
        let decodes = Self.run(&s, clock: clock, world: [Transmitter(key: lte, step: 17, on: 10)], until: 30)
        let latency = Self.firstDecode(of: lte, after: 10, in: decodes)
        #expect(latency != nil && latency! <= 40 * 0.02 + 2.1)
    }
}
