import Foundation

extension Scenario {
    /// The folder of bundled scenarios: the target's resources (`Bundle.module`) when they sit beside the
    /// executable, else the source tree this was built from; nil when neither exists. (`Bundle.module`
    /// itself stops the process when its bundle is missing, so it is asked only when the bundle is there.)
    static var scenariosDirectory: URL? {
        let fm = FileManager.default
        for name in ["Cellwatch_Simulation.resources", "Cellwatch_Simulation.bundle"]
        where fm.fileExists(atPath: Bundle.main.bundleURL.appendingPathComponent(name).path) {
            return Bundle.module.url(forResource: "Scenarios", withExtension: nil)
        }
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Scenarios")
        return fm.fileExists(atPath: source.path) ? source : nil
    }

    /// Names of the scenarios shipped with Cellwatch (`fuzhou-gulou`, `legit-only`).
    public static var bundledNames: [String] {
        guard let dir = scenariosDirectory,
              let files = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        return files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// A scenario shipped with Cellwatch, by name ("fuzhou-gulou").
    public static func bundled(named name: String) throws(ScenarioError) -> Scenario {
        guard let dir = scenariosDirectory else {
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
