import CellwatchModel
import Foundation
@testable import Localization
import Testing
import TestSupport

@Suite struct EmitterTrackerTests {
    static func headingError(_ a: Double, _ b: Double) -> Double {
        let d = abs(a - b).truncatingRemainder(dividingBy: 360)
        return min(d, 360 - d)
    }

    @Test func followsAnEmitterDrivenAt10MetresPerSecond() {
        var positionErrors: [Double] = [], speedErrors: [Double] = [], headingErrors: [Double] = []
        var movingFlags = 0, points = 0
        for seed in 1...UInt64(8) {
            let scene = SyntheticScene.movingEmitter(seed: seed)
            var tracker = EmitterTracker()
            let all = scene.sightings(seed: seed).sorted { $0.time < $1.time }
            var next = 0
            for t in stride(from: 120.0, through: 180, by: 20) {
                let now = SyntheticScene.t0.addingTimeInterval(t)
                while next < all.count && all[next].time <= now { tracker.add(all[next]); next += 1 }
                guard let p = tracker.update(at: now) else { Issue.record("no track point at \(t) s"); continue }
                points += 1
                let truth = scene.emitterGeodetic(at: t)
                positionErrors.append(p.distanceMeters(toLatitude: truth.latitudeDegrees, longitude: truth.longitudeDegrees))
                speedErrors.append(abs(p.speedMetersPerSecond - 10))
                let trueHeading = atan2(scene.emitterVelocity.0, scene.emitterVelocity.1) * 180 / .pi
                if let h = p.headingDegrees { headingErrors.append(Self.headingError(h, (trueHeading + 360).truncatingRemainder(dividingBy: 360))) }
                if p.isMoving { movingFlags += 1 }
                #expect(p.latitudeDegrees.isFinite && p.speedMetersPerSecond.isFinite && p.ellipse.semiMajorMeters.isFinite)
            }
            #expect(tracker.track.count == 4)
            #expect(tracker.track.map(\.time) == tracker.track.map(\.time).sorted())
        }
        print("moving emitter, 8 runs × 4 updates, 120 s window: position median \(percentile(positionErrors, 0.5).fixed(0)) m p90 \(percentile(positionErrors, 0.9).fixed(0)) m, "
            + "speed error median \(percentile(speedErrors, 0.5).fixed(1)) m/s, heading error median \(percentile(headingErrors, 0.5).fixed(0))°, "
            + "moving in \(movingFlags)/\(points)")
        #expect(Double(movingFlags) >= 0.8 * Double(points))
        // Measured: position median ≈ 195 m, speed error ≈ 1.4 m/s, heading error ≈ 14°.
        #expect(percentile(positionErrors, 0.5) < 250)
        #expect(percentile(speedErrors, 0.5) < 3)
        #expect(percentile(headingErrors, 0.5) < 25)
    }

    @Test func aFixedEmitterIsMostlyNotCalledMoving() {
        var moving = 0, points = 0
        for seed in 1...UInt64(6) {
            var scene = SyntheticScene.movingEmitter(seed: seed)
            scene.emitterVelocity = (0, 0)
            scene.emitterStart = (Double(seed) * 40 - 100, -50)
            var tracker = EmitterTracker()
            tracker.add(contentsOf: scene.sightings(seed: seed))
            for t in stride(from: 60.0, through: 180, by: 40) {
                if let p = tracker.update(at: SyntheticScene.t0.addingTimeInterval(t)) {
                    points += 1
                    if p.isMoving { moving += 1; #expect(p.headingDegrees != nil) } else { #expect(p.headingDegrees == nil) }
                }
            }
        }
        print("fixed emitter seen by the tracker: called moving in \(moving)/\(points) updates")
        #expect(points == 24)
        #expect(Double(moving) <= 0.25 * Double(points))
    }

    @Test func tooFewSightingsInTheWindowGiveNoPoint() {
        let scene = SyntheticScene.movingEmitter(seed: 1)
        var tracker = EmitterTracker()
        tracker.add(contentsOf: Array(scene.sightings(seed: 1).prefix(5)))
        #expect(tracker.update(at: SyntheticScene.t0.addingTimeInterval(10)) == nil)
        #expect(tracker.track.isEmpty)
        // Old sightings leave the window.
        #expect(tracker.update(at: SyntheticScene.t0.addingTimeInterval(1000)) == nil)
        #expect(tracker.sightingsInWindow == 0)
    }
}
