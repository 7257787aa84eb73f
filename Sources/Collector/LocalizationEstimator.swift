import CellwatchModel
import Foundation
import Localization

/// `PositionEstimator` on the Localization target's positioning policy (`EmitterPositioning.estimate`):
/// the moving-emitter tracker over the newest window when it finds the emitter moving, else the robust
/// log-distance fit over all sightings.
public struct LocalizationEstimator: PositionEstimator {
    public var localization: LocalizationOptions
    public var tracking: TrackerOptions

    public init(localization: LocalizationOptions = LocalizationOptions(), tracking: TrackerOptions = TrackerOptions()) {
        self.localization = localization
        self.tracking = tracking
    }

    /// Received power in one unit for all sightings: dBm when at least half carry it (calibrated
    /// sensors), otherwise dBFS (the fit's unknown reference power absorbs the common offset).
    public static func powerSightings(_ sightings: [Sighting]) -> [PowerSighting] {
        let withDBm = sightings.filter { $0.powerDBm != nil }
        let useDBm = !withDBm.isEmpty && withDBm.count * 2 >= sightings.count
        return sightings.compactMap { s in
            guard let p = useDBm ? s.powerDBm : s.powerDBFS else { return nil }
            return PowerSighting(latitudeDegrees: s.position.latitudeDegrees, longitudeDegrees: s.position.longitudeDegrees,
                                 time: s.time, rssiDBm: p, sensorID: s.sensorID)
        }
    }

    public func estimate(_ sightings: [Sighting], previous: EmitterFix?) -> EmitterFix? {
        guard let p = EmitterPositioning.estimate(Self.powerSightings(sightings), localization: localization,
                                                  tracking: tracking) else { return nil }
        return EmitterFix(latitudeDegrees: p.latitudeDegrees, longitudeDegrees: p.longitudeDegrees,
                          ellipseMajorMeters: p.ellipse.semiMajorMeters, ellipseMinorMeters: p.ellipse.semiMinorMeters,
                          ellipseBearingDegrees: p.ellipse.orientationDegrees, ellipseConfidence: p.ellipse.confidence,
                          headingDegrees: p.headingDegrees, speedMetersPerSecond: p.speedMetersPerSecond,
                          method: p.method.rawValue, observationCount: p.sightingsUsed, time: p.time,
                          caveats: p.caveats.map(\.reason))
    }
}
