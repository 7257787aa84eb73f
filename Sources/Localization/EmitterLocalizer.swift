import CellwatchModel
import Foundation

/// Settings of the robust localizer. The defaults suit a GSM/LTE emitter a few hundred metres from
/// vehicle-mounted sensors.
public struct LocalizationOptions: Sendable, Hashable {
    /// Robust loss of the fit (Huber with k = 1.345 by default).
    public var loss: RobustLoss = .huber(1.345)
    /// Allowed path-loss exponents: 2 is free space, 3–4 urban streets, up to 6 deep indoor/obstructed.
    public var pathLossExponentRange: ClosedRange<Double> = 1.5...6
    /// A weak prior on the exponent (nil for none). One drive rarely separates distance from fall-off:
    /// an emitter near the road with a steep fall-off and one far off with a gentle one fit about
    /// equally, and the free fit then wanders to the bounds. Centred on the urban cellular range
    /// 2.7–3.5 (T. S. Rappaport, Wireless Communications, 2nd ed., table 4.2), σ wide enough to let the
    /// data move it.
    public var pathLossExponentPrior: ExponentPrior? = ExponentPrior(mean: 3.1, sigma: 0.5)
    /// The distance at which the fitted power P_ref is reported (a drive's distances are tens to
    /// thousands of metres, so 100 m keeps P_ref and n nearly uncorrelated).
    public var referenceDistanceMeters: Double = 100
    /// Distances below this are treated as this (the model has no meaning in the antenna's near field).
    public var minimumDistanceMeters: Double = 10
    /// Height of the emitter's antenna above the sensors' (0 for a car-borne fake base station).
    public var heightDifferenceMeters: Double = 0
    /// Fewer usable sightings than this give the centroid with `tooFewSightings`. Four unknowns and one
    /// more to measure the misfit.
    public var minimumSightings: Int = 5
    /// Sightings closer together than this (metres, RMS spread) count as one place.
    public var minimumSpreadMeters: Double = 25
    /// Radius of the circle given to an unresolved position (roughly a fake base station's range).
    public var unresolvedRadiusMeters: Double = 3000
    /// Probability held by the reported ellipse.
    public var confidence: Double = 0.95
    /// The robust scale is not allowed below this (dB): RSSI is quantised to 1 dB and never that clean.
    public var minimumScaleDB: Double = 1
    /// Start-point grid: points per side, and how far beyond the sightings' bounding box it reaches. The
    /// fit itself may go twice as far beyond the box, no further.
    public var gridPointsPerSide: Int = 40
    public var searchMarginMeters: Double = 600
    /// Widen the covariance for serially correlated shadowing along each sensor's drive.
    public var correctForSerialCorrelation: Bool = true
    /// Give each sensor at a fixed site its own level offset (fitted) when other sensors move: its
    /// shadowing, multipath and gain error are the same in every sighting, so a biased level would pull
    /// every range; only the changes of its power as the emitter moves are used.
    /// Off for `EmitterLocalizer.locate` (a fixed site then says nothing about a fixed emitter); on in the
    /// tracker's options, where the site's power changes as the emitter passes.
    public var fixedSiteOffsets: Bool = false

    public init() {}
}

/// A path-loss model with every parameter fixed in advance: what RSSI-to-distance trilateration assumes.
public struct FixedPathLossModel: Sendable, Hashable, Codable {
    /// Received power at `referenceDistanceMeters`, dBm.
    public var referencePowerDBm: Double
    public var referenceDistanceMeters: Double
    public var pathLossExponent: Double

    public init(referencePowerDBm: Double, referenceDistanceMeters: Double = 1, pathLossExponent: Double) {
        self.referencePowerDBm = referencePowerDBm
        self.referenceDistanceMeters = referenceDistanceMeters
        self.pathLossExponent = pathLossExponent
    }

