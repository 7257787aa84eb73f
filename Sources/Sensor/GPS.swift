import CellwatchModel
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// How good the current fix is.
public struct FixQuality: Sendable, Equatable {
    /// gpsd TPV `mode`: 2 = 2-D, 3 = 3-D (1 and 0 are no fix and never stored).
    public var mode: Int
    /// Satellites used in the solution (SKY `uSat`), when gpsd said.
    public var satellitesUsed: Int?
    /// Horizontal dilution of precision (SKY `hdop`), when gpsd said.
    public var hdop: Double?
    public init(mode: Int, satellitesUsed: Int? = nil, hdop: Double? = nil) {
        self.mode = mode
        self.satellitesUsed = satellitesUsed
        self.hdop = hdop
    }
}

/// A fix and when we received it (the fix's own `time` is the receiver's).
public struct PositionReading: Sendable, Equatable {
    public var fix: GeoFix
    public var quality: FixQuality
    public var receivedAt: Date
    /// Seconds between the fix's time and `now`.
    public func age(now: Date) -> Double { max(0, now.timeIntervalSince(fix.time)) }
}

/// Where the sensor is, now: a fix, or nil when there is none fresh enough (never 0,0).
public protocol PositionProvider: AnyObject, Sendable {
    func current(now: Date) -> PositionReading?
}

/// A surveyed site: always the same position, stamped with the time it is asked for.
public final class FixedPositionProvider: PositionProvider {
    let latitude: Double, longitude: Double, altitude: Double?, accuracy: Double
    public init(latitude: Double, longitude: Double, altitude: Double?, accuracy: Double) {
        self.latitude = latitude
        self.longitude = longitude
        self.altitude = altitude
        self.accuracy = accuracy
    }
    public func current(now: Date) -> PositionReading? {
        PositionReading(fix: GeoFix(latitudeDegrees: latitude, longitudeDegrees: longitude, altitudeMeters: altitude,
                                    horizontalAccuracyMeters: accuracy, time: now, speedMetersPerSecond: 0),
                        quality: FixQuality(mode: altitude == nil ? 2 : 3), receivedAt: now)
    }
}

/// gpsd's JSON protocol (gpsd_json(5)): one object per line, told apart by `class`.
public enum GPSDMessage: Equatable, Sendable {
    case tpv(GeoFix?, mode: Int)
    case sky(satellitesUsed: Int?, hdop: Double?)
    case other(String)

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case notJSONObject(String)
        case noClass
        public var description: String {
            switch self {
            case .notJSONObject(let l): "gpsd sent a line that is not a JSON object: \(l.prefix(80))"
            case .noClass: "gpsd sent an object without \"class\""
            }
        }
    }

    /// Parses one line. Unknown classes and fields are tolerated; a TPV without a usable 2-D/3-D
    /// position (mode ≤ 1, missing or non-finite lat/lon, exactly 0,0) gives `.tpv(nil, …)`.
    public static func parse(_ line: Substring, receivedAt: Date) throws(ParseError) -> GPSDMessage {
        guard let obj = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
            throw .notJSONObject(String(line))
        }
        guard let cls = obj["class"] as? String else { throw .noClass }
        func num(_ k: String) -> Double? {
            guard let n = obj[k] as? NSNumber else { return nil }
            let d = n.doubleValue
            return d.isFinite ? d : nil
        }
        switch cls {
        case "TPV":
            let mode = num("mode").map { Int($0) } ?? 0
            guard mode >= 2, let lat = num("lat"), let lon = num("lon"),
                  (-90...90).contains(lat), (-180...180).contains(lon), !(lat == 0 && lon == 0) else {
                return .tpv(nil, mode: mode)
            }
            let time = (obj["time"] as? String).flatMap(ReportCoding.parseDate) ?? receivedAt
            // 95 % horizontal error: eph, else the larger axis error, else unknown (a pessimistic 50 m).
            let eph = num("eph") ?? [num("epx"), num("epy")].compactMap { $0 }.max() ?? 50
            let alt = mode >= 3 ? (num("altHAE") ?? num("alt") ?? num("altMSL")) : nil
            return .tpv(GeoFix(latitudeDegrees: lat, longitudeDegrees: lon, altitudeMeters: alt,
                               horizontalAccuracyMeters: eph, time: time, speedMetersPerSecond: num("speed")),
                        mode: mode)
        case "SKY":
            var used = num("uSat").map { Int($0) }
            if used == nil, let sats = obj["satellites"] as? [[String: Any]] {
                used = sats.filter { ($0["used"] as? Bool) == true }.count
            }
            return .sky(satellitesUsed: used, hdop: num("hdop"))
        default:
            return .other(cls)
        }
    }
}

