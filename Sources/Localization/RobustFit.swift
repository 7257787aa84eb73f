import Foundation

/// The robust loss that turns residuals (in units of the robust scale) into weights for iteratively
/// reweighted least squares.
public enum RobustLoss: Sendable, Hashable, Codable {
    /// Plain least squares: every sighting counts fully, outliers drag the fix.
    case leastSquares
    /// Huber: quadratic within k scale units, linear beyond (k = 1.345 keeps 95 % efficiency on
    /// Gaussian residuals).
    case huber(Double)
    /// Cauchy (Lorentzian): redescending, large outliers fade out (c = 2.385 for 95 % efficiency).
    case cauchy(Double)

    func weight(_ u: Double) -> Double {
        switch self {
        case .leastSquares: return 1
        case let .huber(k): return abs(u) <= k ? 1 : k / abs(u)
        case let .cauchy(c): return 1 / (1 + (u / c) * (u / c))
        }
    }

    /// ρ(u), the loss itself, so that 2·Σρ is a chi-square-like misfit in scale units.
    func rho(_ u: Double) -> Double {
        switch self {
        case .leastSquares: return u * u / 2
        case let .huber(k): return abs(u) <= k ? u * u / 2 : k * abs(u) - k * k / 2
        case let .cauchy(c): return c * c / 2 * log(1 + (u / c) * (u / c))
        }
    }
}

/// One sighting in the local plane: metres east/north of the frame origin, seconds from the
/// reference time, power in dBm, sensor index.
struct PlanarSighting {
    var east: Double
    var north: Double
    var t: Double
    var rssi: Double
    var sensor: Int
}

/// The log-distance path-loss model RSSI = P_ref − 10·n·log10(max(d, d_min) / d_ref) [+ b_s], d the slant
/// range (horizontal distance and a height difference). Parameters: [x, y, P_ref, n] for a fixed emitter
/// and [x, y, P_ref, n, v_east, v_north] for one moving at constant velocity (position at time t is
/// (x, y) + v·t, t from the reference time), then one offset b_s per sensor listed in `offsetOf`: a sensor
/// at a fixed site sees the same shadowing, multipath and gain error in every sighting, so its level
/// says little and only its changes over time carry information.
struct LogDistanceModel {
    let sightings: [PlanarSighting]
    let moving: Bool
    let referenceDistance: Double
    let minimumDistance: Double
    let heightSquared: Double
    let exponentRange: ClosedRange<Double>
    let maximumSpeed: Double
    /// The emitter's position (at the reference time) is kept inside this box of the local plane: beyond
    /// it the received powers could not have been heard, and along a flat valley of the misfit an
    /// unbounded fit can wander off by kilometres.
    let positionBox: (minE: Double, maxE: Double, minN: Double, maxN: Double)
    /// Per sensor index: the parameter index of its level offset, or −1 for none.
    var offsetOf: [Int] = []
    var offsetCount = 0

    var baseCount: Int { moving ? 6 : 4 }
    var parameterCount: Int { baseCount + offsetCount }

    @inline(__always)
    func offsetIndex(_ s: PlanarSighting) -> Int { s.sensor < offsetOf.count ? offsetOf[s.sensor] : -1 }

    func clamp(_ p: inout [Double]) {
        p[0] = min(max(p[0], positionBox.minE), positionBox.maxE)
        p[1] = min(max(p[1], positionBox.minN), positionBox.maxN)
        p[3] = min(max(p[3], exponentRange.lowerBound), exponentRange.upperBound)
        if moving {
            let s = (p[4] * p[4] + p[5] * p[5]).squareRoot()
            if s > maximumSpeed { p[4] *= maximumSpeed / s; p[5] *= maximumSpeed / s }
        }
    }

