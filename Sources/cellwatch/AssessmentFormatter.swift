import CellwatchModel

/// How a detection verdict reads on the terminal and in JSON lines.
enum AssessmentFormatter {
    static func json(_ s: Suspect) -> String {
        var j = JSONLine()
        j.add("type", "assessment")
        j.add("id", s.id)
        j.add("score", s.score, digits: 1)
        j.add("severity", s.severity.rawValue)
        j.add("alert", s.alertRaised)
        j.add("reasons", .array(s.reasons.map { f in
            var r = JSONLine()
            r.add("rule", f.ruleID)
            r.add("weight", f.weight, digits: 2)
            r.add("reason", f.reason)
            return .object(r)
        }))
        return j.text
    }

    static func text(_ s: Suspect) -> String {
        var lines = ["  assessment: score \(s.score) of 100, severity \(s.severity.rawValue)\(s.alertRaised ? ", ALERT" : "")"]
        for f in s.reasons { lines.append("    - \(f.reason) [\(f.ruleID), weight \(f.weight)]") }
        if s.reasons.isEmpty { lines.append("    - no rule fired") }
        return lines.joined(separator: "\n")
    }
}
