import Foundation
import TestSupport

/// The "FN x: 23 hex octets" lines of gr-gsm's expected-output files in shared/testdata.
enum ProtocolExpectedFile {
    struct Block {
        var frameNumber: UInt32
        var octets: [UInt8]
    }

    /// nil (and a note) when shared/testdata is not there.
    static func blocks(_ relative: String) throws -> [Block]? {
        guard let path = TestSupport.recording(relative) else {
            print("skipped: \(relative) not found (shared/testdata absent)")
            return nil
        }
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
            let parts = line.split(separator: ":", maxSplits: 1)
            let fn = UInt32(parts[0].split(separator: " ")[0])!
            return Block(frameNumber: fn, octets: ProtocolTestSupport.octets(String(parts[1]).trimmingCharacters(in: .whitespaces)))
        }
    }
}