    /// The log-distance term −10·log10(max(d, d_min)/d_ref) of sighting i for an emitter at (x, y), and
    /// whether the distance is above the floor (so the term depends on the position).
    @inline(__always)
    func logTerm(_ s: PlanarSighting, x: Double, y: Double) -> (l: Double, dx: Double, dy: Double, d2: Double, free: Bool) {
        let dx = x - s.east, dy = y - s.north
        let d2 = dx * dx + dy * dy + heightSquared
        let dMin2 = minimumDistance * minimumDistance
        let free = d2 > dMin2
        let deff2 = free ? d2 : dMin2
        return (-5 * log10(deff2 / (referenceDistance * referenceDistance)), dx, dy, deff2, free)
    }

    /// Residuals r_i = RSSI_i − predicted and, when asked, the Jacobian ∂r/∂p (row-major, count × p).
    func evaluate(_ p: [Double], residuals r: inout [Double], jacobian j: inout [Double], withJacobian: Bool) {
        let np = parameterCount
        let k = 10 / log(10.0)
        for (i, s) in sightings.enumerated() {
            let x = moving ? p[0] + p[4] * s.t : p[0]
            let y = moving ? p[1] + p[5] * s.t : p[1]
            let g = logTerm(s, x: x, y: y)
            let o = offsetIndex(s)
            r[i] = s.rssi - (p[2] + p[3] * g.l + (o >= 0 ? p[o] : 0))
            guard withJacobian else { continue }
            // ∂predicted/∂x = −10·n/ln10 · dx/d²; residual derivative is its negative.
            let gx = g.free ? p[3] * k * g.dx / g.d2 : 0
            let gy = g.free ? p[3] * k * g.dy / g.d2 : 0
            let row = i * np
            j[row] = gx
            j[row + 1] = gy
            j[row + 2] = -1
            j[row + 3] = -g.l
            if moving {
                j[row + 4] = gx * s.t
                j[row + 5] = gy * s.t
            }
            for c in baseCount..<np { j[row + c] = 0 }
            if o >= 0 { j[row + o] = -1 }
        }
    }

