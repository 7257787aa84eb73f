import CellwatchModel
import DSP
import Foundation

/// A `RadioDevice` that plays a recording from disk, block by block. Files may be many gigabytes:
/// only one block's bytes are ever in memory, read with `pread` into a buffer allocated at open.
/// Blocks never straddle two SigMF captures, so each carries one centre frequency.
public final class FileDevice: RadioDevice {
    public let recording: Recording
    public let maxBlockSamples: Int
    private let fd: Int32
    private let bytes: UnsafeMutableRawBufferPointer
    private var segmentIndex = 0
    private var positionInSegment: Int64 = 0

    public var name: String {
        "file \((recording.dataPath as NSString).lastPathComponent) (\(recording.format.rawValue), \(recording.sampleRate) S/s)"
    }
    public var sampleRate: Double { recording.sampleRate }
    public var totalSamples: Int64? { recording.totalSamples }

    public init(recording: Recording, maxBlockSamples: Int = 1 << 16) throws(RadioError) {
        precondition(maxBlockSamples > 0)
        self.recording = recording
        self.maxBlockSamples = maxBlockSamples
        let fd = Glibc.open(recording.dataPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw .unreadable(path: recording.dataPath, reason: "cannot be opened: \(String(cString: strerror(errno)).lowercased())")
        }
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        self.fd = fd
        bytes = .allocate(byteCount: maxBlockSamples * recording.format.bytesPerSample, alignment: 64)
    }

    public convenience init(path: String, raw: Recording.RawParameters = .init(), maxBlockSamples: Int = 1 << 16) throws(RadioError) {
        try self.init(recording: Recording.open(path, raw: raw), maxBlockSamples: maxBlockSamples)
    }

    deinit {
        Glibc.close(fd)
        bytes.deallocate()
    }

    /// Back to the first sample.
    public func rewind() {
        segmentIndex = 0
        positionInSegment = 0
    }

    public func read(into block: SampleBlock) throws(RadioError) -> Bool {
        let segments = recording.segments
        while segmentIndex < segments.count, positionInSegment >= segments[segmentIndex].sampleCount {
            segmentIndex += 1
            positionInSegment = 0
        }
        guard segmentIndex < segments.count else { return false }
        let seg = segments[segmentIndex]
        let bps = recording.format.bytesPerSample
        let want = Int(min(Int64(min(block.capacity, maxBlockSamples)), seg.sampleCount - positionInSegment))
        let offset = seg.byteOffset + positionInSegment * Int64(bps)
        var got = 0
        let byteCount = want * bps
        while got < byteCount {
            let n = pread(fd, bytes.baseAddress! + got, byteCount - got, off_t(offset + Int64(got)))
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: recording.dataPath, reason: String(cString: strerror(errno)).lowercased())
            }
            if n == 0 {
                throw .badData(path: recording.dataPath, problem: "ended at byte \(offset + Int64(got)), before the \(recording.totalSamples) samples it held when opened; was it truncated while being read?")
            }
            got += n
        }
        SampleConverter.convert(recording.format, from: UnsafeRawPointer(bytes.baseAddress!),
                                into: block.unsafeSamples.baseAddress!, count: want)
        block.count = want
        block.startSample = seg.startSample + positionInSegment
        block.centreFrequency = seg.frequency
        block.sampleRate = recording.sampleRate
        block.segment = segmentIndex
        block.overflow = false
        positionInSegment += Int64(want)
        return true
    }
}