    /// The model Crocodile Hunter (EFF) uses to turn a reading into a distance: free-space path loss with
    /// the exponent replaced by a "path loss coefficient" of 2.2, an assumed 30 dBm tower transmit power
    /// and −1 dB receive gain, at the carrier frequency in MHz (`Tower.est_distance` in its
    /// src/database.py). In our terms the power at 1 m is P_tx + G_rx + 27.55 − 10·c·log10(f_MHz).
    public static func crocodileHunter(frequencyMHz: Double = 950, transmitPowerDBm: Double = 30,
                                       receiverGainDB: Double = -1, pathLossCoefficient: Double = 2.2) -> FixedPathLossModel {
        FixedPathLossModel(referencePowerDBm: transmitPowerDBm + receiverGainDB + 27.55
                               - 10 * pathLossCoefficient * log10(max(frequencyMHz, 1)),
                           referenceDistanceMeters: 1, pathLossExponent: pathLossCoefficient)
    }

    /// The distance at which the model predicts this power.
    public func distanceMeters(rssiDBm: Double) -> Double {
        referenceDistanceMeters * pow(10, (referencePowerDBm - rssiDBm) / (10 * max(pathLossExponent, 0.1)))
    }
}

/// Locates a fixed emitter from sightings of its received power.
///
/// Method (`locate`): sightings are mapped into a local east-north plane around their centroid. The model
/// RSSIᵢ = P_ref − 10·n·log10(max(dᵢ, d_min)/d_ref) + eᵢ has four unknowns (x, y, P_ref, n), n bounded. It
/// is fitted by Levenberg–Marquardt inside an iteratively reweighted loop with a robust loss, so sightings
/// spoiled by shadowing or multipath lose their pull. Fits start from the strongest sighting, the
/// power-weighted centroid and the three best points of a coarse grid (where P_ref and n are solved in
/// closed form), and the fit with the least robust misfit is kept. The position covariance starts as the
/// x/y block of σ²·(JᵀWJ)⁻¹, widened for serially correlated shadowing; the ellipse (chi-square, two
/// degrees of freedom) comes from the second moment of the profiled likelihood on a grid around the
/// estimate, which also holds the curved, skewed spread along the range direction. The mirror image of the result across the sightings' main axis is fitted too:
/// if it fits about as well (a straight-road drive) the ellipse is widened to cover both and a caveat says so.
public enum EmitterLocalizer {
    /// The robust estimate, or nil when no sighting is usable (none, or none with finite values).
    /// Degenerate input gives an estimate with caveats and a wide ellipse, never NaN.
    public static func locate(_ sightings: [PowerSighting], options: LocalizationOptions = LocalizationOptions()) -> EmitterEstimate? {
        guard let prepared = Prepared(sightings, options: options) else { return nil }
        let o = options
        if let degenerate = prepared.degenerateEstimate(options: o) { return degenerate }

        let model = prepared.model(options: o, moving: false)
        guard var best = fixedFit(model, prepared: prepared, options: o) else {
            return prepared.centroidEstimate(caveat: .singularGeometry, options: o)
        }

        var caveats: [LocalizationCaveat] = []
        var covariance = positionCovariance(best, model: model, options: o).map {
            gridCovariance(best, model: model, local: $0, options: o) ?? $0
        }

        // Mirror check across the main axis of the sightings.
        let axis = prepared.mainAxis
        let px = best.parameters[0], py = best.parameters[1]
        let rel = (px - axis.east0, py - axis.north0)
        let along = rel.0 * axis.ue + rel.1 * axis.un
        let mirror = (axis.east0 + along * axis.ue - (rel.0 - along * axis.ue),
                      axis.north0 + along * axis.un - (rel.1 - along * axis.un))
        let separation = ((mirror.0 - px) * (mirror.0 - px) + (mirror.1 - py) * (mirror.1 - py)).squareRoot()
        if separation > 2 * o.minimumDistanceMeters {
            let mfit = RobustSolver.fit(model, start: model.profile(x: mirror.0, y: mirror.1), loss: o.loss,
                                        scaleFloor: o.minimumScaleDB, exponentPrior: o.pathLossExponentPrior)
            let s = min(best.scale, mfit.scale)
            let inflation = o.correctForSerialCorrelation
                ? RobustSolver.serialCorrelationInflation(model.sightings, residuals: best.residuals, weights: best.weights) : 1
            let cBest = RobustSolver.robustCost(best.residuals, scale: s, loss: o.loss) + best.priorCost
            let cMirror = RobustSolver.robustCost(mfit.residuals, scale: s, loss: o.loss) + mfit.priorCost
            if cMirror < cBest {
                best = mfit   // the grid missed the better side
                covariance = positionCovariance(best, model: model, options: o).map {
                    gridCovariance(best, model: model, local: $0, options: o) ?? $0
                }
            }
            let other = cMirror < cBest ? (px, py) : (mfit.parameters[0], mfit.parameters[1])
            let otherSeparation = ((other.0 - best.parameters[0]) * (other.0 - best.parameters[0])
                + (other.1 - best.parameters[1]) * (other.1 - best.parameters[1])).squareRoot()
            // 2·Δρ is a likelihood-ratio statistic; below the chi-square quantile the two are not told apart.
            let threshold = -2 * log(1 - o.confidence)
            if 2 * abs(cMirror - cBest) / inflation < threshold && otherSeparation > 2 * o.minimumDistanceMeters {
                let g = prepared.frame.geodetic(east: other.0, north: other.1)
                caveats.append(.mirrorAmbiguity(alternativeLatitudeDegrees: g.latitudeDegrees,
                                                alternativeLongitudeDegrees: g.longitudeDegrees))
                covariance = covariance.map { widen($0, toward: (other.0 - best.parameters[0], other.1 - best.parameters[1]),
                                                    confidence: o.confidence) }
            }
        }

        let n = best.parameters[3]
        if n <= o.pathLossExponentRange.lowerBound + 1e-6 || n >= o.pathLossExponentRange.upperBound - 1e-6 {
            caveats.append(.pathLossExponentAtBound(n))
        }
        var ellipse = covariance.flatMap {
            UncertaintyEllipse(covarianceEE: $0.ee, en: $0.en, nn: $0.nn, confidence: o.confidence)
        }
        if ellipse == nil {
            caveats.append(.singularGeometry)
            ellipse = .circle(radiusMeters: o.unresolvedRadiusMeters, confidence: o.confidence)
        } else if let e = ellipse, e.semiMajorMeters > o.unresolvedRadiusMeters {
            ellipse = UncertaintyEllipse(semiMajorMeters: o.unresolvedRadiusMeters,
                                         semiMinorMeters: min(e.semiMinorMeters, o.unresolvedRadiusMeters),
                                         orientationDegrees: e.orientationDegrees, confidence: o.confidence)
        }
        return prepared.estimate(from: best, ellipse: ellipse, method: .robustNLLS, caveats: caveats, options: o)
    }

