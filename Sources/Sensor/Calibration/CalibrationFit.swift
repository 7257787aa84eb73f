import Foundation

/// The receiver's crystal error from several cells' estimates, robust to a cell that is itself off
/// (a fake base station on a cheap oscillator, a cell heard through a mixer, a stray tone).
///
/// Real base stations hold their carriers within 0.05 ppm (TS 45.010 §5.1), so every honest cell
/// should give the same crystal error to within its own measurement noise plus 0.05 ppm. The median
/// is the starting point; cells further from it than `agreementPPM` plus twice their own uncertainty
/// are rejected (a fixed bound: honest cells agree to a few hundredths of a ppm, so a wide scatter is
/// not a reason to accept more of it); what is left
/// must be a strict majority (both of two cells; the single cell of one). The estimate is the mean of
/// the kept cells weighted by 1 / (own variance + 0.05²); its uncertainty is the larger of that
/// weighted mean's standard error and the kept cells' scatter over √n.
public enum CalibrationFit {
    /// A real base station's own frequency tolerance (TS 45.010 §5.1), ppm.
    public static let cellTolerancePPM = 0.05

    public struct Result: Sendable, Equatable {
        public var ppm: Double
        public var uncertainty: Double
        /// Indices of the cells used, and of those rejected with the reason.
        public var used: [Int]
        public var rejected: [(index: Int, reason: String)]

        public static func == (a: Result, b: Result) -> Bool {
            a.ppm == b.ppm && a.uncertainty == b.uncertainty && a.used == b.used
                && a.rejected.map(\.index) == b.rejected.map(\.index) && a.rejected.map(\.reason) == b.rejected.map(\.reason)
        }
    }

    public enum Failure: Error, Equatable, Sendable {
        case noCells
        /// The estimates and the spread that made them disagree, as a sentence.
        case disagree(String)
    }

    static func median(_ v: [Double]) -> Double {
        let s = v.sorted()
        let n = s.count
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }

    /// `estimates`: each cell's ppm and one standard error; `labels` name the cells in messages.
    public static func fit(_ estimates: [(ppm: Double, uncertainty: Double)], labels: [String],
                           agreementPPM: Double = 0.5) -> Swift.Result<Result, Failure> {
        let n = estimates.count
        guard n > 0 else { return .failure(.noCells) }
        let values = estimates.map(\.ppm)
        let m = median(values)
        let tolerance = agreementPPM
        var used: [Int] = []
        var rejected: [(index: Int, reason: String)] = []
        if n == 2 {
            let (a, b) = (estimates[0], estimates[1])
            let allowed = agreementPPM + 2 * (a.uncertainty * a.uncertainty + b.uncertainty * b.uncertainty).squareRoot()
            if abs(a.ppm - b.ppm) > allowed {
                return .failure(.disagree("\(describe(labels, values)): \(fmt(abs(a.ppm - b.ppm))) ppm apart, more than the \(fmt(allowed)) ppm two real cells can be; calibrate on more cells (--arfcn) or another band"))
            }
            used = [0, 1]
        } else {
            for (i, e) in estimates.enumerated() {
                let d = abs(e.ppm - m)
                if d <= tolerance + 2 * e.uncertainty {
                    used.append(i)
                } else {
                    rejected.append((index: i, reason: "\(fmt(e.ppm, signed: true)) ppm is \(fmt(d)) ppm from the median \(fmt(m, signed: true)) ppm of the cells"))
                }
            }
            guard used.count * 2 > n else {
                return .failure(.disagree("\(describe(labels, values)): no majority within \(fmt(tolerance)) ppm of the median \(fmt(m, signed: true)) ppm; some of these are not honest cells (or not GSM): calibrate on cells you trust (--arfcn)"))
            }
        }
        var sw = 0.0, swx = 0.0
        for i in used {
            let e = estimates[i]
            let w = 1 / (e.uncertainty * e.uncertainty + cellTolerancePPM * cellTolerancePPM)
            sw += w
            swx += w * e.ppm
        }
        let mean = swx / sw
        var unc = (1 / sw).squareRoot()
        if used.count >= 2 {
            let k = Double(used.count)
            let scatter = (used.map { pow(estimates[$0].ppm - mean, 2) }.reduce(0, +) / (k - 1)).squareRoot() / k.squareRoot()
            unc = max(unc, scatter)
        }
        return .success(Result(ppm: mean, uncertainty: unc, used: used, rejected: rejected))
    }

    static func describe(_ labels: [String], _ values: [Double]) -> String {
        zip(labels, values).map { "\($0) says \(fmt($1, signed: true)) ppm" }.joined(separator: ", ")
    }

    static func fmt(_ v: Double, signed: Bool = false) -> String {
        let s = String(format: "%.2f", v)
        return signed && v >= 0 ? "+" + s : s
    }
}
