import CellwatchModel
import Foundation
@testable import Localization
import TestSupport

/// Synthetic received-power data for localization tests: sensors moving along polylines (or parked),
/// an emitter (fixed or moving at constant velocity), the log-distance model with spatially correlated
/// log-normal shadowing (Gudmundson's exponential autocorrelation along each sensor's path), white
/// measurement noise, occasional gross outliers, 1 dB quantisation and a receiver sensitivity floor.
/// Stand-in until the simulator's drives replace it.
struct SyntheticScene {
    static let origin = (latitude: 22.5431, longitude: 114.0579)   // Shenzhen
    static let plane = LocalTangentPlane(originLatitudeDegrees: origin.latitude, originLongitudeDegrees: origin.longitude)
    static let t0 = Date(timeIntervalSince1970: 1_780_000_000)

    struct Sensor {
        var id: String
        /// Waypoints (east, north) in metres; one point for a parked sensor.
        var path: [(Double, Double)]
        var speed: Double = 10
        /// Seconds between sightings.
        var interval: Double = 2
        /// Seconds the sensor spends when parked.
        var parkedDuration: Double = 120
    }

    var emitterStart: (Double, Double)
    var emitterVelocity: (Double, Double) = (0, 0)
    /// Received power at 1 m (dBm) and path-loss exponent of the truth.
    var powerAt1m: Double
    var exponent: Double
    var shadowingSigma: Double
    var decorrelationMeters: Double = 50
    var measurementNoise: Double = 1.5
    var outlierFraction: Double = 0.05
    /// Size of an outlier's error (dB); positive only when `positiveOutliers` (a stronger carrier
    /// mistaken for the emitter's), else either sign.
    var outlierJump: ClosedRange<Double> = 10...25
    var positiveOutliers = false
    var sensitivityDBm: Double = -110
    var sensors: [Sensor]

    func emitter(at t: Double) -> (Double, Double) {
        (emitterStart.0 + emitterVelocity.0 * t, emitterStart.1 + emitterVelocity.1 * t)
    }

    func emitterGeodetic(at t: Double = 0) -> (latitudeDegrees: Double, longitudeDegrees: Double) {
        let e = emitter(at: t)
        return Self.plane.geodetic(east: e.0, north: e.1)
    }

    /// Positions and times of one sensor: along its path at its speed, or parked.
    static func samples(_ s: Sensor) -> [(t: Double, east: Double, north: Double)] {
        var out: [(Double, Double, Double)] = []
        if s.path.count == 1 {
            var t = 0.0
            while t <= s.parkedDuration { out.append((t, s.path[0].0, s.path[0].1)); t += s.interval }
            return out
        }
        var t = 0.0
        var travelled = 0.0
        var segStart = 0.0
        let step = s.speed * s.interval
        for k in 1..<s.path.count {
            let a = s.path[k - 1], b = s.path[k]
            let len = hypot(b.0 - a.0, b.1 - a.1)
            while travelled <= segStart + len {
                let f = (travelled - segStart) / len
                out.append((t, a.0 + f * (b.0 - a.0), a.1 + f * (b.1 - a.1)))
                travelled += step
                t += s.interval
            }
            segStart += len
        }
        return out
    }

    func sightings(seed: UInt64) -> [PowerSighting] {
        var rng = SeededGenerator(seed: seed)
        var out: [PowerSighting] = []
        for s in sensors {
            var shadow = rng.gaussian() * shadowingSigma
            var last: (Double, Double)? = nil
            var lastEmitter = emitter(at: 0)
            for p in Self.samples(s) {
                let e = emitter(at: p.t)
                // Correlation falls with the distance the sensor (and the emitter) moved since the last sample.
                let moved = (last.map { hypot(p.east - $0.0, p.north - $0.1) } ?? 0) + hypot(e.0 - lastEmitter.0, e.1 - lastEmitter.1)
                let rho = exp(-moved / decorrelationMeters)
                shadow = rho * shadow + (1 - rho * rho).squareRoot() * shadowingSigma * rng.gaussian()
                last = (p.east, p.north)
                lastEmitter = e
                let d = max(hypot(e.0 - p.east, e.1 - p.north), 1)
                var rssi = powerAt1m - 10 * exponent * log10(d) + shadow + measurementNoise * rng.gaussian()
                if Double.random(in: 0..<1, using: &rng) < outlierFraction {
                    let jump = Double.random(in: outlierJump, using: &rng)
                    rssi += Bool.random(using: &rng) || positiveOutliers ? jump : -jump
                }
                rssi = rssi.rounded()
                guard rssi >= sensitivityDBm else { continue }
                let g = Self.plane.geodetic(east: p.east, north: p.north)
                out.append(PowerSighting(latitudeDegrees: g.latitudeDegrees, longitudeDegrees: g.longitudeDegrees,
                                         time: Self.t0.addingTimeInterval(p.t), rssiDBm: rssi, sensorID: s.id))
            }
        }
        return out
    }

