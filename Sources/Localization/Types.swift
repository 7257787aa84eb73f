import CellwatchModel
import Foundation

/// One received-power measurement of the emitter being located: where the sensor was, when, and how
/// strong the emitter's carrier was there.
public struct PowerSighting: Sendable, Hashable, Codable {
    public var latitudeDegrees: Double
    public var longitudeDegrees: Double
    public var time: Date
    /// Calibrated received power of the emitter's carrier, dBm at the antenna port.
    public var rssiDBm: Double
    /// Which sensor measured it (its residuals are checked for serial correlation separately).
    public var sensorID: String

    public init(latitudeDegrees: Double, longitudeDegrees: Double, time: Date, rssiDBm: Double, sensorID: String) {
        self.latitudeDegrees = latitudeDegrees
        self.longitudeDegrees = longitudeDegrees
        self.time = time
        self.rssiDBm = rssiDBm
        self.sensorID = sensorID
    }

    /// A sighting at a sensor's GPS fix; the time is the fix's unless given.
    public init(fix: GeoFix, time: Date? = nil, rssiDBm: Double, sensorID: String) {
        self.init(latitudeDegrees: fix.latitudeDegrees, longitudeDegrees: fix.longitudeDegrees,
                  time: time ?? fix.time, rssiDBm: rssiDBm, sensorID: sensorID)
    }

    /// Finite power and a latitude/longitude on the globe; other sightings are ignored.
    var isUsable: Bool {
        rssiDBm.isFinite && latitudeDegrees.isFinite && longitudeDegrees.isFinite
            && abs(latitudeDegrees) <= 90 && abs(longitudeDegrees) <= 180
            && time.timeIntervalSinceReferenceDate.isFinite
    }
}

/// A confidence ellipse of a horizontal position.
public struct UncertaintyEllipse: Sendable, Hashable, Codable {
    /// Semi-major axis in metres.
    public var semiMajorMeters: Double
    /// Semi-minor axis in metres.
    public var semiMinorMeters: Double
    /// Direction of the major axis in degrees clockwise from true north, in [0, 180).
    public var orientationDegrees: Double
    /// Probability that the true position lies inside, e.g. 0.95.
    public var confidence: Double

    public init(semiMajorMeters: Double, semiMinorMeters: Double, orientationDegrees: Double, confidence: Double) {
        self.semiMajorMeters = semiMajorMeters
        self.semiMinorMeters = semiMinorMeters
        self.orientationDegrees = orientationDegrees
        self.confidence = confidence
    }

    /// A circle of the given radius.
    public static func circle(radiusMeters: Double, confidence: Double) -> UncertaintyEllipse {
        UncertaintyEllipse(semiMajorMeters: radiusMeters, semiMinorMeters: radiusMeters, orientationDegrees: 0,
                           confidence: confidence)
    }

    /// The ellipse of a 2-D Gaussian with covariance [[ee, en], [en, nn]] (m², east/north) that holds
    /// `confidence` of its probability: axes √(k·λ) with k = −2 ln(1 − p), the chi-square quantile for two
    /// degrees of freedom (5.991 at 95 %). Nil when the covariance is not finite and positive.
    public init?(covarianceEE ee: Double, en: Double, nn: Double, confidence: Double) {
        guard ee.isFinite, en.isFinite, nn.isFinite, ee > 0, nn > 0, confidence > 0, confidence < 1 else { return nil }
        let k = -2 * log(1 - confidence)
        let eig = SmallMatrix.symmetricEigen2(a: ee, b: en, c: nn)
        guard eig.major > 0 else { return nil }
        // Angle is from east towards north; bearing from north clockwise is 90° minus it.
        var bearing = 90 - eig.angle * 180 / .pi
        bearing = bearing.truncatingRemainder(dividingBy: 180)
        if bearing < 0 { bearing += 180 }
        self.init(semiMajorMeters: (k * eig.major).squareRoot(),
                  semiMinorMeters: (k * max(eig.minor, 0)).squareRoot(),
                  orientationDegrees: bearing, confidence: confidence)
    }

    /// Whether an offset (east, north metres from the ellipse's centre) lies inside.
    public func contains(east: Double, north: Double) -> Bool {
        let b = orientationDegrees * .pi / 180
        // Unit vector of the major axis in east/north.
        let ue = sin(b), un = cos(b)
        let along = east * ue + north * un
        let across = -east * un + north * ue
        let a = max(semiMajorMeters, 1e-9), c = max(semiMinorMeters, 1e-9)
        return (along / a) * (along / a) + (across / c) * (across / c) <= 1
    }
}

/// How a position was obtained.
public enum LocalizationMethod: String, Sendable, Hashable, Codable {
    /// Robust nonlinear least squares on the log-distance model (unknown power and exponent).
    case robustNLLS = "robust-nlls"
    /// Constant-velocity robust nonlinear least squares over a sliding window (moving emitter).
    case constantVelocityNLLS = "constant-velocity-nlls"
    /// Power-weighted centroid of the sighting positions (naive baseline).
    case centroid
    /// RSSI converted to distance with a fixed path-loss model, then least-squares circle
    /// intersection (naive baseline, as Crocodile Hunter does it).
    case trilateration
}

