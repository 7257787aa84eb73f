import CZlib
import Foundation

/// gzip (RFC 1952) for report bodies: the sensor compresses each batch, the collector inflates it with
/// a size limit so a small hostile body cannot expand into gigabytes.
public enum Gzip {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The body is not gzip data, or it is truncated or corrupt.
        case corrupt(String)
        /// Inflated size would exceed the limit.
        case tooLarge(limit: Int)

        public var description: String {
            switch self {
            case .corrupt(let why): "the gzip body is corrupt (\(why))"
            case .tooLarge(let limit): "the gzip body inflates to more than \(limit) bytes"
            }
        }
    }

    /// Compresses `data` into one gzip member (level 6, zlib's default trade-off).
    public static func compress(_ data: Data, level: Int32 = 6) -> Data {
        var stream = z_stream()
        // windowBits 15 + 16 selects the gzip wrapper.
        guard deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            preconditionFailure("zlib deflateInit2 failed: out of memory")
        }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(data.count)))
        var out = Data(count: bound)
        let produced: Int = data.withUnsafeBytes { (src: UnsafeRawBufferPointer) -> Int in
            out.withUnsafeMutableBytes { (dst: UnsafeMutableRawBufferPointer) -> Int in
                stream.next_in = UnsafeMutablePointer(mutating: src.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(src.count)
                stream.next_out = dst.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(dst.count)
                let rc = deflate(&stream, Z_FINISH)
                precondition(rc == Z_STREAM_END, "zlib deflate into deflateBound bytes did not finish (\(rc))")
                return dst.count - Int(stream.avail_out)
            }
        }
        out.count = produced
        return out
    }

    /// Inflates one gzip member; throws when the data is corrupt, truncated, followed by garbage, or
    /// would inflate beyond `limit` bytes.
    public static func decompress(_ data: Data, limit: Int) throws(Failure) -> Data {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corrupt("zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var out = Data()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var finished = false
        let failure: Failure? = data.withUnsafeBytes { (src: UnsafeRawBufferPointer) -> Failure? in
            stream.next_in = UnsafeMutablePointer(mutating: src.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(src.count)
            while true {
                let (rc, made) = chunk.withUnsafeMutableBufferPointer { buf -> (Int32, Int) in
                    stream.next_out = buf.baseAddress
                    stream.avail_out = uInt(buf.count)
                    let rc = inflate(&stream, Z_NO_FLUSH)
                    return (rc, buf.count - Int(stream.avail_out))
                }
                if out.count + made > limit { return .tooLarge(limit: limit) }
                out.append(contentsOf: chunk[0..<made])
                switch rc {
                case Z_STREAM_END:
                    finished = true
                    return stream.avail_in == 0 ? nil : .corrupt("bytes after the end of the gzip stream")
                case Z_OK:
                    if stream.avail_in == 0 && made == 0 { return .corrupt("truncated") }
                case Z_BUF_ERROR:
                    return .corrupt("truncated")
                default:
                    let msg = stream.msg.map { String(cString: $0) } ?? "error \(rc)"
                    return .corrupt(msg)
                }
            }
        }
        if let failure { throw failure }
        guard finished else { throw .corrupt("truncated") }
        return out
    }
}