    /// Naive baseline: the centroid of the sighting positions weighted by linear received power (mW), so
    /// the strongest sightings dominate. No error model: the ellipse is nil.
    public static func centroid(_ sightings: [PowerSighting]) -> EmitterEstimate? {
        guard let prepared = Prepared(sightings, options: LocalizationOptions()) else { return nil }
        let c = prepared.weightedCentroid
        let g = prepared.frame.geodetic(east: c.east, north: c.north)
        return EmitterEstimate(latitudeDegrees: g.latitudeDegrees, longitudeDegrees: g.longitudeDegrees, ellipse: nil,
                               referencePowerDBm: nil, referenceDistanceMeters: 1, pathLossExponent: nil,
                               residualRMSdB: nil, sightingsUsed: prepared.points.count, outliers: 0,
                               method: .centroid, caveats: [])
    }

    /// Naive baseline, as Crocodile Hunter does it: each sighting's power becomes a distance through a
    /// fixed model, then the point whose distances to the sightings best match those (least squares of
    /// the distance differences) is sought from the plain centroid of the sightings. Fewer than three
    /// separate places give the plain centroid. No error model: the ellipse is nil.
    public static func trilaterate(_ sightings: [PowerSighting], model: FixedPathLossModel = .crocodileHunter()) -> EmitterEstimate? {
        guard let prepared = Prepared(sightings, options: LocalizationOptions()) else { return nil }
        let pts = prepared.points
        let ranges = pts.map { min(model.distanceMeters(rssiDBm: $0.rssi), 1e6) }
        var x = 0.0, y = 0.0   // the frame origin is the plain centroid
        if prepared.places >= 3 {
            func cost(_ x: Double, _ y: Double) -> Double {
                var c = 0.0
                for (i, s) in pts.enumerated() {
                    let d = ((x - s.east) * (x - s.east) + (y - s.north) * (y - s.north)).squareRoot()
                    c += (d - ranges[i]) * (d - ranges[i])
                }
                return c
            }
            // Gauss–Newton with Levenberg damping on r_i = |p − s_i| − range_i.
            var lambda = 1e-3
            var current = cost(x, y)
            for _ in 0..<200 {
                var a11 = 0.0, a12 = 0.0, a22 = 0.0, g1 = 0.0, g2 = 0.0
                for (i, s) in pts.enumerated() {
                    let dx = x - s.east, dy = y - s.north
                    let d = max((dx * dx + dy * dy).squareRoot(), 1e-6)
                    let r = d - ranges[i]
                    let jx = dx / d, jy = dy / d
                    a11 += jx * jx; a12 += jx * jy; a22 += jy * jy; g1 += jx * r; g2 += jy * r
                }
                var accepted = false
                while lambda < 1e12 {
                    let m11 = a11 * (1 + lambda) + 1e-12, m22 = a22 * (1 + lambda) + 1e-12
                    let det = m11 * m22 - a12 * a12
                    guard det != 0, det.isFinite else { lambda *= 10; continue }
                    let sx = -(m22 * g1 - a12 * g2) / det, sy = -(m11 * g2 - a12 * g1) / det
                    let c = cost(x + sx, y + sy)
                    if c < current {
                        let gain = current - c
                        x += sx; y += sy; current = c
                        lambda = max(lambda / 3, 1e-9)
                        accepted = gain > 1e-9 * current
                        break
                    }
                    lambda *= 4
                }
                if !accepted { break }
            }
        }
        let g = prepared.frame.geodetic(east: x, north: y)
        return EmitterEstimate(latitudeDegrees: g.latitudeDegrees, longitudeDegrees: g.longitudeDegrees, ellipse: nil,
                               referencePowerDBm: model.referencePowerDBm, referenceDistanceMeters: model.referenceDistanceMeters,
                               pathLossExponent: model.pathLossExponent, residualRMSdB: nil,
                               sightingsUsed: pts.count, outliers: 0, method: .trilateration,
                               caveats: prepared.places >= 3 ? [] : [.tooFewPlaces(places: prepared.places, spreadMeters: prepared.spread)])
    }

