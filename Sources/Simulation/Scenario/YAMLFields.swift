import Foundation
import Yams

/// Why a scenario file cannot be used: the file, the line (when the problem sits on one) and the
/// problem, as one sentence: `fuzhou.yaml:42: unknown field 'powr' in cell 'CM-3' (expected one of: …)`.
public struct ScenarioError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var problem: String

    public init(file: String, line: Int?, problem: String) {
        self.file = file
        self.line = line
        self.problem = problem
    }

    public var description: String {
        if let line { return "\(file):\(line): \(problem)" }
        return "\(file): \(problem)" 
    }
}

/// One YAML mapping of a scenario, read field by field. Knows the file and what the mapping describes
/// ("cell 'CM-3'") so every error names both; rejects fields it does not know up front.
struct YAMLFields {
    let file: String
    let context: String
    let line: Int?
    private let pairs: [(key: String, keyLine: Int?, value: Node)]

    init(_ node: Node, file: String, context: String, allowed: [String]) throws {
        self.file = file
        self.context = context
        line = node.mark?.line
        guard case .mapping(let m) = node else {
            throw ScenarioError(file: file, line: node.mark?.line,
                                problem: "\(context) must be a mapping of fields (key: value), not \(YAMLFields.kind(node))")
        }
        var pairs: [(String, Int?, Node)] = []
        for (k, v) in m {
            guard let key = k.scalar?.string else {
                throw ScenarioError(file: file, line: k.mark?.line, problem: "\(context) has a key that is not a plain name")
            }
            if !allowed.contains(key) {
                // Nearest known name, whole or by its first letters ("powr" → "power_dbm").
                func distance(_ a: String) -> Int {
                    let whole = YAMLFields.editDistance(a, key)
                    guard key.count >= 3 else { return whole }
                    return min(whole, YAMLFields.editDistance(String(a.prefix(key.count)), key))
                }
                let near = allowed.min { distance($0) < distance($1) }
                let hint = near.map { distance($0) <= (key.count > 4 ? 2 : 1) ? " (did you mean '\($0)'?)" : "" } ?? ""
                throw ScenarioError(file: file, line: k.mark?.line,
                                    problem: "unknown field '\(key)' in \(context)\(hint); expected one of: \(allowed.joined(separator: ", "))")
            }
            pairs.append((key, k.mark?.line, v))
        }
        self.pairs = pairs
    }

    func has(_ key: String) -> Bool { pairs.contains { $0.key == key } }

    func node(_ key: String) -> Node? {
        guard let p = pairs.first(where: { $0.key == key }) else { return nil }
        if case .scalar(let s) = p.value, s.style == .plain || s.style == .any, ["", "~", "null", "Null", "NULL"].contains(s.string) { return nil }
        return p.value
    }

    /// The line of a field (its value, else its key, else the mapping).
    func lineOf(_ key: String) -> Int? {
        guard let p = pairs.first(where: { $0.key == key }) else { return line }
        return p.value.mark?.line ?? p.keyLine ?? line
    }

    func error(_ key: String?, _ problem: String) -> ScenarioError {
        ScenarioError(file: file, line: key.map(lineOf) ?? line, problem: problem)
    }

    func error(at node: Node, _ problem: String) -> ScenarioError {
        ScenarioError(file: file, line: node.mark?.line ?? line, problem: problem)
    }

    func missing(_ key: String, _ what: String = "") -> ScenarioError {
        error(nil, "\(context) has no '\(key)'\(what.isEmpty ? "" : " (\(what))")")
    }

    // MARK: Scalars

    func string(_ key: String) throws -> String? {
        guard let n = node(key) else { return nil }
        guard case .scalar(let s) = n else {
            throw error(key, "'\(key)' of \(context) must be a single value, not \(YAMLFields.kind(n))")
        }
        return s.string
    }

    func requiredString(_ key: String) throws -> String {
        guard let s = try string(key) else { throw missing(key) }
        return s
    }

    func double(_ key: String, in range: ClosedRange<Double>? = nil, unit: String = "") throws -> Double? {
        guard let n = node(key) else { return nil }
        return try YAMLFields.number(n, fields: self, name: "'\(key)' of \(context)", in: range, unit: unit)
    }

