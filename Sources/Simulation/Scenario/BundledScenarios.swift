import Foundation

extension Scenario {
    /// Names of the scenarios shipped with Cellwatch (`fuzhou-gulou`, `legit-only`).
    public static var bundledNames: [String] {
        guard let dir = Bundle.module.url(forResource: "Scenarios", withExtension: nil),
              let files = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        return files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// A scenario shipped with Cellwatch, by name ("fuzhou-gulou").
    public static func bundled(named name: String) throws(ScenarioError) -> Scenario {
        guard let dir = Bundle.module.url(forResource: "Scenarios", withExtension: nil) else {
            throw ScenarioError(file: name, line: nil, problem: "the bundled scenarios are missing from this installation")
        }
        let path = dir.appendingPathComponent(name + ".yaml").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw ScenarioError(file: name, line: nil, problem: "is not a bundled scenario (bundled: \(bundledNames.joined(separator: ", ")))")
        }
        return try ScenarioReader.read(path: path)
    }

    /// A scenario named as on the command line: `sim:NAME` or a bare bundled name, else a file path.
    public static func load(_ spec: String) throws(ScenarioError) -> Scenario {
        if spec.hasPrefix("sim:") { return try bundled(named: String(spec.dropFirst(4))) }
        if !spec.contains("/"), !FileManager.default.fileExists(atPath: spec), bundledNames.contains(spec) {
            return try bundled(named: spec)
        }
        return try ScenarioReader.read(path: spec)
    }
}