    // MARK: - Pieces shared with the tracker

    /// The best robust fit of a fixed emitter from the strongest sighting, the power-weighted centroid and
    /// the best grid points.
    static func fixedFit(_ model: LogDistanceModel, prepared: Prepared, options o: LocalizationOptions) -> RobustFitResult? {
        var starts: [[Double]] = []
        let wc = prepared.weightedCentroid
        starts.append(model.profile(x: wc.east, y: wc.north))
        if let strongest = prepared.points.max(by: { $0.rssi < $1.rssi }) {
            starts.append(model.profile(x: strongest.east, y: strongest.north))
        }
        for g in gridStarts(model, prepared: prepared, options: o) { starts.append(model.profile(x: g.0, y: g.1)) }
        let fits = starts.map { RobustSolver.fit(model, start: $0, loss: o.loss, scaleFloor: o.minimumScaleDB,
                                                 exponentPrior: o.pathLossExponentPrior) }
        return pickBest(fits, loss: o.loss)
    }

    /// The `count` lowest points of the profiled cost on a grid over the sightings' bounding box plus a
    /// margin, at least a tenth of the box apart.
    static func gridStarts(_ model: LogDistanceModel, prepared: Prepared, options o: LocalizationOptions,
                           count: Int = 3) -> [(Double, Double)] {
        let k = max(o.gridPointsPerSide, 2)
        let b = prepared.bounds
        let x0 = b.minE - o.searchMarginMeters, x1 = b.maxE + o.searchMarginMeters
        let y0 = b.minN - o.searchMarginMeters, y1 = b.maxN + o.searchMarginMeters
        var cells: [(cost: Double, x: Double, y: Double)] = []
        cells.reserveCapacity(k * k)
        for i in 0..<k {
            for j in 0..<k {
                let x = x0 + (x1 - x0) * Double(i) / Double(k - 1)
                let y = y0 + (y1 - y0) * Double(j) / Double(k - 1)
                let c = model.profileCost(x: x, y: y)
                if c.isFinite { cells.append((c, x, y)) }
            }
        }
        cells.sort { $0.cost < $1.cost }
        let minSep = 0.1 * max(x1 - x0, y1 - y0)
        var chosen: [(Double, Double)] = []
        for c in cells where chosen.count < count {
            if chosen.allSatisfy({ (($0.0 - c.x) * ($0.0 - c.x) + ($0.1 - c.y) * ($0.1 - c.y)).squareRoot() >= minSep }) {
                chosen.append((c.x, c.y))
            }
        }
        return chosen
    }

