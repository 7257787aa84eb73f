import CellwatchModel
import Foundation
@testable import Localization
import Testing
import TestSupport

/// Robust NLLS against the naive methods on the same synthetic drives. Prints the table recorded in
/// Benchmarks/localization.md; asserts only the error comparison, never timings.
@Suite struct LocalizationComparisonTests {
    struct Row { var name: String; var errors: [Double] = [] }

    static func run(_ make: (UInt64) -> SyntheticScene, trials: Int) -> [Row] {
        var rows = [Row(name: "robust NLLS (Huber)"), Row(name: "centroid (power-weighted)"),
                    Row(name: "trilateration, Crocodile Hunter model"), Row(name: "trilateration, true model (oracle)")]
        for seed in 1...UInt64(trials) {
            let scene = make(seed)
            let s = scene.sightings(seed: seed)
            let t = scene.emitterGeodetic()
            let oracle = FixedPathLossModel(referencePowerDBm: scene.powerAt1m, referenceDistanceMeters: 1, pathLossExponent: scene.exponent)
            let estimates = [EmitterLocalizer.locate(s), EmitterLocalizer.centroid(s),
                             EmitterLocalizer.trilaterate(s, model: .crocodileHunter(frequencyMHz: 950)),
                             EmitterLocalizer.trilaterate(s, model: oracle)]
            for (i, e) in estimates.enumerated() {
                rows[i].errors.append(e.map { $0.distanceMeters(toLatitude: t.latitudeDegrees, longitude: t.longitudeDegrees) } ?? .infinity)
            }
        }
        return rows
    }

    static func table(_ title: String, _ rows: [Row]) -> String {
        var out = "\(title)\n| method | median error (m) | 90th percentile (m) |\n|---|---:|---:|\n"
        for r in rows { out += "| \(r.name) | \(percentile(r.errors, 0.5).fixed(0)) | \(percentile(r.errors, 0.9).fixed(0)) |\n" }
        return out
    }

    @Test func robustNLLSBeatsBothNaiveMethodsOnTheCarDrive() {
        let rows = Self.run(SyntheticScene.carDrive, trials: 50)
        print(Self.table("car drive past a fixed emitter, 50 seeded trials", rows))
        let nlls = percentile(rows[0].errors, 0.5)
        #expect(nlls < 0.5 * percentile(rows[1].errors, 0.5))
        #expect(nlls < 0.5 * percentile(rows[2].errors, 0.5))
    }

    @Test func comparisonWithThreeSensors() {
        let rows = Self.run(SyntheticScene.threeSensors, trials: 50)
        print(Self.table("three cars on three streets, 50 seeded trials", rows))
        #expect(percentile(rows[0].errors, 0.5) < percentile(rows[1].errors, 0.5))
        #expect(percentile(rows[0].errors, 0.5) < percentile(rows[2].errors, 0.5))
    }
}