    /// Weighted least-squares P_ref, n and the sensor offsets for a fixed track (the model is linear in
    /// them), n clamped to its range, optionally with the exponent prior (σ² the residual variance it is
    /// weighed against). `ls` receives the log terms. Returns (P_ref, n, offsets).
    func linearParameters(x: Double, y: Double, velocity: (Double, Double), weights: [Double]?, prior: ExponentPrior?,
                          sigma2: Double, ls: inout [Double]) -> (pRef: Double, n: Double, offsets: [Double]) {
        for (i, s) in sightings.enumerated() {
            ls[i] = logTerm(s, x: x + velocity.0 * s.t, y: y + velocity.1 * s.t).l
        }
        if offsetCount == 0 {
            // Closed form: weighted regression of RSSI on the log term.
            var sw = 0.0, sl = 0.0, sr = 0.0
            for (i, s) in sightings.enumerated() { let w = weights?[i] ?? 1; sw += w; sl += w * ls[i]; sr += w * s.rssi }
            let ml = sw > 0 ? sl / sw : 0, mr = sw > 0 ? sr / sw : 0
            var sxx = 0.0, sxy = 0.0
            for (i, s) in sightings.enumerated() {
                let w = weights?[i] ?? 1
                sxx += w * (ls[i] - ml) * (ls[i] - ml); sxy += w * (ls[i] - ml) * (s.rssi - mr)
            }
            var num = sxy / sigma2, den = sxx / sigma2
            if let prior { num += prior.mean / (prior.sigma * prior.sigma); den += 1 / (prior.sigma * prior.sigma) }
            var n = den > 1e-9 ? num / den : (prior?.mean ?? (exponentRange.lowerBound + exponentRange.upperBound) / 2)
            if !n.isFinite { n = 3 }
            n = min(max(n, exponentRange.lowerBound), exponentRange.upperBound)
            return (mr - n * ml, n, [])
        }
        // Normal equations of θ = [P_ref, n, b_1 … b_k], design row [1, l_i, e_{offset(i)}].
        let m = 2 + offsetCount
        var a = [Double](repeating: 0, count: m * m), c = [Double](repeating: 0, count: m)
        for (i, s) in sightings.enumerated() {
            let w = (weights?[i] ?? 1) / sigma2
            let o = offsetIndex(s) - baseCount + 2
            let l = ls[i]
            a[0] += w; a[1] += w * l; a[m + 1] += w * l * l
            c[0] += w * s.rssi; c[1] += w * l * s.rssi
            if o >= 2 {
                a[o] += w; a[m + o] += w * l; a[o * m + o] += w
                c[o] += w * s.rssi
            }
        }
        if let prior { a[m + 1] += 1 / (prior.sigma * prior.sigma); c[1] += prior.mean / (prior.sigma * prior.sigma) }
        for r in 0..<m { for q in 0..<r { a[r * m + q] = a[q * m + r] } }
        let mid = (exponentRange.lowerBound + exponentRange.upperBound) / 2
        // With n held at `n`: solve for the rest (drop row and column 1).
        func withExponent(_ n: Double) -> (Double, Double, [Double]) {
            var a2: [Double] = [], c2: [Double] = []
            for r in 0..<m where r != 1 {
                for q in 0..<m where q != 1 { a2.append(a[r * m + q]) }
                c2.append(c[r] - a[r * m + 1] * n)
            }
            for d in 0..<(m - 1) { a2[d * (m - 1) + d] += 1e-12 }
            guard let t = SmallMatrix.solve(a2, c2, m - 1) else { return (0, n, [Double](repeating: 0, count: offsetCount)) }
            return (t[0], n, Array(t[1...]))
        }
        guard let t = SmallMatrix.solve(a, c, m), t.allSatisfy(\.isFinite) else { return withExponent(prior?.mean ?? mid) }
        if t[1] < exponentRange.lowerBound || t[1] > exponentRange.upperBound {
            return withExponent(min(max(t[1], exponentRange.lowerBound), exponentRange.upperBound))
        }
        return (t[0], t[1], Array(t[2...]))
    }

    /// Weighted least-squares P_ref, n and offsets for a fixed position (or track), n clamped to its
    /// range. Returns the full parameter vector.
    func profile(x: Double, y: Double, velocity: (Double, Double)? = nil, weights: [Double]? = nil) -> [Double] {
        var ls = [Double](repeating: 0, count: sightings.count)
        let lin = linearParameters(x: x, y: y, velocity: velocity ?? (0, 0), weights: weights, prior: nil, sigma2: 1, ls: &ls)
        var p = [x, y, lin.pRef, lin.n]
        if moving { p += [velocity?.0 ?? 0, velocity?.1 ?? 0] }
        return p + lin.offsets
    }

    /// Sum of squared residuals of the profiled model at (x, y): the cheap cost of the start-point grid.
    func profileCost(x: Double, y: Double) -> Double {
        let p = profile(x: x, y: y)
        var r = [Double](repeating: 0, count: sightings.count), unused: [Double] = []
        evaluate(p, residuals: &r, jacobian: &unused, withJacobian: false)
        return r.reduce(0) { $0 + $1 * $1 }
    }
}

/// The outcome of one robust fit from one starting point.
struct RobustFitResult {
    var parameters: [Double]
    var residuals: [Double]
    var weights: [Double]
    /// Robust scale of the residuals (1.4826 · MAD), dB.
    var scale: Double
    /// σ²·(JᵀWJ)⁻¹, row-major p × p; nil when singular.
    var covariance: [Double]?
    /// (n − n₀)²/(2σₙ²) of the exponent prior, 0 without one: added to the robust misfit when fits are compared.
    var priorCost: Double = 0
}