    func requiredDouble(_ key: String, in range: ClosedRange<Double>? = nil, unit: String = "") throws -> Double {
        guard let v = try double(key, in: range, unit: unit) else { throw missing(key) }
        return v
    }

    func int(_ key: String, in range: ClosedRange<Int>? = nil) throws -> Int? {
        guard let n = node(key) else { return nil }
        return try YAMLFields.integer(n, fields: self, name: "'\(key)' of \(context)", in: range)
    }

    func bool(_ key: String) throws -> Bool? {
        guard let n = node(key) else { return nil }
        guard let b = n.bool, case .scalar = n else {
            throw error(key, "'\(key)' of \(context) must be true or false, not '\(n.scalar?.string ?? YAMLFields.kind(n))'")
        }
        return b
    }

    /// Seconds: a number, or a number with s, m or h ("90", "90s", "10m", "1.5h").
    func seconds(_ key: String, in range: ClosedRange<Double>? = nil) throws -> Double? {
        guard let n = node(key) else { return nil }
        return try YAMLFields.seconds(n, fields: self, name: "'\(key)' of \(context)", in: range)
    }

    func list(_ key: String) throws -> [Node]? {
        guard let n = node(key) else { return nil }
        guard case .sequence(let s) = n else {
            throw error(key, "'\(key)' of \(context) must be a list, not \(YAMLFields.kind(n))")
        }
        return Array(s)
    }

    // MARK: Helpers for nodes inside lists

    static func number(_ n: Node, fields: YAMLFields, name: String, in range: ClosedRange<Double>?, unit: String) throws -> Double {
        guard case .scalar(let s) = n, let v = Double(s.string.replacingOccurrences(of: "_", with: "")) ?? n.float, v.isFinite else {
            throw fields.error(at: n, "\(name) must be a number\(unit.isEmpty ? "" : " (\(unit))"), not '\(n.scalar?.string ?? kind(n))'")
        }
        if let range, !range.contains(v) {
            throw fields.error(at: n, "\(name) is \(s.string)\(unit.isEmpty ? "" : " " + unit), which is impossible here: expected \(describe(range))\(unit.isEmpty ? "" : " " + unit)")
        }
        return v
    }

    static func integer(_ n: Node, fields: YAMLFields, name: String, in range: ClosedRange<Int>?) throws -> Int {
        guard case .scalar(let s) = n, let v = Int(s.string.replacingOccurrences(of: "_", with: "")) ?? n.int else {
            throw fields.error(at: n, "\(name) must be a whole number, not '\(n.scalar?.string ?? kind(n))'")
        }
        if let range, !range.contains(v) {
            throw fields.error(at: n, "\(name) is \(s.string), outside \(range.lowerBound)–\(range.upperBound)")
        }
        return v
    }

    static func seconds(_ n: Node, fields: YAMLFields, name: String, in range: ClosedRange<Double>?) throws -> Double {
        guard case .scalar(let s) = n else { throw fields.error(at: n, "\(name) must be a time in seconds, not \(kind(n))") }
        var text = s.string.trimmingCharacters(in: .whitespaces).lowercased()
        var scale = 1.0
        if let last = text.last, "smh".contains(last) {
            scale = last == "s" ? 1 : last == "m" ? 60 : 3600
            text.removeLast()
        }
        guard let v = Double(text.trimmingCharacters(in: .whitespaces)), v.isFinite else {
            throw fields.error(at: n, "\(name) must be a time: seconds, or a number with s, m or h (\"90\", \"10m\"), not '\(s.string)'")
        }
        let secs = v * scale
        if let range, !range.contains(secs) {
            throw fields.error(at: n, "\(name) is \(s.string), which is impossible here: expected \(describe(range)) s")
        }
        return secs
    }

    static func describe(_ r: ClosedRange<Double>) -> String {
        func f(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
        if r.upperBound == .greatestFiniteMagnitude { return "at least \(f(r.lowerBound))" }
        return "\(f(r.lowerBound)) to \(f(r.upperBound))"
    }

    static func kind(_ n: Node) -> String {
        switch n {
        case .scalar(let s): "'\(s.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count), cur = prev
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }
}
