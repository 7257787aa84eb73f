import CellwatchModel
import Foundation
@testable import Localization
import Testing
import TestSupport

/// A sensor at a fixed site sees the same shadowing, multipath and gain error in every sighting: the
/// tracker gives it its own level offset, so a site reading 10 dB hot does not pull every range.
@Suite struct FixedSiteOffsetTests {
    static func errors(offsets: Bool) -> [Double] {
        var out: [Double] = []
        for seed in 1...UInt64(6) {
            var scene = SyntheticScene.movingEmitter(seed: seed)
            scene.sensors.append(.init(id: "roof", path: [(100, -300)], interval: 2, parkedDuration: 180))
            // The rooftop site reads 10 dB high (a shadow-free line of sight, or an uncalibrated gain).
            let sightings = scene.sightings(seed: seed).map { s -> PowerSighting in
                var s = s
                if s.sensorID == "roof" { s.rssiDBm += 10 }
                return s
            }
            var options = TrackerOptions()
            options.localization.fixedSiteOffsets = offsets
            for t in stride(from: 120.0, through: 180, by: 20) {
                let now = SyntheticScene.t0.addingTimeInterval(t)
                let window = sightings.filter { $0.time <= now && $0.time >= now.addingTimeInterval(-options.windowSeconds) }
                guard let p = EmitterTracker.estimate(window, at: now, options: options) else { continue }
                let truth = scene.emitterGeodetic(at: t)
                out.append(p.distanceMeters(toLatitude: truth.latitudeDegrees, longitude: truth.longitudeDegrees))
            }
        }
        return out
    }

    @Test func aBiasedFixedSiteDoesNotPullTheTrack() {
        let with = Self.errors(offsets: true), without = Self.errors(offsets: false)
        print("biased rooftop site: tracker median error \(percentile(with, 0.5).fixed(0)) m with the site offset, "
            + "\(percentile(without, 0.5).fixed(0)) m without")
        #expect(with.count == 24 && without.count == 24)
        #expect(percentile(with, 0.5) < percentile(without, 0.5))
    }

    @Test func onlyFixedSitesBesideMovingSensorsGetAnOffset() throws {
        let scene = SyntheticScene.movingEmitter(seed: 1)
        var withRoof = scene
        withRoof.sensors.append(.init(id: "roof", path: [(100, -300)], interval: 2, parkedDuration: 180))
        var o = LocalizationOptions()
        o.fixedSiteOffsets = true
        let mixed = try #require(Prepared(withRoof.sightings(seed: 1), options: o))
        #expect(mixed.model(options: o, moving: true).offsetCount == 1)
        #expect(mixed.model(options: o, moving: true).parameterCount == 7)
        let cars = try #require(Prepared(scene.sightings(seed: 1), options: o))
        #expect(cars.model(options: o, moving: false).offsetCount == 0)
        let sites = try #require(Prepared(SyntheticScene.movingEmitterFixedSites(seed: 1).sightings(seed: 1), options: o))
        #expect(sites.model(options: o, moving: true).offsetCount == 0)    // nothing left to fix the level
        o.fixedSiteOffsets = false
        #expect(mixed.model(options: o, moving: true).offsetCount == 0)
    }
}