/// A Gaussian prior on the path-loss exponent.
public struct ExponentPrior: Sendable, Hashable, Codable {
    public var mean: Double
    public var sigma: Double
    public init(mean: Double, sigma: Double) {
        self.mean = mean
        self.sigma = max(sigma, 1e-3)
    }
}

enum RobustSolver {
    /// Median absolute deviation scaled to a Gaussian σ, floored.
    static func robustScale(_ r: [Double], floor: Double) -> Double {
        guard !r.isEmpty else { return floor }
        let sorted = r.sorted()
        let med = sorted[sorted.count / 2]
        let dev = r.map { abs($0 - med) }.sorted()
        let mad = dev[dev.count / 2]
        let s = 1.4826 * mad
        return s.isFinite ? max(s, floor) : floor
    }

    /// Iteratively reweighted Levenberg–Marquardt: an outer loop sets the robust weights from the current
    /// residuals and scale, the inner loop minimises Σ wᵢ rᵢ² for those weights with LM steps (damping on
    /// the diagonal of JᵀWJ), bounds applied by projection.
    ///
    /// A prior on the path-loss exponent enters as one more residual row, (n₀ − n)·s/σₙ with weight 1 (s
    /// the current robust scale), so the fit is the maximum a posteriori estimate and the covariance
    /// the posterior's.
    static func fit(_ model: LogDistanceModel, start: [Double], loss: RobustLoss, scaleFloor: Double,
                    exponentPrior: ExponentPrior?, outerIterations: Int = 12, innerIterations: Int = 30) -> RobustFitResult {
        let nData = model.sightings.count, np = model.parameterCount
        let n = nData + (exponentPrior == nil ? 0 : 1)
        var p = start
        model.clamp(&p)
        var r = [Double](repeating: 0, count: n)
        var j = [Double](repeating: 0, count: n * np)
        var rTrial = r
        var unused: [Double] = []
        var w = [Double](repeating: 1, count: n)
        var priorFactor = 0.0
        func evaluate(_ q: [Double], _ res: inout [Double], _ jac: inout [Double], _ withJacobian: Bool) {
            model.evaluate(q, residuals: &res, jacobian: &jac, withJacobian: withJacobian)
            guard let prior = exponentPrior else { return }
            res[nData] = (prior.mean - q[3]) * priorFactor
            if withJacobian {
                for c in 0..<np { jac[nData * np + c] = 0 }
                jac[nData * np + 3] = -priorFactor
            }
        }
        func dataScale() -> Double { robustScale(Array(r[0..<nData]), floor: scaleFloor) }
        var scale = scaleFloor
        var a = [Double](repeating: 0, count: np * np)
        var g = [Double](repeating: 0, count: np)

        func weightedCost(_ res: [Double]) -> Double {
            var c = 0.0
            for i in 0..<n { c += w[i] * res[i] * res[i] }
            return c
        }
        func normalEquations() {
            for k in 0..<(np * np) { a[k] = 0 }
            for k in 0..<np { g[k] = 0 }
            for i in 0..<n {
                let row = i * np
                let wi = w[i]
                for c in 0..<np {
                    let jc = j[row + c] * wi
                    g[c] += jc * r[i]
                    for d in c..<np { a[c * np + d] += jc * j[row + d] }
                }
            }
            for c in 0..<np { for d in 0..<c { a[c * np + d] = a[d * np + c] } }
        }

        evaluate(p, &r, &j, true)
        for _ in 0..<outerIterations {
            scale = dataScale()
            if let prior = exponentPrior { priorFactor = scale / prior.sigma }
            evaluate(p, &r, &j, true)
            for i in 0..<nData { w[i] = loss.weight(r[i] / scale) }
            let before = p
            var cost = weightedCost(r)
            var lambda = 1e-3
            for _ in 0..<innerIterations {
                normalEquations()
                var improved = false
                while lambda < 1e12 {
                    var m = a
                    for c in 0..<np { m[c * np + c] += lambda * max(a[c * np + c], 1e-12) }
                    guard let step = SmallMatrix.solve(m, g.map { -$0 }, np) else { lambda *= 10; continue }
                    var trial = p
                    for c in 0..<np { trial[c] += step[c] }
                    model.clamp(&trial)
                    evaluate(trial, &rTrial, &unused, false)
                    let c = weightedCost(rTrial)
                    if c.isFinite && c < cost {
                        let gain = cost - c
                        p = trial
                        cost = c
                        lambda = max(lambda / 3, 1e-9)
                        improved = gain > 1e-7 * max(cost, 1e-12)
                        break
                    }
                    lambda *= 4
                }
                evaluate(p, &r, &j, true)
                if !improved { break }
            }
            let moved = ((p[0] - before[0]) * (p[0] - before[0]) + (p[1] - before[1]) * (p[1] - before[1])).squareRoot()
            if moved < 0.1 && abs(p[3] - before[3]) < 1e-3 { break }
        }
        scale = dataScale()
        if let prior = exponentPrior { priorFactor = scale / prior.sigma }
        evaluate(p, &r, &j, true)
        for i in 0..<nData { w[i] = loss.weight(r[i] / scale) }
        normalEquations()
        var sumW = 0.0, sumWR2 = 0.0
        for i in 0..<nData { sumW += w[i]; sumWR2 += w[i] * r[i] * r[i] }
        let dof = max(sumW - Double(np), 1)
        // The fitted misfit cannot be trusted below the scale floor (1 dB quantisation, calibration).
        let sigma2 = max(sumWR2 / dof, scaleFloor * scaleFloor)
        var cov = SmallMatrix.inverse(a, np)
        if var c = cov { for k in 0..<(np * np) { c[k] *= sigma2 }; cov = c }
        var priorCost = 0.0
        if let prior = exponentPrior { priorCost = (p[3] - prior.mean) * (p[3] - prior.mean) / (2 * prior.sigma * prior.sigma) }
        return RobustFitResult(parameters: p, residuals: Array(r[0..<nData]), weights: Array(w[0..<nData]), scale: scale,
                               covariance: cov, priorCost: priorCost)
    }

