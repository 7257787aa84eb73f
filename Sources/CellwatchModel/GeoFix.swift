import Foundation

/// A position fix of a sensor (from gpsd or a surveyed fixed site), WGS 84.
public struct GeoFix: Hashable, Sendable, Codable {
    /// Latitude in degrees, north positive.
    public var latitudeDegrees: Double
    /// Longitude in degrees, east positive.
    public var longitudeDegrees: Double
    /// Height above the WGS 84 ellipsoid in metres, when the fix is 3-D.
    public var altitudeMeters: Double?
    /// Radius of the horizontal 95 % confidence circle in metres (gpsd's `eph`), or the survey accuracy.
    public var horizontalAccuracyMeters: Double
    /// When the receiver computed the fix (GPS time), not when we read it.
    public var time: Date
    /// Ground speed in metres per second (gpsd's `speed`), when known; 0 for a fixed site. It bounds the
    /// Doppler shift the sensor's own motion adds to every carrier it measures.
    public var speedMetersPerSecond: Double?

    public init(latitudeDegrees: Double, longitudeDegrees: Double, altitudeMeters: Double? = nil,
                horizontalAccuracyMeters: Double, time: Date, speedMetersPerSecond: Double? = nil) {
        self.speedMetersPerSecond = speedMetersPerSecond
        self.latitudeDegrees = latitudeDegrees
        self.longitudeDegrees = longitudeDegrees
        self.altitudeMeters = altitudeMeters
        self.horizontalAccuracyMeters = horizontalAccuracyMeters
        self.time = time
    }

    /// Great-circle distance in metres to a point (haversine on a sphere of the mean Earth radius,
    /// IUGG 6 371 008.8 m; off by at most 0.5 % from the ellipsoid, far below a cell's range).
    public func distanceMeters(toLatitude lat: Double, longitude lon: Double) -> Double {
        GeoFix.distanceMeters(latitudeDegrees, longitudeDegrees, lat, lon)
    }

    public func distanceMeters(to other: GeoFix) -> Double {
        distanceMeters(toLatitude: other.latitudeDegrees, longitude: other.longitudeDegrees)
    }

    public static func distanceMeters(_ lat1: Double, _ lon1: Double, _ lat2: Double, _ lon2: Double) -> Double {
        let r = 6_371_008.8
        let rad = Double.pi / 180
        let dLat = (lat2 - lat1) * rad
        let dLon = (lon2 - lon1) * rad
        let a = sin(dLat / 2) * sin(dLat / 2) + cos(lat1 * rad) * cos(lat2 * rad) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * r * asin(min(1, a.squareRoot()))
    }
}
