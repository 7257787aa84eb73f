import Foundation

/// Small dense symmetric solves for the normal equations (at most 6 × 6). Row-major storage.
enum SmallMatrix {
    /// Cholesky factor L (lower, row-major) of a symmetric positive definite matrix, or nil when the
    /// matrix is not positive definite (singular geometry) or holds a non-finite value.
    static func cholesky(_ a: [Double], _ n: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var s = a[i * n + j]
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    guard s > 0, s.isFinite else { return nil }
                    l[i * n + i] = s.squareRoot()
                } else {
                    l[i * n + j] = s / l[j * n + j]
                }
            }
        }
        return l
    }

    /// Solves A x = b for symmetric positive definite A.
    static func solve(_ a: [Double], _ b: [Double], _ n: Int) -> [Double]? {
        guard let l = cholesky(a, n) else { return nil }
        return solve(factor: l, b, n)
    }

    static func solve(factor l: [Double], _ b: [Double], _ n: Int) -> [Double] {
        var y = b
        for i in 0..<n {
            var s = y[i]
            for k in 0..<i { s -= l[i * n + k] * y[k] }
            y[i] = s / l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = y[i]
            for k in (i + 1)..<n { s -= l[k * n + i] * y[k] }
            y[i] = s / l[i * n + i]
        }
        return y
    }

    /// Inverse of a symmetric positive definite matrix, or nil when it is singular.
    static func inverse(_ a: [Double], _ n: Int) -> [Double]? {
        guard let l = cholesky(a, n) else { return nil }
        var inv = [Double](repeating: 0, count: n * n)
        var e = [Double](repeating: 0, count: n)
        for j in 0..<n {
            for i in 0..<n { e[i] = i == j ? 1 : 0 }
            let col = solve(factor: l, e, n)
            for i in 0..<n { inv[i * n + j] = col[i] }
        }
        for v in inv where !v.isFinite { return nil }
        return inv
    }

    /// Eigen-decomposition of a symmetric 2 × 2 matrix [[a, b], [b, c]]: the larger and smaller
    /// eigenvalue and the angle (radians, from the first axis) of the larger one's eigenvector.
    static func symmetricEigen2(a: Double, b: Double, c: Double) -> (major: Double, minor: Double, angle: Double) {
        let mean = (a + c) / 2
        let diff = (a - c) / 2
        let r = (diff * diff + b * b).squareRoot()
        return (mean + r, mean - r, 0.5 * atan2(2 * b, a - c))
    }
}
