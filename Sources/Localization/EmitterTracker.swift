import CellwatchModel
import Foundation

/// Settings of the moving-emitter tracker.
public struct TrackerOptions: Sendable, Hashable {
    /// Sightings older than this (seconds before the update time) leave the window. Longer windows hold
    /// more independent shadowing but assume a straight run: on the synthetic 10 m/s drive with 6 dB
    /// shadowing a 60 s window gave a median error of 350 m, 120 s gave 190 m.
    public var windowSeconds: Double = 120
    /// Fewer sightings in the window give no track point.
    public var minimumSightings: Int = 12
    /// Fitted speeds are capped here (m/s; 60 m/s is 216 km/h).
    public var maximumSpeedMetersPerSecond: Double = 60
    /// Speed of the extra starting points (eight headings) of the constant-velocity fit.
    public var typicalSpeedMetersPerSecond: Double = 10
    /// The model, loss and ellipse settings shared with `EmitterLocalizer`; fixed sites get their own
    /// level offset (`LocalizationOptions.fixedSiteOffsets`).
    public var localization: LocalizationOptions = {
        var o = LocalizationOptions()
        o.fixedSiteOffsets = true
        return o
    }()

    public init() {}
}

/// The state of a tracked emitter at one update time.
public struct EmitterTrackPoint: Sendable, Hashable, Codable {
    public var time: Date
    public var latitudeDegrees: Double
    public var longitudeDegrees: Double
    /// Confidence ellipse of the position at `time`.
    public var ellipse: UncertaintyEllipse
    /// Whether the constant-velocity model explains the window significantly better than a fixed emitter
    /// (likelihood-ratio test at the ellipse's confidence, two degrees of freedom).
    public var isMoving: Bool
    /// Fitted ground speed (m/s) and its one-sigma uncertainty; reported even when not significant.
    public var speedMetersPerSecond: Double
    public var speedUncertaintyMetersPerSecond: Double
    /// Direction of travel, degrees clockwise from true north in [0, 360); nil when not moving.
    public var headingDegrees: Double?
    /// One-sigma uncertainty of the heading in degrees; nil when not moving.
    public var headingUncertaintyDegrees: Double?
    public var referencePowerDBm: Double
    public var referenceDistanceMeters: Double
    public var pathLossExponent: Double
    public var residualRMSdB: Double?
    public var sightingsUsed: Int
    public var outliers: Int
    public var caveats: [LocalizationCaveat]

    /// Metres from this point to a position.
    public func distanceMeters(toLatitude lat: Double, longitude lon: Double) -> Double {
        GeoFix.distanceMeters(latitudeDegrees, longitudeDegrees, lat, lon)
    }

    /// Whether a position lies inside the confidence ellipse.
    public func ellipseContains(latitudeDegrees lat: Double, longitudeDegrees lon: Double) -> Bool {
        let plane = LocalTangentPlane(originLatitudeDegrees: latitudeDegrees, originLongitudeDegrees: longitudeDegrees)
        let p = plane.eastNorth(latitudeDegrees: lat, longitudeDegrees: lon)
        return ellipse.contains(east: p.east, north: p.north)
    }
}

/// Follows an emitter that may move: position, heading and speed from a sliding window of sightings.
///
/// Method: at each update the sightings of the last `windowSeconds` are fitted twice with the robust
/// log-distance model of `EmitterLocalizer` — once as a fixed emitter, once moving at constant velocity
/// (position (x, y) + v·(t − t_update), six unknowns). The constant-velocity fit starts from the fixed fit
/// (at rest), from eight headings at a typical speed, and from the displacement between fixed fits of the
/// window's two halves; the best robust misfit wins. The emitter counts as moving
/// when the likelihood-ratio statistic 2·Δρ (widened for serially correlated shadowing) exceeds the
/// chi-square quantile for two degrees of freedom; the reported position is then the constant-velocity
/// position at the update time, else the fixed one. Each update appends a point to `track`. A
/// sliding-window fit rather than a Kalman filter: no motion-noise tuning, and an outlier only spoils the
/// window it is in.
public struct EmitterTracker: Sendable {
    public let options: TrackerOptions
    /// Every point produced by `update`, oldest first.
    public private(set) var track: [EmitterTrackPoint] = []
    private var window: [PowerSighting] = []

    public init(options: TrackerOptions = TrackerOptions()) {
        self.options = options
    }

