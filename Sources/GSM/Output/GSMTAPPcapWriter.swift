import Foundation

/// Writes GSMTAP packets to a pcap file (link type 228, raw IPv4; UDP 127.0.0.1 → 127.0.0.1:4729) that
/// Wireshark and tshark open directly. The file is written under a temporary name and renamed into
/// place by `close()`, so a crash never leaves half a capture behind under the real name.
public final class GSMTAPPcapWriter {
    public let path: String
    private let temporaryPath: String
    private let handle: FileHandle
    private var count: UInt32 = 0
    private var closed = false

    public init(path: String) throws {
        self.path = path
        let dir = (path as NSString).deletingLastPathComponent
        temporaryPath = (dir.isEmpty ? "." : dir) + "/." + (path as NSString).lastPathComponent + ".partial"
        guard FileManager.default.createFile(atPath: temporaryPath, contents: nil),
              let h = FileHandle(forWritingAtPath: temporaryPath) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        handle = h
        var header: [UInt8] = []
        Self.le32(0xA1B2_C3D4, &header)
        Self.le16(2, &header); Self.le16(4, &header)
        Self.le32(0, &header); Self.le32(0, &header)
        Self.le32(65535, &header); Self.le32(228, &header)
        try handle.write(contentsOf: header)
    }

    /// Appends one GSMTAP packet; `time` is seconds since the start of the recording.
    public func write(_ gsmtap: [UInt8], time: Double) throws {
        let udpLength = 8 + gsmtap.count
        var ip: [UInt8] = [0x45, 0, UInt8((20 + udpLength) >> 8), UInt8((20 + udpLength) & 0xff), 0, 0, 0x40, 0, 64, 17, 0, 0,
                           127, 0, 0, 1, 127, 0, 0, 1]
        // IPv4 header checksum, so tools that check it stay quiet.
        var sum: UInt32 = 0
        for i in stride(from: 0, to: 20, by: 2) { sum += UInt32(ip[i]) << 8 | UInt32(ip[i + 1]) }
        while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
        let checksum = ~UInt16(sum)
        ip[10] = UInt8(checksum >> 8); ip[11] = UInt8(checksum & 0xff)
        ip += [UInt8(GSMTAP.udpPort >> 8), UInt8(GSMTAP.udpPort & 0xff), UInt8(GSMTAP.udpPort >> 8), UInt8(GSMTAP.udpPort & 0xff),
               UInt8(udpLength >> 8), UInt8(udpLength & 0xff), 0, 0]
        ip += gsmtap
        var record: [UInt8] = []
        let seconds = max(0, time)
        Self.le32(UInt32(seconds), &record)
        Self.le32(UInt32((seconds - seconds.rounded(.down)) * 1e6), &record)
        Self.le32(UInt32(ip.count), &record)
        Self.le32(UInt32(ip.count), &record)
        try handle.write(contentsOf: record + ip)
        count += 1
    }

    /// Finishes the file and moves it into place.
    public func close() throws {
        guard !closed else { return }
        closed = true
        try handle.synchronize()
        try handle.close()
        if rename(temporaryPath, path) != 0 {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    deinit {
        if !closed {
            try? handle.close()
            unlink(temporaryPath)
        }
    }

    private static func le32(_ v: UInt32, _ out: inout [UInt8]) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
    private static func le16(_ v: UInt16, _ out: inout [UInt8]) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
}
