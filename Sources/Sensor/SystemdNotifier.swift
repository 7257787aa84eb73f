import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// sd_notify(3) without libsystemd: one AF_UNIX datagram per state change to `$NOTIFY_SOCKET`
/// (a leading `@` names the abstract namespace, sent as a leading NUL), newline-separated
/// `KEY=value` assignments (`READY=1`, `STATUS=…`, `WATCHDOG=1`, `STOPPING=1`). A no-op when the
/// variable is unset (not started by systemd).
public final class SystemdNotifier: @unchecked Sendable {
    public let socketPath: String?
    /// Interval at which `watchdog()` actually sends: half of `$WATCHDOG_USEC`, as sd_watchdog_enabled(3)
    /// advises; nil when systemd runs no watchdog for us.
    public let watchdogInterval: Double?
    private let lock = NSLock()
    private var lastPing: Double = -.infinity
    private let fd: Int32

    public convenience init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        var interval: Double?
        if let usec = environment["WATCHDOG_USEC"].flatMap(UInt64.init), usec > 0 {
            // WATCHDOG_PID, when set, must be us (otherwise the watchdog is meant for another process).
            if let pid = environment["WATCHDOG_PID"].flatMap(Int32.init), pid != getpid() {
                interval = nil
            } else {
                interval = Double(usec) / 1e6 / 2
            }
        }
        self.init(socketPath: environment["NOTIFY_SOCKET"], watchdogInterval: interval)
    }

    public init(socketPath: String?, watchdogInterval: Double?) {
        let path = socketPath.flatMap { $0.isEmpty ? nil : $0 }
        self.socketPath = path
        self.watchdogInterval = watchdogInterval
        fd = path == nil ? -1 : socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    }

    deinit { if fd >= 0 { close(fd) } }

    public var isActive: Bool { socketPath != nil && fd >= 0 }

    /// Sends `state` (e.g. "READY=1\nSTATUS=surveying"). Returns false when not under systemd or the
    /// send failed (systemd gone); never throws: notification is best effort.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        guard let path = socketPath, fd >= 0 else { return false }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }   // abstract namespace
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard bytes.count < capacity || (bytes.first == 0 && bytes.count <= capacity) else { return false }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        // Abstract names are exactly as long as given (no terminating NUL counted).
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes.first == 0 ? 0 : 1))
        let message = Array(state.utf8)
        let sent = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                message.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), sa, length) }
            }
        }
        return sent == message.count
    }

    public func ready(status: String) { notify("READY=1\nSTATUS=\(status)") }
    public func status(_ s: String) { notify("STATUS=\(s)") }
    public func stopping() { notify("STOPPING=1") }

    /// Called from the survey loop on every pass: sends WATCHDOG=1 when half the interval has gone by
    /// since the last ping. `now` is monotonic seconds. Returns true when it sent.
    @discardableResult
    public func watchdog(now: Double) -> Bool {
        guard let interval = watchdogInterval else { return false }
        let due = lock.withLock { () -> Bool in
            guard now - lastPing >= interval else { return false }
            lastPing = now
            return true
        }
        return due && notify("WATCHDOG=1")
    }
}