    /// Σ ρ(rᵢ / s): the robust misfit used to compare fits from different starts at one common scale.
    static func robustCost(_ r: [Double], scale: Double, loss: RobustLoss) -> Double {
        var c = 0.0
        for x in r { c += loss.rho(x / scale) }
        return c
    }

    /// Variance inflation for serially correlated residuals: shadowing along a drive is correlated over
    /// tens of metres, so consecutive sightings are not independent. With the pooled lag-1 correlation ρ of
    /// each sensor's time-ordered residuals, an AR(1) process inflates the variance of an estimate by
    /// (1 + ρ)/(1 − ρ). ρ is clamped to [0, 0.9].
    static func serialCorrelationInflation(_ sightings: [PlanarSighting], residuals r: [Double], weights w: [Double]) -> Double {
        var order = Array(sightings.indices)
        order.sort { (sightings[$0].sensor, sightings[$0].t) < (sightings[$1].sensor, sightings[$1].t) }
        var num = 0.0, den = 0.0
        let inl = order.filter { w[$0] >= 0.5 }
        let mean = inl.isEmpty ? 0 : inl.reduce(0.0) { $0 + r[$1] } / Double(inl.count)
        for i in inl { den += (r[i] - mean) * (r[i] - mean) }
        for k in 1..<max(order.count, 1) {
            let a = order[k - 1], b = order[k]
            guard sightings[a].sensor == sightings[b].sensor, w[a] >= 0.5, w[b] >= 0.5 else { continue }
            num += (r[a] - mean) * (r[b] - mean)
        }
        guard den > 0 else { return 1 }
        let rho = min(max(num / den, 0), 0.9)
        return (1 + rho) / (1 - rho)
    }
}