    /// The fit with the least robust misfit, all measured at the smallest of their scales.
    static func pickBest(_ fits: [RobustFitResult], loss: RobustLoss) -> RobustFitResult? {
        let valid = fits.filter { $0.parameters.allSatisfy(\.isFinite) && $0.residuals.allSatisfy(\.isFinite) }
        guard let s = valid.map(\.scale).min() else { return nil }
        return valid.min {
            RobustSolver.robustCost($0.residuals, scale: s, loss: loss) + $0.priorCost
                < RobustSolver.robustCost($1.residuals, scale: s, loss: loss) + $1.priorCost
        }
    }

    /// The x/y block of the fit's covariance, widened for serial correlation.
    static func positionCovariance(_ fit: RobustFitResult, model: LogDistanceModel,
                                   options o: LocalizationOptions) -> (ee: Double, en: Double, nn: Double)? {
        guard let c = fit.covariance else { return nil }
        let np = model.parameterCount
        let f = o.correctForSerialCorrelation
            ? RobustSolver.serialCorrelationInflation(model.sightings, residuals: fit.residuals, weights: fit.weights) : 1
        let ee = c[0] * f, en = c[1] * f, nn = c[np + 1] * f
        guard ee.isFinite, en.isFinite, nn.isFinite, ee > 0, nn > 0 else { return nil }
        return (ee, en, nn)
    }

