import CBZip2
import Foundation

/// One burst as gr-gsm's receiver demodulated it.
public struct RecordedBurst: Sendable {
    public enum Kind: UInt8, Sendable {
        case fcch = 1, sch = 3, normal = 6, dummy = 7, other = 0
    }
    public var frameNumber: GSMFrameNumber
    public var timeslot: Int
    public var arfcn: Int
    public var uplink: Bool
    public var kind: Kind
    public var signalDBm: Int
    public var snrDB: Int
    /// 148 hard bits (0/1).
    public var bits: [UInt8]
}

public enum BurstFileError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case corrupt(path: String, record: Int, problem: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): \(reason)"
        case .corrupt(let path, let record, let problem): "\(path): burst record \(record) \(problem)"
        }
    }
}

/// Reads gr-gsm "bursts" captures (`grgsm_livemon`/`grgsm_decode` burst_file_sink), plain or bzip2:
/// a sequence of serialised GNU Radio PMT pairs with a nil car, 174 bytes each when the cdr is a
/// u8vector of 164 bytes: `07 06 0a 00`, length (4 bytes, big-endian, 164), `01 00`, a 16-byte
/// GSMTAP v2 header (type 3 = burst) and 148 bytes of one bit each.
public final class GRGSMBurstFile {
    public let path: String
    private let handle: FileHandle?
    /// In-memory contents not yet handed to the parser (the `init(data:name:)` form).
    private var memory: Data?
    private var stream = bz_stream()
    private var streamReady = false
    private let compressed: Bool
    private var pending = Data()
    private var consumed = 0
    private var input = Data()
    private var finished = false
    private var records = 0

    public init(path: String) throws(BurstFileError) {
        self.path = path
        var st = stat()
        guard stat(path, &st) == 0 else { throw .unreadable(path: path, reason: "no such file") }
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw .unreadable(path: path, reason: "cannot be read: \(String(cString: strerror(errno)).lowercased())")
        }
        handle = h
        let magic = (try? h.read(upToCount: 3)) ?? Data()
        try? h.seek(toOffset: 0)
        compressed = magic == Data("BZh".utf8)
        try startDecompression()
    }

    /// Reads a capture held in memory; `name` stands for the path in messages.
    public init(data: Data, name: String) throws(BurstFileError) {
        path = name
        handle = nil
        memory = data
        compressed = data.prefix(3) == Data("BZh".utf8)
        try startDecompression()
    }

    private func startDecompression() throws(BurstFileError) {
        if compressed {
            guard BZ2_bzDecompressInit(&stream, 0, 0) == BZ_OK else {
                throw .unreadable(path: path, reason: "cannot start bzip2 decompression")
            }
            streamReady = true
        }
    }

    deinit {
        if streamReady { BZ2_bzDecompressEnd(&stream) }
        try? handle?.close()
    }

    /// The next burst, or nil at the end of the file.
    public func next() throws(BurstFileError) -> RecordedBurst? {
        while pending.count - consumed < 174 && !finished {
            // Drop what has been parsed before adding more, so the buffer stays one chunk long.
            if consumed > 0 { pending = pending.subdata(in: (pending.startIndex + consumed)..<pending.endIndex); consumed = 0 }
            try fill()
        }
        let available = pending.count - consumed
        if available == 0 { return nil }
        guard available >= 174 else {
            throw .corrupt(path: path, record: records, problem: "is cut off after \(available) of 174 bytes (truncated file?)")
        }
        let start = pending.startIndex + consumed
        let b = [UInt8](pending[start..<(start + 174)])
        consumed += 174
        records += 1
        let header: [UInt8] = [0x07, 0x06, 0x0a, 0x00]
        guard Array(b[0..<4]) == header else {
            throw .corrupt(path: path, record: records - 1, problem: "does not start with a PMT pair header (07 06 0a 00); not a gr-gsm bursts file?")
        }
        let length = Int(b[4]) << 24 | Int(b[5]) << 16 | Int(b[6]) << 8 | Int(b[7])
        guard length == 164, b[8] == 1, b[9] == 0 else {
            throw .corrupt(path: path, record: records - 1, problem: "holds a \(length)-byte message where a 164-byte GSMTAP burst was expected")
        }
        let g = Array(b[10..<26]), bits = Array(b[26..<174])
        guard g[0] == 2, g[2] == 3 else {
            throw .corrupt(path: path, record: records - 1, problem: "has GSMTAP version \(g[0]) type \(g[2]); expected version 2, type 3 (burst)")
        }
        guard bits.allSatisfy({ $0 <= 1 }) else {
            throw .corrupt(path: path, record: records - 1, problem: "has burst bits other than 0 and 1")
        }
        let arfcnField = Int(g[4]) << 8 | Int(g[5])
        let fnValue = UInt32(g[8]) << 24 | UInt32(g[9]) << 16 | UInt32(g[10]) << 8 | UInt32(g[11])
        guard let fn = GSMFrameNumber(fnValue) else {
            throw .corrupt(path: path, record: records - 1, problem: "has frame number \(fnValue), beyond the hyperframe")
        }
        return RecordedBurst(frameNumber: fn, timeslot: Int(g[3] & 7), arfcn: arfcnField & 0x3fff, uplink: arfcnField & 0x4000 != 0,
                             kind: RecordedBurst.Kind(rawValue: g[12]) ?? .other, signalDBm: Int(Int8(bitPattern: g[6])),
                             snrDB: Int(Int8(bitPattern: g[7])), bits: bits)
    }

    private func fill() throws(BurstFileError) {
        let chunk: Data
        if let handle {
            do { chunk = try handle.read(upToCount: 1 << 16) ?? Data() } catch {
                throw .unreadable(path: path, reason: "read failed: \(error.localizedDescription)")
            }
        } else {
            chunk = memory ?? Data()
            memory = nil
        }
        if !compressed {
            if chunk.isEmpty { finished = true } else { pending.append(chunk) }
            return
        }
        input.append(chunk)
        var out = [UInt8](repeating: 0, count: 1 << 18)
        var rc: Int32 = BZ_OK
        let consumed: Int = input.withUnsafeMutableBytes { inBytes in
            stream.next_in = inBytes.baseAddress?.assumingMemoryBound(to: CChar.self)
            stream.avail_in = UInt32(inBytes.count)
            out.withUnsafeMutableBytes { outBytes in
                stream.next_out = outBytes.baseAddress?.assumingMemoryBound(to: CChar.self)
                stream.avail_out = UInt32(outBytes.count)
                rc = BZ2_bzDecompress(&stream)
            }
            return inBytes.count - Int(stream.avail_in)
        }
        let produced = out.count - Int(stream.avail_out)
        input.removeFirst(consumed)
        pending.append(contentsOf: out[0..<produced])
        if rc == BZ_STREAM_END {
            finished = true
        } else if rc != BZ_OK {
            throw .corrupt(path: path, record: records, problem: "is inside a damaged bzip2 stream (error \(rc))")
        } else if chunk.isEmpty && produced == 0 {
            throw .corrupt(path: path, record: records, problem: "is inside a bzip2 stream that ends early (truncated file?)")
        }
    }
}
