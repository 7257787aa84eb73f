import CellwatchModel
import Foundation

/// Where an emitter is now, as the collector stores it on an alert: from the moving-emitter tracker when
/// it finds the emitter moving, else from the fixed-emitter fit over all sightings.
public struct EmitterPosition: Sendable, Hashable {
    /// The time the position holds for: the newest sighting's.
    public var time: Date
    public var latitudeDegrees: Double
    public var longitudeDegrees: Double
    public var ellipse: UncertaintyEllipse
    /// Direction of travel (degrees from north) and ground speed; nil for a fixed emitter.
    public var headingDegrees: Double?
    public var speedMetersPerSecond: Double?
    public var method: LocalizationMethod
    public var sightingsUsed: Int
    public var caveats: [LocalizationCaveat]

    /// Metres from this position to a point.
    public func distanceMeters(toLatitude lat: Double, longitude lon: Double) -> Double {
        GeoFix.distanceMeters(latitudeDegrees, longitudeDegrees, lat, lon)
    }
}

/// The positioning policy the collector runs on every alerted emitter's sightings.
public enum EmitterPositioning {
    /// The emitter's position at the time of the newest sighting; nil when the sightings cannot say.
    public static func estimate(_ sightings: [PowerSighting], localization: LocalizationOptions = LocalizationOptions(),
                                tracking: TrackerOptions = TrackerOptions()) -> EmitterPosition? {
        guard let latest = sightings.map(\.time).max() else { return nil }
        let windowStart = latest.addingTimeInterval(-tracking.windowSeconds)
        let recent = sightings.filter { $0.time >= windowStart }
        if let p = EmitterTracker.estimate(recent, at: latest, options: tracking), p.isMoving {
            return EmitterPosition(time: latest, latitudeDegrees: p.latitudeDegrees, longitudeDegrees: p.longitudeDegrees,
                                   ellipse: p.ellipse, headingDegrees: p.headingDegrees, speedMetersPerSecond: p.speedMetersPerSecond,
                                   method: .constantVelocityNLLS, sightingsUsed: p.sightingsUsed, caveats: p.caveats)
        }
        guard let e = EmitterLocalizer.locate(sightings, options: localization) else { return nil }
        return EmitterPosition(time: latest, latitudeDegrees: e.latitudeDegrees, longitudeDegrees: e.longitudeDegrees,
                               ellipse: e.ellipse ?? .circle(radiusMeters: localization.unresolvedRadiusMeters,
                                                             confidence: localization.confidence),
                               headingDegrees: nil, speedMetersPerSecond: nil, method: e.method,
                               sightingsUsed: e.sightingsUsed, caveats: e.caveats)
    }
}