    /// The position covariance of the likelihood itself rather than of its local curvature: the misfit
    /// (P_ref and n solved in closed form with the fit's robust weights and the exponent prior) is
    /// evaluated on a grid spanning ±5 local standard deviations along the local ellipse's axes, turned into
    /// a density exp(−Δmisfit / inflation), and its second moment about the estimate taken. Along the
    /// range direction the likelihood is curved and skewed (a banana), which the local covariance
    /// misses; the second moment about the estimate also carries the offset of the mass from it. For a
    /// moving emitter the velocity is held at its fitted value (a conditional spread), so the larger of
    /// the local (marginal) and grid covariances along each axis is what the caller should use.
    static func gridCovariance(_ fit: RobustFitResult, model: LogDistanceModel, local c: (ee: Double, en: Double, nn: Double),
                               options o: LocalizationOptions, pointsPerSide: Int = 31) -> (ee: Double, en: Double, nn: Double)? {
        let eig = SmallMatrix.symmetricEigen2(a: c.ee, b: c.en, c: c.nn)
        let s1 = max(eig.major, 1).squareRoot(), s2 = max(eig.minor, 1).squareRoot()
        let u = (cos(eig.angle), sin(eig.angle)), v = (-sin(eig.angle), cos(eig.angle))
        let w = fit.weights
        var sumW = 0.0, sumWR2 = 0.0
        for i in w.indices { sumW += w[i]; sumWR2 += w[i] * fit.residuals[i] * fit.residuals[i] }
        let sigma2 = max(sumWR2 / max(sumW - Double(model.parameterCount), 1), o.minimumScaleDB * o.minimumScaleDB)
        let inflation = o.correctForSerialCorrelation
            ? RobustSolver.serialCorrelationInflation(model.sightings, residuals: fit.residuals, weights: w) : 1
        let x0 = fit.parameters[0], y0 = fit.parameters[1]
        let velocity = model.moving ? (fit.parameters[4], fit.parameters[5]) : (0, 0)
        let k = max(pointsPerSide, 3)
        var points: [(de: Double, dn: Double, cost: Double)] = []
        points.reserveCapacity(k * k)
        var minCost = Double.infinity
        var scratch = [Double](repeating: 0, count: model.sightings.count)
        for i in 0..<k {
            for j in 0..<k {
                let a = 5 * s1 * (2 * Double(i) / Double(k - 1) - 1)
                let b = 5 * s2 * (2 * Double(j) / Double(k - 1) - 1)
                let de = a * u.0 + b * v.0, dn = a * u.1 + b * v.1
                let cost = profiledMisfit(model, x: x0 + de, y: y0 + dn, velocity: velocity, weights: w, sigma2: sigma2,
                                          prior: o.pathLossExponentPrior, scratch: &scratch)
                guard cost.isFinite else { continue }
                minCost = min(minCost, cost)
                points.append((de, dn, cost))
            }
        }
        guard minCost.isFinite else { return nil }
        var total = 0.0, ee = 0.0, en = 0.0, nn = 0.0
        for p in points {
            let d = exp(-(p.cost - minCost) / inflation)
            total += d; ee += d * p.de * p.de; en += d * p.de * p.dn; nn += d * p.dn * p.dn
        }
        guard total > 0 else { return nil }
        let g = (ee / total, en / total, nn / total)
        guard g.0.isFinite, g.1.isFinite, g.2.isFinite, g.0 > 0, g.2 > 0 else { return nil }
        return g
    }

    /// Σ wᵢ rᵢ² / (2σ²) + (n − n₀)²/(2σₙ²) at (x, y) with P_ref and n at their conditional optimum.
    /// `scratch` holds one value per sighting (allocated once by the caller).
    /// For a moving model the velocity is held at `velocity`.
    static func profiledMisfit(_ model: LogDistanceModel, x: Double, y: Double, velocity: (Double, Double) = (0, 0),
                               weights w: [Double], sigma2: Double,
                               prior: ExponentPrior?, scratch ls: inout [Double]) -> Double {
        guard w.contains(where: { $0 > 0 }) else { return .infinity }
        let lin = model.linearParameters(x: x, y: y, velocity: velocity, weights: w, prior: prior, sigma2: sigma2, ls: &ls)
        var cost = 0.0
        for (i, s) in model.sightings.enumerated() {
            let o = model.offsetIndex(s)
            let r = s.rssi - lin.pRef - lin.n * ls[i] - (o >= 0 ? lin.offsets[o - model.baseCount] : 0)
            cost += w[i] * r * r
        }
        cost /= 2 * sigma2
        if let prior { cost += (lin.n - prior.mean) * (lin.n - prior.mean) / (2 * prior.sigma * prior.sigma) }
        return cost
    }

    /// Adds, along the offset to an alternative position, the variance that makes the ellipse reach it.
    static func widen(_ c: (ee: Double, en: Double, nn: Double), toward d: (Double, Double),
                      confidence: Double) -> (ee: Double, en: Double, nn: Double) {
        let k = -2 * log(1 - confidence)
        let len2 = d.0 * d.0 + d.1 * d.1
        guard len2 > 0 else { return c }
        // A rank-one term v·vᵀ with |v|² chosen so that the semi-axis along d grows by |d|.
        let ue = d.0 / len2.squareRoot(), un = d.1 / len2.squareRoot()
        let along = c.ee * ue * ue + 2 * c.en * ue * un + c.nn * un * un
        let target = (len2.squareRoot() + (k * along).squareRoot()) * (len2.squareRoot() + (k * along).squareRoot()) / k
        let add = max(target - along, 0)
        return (c.ee + add * ue * ue, c.en + add * ue * un, c.nn + add * un * un)
    }
}

