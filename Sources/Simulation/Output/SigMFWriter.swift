import CellwatchModel
import DSP
import Foundation

/// Writes one SigMF recording (`NAME.sigmf-data` + `NAME.sigmf-meta`, SigMF v1.x core namespace) in
/// cf32_le, ci8 or cu8. Both files are written under temporary names and renamed into place by
/// `finish()`, so a failed run leaves no half-written recording; `abandon()` removes the temporaries.
public final class SigMFWriter {
    public struct Capture: Sendable {
        public var sampleStart: Int64
        public var frequency: Hertz
        public var datetime: Date
        public var geolocation: GeoPoint?
    }

    public let basePath: String
    public let datatype: String
    public let sampleRate: Double
    public private(set) var samplesWritten: Int64 = 0
    public private(set) var captures: [Capture] = []
    private let adc: ReceiverSettings.ADCFormat
    private var file: UnsafeMutablePointer<FILE>?
    private var bytes: UnsafeMutableRawBufferPointer
    private let dataTemp: String
    private let metaTemp: String

    /// Opens `basePath.sigmf-data` for writing (under a temporary name) in `format`.
    public init(basePath: String, format: ReceiverSettings.ADCFormat, sampleRate: Double, blockCapacity: Int = 1 << 16) throws(SimulationError) {
        self.basePath = basePath
        adc = format
        datatype = switch format {
        case .cf32: "cf32_le"
        case .cs8: "ci8"
        case .cu8: "cu8"
        }
        self.sampleRate = sampleRate
        let dir = (basePath as NSString).deletingLastPathComponent
        let name = (basePath as NSString).lastPathComponent
        dataTemp = (dir as NSString).appendingPathComponent(".\(name).sigmf-data.partial")
        metaTemp = (dir as NSString).appendingPathComponent(".\(name).sigmf-meta.partial")
        bytes = .allocate(byteCount: blockCapacity * 8, alignment: 8)
        guard let f = fopen(dataTemp, "wb") else {
            bytes.deallocate()
            throw .output(path: basePath + ".sigmf-data", problem: "cannot be created: \(String(cString: strerror(errno)).lowercased())")
        }
        file = f
    }

    deinit {
        if file != nil { abandon() }
        bytes.deallocate()
    }

    /// Starts a new capture segment at the next sample written.
    public func beginCapture(frequency: Hertz, datetime: Date, geolocation: GeoPoint?) {
        captures.append(Capture(sampleStart: samplesWritten, frequency: frequency, datetime: datetime, geolocation: geolocation))
    }

    /// Appends samples (full-scale floats, already quantised for the 8-bit formats).
    public func write(_ samples: UnsafeBufferPointer<ComplexFloat>) throws(SimulationError) {
        guard let file else { return }
        var done = 0
        let perChunk = bytes.count / 8
        while done < samples.count {
            let n = min(perChunk, samples.count - done)
            let byteCount: Int
            switch adc {
            case .cf32:
                let out = bytes.bindMemory(to: UInt32.self)
                for i in 0..<n {
                    out[2 * i] = samples[done + i].real.bitPattern.littleEndian
                    out[2 * i + 1] = samples[done + i].imag.bitPattern.littleEndian
                }
                byteCount = n * 8
            case .cu8:
                let out = bytes.bindMemory(to: UInt8.self)
                for i in 0..<n {
                    out[2 * i] = UInt8(min(max((samples[done + i].real * 127.5 + 127.5).rounded(), 0), 255))
                    out[2 * i + 1] = UInt8(min(max((samples[done + i].imag * 127.5 + 127.5).rounded(), 0), 255))
                }
                byteCount = n * 2
            case .cs8:
                let out = bytes.bindMemory(to: Int8.self)
                for i in 0..<n {
                    out[2 * i] = Int8(min(max((samples[done + i].real * 128).rounded(), -128), 127))
                    out[2 * i + 1] = Int8(min(max((samples[done + i].imag * 128).rounded(), -128), 127))
                }
                byteCount = n * 2
            }
            if fwrite(bytes.baseAddress, 1, byteCount, file) != byteCount {
                let reason = String(cString: strerror(errno)).lowercased()
                abandon()
                throw .output(path: basePath + ".sigmf-data", problem: "write failed: \(reason)")
            }
            done += n
        }
        samplesWritten += Int64(samples.count)
    }

    /// Writes the metadata and renames both files into place.
    public func finish(description: String, hardware: String, author: String = "cellwatch simulate",
                       extra: [String: Any] = [:]) throws(SimulationError) {
        guard let f = file else { return }
        file = nil
        if fclose(f) != 0 {
            cleanUp()
            throw .output(path: basePath + ".sigmf-data", problem: "cannot be written: \(String(cString: strerror(errno)).lowercased())")
        }
        var global: [String: Any] = [
            "core:datatype": datatype, "core:sample_rate": sampleRate, "core:version": "1.2.0",
            "core:num_channels": 1, "core:description": description, "core:hw": hardware, "core:author": author,
            "core:recorder": "cellwatch simulate",
        ]
        if let g = captures.first?.geolocation { global["core:geolocation"] = Self.geoJSON(g) }
        for (k, v) in extra { global[k] = v }
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let caps: [[String: Any]] = captures.map { c in
            var d: [String: Any] = ["core:sample_start": c.sampleStart, "core:frequency": c.frequency.value,
                                    "core:datetime": iso.string(from: c.datetime)]
            if let g = c.geolocation { d["core:geolocation"] = Self.geoJSON(g) }
            return d
        }
        let meta: [String: Any] = ["global": global, "captures": caps, "annotations": [[String: Any]]()]
        do {
            let data = try JSONSerialization.data(withJSONObject: meta, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: metaTemp))
            try Self.rename(dataTemp, basePath + ".sigmf-data")
            try Self.rename(metaTemp, basePath + ".sigmf-meta")
        } catch {
            cleanUp()
            try? FileManager.default.removeItem(atPath: basePath + ".sigmf-data")
            throw .output(path: basePath + ".sigmf-meta", problem: "cannot be written: \(error)")
        }
    }

    /// Drops the recording: closes and removes the temporary files.
    public func abandon() {
        if let f = file { fclose(f) }
        file = nil
        cleanUp()
    }

    private func cleanUp() {
        unlink(dataTemp)
        unlink(metaTemp)
    }

    static func rename(_ from: String, _ to: String) throws {
        if Foundation.rename(from, to) != 0 {
            throw SimulationError.output(path: to, problem: "cannot be moved into place: \(String(cString: strerror(errno)).lowercased())")
        }
    }

    /// A GeoJSON point (RFC 7946: longitude first), as SigMF's core:geolocation wants.
    static func geoJSON(_ p: GeoPoint) -> [String: Any] {
        ["type": "Point", "coordinates": [p.longitude, p.latitude]]
    }
}
