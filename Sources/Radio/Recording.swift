import CellwatchModel
import Foundation

/// A recording on disk, described: where its samples are, how they are stored, at what rate and
/// frequency. Made from a SigMF pair (`.sigmf-meta` + `.sigmf-data`) or from a raw file plus the
/// facts its name cannot carry. Opening reads only the metadata; samples stream through `FileDevice`.
public struct Recording: Sendable {
    /// One SigMF capture: a run of samples taken at one frequency.
    public struct Segment: Sendable, Equatable {
        public var startSample: Int64
        public var sampleCount: Int64
        /// Byte offset of the segment's first sample in the data file (after any header bytes).
        public var byteOffset: Int64
        public var frequency: Hertz?
        public var datetime: String?
    }

    /// The facts a raw file's name cannot carry (`--format`, `--rate`, `--frequency`).
    public struct RawParameters: Sendable {
        public var format: SampleFormat?
        public var sampleRate: Double?
        public var frequency: Hertz?
        public init(format: SampleFormat? = nil, sampleRate: Double? = nil, frequency: Hertz? = nil) {
            self.format = format
            self.sampleRate = sampleRate
            self.frequency = frequency
        }
        public var isEmpty: Bool { format == nil && sampleRate == nil && frequency == nil }
    }

    public var dataPath: String
    public var metaPath: String?
    public var format: SampleFormat
    public var sampleRate: Double
    public var segments: [Segment]
    public var totalSamples: Int64
    public var descriptionText: String?
    public var hardware: String?

    public var isSigMF: Bool { metaPath != nil }
    public var durationSeconds: Double { Double(totalSamples) / sampleRate }

    /// Opens the recording at `path`: SigMF when the path names either half of a SigMF pair (or the
    /// pair's base name), raw otherwise. `raw` may set or override the frequency of a SigMF file;
    /// format and rate of a SigMF file come from its metadata only.
    public static func open(_ path: String, raw: RawParameters = RawParameters()) throws(RadioError) -> Recording {
        let fm = FileManager.default
        if path.hasSuffix(".sigmf") {
            throw .notSupported("\(path): SigMF archives (.sigmf tar files) are not read directly; extract them with `tar xf \(path)` and pass the .sigmf-meta file")
        }
        var base: String?
        if path.hasSuffix(".sigmf-meta") { base = String(path.dropLast(".sigmf-meta".count)) }
        else if path.hasSuffix(".sigmf-data") { base = String(path.dropLast(".sigmf-data".count)) }
        else if !fm.fileExists(atPath: path), fm.fileExists(atPath: path + ".sigmf-meta") { base = path }

        if let base {
            let meta = base + ".sigmf-meta", data = base + ".sigmf-data"
            let metaExists = fm.fileExists(atPath: meta), dataExists = fm.fileExists(atPath: data)
            if !metaExists && !dataExists { throw .unreadable(path: path, reason: "no such file") }
            if !metaExists {
                throw .badMetadata(path: path, problem: "the metadata half \((meta as NSString).lastPathComponent) is missing; a SigMF recording is a .sigmf-meta and a .sigmf-data file side by side (for a raw file, rename it and pass --format and --rate)")
            }
            if !dataExists {
                throw .badData(path: path, problem: "the data half \((data as NSString).lastPathComponent) is missing; a SigMF recording is a .sigmf-meta and a .sigmf-data file side by side")
            }
            if raw.format != nil || raw.sampleRate != nil {
                throw .badArguments("\(path) is a SigMF recording: its format and sample rate come from its metadata, so --format and --rate are only for raw files")
            }
            return try SigMFMetadata.read(metaPath: meta, dataPath: data, frequencyOverride: raw.frequency)
        }
        return try openRaw(path, raw)
    }

    private static func openRaw(_ path: String, _ raw: RawParameters) throws(RadioError) -> Recording {
        let size = try fileSize(path)
        let ext = (path as NSString).pathExtension
        guard let format = raw.format ?? SampleFormat(fileExtension: ext) else {
            throw .badArguments("\(path) is not a SigMF recording (.sigmf-meta/.sigmf-data) and its sample format is unknown: pass --format \(SampleFormat.argumentNames.replacingOccurrences(of: ", ", with: "|"))")
        }
        guard let rate = raw.sampleRate else {
            throw .badArguments("\(path) is a raw \(format.rawValue) file and carries no sample rate: pass --rate HZ (e.g. --rate 2048000)")
        }
        guard rate.isFinite, rate > 0 else { throw .badArguments("--rate \(rate) must be a positive number of samples per second") }
        let samples = try checkWholeSamples(path: path, bytes: size, format: format)
        return Recording(
            dataPath: path, metaPath: nil, format: format, sampleRate: rate,
            segments: [Segment(startSample: 0, sampleCount: samples, byteOffset: 0, frequency: raw.frequency, datetime: nil)],
            totalSamples: samples, descriptionText: nil, hardware: nil)
    }

    static func fileSize(_ path: String) throws(RadioError) -> Int64 {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw .unreadable(path: path, reason: errno == ENOENT ? "no such file" : String(cString: strerror(errno)).lowercased())
        }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw .unreadable(path: path, reason: "is a directory, not a recording") }
        guard access(path, R_OK) == 0 else { throw .unreadable(path: path, reason: "cannot be read: \(String(cString: strerror(errno)).lowercased())") }
        return Int64(st.st_size)
    }

    static func checkWholeSamples(path: String, bytes: Int64, format: SampleFormat) throws(RadioError) -> Int64 {
        if bytes == 0 { throw .badData(path: path, problem: "the file is empty: it holds no samples") }
        let bps = Int64(format.bytesPerSample)
        guard bytes % bps == 0 else {
            throw .badData(path: path, problem: "\(bytes) bytes is not a whole number of \(format.rawValue) samples (\(bps) bytes each); the file may be truncated or the format wrong")
        }
        return bytes / bps
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        components(separatedBy: target).joined(separator: replacement)
    }
}