    /// The latest track point.
    public var current: EmitterTrackPoint? { track.last }

    /// Sightings currently held (not yet older than the window at the last update or addition).
    public var sightingsInWindow: Int { window.count }

    public mutating func add(_ sighting: PowerSighting) {
        guard sighting.isUsable else { return }
        window.append(sighting)
    }

    public mutating func add(contentsOf sightings: [PowerSighting]) {
        for s in sightings { add(s) }
    }

    /// Fits the window ending at `time` (sightings after it are kept for later), appends the result to
    /// the track and returns it; nil when the window holds too few sightings or places.
    @discardableResult
    public mutating func update(at time: Date) -> EmitterTrackPoint? {
        let start = time.addingTimeInterval(-options.windowSeconds)
        window.removeAll { $0.time < start }
        let inWindow = window.filter { $0.time <= time }
        guard let point = Self.estimate(inWindow, at: time, options: options) else { return nil }
        track.append(point)
        return point
    }

    /// One window's fit without keeping state: the emitter's state at `time` from the given sightings.
    public static func estimate(_ sightings: [PowerSighting], at time: Date,
                                options: TrackerOptions = TrackerOptions()) -> EmitterTrackPoint? {
        let o = options.localization
        // Only the count is checked: sensors at fixed sites see a moving emitter from changing geometry,
        // so few separate sensor places do not make the window degenerate.
        guard sightings.count >= max(options.minimumSightings, o.minimumSightings),
              let prepared = Prepared(sightings, options: o, referenceTime: time) else { return nil }

        // Fixed emitter first.
        let fixedModel = prepared.model(options: o, moving: false)
        guard let fixed = EmitterLocalizer.fixedFit(fixedModel, prepared: prepared, options: o) else { return nil }

        // Constant velocity, from the fixed position (the window's mean position) moved to the update time.
        let movingModel = prepared.model(options: o, moving: true, maximumSpeed: options.maximumSpeedMetersPerSecond)
        var sumW = 0.0, sumT = 0.0
        for (i, s) in prepared.points.enumerated() { sumW += fixed.weights[i]; sumT += fixed.weights[i] * s.t }
        let meanT = sumW > 0 ? sumT / sumW : 0
        var cvStarts = [movingModel.profile(x: fixed.parameters[0], y: fixed.parameters[1], velocity: (0, 0))]
        let v = options.typicalSpeedMetersPerSecond
        for k in 0..<8 {
            let h = Double(k) * .pi / 4
            let ve = v * sin(h), vn = v * cos(h)
            let x = fixed.parameters[0] - ve * meanT, y = fixed.parameters[1] - vn * meanT
            cvStarts.append(movingModel.profile(x: x, y: y, velocity: (ve, vn)))
        }
        // And from the fixed fits of the window's two halves: their displacement over the time between
        // their mean times.
        let sorted = sightings.sorted { $0.time < $1.time }
        if sorted.count >= 2 * o.minimumSightings {
            let halves = [Array(sorted[..<(sorted.count / 2)]), Array(sorted[(sorted.count / 2)...])]
            let fits = halves.map { h -> (Double, Double, Double)? in
                guard let half = Prepared(h, options: o, referenceTime: time),
                      let f = EmitterLocalizer.fixedFit(half.model(options: o, moving: false), prepared: half, options: o) else { return nil }
                let g = half.frame.geodetic(east: f.parameters[0], north: f.parameters[1])
                let p = prepared.frame.eastNorth(latitudeDegrees: g.latitudeDegrees, longitudeDegrees: g.longitudeDegrees)
                let t = h.reduce(0.0) { $0 + $1.time.timeIntervalSince(time) } / Double(h.count)
                return (p.east, p.north, t)
            }
            if let a = fits[0], let b = fits[1], b.2 - a.2 > 1 {
                let ve = (b.0 - a.0) / (b.2 - a.2), vn = (b.1 - a.1) / (b.2 - a.2)
                cvStarts.append(movingModel.profile(x: b.0 - ve * b.2, y: b.1 - vn * b.2, velocity: (ve, vn)))
            }
        }
        let cvFits = cvStarts.map { RobustSolver.fit(movingModel, start: $0, loss: o.loss, scaleFloor: o.minimumScaleDB,
                                                               exponentPrior: o.pathLossExponentPrior) }
        let moving = EmitterLocalizer.pickBest(cvFits, loss: o.loss)

        let inflation = o.correctForSerialCorrelation
            ? RobustSolver.serialCorrelationInflation(prepared.points, residuals: fixed.residuals, weights: fixed.weights) : 1
        let threshold = -2 * log(1 - o.confidence)
        var isMoving = false
        if let moving {
            let s = min(fixed.scale, moving.scale)
            let lr = 2 * (RobustSolver.robustCost(fixed.residuals, scale: s, loss: o.loss) + fixed.priorCost
                - RobustSolver.robustCost(moving.residuals, scale: s, loss: o.loss) - moving.priorCost) / inflation
            isMoving = lr > threshold && moving.covariance != nil
        }
        let chosen = isMoving ? moving! : fixed
        let model = isMoving ? movingModel : fixedModel

        var caveats: [LocalizationCaveat] = []
        let n = chosen.parameters[3]
        if n <= o.pathLossExponentRange.lowerBound + 1e-6 || n >= o.pathLossExponentRange.upperBound - 1e-6 {
            caveats.append(.pathLossExponentAtBound(n))
        }
        // The local (marginal over velocity) covariance, widened by the likelihood grid's spread where that
        // is larger (sum of the two, a conservative union of the two shapes).
        var ellipse = EmitterLocalizer.positionCovariance(chosen, model: model, options: o).flatMap { local -> UncertaintyEllipse? in
            let c = EmitterLocalizer.gridCovariance(chosen, model: model, local: local, options: o).map {
                (local.ee + $0.ee, local.en + $0.en, local.nn + $0.nn)
            } ?? local
            return UncertaintyEllipse(covarianceEE: c.0, en: c.1, nn: c.2, confidence: o.confidence)
        }
        if ellipse == nil { caveats.append(.singularGeometry) }
        if let e = ellipse, e.semiMajorMeters > o.unresolvedRadiusMeters { ellipse = nil }
        let finalEllipse = ellipse ?? .circle(radiusMeters: o.unresolvedRadiusMeters, confidence: o.confidence)

        // Speed and heading from the velocity and its covariance block (widened like the position's).
        var speed = 0.0, speedSigma = 0.0
        var heading: Double? = nil, headingSigma: Double? = nil
        if let m = moving {
            let ve = m.parameters[4], vn = m.parameters[5]
            speed = (ve * ve + vn * vn).squareRoot()
            if let c = m.covariance {
                let f = o.correctForSerialCorrelation
                    ? RobustSolver.serialCorrelationInflation(prepared.points, residuals: m.residuals, weights: m.weights) : 1
                let np = movingModel.parameterCount
                let cee = c[4 * np + 4] * f, cen = c[4 * np + 5] * f, cnn = c[5 * np + 5] * f
                if speed > 1e-9 {
                    let ue = ve / speed, un = vn / speed
                    speedSigma = max(cee * ue * ue + 2 * cen * ue * un + cnn * un * un, 0).squareRoot()
                    let across = max(cee * un * un - 2 * cen * ue * un + cnn * ue * ue, 0).squareRoot()
                    if isMoving { headingSigma = min(atan2(across, speed) * 180 / .pi, 180) }
                } else {
                    speedSigma = max((cee + cnn) / 2, 0).squareRoot()
                }
            }
            if isMoving {
                var h = atan2(ve, vn) * 180 / .pi
                if h < 0 { h += 360 }
                heading = h
            }
        }

        let base = prepared.estimate(from: chosen, ellipse: finalEllipse,
                                     method: isMoving ? .constantVelocityNLLS : .robustNLLS, caveats: caveats, options: o)
        return EmitterTrackPoint(time: time, latitudeDegrees: base.latitudeDegrees, longitudeDegrees: base.longitudeDegrees,
                                 ellipse: finalEllipse, isMoving: isMoving,
                                 speedMetersPerSecond: speed.isFinite ? speed : 0,
                                 speedUncertaintyMetersPerSecond: speedSigma.isFinite ? speedSigma : 0,
                                 headingDegrees: heading, headingUncertaintyDegrees: headingSigma,
                                 referencePowerDBm: chosen.parameters[2], referenceDistanceMeters: o.referenceDistanceMeters,
                                 pathLossExponent: n, residualRMSdB: base.residualRMSdB, sightingsUsed: base.sightingsUsed,
                                 outliers: base.outliers, caveats: caveats)
    }
}
