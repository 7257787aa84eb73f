import CellwatchModel
import Foundation
import Localization

/// `PositionEstimator` on the Localization target: the robust log-distance fit over all sightings of
/// the emitter (`EmitterLocalizer.locate`) and, over the newest window, the constant-velocity tracker
/// (`EmitterTracker.estimate`); when the tracker finds the emitter moving, its current position,
/// heading and speed win.
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
        let power = Self.powerSightings(sightings)
        guard let latest = power.map(\.time).max() else { return nil }
        let windowStart = latest.addingTimeInterval(-tracking.windowSeconds)
        let recent = power.filter { $0.time >= windowStart }
        if let point = EmitterTracker.estimate(recent, at: latest, options: tracking), point.isMoving {
            return EmitterFix(latitudeDegrees: point.latitudeDegrees, longitudeDegrees: point.longitudeDegrees,
                              ellipseMajorMeters: point.ellipse.semiMajorMeters, ellipseMinorMeters: point.ellipse.semiMinorMeters,
                              ellipseBearingDegrees: point.ellipse.orientationDegrees, ellipseConfidence: point.ellipse.confidence,
                              headingDegrees: point.headingDegrees, speedMetersPerSecond: point.speedMetersPerSecond,
                              method: LocalizationMethod.constantVelocityNLLS.rawValue, observationCount: point.sightingsUsed,
                              time: latest, caveats: point.caveats.map(\.reason))
        }
        guard let e = EmitterLocalizer.locate(power, options: localization) else { return nil }
        let ellipse = e.ellipse ?? .circle(radiusMeters: localization.unresolvedRadiusMeters, confidence: localization.confidence)
        return EmitterFix(latitudeDegrees: e.latitudeDegrees, longitudeDegrees: e.longitudeDegrees,
                          ellipseMajorMeters: ellipse.semiMajorMeters, ellipseMinorMeters: ellipse.semiMinorMeters,
                          ellipseBearingDegrees: ellipse.orientationDegrees, ellipseConfidence: ellipse.confidence,
                          method: e.method.rawValue, observationCount: e.sightingsUsed, time: latest,
                          caveats: e.caveats.map(\.reason))
    }
}
