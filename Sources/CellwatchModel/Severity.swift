/// How urgently a suspect needs people. `none`: no evidence; `low`: some evidence, no alert;
/// `medium`: alert raised; `high`: alert raised with strong combined evidence.
public enum Severity: String, Sendable, Codable, Comparable, CaseIterable {
    case none, low, medium, high

    private var rank: Int {
        switch self {
        case .none: 0
        case .low: 1
        case .medium: 2
        case .high: 3
        }
    }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}
