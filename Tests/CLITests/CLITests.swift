import Foundation
import Testing
import TestSupport

/// Runs the built `cellwatch` binary the way a technician or a script does and checks what they see:
/// standard output, the one-sentence error on standard error, and the exit status.
struct CLIRun {
    var status: Int32
    var stdout: String
    var stderr: String

    static let binary: URL = {
        let env = ProcessInfo.processInfo.environment
        if let b = env["CELLWATCH_BIN"] { return URL(fileURLWithPath: b) }
        let here = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent()
        let candidates = [here.appendingPathComponent("cellwatch"),
                          here.deletingLastPathComponent().appendingPathComponent("cellwatch"),
                          TestSupport.packageRoot.appendingPathComponent(".build/debug/cellwatch")]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }()

    /// Runs the binary; `asUnprivileged` drops to user nobody first (setpriv, util-linux) when the tests
    /// run as root, so permission checks mean what they mean for a field technician's account.
    static func run(_ arguments: [String], asUnprivileged: Bool = false) throws -> CLIRun {
        let p = Process()
        if asUnprivileged && getuid() == 0 {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            p.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", binary.path] + arguments
        } else {
            p.executableURL = binary
            p.arguments = arguments
        }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read both pipes before waiting so a large output cannot block the child.
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CLIRun(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}

@Suite struct CLIScanTests {
    let dir = TestSupport.temporaryDirectory()

    /// A bad input gives exit status 1 and exactly one line on stderr that names the file and says `problem`.
    func expectFailure(_ args: [String], naming file: String, problem: String, status: Int32 = 1,
                       asUnprivileged: Bool = false) throws {
        let r = try CLIRun.run(args, asUnprivileged: asUnprivileged)
        #expect(r.status == status, "\(args): \(r.stderr)")
        #expect(r.stdout.isEmpty)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(r.stderr)")
        #expect(r.stderr.contains(file), "\(r.stderr)")
        #expect(r.stderr.contains(problem), "\(r.stderr)")
    }

    @Test func helpExplainsTheCommand() throws {
        let r = try CLIRun.run(["scan", "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("--band") && r.stdout.contains("--json") && r.stdout.contains("--rate"))
        #expect(r.stdout.contains("LTE-B3"))
        let top = try CLIRun.run(["--help"])
        #expect(top.status == 0 && top.stdout.contains("scan"))
    }

    @Test func missingFile() throws {
        let path = dir.appendingPathComponent("gone.sigmf-meta").path
        try expectFailure(["scan", path], naming: "gone.sigmf-meta", problem: "no such file")
    }

    @Test func unreadableFile() throws {
        // Root reads everything, so as root the binary runs as nobody; the folder must let nobody in.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        let path = dir.appendingPathComponent("locked.cu8").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data([1, 2]), attributes: [.posixPermissions: 0o000]))
        try expectFailure(["scan", path, "--rate", "1e6"], naming: "locked.cu8", problem: "cannot be read: permission denied",
                          asUnprivileged: true)
    }

    @Test func missingDataHalf() throws {
        let meta = dir.appendingPathComponent("half.sigmf-meta")
        try Data(#"{"global":{"core:datatype":"cu8","core:sample_rate":1e6}}"#.utf8).write(to: meta)
        try expectFailure(["scan", meta.path], naming: "half.sigmf-meta", problem: "data half half.sigmf-data is missing")
    }

    @Test func missingMetaHalf() throws {
        let data = dir.appendingPathComponent("half.sigmf-data")
        try Data([1, 2]).write(to: data)
        try expectFailure(["scan", data.path], naming: "half.sigmf-data", problem: "metadata half half.sigmf-meta is missing")
    }

    @Test func unknownDatatype() throws {
        let meta = TestSupport.writeSigMF(in: dir, name: "f64", meta: #"{"global":{"core:datatype":"cf64_le","core:sample_rate":1e6}}"#, data: [0])
        try expectFailure(["scan", meta], naming: "f64.sigmf-meta", problem: "core:datatype \"cf64_le\" is not supported")
    }

    @Test func partialSample() throws {
        let meta = TestSupport.writeSigMF(in: dir, name: "odd", meta: #"{"global":{"core:datatype":"cf32_le","core:sample_rate":1e6}}"#,
                                          data: [UInt8](repeating: 0, count: 8 * 1000 + 3))
        try expectFailure(["scan", meta], naming: "odd.sigmf-data", problem: "8003 bytes is not a whole number of cf32_le samples")
    }

    @Test func noSampleRate() throws {
        let meta = TestSupport.writeSigMF(in: dir, name: "norate", meta: #"{"global":{"core:datatype":"cu8"}}"#, data: [1, 2])
        try expectFailure(["scan", meta], naming: "norate.sigmf-meta", problem: "no core:sample_rate")
        let raw = dir.appendingPathComponent("capture.cu8").path
        try Data([1, 2]).write(to: URL(fileURLWithPath: raw))
        try expectFailure(["scan", raw], naming: "capture.cu8", problem: "pass --rate")
    }

    @Test func frequencyOutsideEveryBand() throws {
        let raw = dir.appendingPathComponent("fm.cs8").path
        try Data([UInt8](repeating: 1, count: 20_000)).write(to: URL(fileURLWithPath: raw))
        try expectFailure(["scan", raw, "--rate", "2e6", "--frequency", "98e6"], naming: "fm.cs8",
                          problem: "spans 97.0–99.0 MHz, which lies outside every GSM and LTE downlink band")
    }

    @Test func unknownBandAndFormatAreUsageErrors() throws {
        let raw = dir.appendingPathComponent("x.cu8").path
        try Data([1, 2]).write(to: URL(fileURLWithPath: raw))
        try expectFailure(["scan", raw, "--rate", "1e6", "--band", "LTE-B99"], naming: "LTE-B99", problem: "unknown band", status: 64)
        try expectFailure(["scan", raw, "--rate", "1e6", "--format", "cf64"], naming: "cf64", problem: "unknown sample format", status: 64)
    }

    @Test(.enabled(if: TestSupport.hasTestdata))
    func jsonLinesOfTheReferenceCarrier() throws {
        let path = try #require(TestSupport.recording("gsm/ref_c0_clean.sigmf-meta"))
        let r = try CLIRun.run(["scan", path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let objects = try r.stdout.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        try #require(objects.count == 2)
        let carrier = objects[0], summary = objects[1]
        #expect(carrier["type"] as? String == "carrier")
        #expect(carrier["rat"] as? String == "GSM")
        #expect(carrier["band"] as? String == "E-GSM900")
        #expect((carrier["channel"] as? NSNumber)?.intValue == 60)
        #expect(abs(((carrier["frequency_hz"] as? NSNumber)?.doubleValue ?? 0) - 947e6) < 1e3)
        #expect(((carrier["snr_db"] as? NSNumber)?.doubleValue ?? 0) > 30)
        #expect(carrier["power_dbfs"] is NSNumber && carrier["bandwidth_hz"] is NSNumber)
        #expect(summary["type"] as? String == "summary")
        #expect(summary["noise_floor_dbfs"] is NSNumber)
    }

    @Test(.enabled(if: TestSupport.hasTestdata))
    func tableOfTheLTERecording() throws {
        let path = try #require(TestSupport.recording("lte/ltecellscanner_739MHz_1.92Msps.sigmf-meta"))
        let r = try CLIRun.run(["scan", path, "--channels"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("739.000 MHz"))
        #expect(r.stdout.contains("LTE-B12"))
        #expect(r.stdout.contains("1 carrier (0 GSM, 1 LTE, 0 unknown)"))
        #expect(r.stdout.contains("channel powers"))
    }

    @Test func rawFileMatchesTheSameSamplesAsSigMF() throws {
        // The same ci8 bytes scanned as a raw file and as SigMF give the same carriers.
        var bytes = [UInt8]()
        var rng = SeededGenerator(seed: 21)
        for i in 0..<200_000 {
            // A tone at +250 kHz of a 2 MS/s stream plus noise, quantised like a HackRF.
            let ph = 2 * Double.pi * 0.125 * Double(i)
            let re = 60 * cos(ph) + rng.gaussian() * 2, im = 60 * sin(ph) + rng.gaussian() * 2
            bytes += [UInt8(bitPattern: Int8(max(-127, min(127, re.rounded())))), UInt8(bitPattern: Int8(max(-127, min(127, im.rounded()))))]
        }
        let raw = dir.appendingPathComponent("hackrf.cs8").path
        try Data(bytes).write(to: URL(fileURLWithPath: raw))
        let meta = TestSupport.writeSigMF(in: dir, name: "hackrf", meta: #"{"global":{"core:datatype":"ci8","core:sample_rate":2000000},"captures":[{"core:sample_start":0,"core:frequency":1842500000}]}"#, data: bytes)
        let a = try CLIRun.run(["scan", raw, "--rate", "2e6", "--frequency", "1842.5e6", "--json"])
        let b = try CLIRun.run(["scan", meta, "--json"])
        #expect(a.status == 0 && b.status == 0, "\(a.stderr)\(b.stderr)")
        let carriersA = a.stdout.split(separator: "\n").filter { $0.contains("\"carrier\"") }
        let carriersB = b.stdout.split(separator: "\n").filter { $0.contains("\"carrier\"") }
        #expect(carriersA.count == 1 && carriersA == carriersB)
        #expect(carriersA.first?.contains("\"frequency_hz\":1842750000") == true)
    }
}