/// Why an estimate is weaker than its ellipse alone says, or unresolved.
public enum LocalizationCaveat: Sendable, Hashable, Codable {
    /// Fewer usable sightings than the model needs; the position is the power-weighted centroid.
    case tooFewSightings(used: Int, needed: Int)
    /// All sightings were taken at fewer than four separate places (or within a few metres of each other):
    /// power at one place cannot tell direction. The position is the power-weighted centroid.
    case tooFewPlaces(places: Int, spreadMeters: Double)
    /// The sightings lie along a line (one straight road): the mirror image of the position across that
    /// line fits the data about as well. The ellipse is widened to cover both.
    case mirrorAmbiguity(alternativeLatitudeDegrees: Double, alternativeLongitudeDegrees: Double)
    /// The fitted path-loss exponent sits at a bound of its allowed range: the geometry did not pin it.
    case pathLossExponentAtBound(Double)
    /// The covariance could not be computed (singular normal equations); the ellipse is the unresolved circle.
    case singularGeometry

    /// A plain-language sentence for an operator.
    public var reason: String {
        switch self {
        case let .tooFewSightings(used, needed):
            return "only \(used) usable sightings, at least \(needed) needed; position is the centroid of the sightings"
        case let .tooFewPlaces(places, spread):
            return "sightings taken at \(places) place(s) within \(Int(spread.rounded())) m; direction cannot be resolved"
        case let .mirrorAmbiguity(lat, lon):
            return "sightings lie along a line; the mirror position \(lat.fixed(6)), \(lon.fixed(6)) fits about as well"
        case let .pathLossExponentAtBound(n):
            return "path-loss exponent \(n.fixed(2)) is at its bound; the drive did not pin the fall-off of power"
        case .singularGeometry:
            return "the sightings do not constrain the position (singular geometry)"
        }
    }

    /// Whether the position itself is unresolved or ambiguous (as opposed to a note on the model).
    var makesUnreliable: Bool {
        switch self {
        case .tooFewSightings, .tooFewPlaces, .mirrorAmbiguity, .singularGeometry: return true
        case .pathLossExponentAtBound: return false
        }
    }
}

/// Where an emitter is, how sure we are, and the fitted radio model.
public struct EmitterEstimate: Sendable, Hashable, Codable {
    public var latitudeDegrees: Double
    public var longitudeDegrees: Double
    /// Confidence ellipse of the position; nil for the naive baselines, which have no error model.
    public var ellipse: UncertaintyEllipse?
    /// Fitted received power at `referenceDistanceMeters` from the emitter (dBm); nil for baselines.
    public var referencePowerDBm: Double?
    public var referenceDistanceMeters: Double
    /// Fitted path-loss exponent n of RSSI = P_ref − 10·n·log10(d / d_ref); nil for baselines.
    public var pathLossExponent: Double?
    /// Root mean square of the residuals of the sightings kept as inliers (weight ≥ 0.5), dB.
    public var residualRMSdB: Double?
    /// Sightings that entered the fit.
    public var sightingsUsed: Int
    /// Sightings the robust loss down-weighted below half (shadowing, multipath, mis-attributed carriers).
    public var outliers: Int
    public var method: LocalizationMethod
    public var caveats: [LocalizationCaveat]

    public init(latitudeDegrees: Double, longitudeDegrees: Double, ellipse: UncertaintyEllipse?,
                referencePowerDBm: Double?, referenceDistanceMeters: Double, pathLossExponent: Double?,
                residualRMSdB: Double?, sightingsUsed: Int, outliers: Int, method: LocalizationMethod,
                caveats: [LocalizationCaveat]) {
        self.latitudeDegrees = latitudeDegrees
        self.longitudeDegrees = longitudeDegrees
        self.ellipse = ellipse
        self.referencePowerDBm = referencePowerDBm
        self.referenceDistanceMeters = referenceDistanceMeters
        self.pathLossExponent = pathLossExponent
        self.residualRMSdB = residualRMSdB
        self.sightingsUsed = sightingsUsed
        self.outliers = outliers
        self.method = method
        self.caveats = caveats
    }

    /// True when nothing makes the position unresolved or ambiguous.
    public var isReliable: Bool { !caveats.contains { $0.makesUnreliable } }

    /// Received power extrapolated to 1 m from the emitter (dBm), from the fitted model.
    public var powerAtOneMetreDBm: Double? {
        guard let p = referencePowerDBm, let n = pathLossExponent else { return nil }
        return p + 10 * n * log10(referenceDistanceMeters)
    }

    /// Metres from the estimate to a point.
    public func distanceMeters(toLatitude lat: Double, longitude lon: Double) -> Double {
        GeoFix.distanceMeters(latitudeDegrees, longitudeDegrees, lat, lon)
    }

    /// Whether a point lies inside the confidence ellipse (false when there is none).
    public func ellipseContains(latitudeDegrees lat: Double, longitudeDegrees lon: Double) -> Bool {
        guard let ellipse else { return false }
        let plane = LocalTangentPlane(originLatitudeDegrees: latitudeDegrees, originLongitudeDegrees: longitudeDegrees)
        let p = plane.eastNorth(latitudeDegrees: lat, longitudeDegrees: lon)
        return ellipse.contains(east: p.east, north: p.north)
    }
}
