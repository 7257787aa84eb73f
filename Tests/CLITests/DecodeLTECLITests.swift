import Foundation
import Testing
import TestSupport

/// `cellwatch decode lte` through the real binary.
@Suite struct DecodeLTECLITests {
    static func objects(_ r: CLIRun) throws -> [[String: Any]] {
        try r.stdout.split(separator: "\n").map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test(.enabled(if: TestSupport.hasTestdata, "../shared/testdata is not present"))
    func srsranVectorJSON() throws {
        let path = try #require(TestSupport.recording("lte/srsran_1_92M.sigmf-meta"))
        let r = try CLIRun.run(["decode", "lte", path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let cells = try Self.objects(r)
        #expect(cells.count == 1)
        let c = try #require(cells.first)
        #expect(c["type"] as? String == "cell" && c["pci"] as? Int == 150 && c["duplex"] as? String == "FDD")
        #expect(c["prb"] as? Int == 50 && c["ports"] as? Int == 2 && c["sfn"] as? Int == 28)
        #expect(abs((c["cfo_hz"] as? Double) ?? 1e9) < 1000)
        #expect(c["rsrp_dbfs"] is Double)
        let mib = try #require(c["mib"] as? [String: Any])
        #expect(mib["bits"] as? String == "011010000001110000000000")
        #expect(mib["phich_duration"] as? String == "normal" && mib["phich_resource"] as? String == "one")
    }

    @Test(.enabled(if: TestSupport.hasTestdata, "../shared/testdata is not present"))
    func rtlsdrCaptureText() throws {
        let path = try #require(TestSupport.recording("lte/ltecellscanner_739MHz_1.92Msps.sigmf-data"))
        let r = try CLIRun.run(["decode", "lte", path])
        #expect(r.status == 0, "\(r.stderr)")
        let first = try #require(r.stdout.split(separator: "\n").first)
        #expect(first.hasPrefix("PCI 277  FDD"))
        #expect(first.contains("50 PRB") && first.contains("2 ports") && first.contains("CFO +35"))
    }

    /// Cut copies of a real recording: a clear error for a torn sample, otherwise PCI 150 or nothing.
    @Test(.enabled(if: TestSupport.hasTestdata, "../shared/testdata is not present"))
    func truncatedRecordings() throws {
        let path = try #require(TestSupport.recording("lte/srsran_1_92M.sigmf-meta"))
        let data = try Data(contentsOf: URL(fileURLWithPath: path.replacingOccurrences(of: ".sigmf-meta", with: ".sigmf-data")))
        let meta = try String(contentsOfFile: path, encoding: .utf8)
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for bytes in [0, 8, 12_345, 15_360, 40_000, 60_008] {
            let m = TestSupport.writeSigMF(in: dir, name: "cut\(bytes)", meta: meta, data: [UInt8](data.prefix(bytes)))
            let r = try CLIRun.run(["decode", "lte", m, "--json"])
            if r.status == 0 {
                for c in try Self.objects(r) { #expect(c["pci"] as? Int == 150, "\(bytes) bytes: \(c)") }
            } else {
                #expect(r.status == 1 && r.stderr.hasPrefix("cellwatch: ") && r.stderr.contains("cut\(bytes)"), "\(bytes) bytes: \(r.stderr)")
            }
        }
    }

    /// Noise decodes to no cell (exit 0, nothing invented); an unreadable file is one sentence on stderr.
    @Test func noiseAndErrors() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SeededGenerator(seed: 5)
        let noise = (0..<40_000).map { _ in (Float(rng.gaussian() * 0.1), Float(rng.gaussian() * 0.1)) }
        let meta = TestSupport.writeSigMF(in: dir, name: "noise", meta: """
            {"global":{"core:datatype":"cf32_le","core:sample_rate":1920000,"core:version":"1.0.0"},"captures":[{"core:sample_start":0}],"annotations":[]}
            """, data: TestSupport.cf32Bytes(noise))
        let r = try CLIRun.run(["decode", "lte", meta, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        let t = try CLIRun.run(["decode", "lte", meta])
        #expect(t.stdout.contains("no LTE cell found"))

        // A recording that claims an absurd rate gets a sentence, not a trap or a terabyte reservation.
        let absurd = TestSupport.writeSigMF(in: dir, name: "absurd", meta: """
            {"global":{"core:datatype":"cf32_le","core:sample_rate":1e300,"core:version":"1.0.0"},"captures":[{"core:sample_start":0}],"annotations":[]}
            """, data: TestSupport.cf32Bytes(Array(noise.prefix(1000))))
        let a = try CLIRun.run(["decode", "lte", absurd])
        #expect(a.status == 1 && a.stdout.isEmpty, "\(a.stderr)")
        #expect(a.stderr.contains("cannot be brought to 1.92 MS/s"), "\(a.stderr)")

        let missing = dir.appendingPathComponent("absent.sigmf-meta").path
        let m = try CLIRun.run(["decode", "lte", missing])
        #expect(m.status != 0 && m.stdout.isEmpty)
        #expect(m.stderr.hasPrefix("cellwatch: ") && m.stderr.contains("absent"))

        let short = TestSupport.writeSigMF(in: dir, name: "short", meta: """
            {"global":{"core:datatype":"cf32_le","core:sample_rate":1920000,"core:version":"1.0.0"},"captures":[{"core:sample_start":0}],"annotations":[]}
            """, data: TestSupport.cf32Bytes(Array(noise.prefix(100))))
        let s = try CLIRun.run(["decode", "lte", short])
        #expect(s.status != 0 && s.stderr.contains("short.sigmf-meta") && s.stderr.contains("shorter"))
    }
}
