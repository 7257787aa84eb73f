import Foundation
import TestSupport

/// The downlink timeslot-0 bursts of the shared live-network capture vf_call6_arfcn725.bursts.bz2
/// (gr-gsm bursts format, see Vectors/make_coding_vectors.py), and gr-gsm's decode of its blocks.
struct CodingCapture {
    struct Burst {
        /// GSMTAP sub-type: 1 FCCH, 3 SCH, 6 normal, 7 dummy.
        let subType: UInt8
        /// 148 bits, 0 or 1.
        let bits: [UInt8]
    }

    static let burstsFile = "gsm/vf_call6_arfcn725.bursts.bz2"
    static let expectedFile = "gsm/vf_call6_arfcn725.grgsm_bcch_expected.txt"

    /// Downlink timeslot-0 bursts by frame number. The file repeats a stretch of frames at its end;
    /// the first occurrence is kept (the repeats are identical).
    let timeslot0: [UInt32: Burst]
    /// gr-gsm's blocks: frame number of the first burst → 23 octets.
    let expected: [UInt32: [UInt8]]

    /// Nil when ../shared/testdata is absent.
    static func load() throws -> CodingCapture? {
        guard let burstsPath = TestSupport.recording(burstsFile),
              let expectedPath = TestSupport.recording(expectedFile)
        else { return nil }
        let data = [UInt8](try decompress(burstsPath))
        let recordSize = 174
        guard data.count % recordSize == 0 else { throw CaptureError("\(burstsPath): not whole records") }
        var timeslot0: [UInt32: Burst] = [:]
        for offset in stride(from: 0, to: data.count, by: recordSize) {
            let r = Array(data[offset..<offset + recordSize])  // indices 0 ..< 174
            guard r[0..<4] == [7, 6, 10, 0], r[4..<8] == [0, 0, 0, 164], r[8..<10] == [1, 0],
                  r[10] == 2, r[11] == 4, r[12] == 3
            else { throw CaptureError("\(burstsPath): record at byte \(offset) is not a GSMTAP burst") }
            let timeslot = r[13]
            let arfcn = UInt16(r[14]) << 8 | UInt16(r[15])
            let fn = r[18..<22].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            if timeslot == 0 && arfcn & 0x4000 == 0 && timeslot0[fn] == nil {
                timeslot0[fn] = Burst(subType: r[22], bits: Array(r[26..<174]))
            }
        }
        var expected: [UInt32: [UInt8]] = [:]
        for line in try String(contentsOfFile: expectedPath, encoding: .utf8).split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let fn = UInt32(parts[0].split(separator: " ")[0]) else { continue }
            expected[fn] = CodingTestBits.octets(hex: parts[1].split(separator: " ").joined())
        }
        return CodingCapture(timeslot0: timeslot0, expected: expected)
    }

    private static func decompress(_ path: String) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bzip2")
        process.arguments = ["-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CaptureError("bzip2 -dc \(path) failed") }
        return data
    }
}

struct CaptureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
