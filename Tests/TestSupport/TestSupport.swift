import CellwatchModel
import Foundation

/// Where the project and the shared test recordings are, and scratch folders for tests.
public enum TestSupport {
    /// The package root (…/main), found from this file's path.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/testdata` beside the package root, when present.
    public static let testdata: URL = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/testdata")

    /// Path of a shared recording, or nil (and the test is skipped) when shared/testdata is absent.
    public static func recording(_ relative: String) -> String? {
        let url = testdata.appendingPathComponent(relative)
        return FileManager.default.fileExists(atPath: url.path) ? url.path : nil
    }

    public static var hasTestdata: Bool { FileManager.default.fileExists(atPath: testdata.path) }

    /// Runs `binary` with `arguments` to completion and returns what it wrote to standard output
    /// (standard error is discarded; callers that need it or the exit status run the process themselves).
    public static func standardOutput(of binary: String, _ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
    public static func freeLoopbackPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0
            }
        }
        precondition(ok, "cannot bind a loopback port")
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// `standardOutput(of:_:)` without leading and trailing white space (one-line answers: keys, tokens).
    public static func trimmedOutput(of binary: String, _ arguments: [String]) throws -> String {
        try standardOutput(of: binary, arguments).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A fresh empty folder, removed by `cleanup`.
    public static func temporaryDirectory(_ name: String = #function) -> URL {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("cellwatch-tests-\(safe)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes a SigMF pair `dir/name.sigmf-meta` + `.sigmf-data` and returns the meta path.
    @discardableResult
    public static func writeSigMF(in dir: URL, name: String, meta: String, data: [UInt8]) -> String {
        let base = dir.appendingPathComponent(name)
        try! Data(meta.utf8).write(to: URL(fileURLWithPath: base.path + ".sigmf-meta"))
        try! Data(data).write(to: URL(fileURLWithPath: base.path + ".sigmf-data"))
        return base.path + ".sigmf-meta"
    }

    /// Bytes of interleaved little-endian float32 I/Q.
    public static func cf32Bytes(_ iq: [(Float, Float)]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(iq.count * 8)
        for (i, q) in iq {
            withUnsafeBytes(of: i.bitPattern.littleEndian) { out += $0 }
            withUnsafeBytes(of: q.bitPattern.littleEndian) { out += $0 }
        }
        return out
    }
}

/// The seeded generator synthetic test signals are made with, so they are the same on every run.
public typealias SeededGenerator = SplitMix64

extension SplitMix64 {
    /// A standard normal deviate (Box–Muller).
    public mutating func gaussian() -> Double {
        let u1 = max(Double.random(in: 0..<1, using: &self), 1e-300)
        let u2 = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}
