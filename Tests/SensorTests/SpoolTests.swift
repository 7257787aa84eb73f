import CellwatchModel
import Foundation
import Testing
import TestSupport
@testable import Sensor

@Suite("Spool")
struct SpoolTests {
    func record(_ i: Int, _ kind: SpoolKind, bytes: Int = 1000) -> SpoolRecord {
        SpoolRecord(id: String(format: "id-%06d", i), kind: kind, createdAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(i)),
                    payload: Data(repeating: UInt8(ascii: "a"), count: bytes))
    }

    @Test func batchesAreOldestFirstAndDeletedOnlyWhenMarked() throws {
        let dir = TestSupport.temporaryDirectory()
        let spool = try Spool(path: dir.appendingPathComponent("spool.sqlite").path, maxBytes: 1 << 30)
        try spool.append((0..<10).map { record($0, $0 % 3 == 0 ? .suspect : .observation) })
        let first = try spool.nextBatch(limit: 4)
        #expect(first.map(\.id) == ["id-000000", "id-000001", "id-000002", "id-000003"])
        #expect(first[0].kind == .suspect && first[1].kind == .observation)
        #expect(try spool.nextBatch(limit: 4).map(\.id) == first.map(\.id))   // not consumed by reading
        try spool.markUploaded(first.map(\.id))
        #expect(try spool.nextBatch(limit: 100).map(\.id).first == "id-000004")
        let d = try spool.depth()
        #expect(d.total == 6 && d.suspects == 2 && d.observations == 4)
        #expect(d.oldest == Date(timeIntervalSince1970: 1_800_000_004))
    }

    @Test func appendingTheSameIDTwiceKeepsOne() throws {
        let dir = TestSupport.temporaryDirectory()
        let spool = try Spool(path: dir.appendingPathComponent("spool.sqlite").path, maxBytes: 1 << 30)
        try spool.append(record(1, .observation))
        try spool.append(record(1, .observation))
        #expect(try spool.depth().total == 1)
    }

    @Test func evictionDropsOldestObservationsNeverSuspectsOrEvidence() throws {
        let dir = TestSupport.temporaryDirectory()
        let path = dir.appendingPathComponent("spool.sqlite").path
        let spool = try Spool(path: path, maxBytes: 1 << 20)   // 1 MiB of payload
        // 3000 × 1000 bytes ≈ 2.9 MiB, a suspect or evidence every 10th record.
        for chunk in stride(from: 0, to: 3000, by: 100) {
            try spool.append((chunk..<chunk + 100).map { i in
                record(i, i % 10 == 0 ? .suspect : (i % 10 == 5 ? .evidence : .observation))
            })
        }
        let d = try spool.depth()
        #expect(d.suspects == 300)
        #expect(d.evidence == 300)
        #expect(d.payloadBytes <= 1 << 20)
        #expect(spool.evicted == 2400 - d.observations)
        // The survivors are the newest observations.
        let ids = try spool.allIDs()
        #expect(ids.contains("id-002999"))
        #expect(!ids.contains("id-000001"))
        // Only suspects/evidence: over the bound is accepted, nothing is dropped.
        try spool.append((5000..<6500).map { record($0, .suspect) })
        let d2 = try spool.depth()
        #expect(d2.suspects == 1800)
        #expect(d2.observations == 0)
        // The eviction count survives a reopen.
        let again = try Spool(path: path, maxBytes: 1 << 20)
        #expect(again.evicted == spool.evicted)
    }

    @Test func quarantinedRecordsLeaveTheQueue() throws {
        let dir = TestSupport.temporaryDirectory()
        let spool = try Spool(path: dir.appendingPathComponent("spool.sqlite").path, maxBytes: 1 << 30)
        try spool.append((0..<3).map { record($0, .observation) })
        try spool.quarantine(["id-000000"])
        #expect(try spool.nextBatch(limit: 10).map(\.id) == ["id-000001", "id-000002"])
        #expect(try spool.depth().quarantined == 1)
    }

    @Test func uuidv7IsTimeOrderedAndVersioned() {
        let random = SharedRandom(seed: 7)
        let t = Date(timeIntervalSince1970: 1_800_000_000.123)
        let g = UUIDv7Generator(clock: { t }, random: { random.next() })
        let a = g.next(), b = g.next()
        #expect(a != b)
        #expect(a.count == 36)
        #expect(Array(a)[14] == "7")                                   // version nibble
        #expect("89ab".contains(Array(a)[19]))                          // RFC 9562 variant
        #expect(a.prefix(13) == b.prefix(13))                           // same millisecond prefix
        #expect(String(a.prefix(8)) + String(a.dropFirst(9).prefix(4)) == String(1_800_000_000_123, radix: 16, uppercase: false).leftPadded(12))
    }

    /// The done-when: a writer killed with SIGKILL five times loses nothing it had acknowledged.
    @Test func sigkillLosesNothingAcknowledged() throws {
        let binary = SensorBinary.path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "cellwatch binary not built at \(binary)")
        let dir = TestSupport.temporaryDirectory()
        var acknowledged: [String] = []
        for round in 0..<5 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["sensor", "--spool-stress", dir.path]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            let reader = out.fileHandleForReading
            var buffer = Data()
            var lines: [String] = []
            // Let it commit a varying number of records, then kill it mid-write.
            let target = 40 + round * 37
            while lines.count < target {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let nl = buffer.firstIndex(of: 10) {
                    lines.append(String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self))
                    buffer.removeSubrange(buffer.startIndex...nl)
                }
            }
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            #expect(p.terminationReason == .uncaughtSignal)
            // Whatever else it printed before dying was acknowledged too.
            buffer.append(reader.readDataToEndOfFile())
            for l in String(decoding: buffer, as: UTF8.self).split(separator: "\n") where l.count == 36 { lines.append(String(l)) }
            #expect(lines.count >= target)
            acknowledged += lines
        }
        let spool = try Spool(path: dir.appendingPathComponent("spool.sqlite").path, maxBytes: 1 << 30)
        let stored = try spool.allIDs()
        let missing = acknowledged.filter { !stored.contains($0) }
        #expect(missing.isEmpty, "lost \(missing.count) of \(acknowledged.count) acknowledged records")
        #expect(acknowledged.count >= 5 * 40)
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}

enum SensorBinary {
    static let path: String = {
        let env = ProcessInfo.processInfo.environment
        if let b = env["CELLWATCH_BIN"] { return b }
        let here = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent()
        let candidates = [here.appendingPathComponent("cellwatch"),
                          here.deletingLastPathComponent().appendingPathComponent("cellwatch"),
                          TestSupport.packageRoot.appendingPathComponent(".build/debug/cellwatch")]
        return (candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[2]).path
    }()
}