    /// The truth's received power at 100 m, the localizer's reference distance.
    var referencePowerAt100m: Double { powerAt1m - 20 * exponent }

    // MARK: Scenarios

    /// One car drives 2.1 km east along a street, turns at a junction and drives 1.5 km north; the emitter
    /// sits at a random place 60–500 m off the streets, with random power, exponent and shadowing σ 4–8 dB.
    static func carDrive(seed: UInt64) -> SyntheticScene {
        var rng = SeededGenerator(seed: seed &* 7919 &+ 1)
        var east = 0.0, north = 0.0
        repeat {
            east = Double.random(in: -900...450, using: &rng)
            north = Double.random(in: -450...450, using: &rng)
        } while abs(north) < 60 || abs(east - 600) < 60
        return SyntheticScene(emitterStart: (east, north), powerAt1m: Double.random(in: -12...5, using: &rng),
                              exponent: Double.random(in: 2.7...3.8, using: &rng),
                              shadowingSigma: Double.random(in: 4...8, using: &rng),
                              sensors: [Sensor(id: "car", path: [(-1500, 0), (600, 0), (600, 1500)])])
    }

    /// The same emitter seen from one straight street only.
    static func straightRoad(seed: UInt64) -> SyntheticScene {
        var s = carDrive(seed: seed)
        s.sensors = [Sensor(id: "car", path: [(-1500, 0), (1500, 0)])]
        if abs(s.emitterStart.0) > 1200 { s.emitterStart.0 = 0 }
        return s
    }

    /// Three cars on three different streets around the emitter.
    static func threeSensors(seed: UInt64) -> SyntheticScene {
        var s = carDrive(seed: seed)
        s.sensors = [
            Sensor(id: "car-1", path: [(-1500, -600), (1500, -600)]),
            Sensor(id: "car-2", path: [(-1000, 1400), (1400, -1000)]),
            Sensor(id: "car-3", path: [(-900, -1500), (-900, 1500)], speed: 8),
        ]
        return s
    }

    /// An emitter driven at 10 m/s on a random heading through a district patrolled by three sensor cars
    /// on three streets (one sighting each per second for three minutes).
    static func movingEmitter(seed: UInt64) -> SyntheticScene {
        var rng = SeededGenerator(seed: seed &* 104_729 &+ 3)
        let heading = Double.random(in: 0..<(2 * .pi), using: &rng)
        let v = (10 * sin(heading), 10 * cos(heading))
        // Start so that the middle of the run passes near the centre of the district.
        let start = (-v.0 * 90 + Double.random(in: -150...150, using: &rng), -v.1 * 90 + Double.random(in: -150...150, using: &rng))
        return SyntheticScene(emitterStart: start, emitterVelocity: v, powerAt1m: Double.random(in: -8...2, using: &rng),
                              exponent: Double.random(in: 2.8...3.5, using: &rng), shadowingSigma: 6,
                              sensors: [
                                  Sensor(id: "car-1", path: [(-900, -500), (900, -500), (900, 700)], speed: 10, interval: 1),
                                  Sensor(id: "car-2", path: [(800, 900), (-800, 900), (-800, -700)], speed: 10, interval: 1),
                                  Sensor(id: "car-3", path: [(-1200, 1200), (1200, -1200)], speed: 12, interval: 1),
                              ])
    }

    /// The same emitter seen from three parked sensors at fixed sites.
    static func movingEmitterFixedSites(seed: UInt64) -> SyntheticScene {
        var s = movingEmitter(seed: seed)
        s.sensors = [
            Sensor(id: "site-a", path: [(-900, -600)], interval: 1, parkedDuration: 180),
            Sensor(id: "site-b", path: [(900, -600)], interval: 1, parkedDuration: 180),
            Sensor(id: "site-c", path: [(0, 1000)], interval: 1, parkedDuration: 180),
        ]
        return s
    }
}

/// Order statistics for the error tables.
func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let s = values.sorted()
    let k = min(max(Int((p * Double(s.count - 1)).rounded()), 0), s.count - 1)
    return s[k]
}
