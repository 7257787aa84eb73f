import Foundation

/// A local east-north plane (metres) tangent to the WGS 84 ellipsoid at an origin.
///
/// Positions are mapped with the ellipsoid's radii of curvature at the origin (meridian radius M for
/// north, prime-vertical radius N·cos φ for east). Within 10 km of the origin the distortion is under
/// 0.1 %, far below the metres-to-hundreds-of-metres errors of power-based localization.
public struct LocalTangentPlane: Sendable, Hashable {
    public let originLatitudeDegrees: Double
    public let originLongitudeDegrees: Double
    private let metresPerRadianNorth: Double
    private let metresPerRadianEast: Double

    // WGS 84 semi-major axis and first eccentricity squared (NIMA TR8350.2, table 3.1).
    static let semiMajorAxis = 6_378_137.0
    static let eccentricitySquared = 6.694_379_990_14e-3

    public init(originLatitudeDegrees: Double, originLongitudeDegrees: Double) {
        self.originLatitudeDegrees = originLatitudeDegrees
        self.originLongitudeDegrees = originLongitudeDegrees
        let phi = originLatitudeDegrees * .pi / 180
        let s2 = sin(phi) * sin(phi)
        let w = (1 - Self.eccentricitySquared * s2).squareRoot()
        let n = Self.semiMajorAxis / w
        let m = Self.semiMajorAxis * (1 - Self.eccentricitySquared) / (w * w * w)
        metresPerRadianNorth = m
        metresPerRadianEast = max(n * cos(phi), 1)   // stays finite at the poles
    }

    /// East and north offsets in metres of a geodetic position from the origin.
    public func eastNorth(latitudeDegrees: Double, longitudeDegrees: Double) -> (east: Double, north: Double) {
        var dLon = longitudeDegrees - originLongitudeDegrees
        if dLon > 180 { dLon -= 360 } else if dLon < -180 { dLon += 360 }
        return (dLon * .pi / 180 * metresPerRadianEast,
                (latitudeDegrees - originLatitudeDegrees) * .pi / 180 * metresPerRadianNorth)
    }

    /// The geodetic position of a point given in east/north metres from the origin.
    public func geodetic(east: Double, north: Double) -> (latitudeDegrees: Double, longitudeDegrees: Double) {
        let lat = originLatitudeDegrees + north / metresPerRadianNorth * 180 / .pi
        var lon = originLongitudeDegrees + east / metresPerRadianEast * 180 / .pi
        if lon > 180 { lon -= 360 } else if lon < -180 { lon += 360 }
        return (lat, lon)
    }
}
