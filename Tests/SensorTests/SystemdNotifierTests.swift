import Foundation
import Testing
import TestSupport
@testable import Sensor
#if canImport(Glibc)
import Glibc
#endif

@Suite("sd_notify")
struct SystemdNotifierTests {
    /// Binds a datagram socket at `path` (a leading "@" = abstract) and returns its fd.
    func bind(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(fd >= 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
        let len = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes.first == 0 ? 0 : 1))
        let r = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, len) } }
        try #require(r == 0, "bind \(path): \(String(cString: strerror(errno)))")
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    func receive(_ fd: Int32) -> String? {
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return n > 0 ? String(decoding: buf[0..<n], as: UTF8.self) : nil
    }

    @Test func sendsToAPathSocket() throws {
        let path = TestSupport.temporaryDirectory().appendingPathComponent("notify.sock").path
        let fd = try bind(path)
        defer { close(fd) }
        let n = SystemdNotifier(environment: ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "2000000"])
        #expect(n.isActive)
        #expect(n.watchdogInterval == 1)
        n.ready(status: "surveying GSM900")
        #expect(receive(fd) == "READY=1\nSTATUS=surveying GSM900")
        #expect(n.watchdog(now: 10))
        #expect(receive(fd) == "WATCHDOG=1")
        #expect(!n.watchdog(now: 10.5))      // half the interval not yet gone
        #expect(n.watchdog(now: 11))
        #expect(receive(fd) == "WATCHDOG=1")
        n.stopping()
        #expect(receive(fd) == "STOPPING=1")
    }

    @Test func sendsToAnAbstractSocket() throws {
        let name = "@cellwatch-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = try bind(name)
        defer { close(fd) }
        let n = SystemdNotifier(environment: ["NOTIFY_SOCKET": name])
        #expect(n.notify("STATUS=abstract"))
        #expect(receive(fd) == "STATUS=abstract")
        #expect(n.watchdogInterval == nil)
        #expect(!n.watchdog(now: 100))
    }

    @Test func isANoOpOutsideSystemd() {
        let n = SystemdNotifier(environment: [:])
        #expect(!n.isActive)
        #expect(!n.notify("READY=1"))
        // A watchdog meant for another process is not ours.
        let other = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"])
        #expect(other.watchdogInterval == nil || getpid() == 1)
    }
}