/// Sightings checked, mapped into the local plane and described (spread, places, main axis).
struct Prepared {
    let frame: LocalTangentPlane
    let points: [PlanarSighting]
    let referenceTime: Date
    let weightedCentroid: (east: Double, north: Double)
    let bounds: (minE: Double, maxE: Double, minN: Double, maxN: Double)
    /// Separate places: 10 m grid cells holding at least one sighting.
    let places: Int
    /// RMS distance of the sightings from their centroid along the main axis, metres.
    let spread: Double
    let mainAxis: (east0: Double, north0: Double, ue: Double, un: Double)
    /// Per sensor index: whether all its sightings lie within `minimumSpreadMeters` of their mean
    /// (a sensor at a fixed site, or one parked the whole time) and there are at least three.
    let fixedSites: [Bool]

    /// Nil when no sighting is usable. Times are seconds from `referenceTime` (the latest sighting by default).
    init?(_ sightings: [PowerSighting], options: LocalizationOptions, referenceTime: Date? = nil) {
        let usable = sightings.filter(\.isUsable)
        guard !usable.isEmpty else { return nil }
        // Origin: mean position (longitude averaged as offsets from the first, so it survives ±180°).
        let lon0 = usable[0].longitudeDegrees
        var lat = 0.0, dlon = 0.0
        for s in usable {
            lat += s.latitudeDegrees
            var d = s.longitudeDegrees - lon0
            if d > 180 { d -= 360 } else if d < -180 { d += 360 }
            dlon += d
        }
        let count = Double(usable.count)
        var originLon = lon0 + dlon / count
        if originLon > 180 { originLon -= 360 } else if originLon < -180 { originLon += 360 }
        frame = LocalTangentPlane(originLatitudeDegrees: lat / count, originLongitudeDegrees: originLon)
        let tRef = referenceTime ?? usable.map(\.time).max()!
        self.referenceTime = tRef
        var sensors: [String: Int] = [:]
        var pts: [PlanarSighting] = []
        pts.reserveCapacity(usable.count)
        for s in usable {
            let p = frame.eastNorth(latitudeDegrees: s.latitudeDegrees, longitudeDegrees: s.longitudeDegrees)
            let id = sensors[s.sensorID] ?? sensors.count
            sensors[s.sensorID] = id
            pts.append(PlanarSighting(east: p.east, north: p.north, t: s.time.timeIntervalSince(tRef), rssi: s.rssiDBm, sensor: id))
        }
        points = pts
        var bySensor = [[PlanarSighting]](repeating: [], count: sensors.count)
        for p in pts { bySensor[p.sensor].append(p) }
        fixedSites = bySensor.map { ps in
            guard ps.count >= 3 else { return false }
            let me = ps.reduce(0.0) { $0 + $1.east } / Double(ps.count), mn = ps.reduce(0.0) { $0 + $1.north } / Double(ps.count)
            return ps.allSatisfy { (($0.east - me) * ($0.east - me) + ($0.north - mn) * ($0.north - mn)).squareRoot() <= options.minimumSpreadMeters }
        }

        // Power weights relative to the strongest sighting, so no overflow or underflow matters.
        let maxR = pts.map(\.rssi).max()!
        var sw = 0.0, se = 0.0, sn = 0.0
        for p in pts {
            let w = pow(10, (p.rssi - maxR) / 10)
            sw += w; se += w * p.east; sn += w * p.north
        }
        weightedCentroid = (se / sw, sn / sw)
        bounds = (pts.map(\.east).min()!, pts.map(\.east).max()!, pts.map(\.north).min()!, pts.map(\.north).max()!)
        places = Set(pts.map { [Int(($0.east / 10).rounded(.down)), Int(($0.north / 10).rounded(.down))] }).count

        var me = 0.0, mn = 0.0
        for p in pts { me += p.east; mn += p.north }
        me /= count; mn /= count
        var cee = 0.0, cen = 0.0, cnn = 0.0
        for p in pts {
            cee += (p.east - me) * (p.east - me); cen += (p.east - me) * (p.north - mn); cnn += (p.north - mn) * (p.north - mn)
        }
        let eig = SmallMatrix.symmetricEigen2(a: cee / count, b: cen / count, c: cnn / count)
        spread = max(eig.major, 0).squareRoot()
        mainAxis = (me, mn, cos(eig.angle), sin(eig.angle))
    }

