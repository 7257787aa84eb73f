import Foundation
import Testing
import TestSupport

/// Builds the recording libusb shim (Tests/USBShim) once per test run and runs programs under it.
enum USBShim {
    static var isLinux: Bool {
        #if os(Linux)
        true
        #else
        false
        #endif
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The shim library, compiled with the system C compiler into a scratch folder.
    static let library: Result<String, Failure> = {
        let dir = TestSupport.temporaryDirectory("usbshim-lib")
        let out = dir.appendingPathComponent("libusbshim.so").path
        let src = TestSupport.packageRoot.appendingPathComponent("Tests/USBShim")
        let sources = ["libusb_shim.c", "model_hackrf.c", "model_rtl2832u.c"].map { src.appendingPathComponent($0).path }
        let cflags = (try? run("/usr/bin/pkg-config", ["--cflags", "libusb-1.0"]).stdout
            .split(separator: " ").map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }) ?? ["-I/usr/include/libusb-1.0"]
        guard let compiler = cCompiler else {
            return .failure(Failure(description: "no C compiler to build the libusb shim: set CC, or install gcc; the Swift toolchain's clang was not found either"))
        }
        do {
            let r = try run(compiler, ["-shared", "-fPIC", "-O2", "-Wall", "-o", out] + cflags + sources + ["-lpthread"])
            guard r.status == 0 else { return .failure(Failure(description: "cc failed building the libusb shim: \(r.stderr)")) }
        } catch {
            return .failure(Failure(description: "cannot run cc to build the libusb shim: \(error)"))
        }
        return .success(out)
    }()

    /// $CC, the system cc, or the clang that ships with the Swift toolchain (a fresh Debian with only
    /// Swift's own dependencies has no gcc, but the toolchain's clang builds a shared library fine).
    static let cCompiler: String? = {
        let fm = FileManager.default
        var candidates: [String] = []
        if let cc = ProcessInfo.processInfo.environment["CC"], !cc.isEmpty { candidates.append(cc) }
        candidates.append("/usr/bin/cc")
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append("\(dir)/clang")
        }
        candidates += ["/opt/swift/usr/bin/clang", "/usr/bin/clang"]
        return candidates.first { fm.isExecutableFile(atPath: $0) }
    }()

    /// A vendor tool from Debian's `hackrf` package; nil (with the reason recorded) when missing.
    static func tool(_ name: String) -> String? {
        let path = "/usr/bin/\(name)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
        Issue.record("\(path) is missing: install Debian package hackrf (scripts/install-deps does); the transcript comparison needs the vendor's own tool")
        return nil
    }

    /// The built helper executables next to the test bundle (or in .build/debug).
    static func product(_ name: String) -> String {
        let here = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent()
        let candidates = [here.appendingPathComponent(name),
                          here.deletingLastPathComponent().appendingPathComponent(name),
                          TestSupport.packageRoot.appendingPathComponent(".build/debug/\(name)")]
        return (candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]).path
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Transcript lines the shim wrote (empty when not run under the shim).
        var transcript: [String] = []
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                   stderr: String(decoding: e, as: UTF8.self))
    }

    /// Runs `executable` with the shim preloaded; `env` adds USBSHIM_* settings.
    static func runUnderShim(_ executable: String, _ arguments: [String], env: [String: String] = [:],
                             scratch: URL, label: String) throws -> Run {
        let lib = try library.get()
        let transcript = scratch.appendingPathComponent("\(label).transcript").path
        try? FileManager.default.removeItem(atPath: transcript)
        var environment = env
        environment["LD_PRELOAD"] = lib
        environment["USBSHIM_TRANSCRIPT"] = transcript
        if environment["USBSHIM_DEVICES"] == nil { environment["USBSHIM_DEVICES"] = "hackrf:\(serial)" }
        var r = try run(executable, arguments, environment: environment)
        let text = (try? String(contentsOfFile: transcript, encoding: .utf8)) ?? ""
        r.transcript = text.split(separator: "\n").map(String.init)
        return r
    }

    static let serial = "0000000000000000a06063c8234e925f"

    /// Checks a file of streamed bytes against the shim's counter pattern (32-bit little-endian words,
    /// word n = n × 2654435761 mod 2³²). Returns the word index each 4-byte word carries.
    /// Writes a sensor config in `dir` (token file, fixed position, state folder; collector on a
    /// closed port) with `sensorKeys` added under `sensor:` and `extra` appended; returns its path.
    static func writeSensorConfig(in dir: URL, device: String, sensorKeys: String = "", extra: String = "") throws -> String {
        let config = dir.appendingPathComponent("sensor.yaml")
        try "tok\n".write(to: dir.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        let sensorLines = sensorKeys.isEmpty ? "" : sensorKeys.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
        try ("""
            sensor:
              id: van-07
              device: \(device)

            """ + sensorLines + """
            collector:
              url: http://127.0.0.1:9
              token_file: \(dir.appendingPathComponent("token").path)
            gps:
              source: fixed
              latitude: 26.08
              longitude: 119.30
            storage:
              state_dir: \(dir.appendingPathComponent("state").path)

            """ + extra).write(to: config, atomically: true, encoding: .utf8)
        return config.path
    }

    static func wordIndices(_ data: Data) -> [UInt32] {
        // 2654435761 × 244002641 ≡ 1 (mod 2³²): the inverse recovers n from a word.
        let inverse: UInt32 = 244_002_641
        var out: [UInt32] = []
        out.reserveCapacity(data.count / 4)
        data.withUnsafeBytes { raw in
            let b = raw.bindMemory(to: UInt8.self)
            for i in 0..<(b.count / 4) {
                let w = UInt32(b[4 * i]) | UInt32(b[4 * i + 1]) << 8 | UInt32(b[4 * i + 2]) << 16 | UInt32(b[4 * i + 3]) << 24
                out.append(w &* inverse)
            }
        }
        return out
    }

    /// Whether `data` is exactly the first `data.count` bytes of the pattern.
    static func isPatternFromZero(_ data: Data) -> Bool {
        let idx = wordIndices(data)
        for (i, n) in idx.enumerated() where n != UInt32(truncatingIfNeeded: i) { return false }
        return data.count % 4 == 0
    }
}
