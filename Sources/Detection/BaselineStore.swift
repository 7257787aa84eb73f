import Foundation

/// Saves and loads a baseline as JSON. Saving writes a temporary file beside the target and renames
/// it over the target, so a crash or a full disk never leaves a half-written baseline behind.
public enum BaselineStore {
    public struct Error: Swift.Error, CustomStringConvertible {
        public var description: String
    }

    public static func save(_ baseline: Baseline, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let data: Data
        do { data = try encoder.encode(baseline) } catch {
            throw Error(description: "cannot encode the baseline for \(path): \(error)")
        }
        let target = URL(fileURLWithPath: path)
        let temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            try data.write(to: temporary)
            // rename(2) replaces the target atomically on the same file system.
            guard rename(temporary.path, target.path) == 0 else {
                throw Error(description: "rename failed with errno \(errno)")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw Error(description: "cannot write the baseline \(path): \(error.localizedDescription)")
        }
    }

    public static func load(from path: String) throws -> Baseline {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw Error(description: "cannot read the baseline \(path): \(error.localizedDescription)")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do { return try decoder.decode(Baseline.self, from: data) } catch {
            throw Error(description: "the baseline \(path) is not a valid baseline file: \(error)")
        }
    }
}
