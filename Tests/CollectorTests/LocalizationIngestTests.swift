import CellwatchModel
import Collector
import Foundation
import Hummingbird
import HummingbirdTesting
import Localization
import Testing
import TestSupport

/// Reports with power sightings go in through the API; the alert comes out with a position from the
/// Localization target.
@Suite("Collector localization")
struct LocalizationIngestTests {
    /// Received power of a log-distance emitter: -50 dBm at 100 m, exponent 3, shadowing σ dB.
    static func rssi(_ d: Double, sigma: Double, _ g: inout SeededGenerator) -> Double {
        let u1 = max(Double.random(in: 0..<1, using: &g), 1e-12), u2 = Double.random(in: 0..<1, using: &g)
        let n = (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
        return -50 - 30 * log10(max(d, 10) / 100) + sigma * n
    }

    static func offset(_ lat: Double, _ lon: Double, east: Double, north: Double) -> (Double, Double) {
        (lat + north / 111_320, lon + east / (111_320 * cos(lat * .pi / 180)))
    }

    @Test(arguments: Backend.allCases) func fixedEmitterIsPlacedFromDriveSightings(_ backend: Backend) async throws {
        let f = try await Fixture(backend, estimator: LocalizationEstimator())
        defer { f.cleanup() }
        let truth = (52.5200, 13.4050)
        var g = SeededGenerator(seed: 77)
        var observations: [ObservationRecord] = []
        for i in 0..<60 {
            // A drive around the emitter at 150-700 m.
            let angle = Double(i) / 60 * 2 * .pi
            let r = 150 + 550 * Double((i * 7) % 11) / 10
            let (lat, lon) = Self.offset(truth.0, truth.1, east: r * sin(angle), north: r * cos(angle))
            var o = f.observation(i, lat: lat, lon: lon, dbm: -70)
            o.time = f.clock.date.addingTimeInterval(-120 + Double(i) * 2)
            o.position?.time = o.time
            o.powerDBm = Decibels(Self.rssi(GeoFix.distanceMeters(lat, lon, truth.0, truth.1), sigma: 3, &g))
            observations.append(ObservationRecord(id: "loc-\(i)", observation: o))
        }
        let uploads = observations
        let events = try await f.app().test(.router) { client in
            let viewer = try await Fixture.login(client, .viewer)
            async let stream = client.execute(uri: "/api/v1/alerts/stream?limit=3", method: .get,
                                              headers: Fixture.bearer(viewer, json: false))
            for _ in 0..<200 where f.service.hub.subscriberCount == 0 { try await Task.sleep(for: .milliseconds(10)) }
            // Three uploads of 20 sightings; the first also raises the alert.
            for b in 0..<3 {
                var report = try f.report(observations: 0, suspects: b == 0 ? nil : [], evidence: b == 0 ? nil : [])
                report.observations = Array(uploads[(b * 20)..<(b * 20 + 20)])
                let r = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.token),
                                                 body: try Fixture.encode(report))
                #expect(r.status == .ok, "\(errorMessage(r))")
            }
            return String(buffer: try await stream.body)
        }
        let alert = try #require(try await f.store.alerts(includeResolved: true).first)
        let fix = try #require(alert.position)
        let error = GeoFix.distanceMeters(fix.latitudeDegrees, fix.longitudeDegrees, truth.0, truth.1)
        #expect(error < 60, "position error \(error) m")
        #expect(fix.observationCount == 60)
        #expect(fix.ellipseMajorMeters > 0 && fix.ellipseMajorMeters < 500)
        #expect(fix.method == "robust-nlls")
        #expect(alert.track.count == 3)
        // The first event is the new alert, then the two uploads that only moved its estimate.
        #expect(events.contains("\"kind\":\"created\""))
        #expect(events.components(separatedBy: "\"kind\":\"moved\"").count - 1 == 2)
        // The naive centroid of the same sightings is worse than the fit here.
        let centroid = try #require(EmitterLocalizer.centroid(LocalizationEstimator.powerSightings(
            observations.map { Sighting(sensorID: "s1", time: $0.observation.time, position: $0.observation.position!,
                                        powerDBm: $0.observation.powerDBm?.value, powerDBFS: nil) })))
        let centroidError = GeoFix.distanceMeters(centroid.latitudeDegrees, centroid.longitudeDegrees, truth.0, truth.1)
        #expect(error < centroidError)
        print("collector fixed emitter: position error \(error.fixed(0)) m (centroid \(centroidError.fixed(0)) m), ellipse \(fix.ellipseMajorMeters.fixed(0))×\(fix.ellipseMinorMeters.fixed(0)) m")
    }

    @Test(arguments: Backend.allCases) func movingEmitterGetsHeadingAndSpeed(_ backend: Backend) async throws {
        let f = try await Fixture(backend, estimator: LocalizationEstimator())
        defer { f.cleanup() }
        let start = (52.5200, 13.4050)
        var g = SeededGenerator(seed: 78)
        // Emitter drives east at 10 m/s for 180 s. Sensor s1 circles (900 m E, 0) at 700 m every 90 s;
        // s2 drives the parallel road 300 m north, also eastwards. One sighting per sensor per second.
        var byS1: [ObservationRecord] = [], byS2: [ObservationRecord] = []
        for i in 0..<180 {
            let t = Double(i)
            let emitter = Self.offset(start.0, start.1, east: 10 * t, north: 0)
            let angle = t / 90 * 2 * .pi
            let p1 = Self.offset(start.0, start.1, east: 900 + 700 * sin(angle), north: 700 * cos(angle))
            let p2 = Self.offset(start.0, start.1, east: 10 * t - 200, north: 300)
            for (sensor, p) in [("s1", p1), ("s2", p2)] {
                var o = f.observation(i, sensor: sensor, lat: p.0, lon: p.1)
                o.time = f.clock.date.addingTimeInterval(-200 + t)
                o.position?.time = o.time
                o.powerDBm = Decibels(Self.rssi(GeoFix.distanceMeters(p.0, p.1, emitter.0, emitter.1), sigma: 2, &g))
                let record = ObservationRecord(id: "mv-\(i)", observation: o)
                if sensor == "s1" { byS1.append(record) } else { byS2.append(record) }
            }
        }
        var r2 = try f.report(observations: 0, suspects: [], evidence: [], sensor: "s2")
        r2.observations = byS2
        _ = try await f.service.ingest(r2, from: try #require(try await f.store.sensor(id: "s2")))
        var r1 = try f.report(observations: 0)
        r1.observations = byS1
        _ = try await f.service.ingest(r1, from: try #require(try await f.store.sensor(id: "s1")))
        let fix = try #require(try await f.store.alerts(includeResolved: true).first?.position)
        #expect(fix.method == "constant-velocity-nlls")
        let heading = try #require(fix.headingDegrees)
        #expect(abs(heading - 90) < 30, "heading \(heading)")
        let speed = try #require(fix.speedMetersPerSecond)
        #expect(abs(speed - 10) < 4, "speed \(speed)")
        let end = Self.offset(start.0, start.1, east: 1790, north: 0)
        let error = GeoFix.distanceMeters(fix.latitudeDegrees, fix.longitudeDegrees, end.0, end.1)
        #expect(error < 250, "position error \(error) m")
        print("collector moving emitter: position error \(error.fixed(0)) m, heading \(heading.fixed(0))°, speed \(speed.fixed(1)) m/s")
    }
}
