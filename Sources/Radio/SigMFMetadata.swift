import CellwatchModel
import Foundation

/// Reads a SigMF `.sigmf-meta` file (SigMF v1.x core namespace): `global` (`core:datatype`,
/// `core:sample_rate`, `core:version`, `core:num_channels`, `core:description`, `core:hw`) and
/// `captures` (`core:sample_start`, `core:frequency`, `core:datetime`, `core:header_bytes`).
enum SigMFMetadata {
    static func read(metaPath: String, dataPath: String, frequencyOverride: Hertz?) throws(RadioError) -> Recording {
        _ = try Recording.fileSize(metaPath)
        let dataBytes = try Recording.fileSize(dataPath)
        let json: Any
        do {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: metaPath))
            json = try JSONSerialization.jsonObject(with: bytes)
        } catch {
            throw .badMetadata(path: metaPath, problem: "is not valid JSON (\(Self.shortReason(error)))")
        }
        guard let top = json as? [String: Any] else {
            throw .badMetadata(path: metaPath, problem: "is not a SigMF metadata object (expected a JSON object with \"global\" and \"captures\")")
        }
        guard let global = top["global"] as? [String: Any] else {
            throw .badMetadata(path: metaPath, problem: "has no \"global\" object")
        }
        guard let datatype = global["core:datatype"] as? String else {
            throw .badMetadata(path: metaPath, problem: "has no core:datatype in \"global\"")
        }
        guard let format = SampleFormat(sigmfDatatype: datatype) else {
            throw .badMetadata(path: metaPath, problem: "core:datatype \"\(datatype)\" is not supported; cellwatch reads cf32_le, ci16_le, ci8 and cu8")
        }
        if let channels = number(global["core:num_channels"]), channels != 1 {
            throw .badMetadata(path: metaPath, problem: "core:num_channels is \(Int(channels)); only single-channel recordings are supported")
        }
        guard let rateValue = global["core:sample_rate"] else {
            throw .badMetadata(path: metaPath, problem: "has no core:sample_rate in \"global\"; the sample rate is needed to make sense of the samples")
        }
        guard let rate = number(rateValue), rate.isFinite, rate > 0 else {
            throw .badMetadata(path: metaPath, problem: "core:sample_rate \(describe(rateValue)) is not a positive number")
        }

        // Captures: sorted by core:sample_start; header bytes precede each capture's samples.
        let rawCaptures = (top["captures"] as? [Any]) ?? []
        var captures: [(start: Int64, header: Int64, frequency: Hertz?, datetime: String?)] = []
        for (i, item) in rawCaptures.enumerated() {
            guard let c = item as? [String: Any] else {
                throw .badMetadata(path: metaPath, problem: "captures[\(i)] is not an object")
            }
            guard let s = number(c["core:sample_start"]), s >= 0, s == s.rounded() else {
                throw .badMetadata(path: metaPath, problem: "captures[\(i)] has no valid core:sample_start (a whole number ≥ 0)")
            }
            var f: Hertz?
            if let fv = c["core:frequency"] {
                guard let fr = number(fv), fr.isFinite, fr > 0 else {
                    throw .badMetadata(path: metaPath, problem: "captures[\(i)] core:frequency \(describe(fv)) is not a positive number of hertz")
                }
                f = Hertz(fr)
            }
            let header = Int64(number(c["core:header_bytes"]) ?? 0)
            guard header >= 0 else { throw .badMetadata(path: metaPath, problem: "captures[\(i)] core:header_bytes is negative") }
            captures.append((Int64(s), header, frequencyOverride ?? f, c["core:datetime"] as? String))
        }
        if captures.isEmpty { captures = [(0, 0, frequencyOverride, nil)] }
        captures.sort { $0.start < $1.start }
        if captures[0].start != 0 {
            // Samples before the first capture have no frequency stated; treat them as part of it.
            captures[0].start = 0
        }

        let headerTotal = captures.reduce(Int64(0)) { $0 + $1.header }
        let sampleBytes = dataBytes - headerTotal
        if sampleBytes < 0 {
            throw .badData(path: dataPath, problem: "is \(dataBytes) bytes, shorter than the \(headerTotal) header bytes its metadata declares")
        }
        let total = try Recording.checkWholeSamples(path: dataPath, bytes: sampleBytes, format: format)

        var segments: [Recording.Segment] = []
        var headersSoFar: Int64 = 0
        for (i, c) in captures.enumerated() {
            headersSoFar += c.header
            let end = i + 1 < captures.count ? captures[i + 1].start : total
            if c.start >= total {
                throw .badData(path: dataPath, problem: "holds \(total) samples, but captures[\(i)] starts at sample \(c.start); the file is truncated")
            }
            let count = min(end, total) - c.start
            if count <= 0 { continue }
            segments.append(.init(startSample: c.start, sampleCount: count,
                                  byteOffset: headersSoFar + c.start * Int64(format.bytesPerSample),
                                  frequency: c.frequency, datetime: c.datetime))
        }
        return Recording(dataPath: dataPath, metaPath: metaPath, format: format, sampleRate: rate,
                         segments: segments, totalSamples: total,
                         descriptionText: global["core:description"] as? String,
                         hardware: global["core:hw"] as? String)
    }

    private static func number(_ v: Any?) -> Double? {
        guard let v, !(type(of: v) == Bool.self) else { return nil }
        if let n = v as? NSNumber {
            // JSON true/false arrive as NSNumber booleans (objCType "c"); they are not numbers.
            if String(cString: n.objCType) == "c" { return nil }
            return n.doubleValue
        }
        if let d = v as? Double { return d }
        if let i = v as? Int { return Double(i) }
        return nil
    }

    /// A JSON value as it was written, for messages.
    private static func describe(_ v: Any) -> String {
        if let n = v as? NSNumber, String(cString: n.objCType) == "c" { return n.boolValue ? "true" : "false" }
        if let s = v as? String { return "\"\(s)\"" }
        return "\(v)"
    }

    private static func shortReason(_ error: any Error) -> String {
        let ns = error as NSError
        if let d = ns.userInfo[NSDebugDescriptionErrorKey] as? String { return d }
        return ns.localizedDescription
    }
}