    func model(options o: LocalizationOptions, moving: Bool, maximumSpeed: Double = 0) -> LogDistanceModel {
        var m = LogDistanceModel(sightings: points, moving: moving, referenceDistance: o.referenceDistanceMeters,
                                 minimumDistance: o.minimumDistanceMeters, heightSquared: o.heightDifferenceMeters * o.heightDifferenceMeters,
                                 exponentRange: o.pathLossExponentRange, maximumSpeed: maximumSpeed,
                                 positionBox: (bounds.minE - 2 * o.searchMarginMeters, bounds.maxE + 2 * o.searchMarginMeters,
                                               bounds.minN - 2 * o.searchMarginMeters, bounds.maxN + 2 * o.searchMarginMeters))
        if o.fixedSiteOffsets, fixedSites.contains(true), fixedSites.contains(false) {
            m.offsetOf = fixedSites.map { _ in -1 }
            for (sensor, fixed) in fixedSites.enumerated() where fixed {
                m.offsetOf[sensor] = m.baseCount + m.offsetCount
                m.offsetCount += 1
            }
        }
        return m
    }

    /// The centroid with a caveat when the sightings cannot support the model, else nil.
    func degenerateEstimate(options o: LocalizationOptions) -> EmitterEstimate? {
        if points.count < o.minimumSightings {
            return centroidEstimate(caveat: .tooFewSightings(used: points.count, needed: o.minimumSightings), options: o)
        }
        if places < 4 || spread < o.minimumSpreadMeters {
            return centroidEstimate(caveat: .tooFewPlaces(places: places, spreadMeters: spread), options: o)
        }
        return nil
    }

    func centroidEstimate(caveat: LocalizationCaveat, options o: LocalizationOptions) -> EmitterEstimate {
        let g = frame.geodetic(east: weightedCentroid.east, north: weightedCentroid.north)
        return EmitterEstimate(latitudeDegrees: g.latitudeDegrees, longitudeDegrees: g.longitudeDegrees,
                               ellipse: .circle(radiusMeters: o.unresolvedRadiusMeters, confidence: o.confidence),
                               referencePowerDBm: nil, referenceDistanceMeters: o.referenceDistanceMeters,
                               pathLossExponent: nil, residualRMSdB: nil, sightingsUsed: points.count, outliers: 0,
                               method: .centroid, caveats: [caveat])
    }

    func estimate(from fit: RobustFitResult, ellipse: UncertaintyEllipse?, method: LocalizationMethod,
                  caveats: [LocalizationCaveat], options o: LocalizationOptions) -> EmitterEstimate {
        let g = frame.geodetic(east: fit.parameters[0], north: fit.parameters[1])
        var sum = 0.0, kept = 0
        for (i, r) in fit.residuals.enumerated() where fit.weights[i] >= 0.5 { sum += r * r; kept += 1 }
        return EmitterEstimate(latitudeDegrees: g.latitudeDegrees, longitudeDegrees: g.longitudeDegrees, ellipse: ellipse,
                               referencePowerDBm: fit.parameters[2], referenceDistanceMeters: o.referenceDistanceMeters,
                               pathLossExponent: fit.parameters[3],
                               residualRMSdB: kept > 0 ? (sum / Double(kept)).squareRoot() : nil,
                               sightingsUsed: points.count, outliers: points.count - kept, method: method, caveats: caveats)
    }
}
