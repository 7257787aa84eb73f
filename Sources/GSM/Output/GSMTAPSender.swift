import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Sends GSMTAP packets over UDP (to Wireshark listening on `udp port 4729`, or any collector).
public final class GSMTAPSender {
    public let destination: String
    private let fd: Int32
    private var address = sockaddr_storage()
    private let addressLength: socklen_t

    public enum SenderError: Error, CustomStringConvertible {
        case badDestination(String)
        case socket(String)
        public var description: String {
            switch self {
            case .badDestination(let d): "--gsmtap \(d): expected HOST:PORT (e.g. 127.0.0.1:4729) naming a reachable address"
            case .socket(let why): "GSMTAP socket: \(why)"
            }
        }
    }

    /// `destination` is HOST:PORT, HOST alone (port 4729), or [IPv6]:PORT.
    public init(destination: String) throws(SenderError) {
        self.destination = destination
        var host = destination, port = String(GSMTAP.udpPort)
        if destination.hasPrefix("["), let close = destination.firstIndex(of: "]") {
            host = String(destination[destination.index(after: destination.startIndex)..<close])
            let rest = destination[destination.index(after: close)...]
            if rest.hasPrefix(":") { port = String(rest.dropFirst()) }
        } else if let colon = destination.lastIndex(of: ":"), destination.filter({ $0 == ":" }).count == 1 {
            host = String(destination[..<colon])
            port = String(destination[destination.index(after: colon)...])
        }
        guard let p = UInt16(port), p > 0, !host.isEmpty else { throw .badDestination(destination) }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(p), &hints, &result) == 0, let info = result else { throw .badDestination(destination) }
        defer { freeaddrinfo(result) }
        let s = socket(info.pointee.ai_family, Int32(SOCK_DGRAM.rawValue), 0)
        guard s >= 0 else { throw .socket(String(cString: strerror(errno))) }
        fd = s
        addressLength = info.pointee.ai_addrlen
        withUnsafeMutableBytes(of: &address) { dst in
            dst.copyMemory(from: UnsafeRawBufferPointer(start: info.pointee.ai_addr, count: Int(info.pointee.ai_addrlen)))
        }
    }

    deinit { Glibc.close(fd) }

    /// Sends one packet; a full socket buffer or unreachable port loses the packet, never blocks.
    @discardableResult
    public func send(_ packet: [UInt8]) -> Bool {
        packet.withUnsafeBytes { bytes in
            withUnsafePointer(to: &address) { ptr in
                ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                    sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT), sa, addressLength) == bytes.count
                }
            }
        }
    }
}
