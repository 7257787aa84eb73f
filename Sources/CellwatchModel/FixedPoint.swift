extension Double {
    /// The value with exactly `digits` decimals ("947.000", "-0.5", "12"), a minus sign only when it
    /// rounds to something non-zero, never exponent notation and independent of locale, for messages,
    /// tables and reasons. Non-finite values read "inf", "-inf" and "nan".
    public func fixed(_ digits: Int) -> String {
        guard isFinite else { return isNaN ? "nan" : (self > 0 ? "inf" : "-inf") }
        var scale = 1.0
        for _ in 0..<max(0, digits) { scale *= 10 }
        let r = (abs(self) * scale).rounded()
        guard r < 9e18 else { return String(self) }
        let units = Int64(r), s = Int64(scale)
        var text = (self < 0 && r > 0 ? "-" : "") + String(units / s)
        if digits > 0 {
            let f = String(units % s)
            text += "." + String(repeating: "0", count: digits - f.count) + f
        }
        return text
    }
}