/// A gpsd client over TCP: sends `?WATCH={"enable":true,"json":true};`, reads TPV/SKY lines on its own
/// thread, reconnects with backoff when gpsd goes away, and serves the latest fix while it is younger
/// than `staleAfter` seconds.
public final class GPSDClient: PositionProvider, @unchecked Sendable {
    public let host: String
    public let port: Int
    public let staleAfter: Double
    private let clock: @Sendable () -> Date
    private let logger: Logger
    private let lock = NSLock()
    private var latest: PositionReading?
    private var sky: (used: Int?, hdop: Double?) = (nil, nil)
    private var stopped = false
    private var thread: Thread?
    private var connections = 0
    private var fixesReceived = 0

    public init(host: String, port: Int, staleAfter: Double, clock: @escaping @Sendable () -> Date = Date.init,
                logger: Logger = Logger(label: "cellwatch.gps")) {
        self.host = host
        self.port = port
        self.staleAfter = staleAfter
        self.clock = clock
        self.logger = logger
    }

    public func current(now: Date) -> PositionReading? {
        lock.withLock {
            guard let l = latest, now.timeIntervalSince(l.receivedAt) <= staleAfter else { return nil }
            return l
        }
    }

    /// Times connected so far and fixes taken (tests, status).
    public var stats: (connections: Int, fixes: Int) { lock.withLock { (connections, fixesReceived) } }

    public func start() {
        let t = Thread { [self] in runLoop() }
        t.name = "gpsd-client"
        thread = t
        t.start()
    }

    public func stop() { lock.withLock { stopped = true } }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func runLoop() {
        var attempt = 0
        while !isStopped {
            let fd = connect()
            if fd >= 0 {
                lock.withLock { connections += 1 }
                logger.info("connected to gpsd", metadata: ["host": "\(host)", "port": "\(port)"])
                if session(fd) { attempt = 0 }
                close(fd)
                if isStopped { break }
                logger.warning("gpsd connection lost; reconnecting")
            }
            // 0.2 s, 0.4 s … capped at 5 s: gpsd restarts are quick, and a missing gpsd is retried forever.
            let wait = min(5, 0.2 * pow(2, Double(min(attempt, 10))))
            attempt += 1
            var slept = 0.0
            while slept < wait && !isStopped { usleep(50_000); slept += 0.05 }
        }
    }

    private func connect() -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var res: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &res) == 0, let first = res else { return -1 }
        defer { freeaddrinfo(res) }
        var p: UnsafeMutablePointer<addrinfo>? = first
        while let ai = p {
            let fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
            if fd >= 0 {
                if Glibc.connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 { return fd }
                close(fd)
            }
            p = ai.pointee.ai_next
        }
        return -1
    }

    /// Reads until the connection ends or the client stops; true when at least one line arrived.
    private func session(_ fd: Int32) -> Bool {
        let watch = Array(#"?WATCH={"enable":true,"json":true};"#.utf8) + [10]
        guard watch.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == watch.count else { return false }
        var pending = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 8192)
        var any = false
        while !isStopped {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let r = poll(&pfd, 1, 250)
            if r < 0 && errno != EINTR { return any }
            if r <= 0 { continue }
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return any }
            pending += buf[0..<n]
            while let nl = pending.firstIndex(of: 10) {
                let line = String(decoding: pending[..<nl], as: UTF8.self)
                pending.removeSubrange(...nl)
                any = true
                handle(line)
            }
            // A runaway line without a newline is garbage; drop it rather than grow without bound.
            if pending.count > 1 << 16 { pending.removeAll() }
        }
        return any
    }

    func handle(_ line: String) {
        let now = clock()
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return }
        do throws(GPSDMessage.ParseError) {
            switch try GPSDMessage.parse(Substring(trimmed), receivedAt: now) {
            case .tpv(let fix?, let mode):
                lock.withLock {
                    latest = PositionReading(fix: fix, quality: FixQuality(mode: mode, satellitesUsed: sky.used, hdop: sky.hdop),
                                             receivedAt: now)
                    fixesReceived += 1
                }
            case .tpv(nil, _):
                break   // no fix: keep the last one until it goes stale
            case .sky(let used, let hdop):
                lock.withLock { sky = (used ?? sky.used, hdop ?? sky.hdop) }
            case .other:
                break
            }
        } catch {
            logger.debug("ignored gpsd line", metadata: ["problem": "\(error)"])
        }
    }
}
