import Foundation
import Testing
import TestSupport

@Suite struct SimulateCLITests {
    let dir = TestSupport.temporaryDirectory()

    func jsonLines(_ path: String) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    @Test func writesRecordingsAndTruth() throws {
        let out = dir.appendingPathComponent("run").path
        let r = try CLIRun.run(["simulate", "sim:legit-only", "--out", out, "--duration", "1", "--sensor", "ROOF-TJ"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("ROOF-TJ 100 %"), "progress on stderr: \(r.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(files == ["ROOF-TJ.sigmf-data", "ROOF-TJ.sigmf-meta", "truth.jsonl"], "no temporaries left: \(files)")
        // 1 s at 2 MS/s, cs8 (two bytes a sample).
        let size = try FileManager.default.attributesOfItem(atPath: out + "/ROOF-TJ.sigmf-data")[.size] as! Int
        #expect(size == 4_000_000)
        let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/ROOF-TJ.sigmf-meta"))) as! [String: Any]
        let global = meta["global"] as! [String: Any]
        #expect(global["core:datatype"] as? String == "ci8")
        #expect(global["core:sample_rate"] as? Double == 2e6)
        let captures = meta["captures"] as! [[String: Any]]
        #expect(captures.count == 1)
        #expect(captures[0]["core:frequency"] as? Double == 937.8e6)
        #expect((captures[0]["core:datetime"] as? String)?.hasPrefix("2026-11-29T06:00:00") == true)

        let truth = try jsonLines(out + "/truth.jsonl")
        #expect(truth.first?["type"] as? String == "scenario")
        #expect(truth.filter { $0["type"] as? String == "transmitter" }.count == 8)
        let summary = truth.first { $0["type"] as? String == "sensor_summary" }!
        #expect(summary["sensor"] as? String == "ROOF-TJ")
        let visible = truth.filter { $0["type"] as? String == "visibility" && $0["decodable"] as? Bool == true }
        #expect(!visible.isEmpty)

        // What cellwatch scan makes of it: the recording opens and shows a noise floor.
        let scan = try CLIRun.run(["scan", out + "/ROOF-TJ.sigmf-meta", "--json"])
        #expect(scan.status == 0, "\(scan.stderr)")
        #expect(scan.stdout.contains("\"type\":\"summary\""))
    }

    @Test func movingSensorGetsGeolocatedCaptures() throws {
        let out = dir.appendingPathComponent("moving").path
        let r = try CLIRun.run(["simulate", "sim:legit-only", "--out", out, "--duration", "2.5", "--sensor", "PATROL-TJ", "--quiet", "--cf32"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty)
        let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/PATROL-TJ.sigmf-meta"))) as! [String: Any]
        #expect((meta["global"] as! [String: Any])["core:datatype"] as? String == "cf32_le")
        let captures = meta["captures"] as! [[String: Any]]
        #expect(captures.map { $0["core:sample_start"] as? Int } == [0, 2_000_000, 4_000_000])
        let lons = captures.map { (($0["core:geolocation"] as! [String: Any])["coordinates"] as! [Double])[0] }
        #expect(lons[1] > lons[0] && lons[2] > lons[1], "the car drives east: \(lons)")
    }

    func expectFailure(_ args: [String], says problem: String) throws {
        let r = try CLIRun.run(args)
        #expect(r.status != 0)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.contains(problem), "\(r.stderr)")
    }

    @Test func clearErrorsAndNothingLeftBehind() throws {
        let out = dir.appendingPathComponent("err").path
        try expectFailure(["simulate", dir.appendingPathComponent("none.yaml").path, "--out", out], says: "none.yaml: no such file")
        try expectFailure(["simulate", "sim:atlantis", "--out", out], says: "atlantis: is not a bundled scenario")
        let bad = dir.appendingPathComponent("bad.yaml")
        try "name: x\nseed: 1\narea:\n  origin: {lat: 26.0, lon: 119.3}\n  zoom: 3\n".write(to: bad, atomically: true, encoding: .utf8)
        try expectFailure(["simulate", bad.path, "--out", out], says: "bad.yaml:5: unknown field 'zoom' in area")
        try expectFailure(["simulate", "sim:legit-only", "--out", out, "--sensor", "BUS"], says: "no sensor 'BUS' (sensors: PATROL-TJ, ROOF-TJ)")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: out))?.isEmpty ?? true)
        let file = dir.appendingPathComponent("plain").path
        #expect(FileManager.default.createFile(atPath: file, contents: Data()))
        try expectFailure(["simulate", "sim:legit-only", "--out", file], says: "exists and is not a directory")
        try expectFailure(["simulate", "sim:legit-only", "--out", out, "--duration", "0"], says: "--duration 0.0 must be a positive number")
    }

    @Test func listsSensorsAndNeedsOut() throws {
        let r = try CLIRun.run(["simulate", "sim:fuzhou-gulou", "--list-sensors"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n") == ["PATROL-1", "PATROL-2", "ROOF-1"])
        try expectFailure(["simulate", "sim:legit-only"], says: "--out DIR is required")
    }
}
