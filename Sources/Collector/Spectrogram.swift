import CellwatchModel
import DSP
import Foundation

/// Why an evidence snippet cannot be drawn, as one sentence naming the key or the problem.
public struct SpectrogramError: Error, Equatable, CustomStringConvertible {
    public var description: String
    init(_ d: String) { description = d }
}

/// The samples of an evidence IQ snippet: SigMF metadata read (`core:datatype`, `core:sample_rate`,
/// the first capture's `core:frequency`) and the data converted to complex floats in ±1 full scale.
public struct SnippetSamples: Sendable {
    public var sampleRate: Double
    public var centreFrequency: Double?
    public var datatype: String
    public var samples: [ComplexFloat]

    /// SigMF v1.2 `core:datatype` values the sensors write (cf32_le, ci16_le, ci8, cu8; also cs8 as
    /// inspectrum names ci8).
    public init(_ iq: IQSnippet, maxSamples: Int = 1 << 21) throws(SpectrogramError) {
        let meta: [String: Any]
        do {
            guard let m = try JSONSerialization.jsonObject(with: Data(iq.sigmfMeta.utf8)) as? [String: Any] else {
                throw SpectrogramError("sigmf-meta: not a JSON object")
            }
            meta = m
        } catch let e as SpectrogramError {
            throw e
        } catch {
            throw SpectrogramError("sigmf-meta: not valid JSON")
        }
        guard let global = meta["global"] as? [String: Any] else { throw SpectrogramError("sigmf-meta: \"global\" is missing") }
        guard let type = global["core:datatype"] as? String else { throw SpectrogramError("sigmf-meta: global.core:datatype is missing") }
        guard let rate = (global["core:sample_rate"] as? NSNumber)?.doubleValue, rate.isFinite, rate > 0, rate < 1e10 else {
            throw SpectrogramError("sigmf-meta: global.core:sample_rate is missing or not a positive number")
        }
        datatype = type
        sampleRate = rate
        if let captures = meta["captures"] as? [[String: Any]], let f = (captures.first?["core:frequency"] as? NSNumber)?.doubleValue,
           f.isFinite {
            centreFrequency = f
        }
        let bytes = [UInt8](iq.data)
        let width: Int
        switch type {
        case "cf32_le": width = 8
        case "ci16_le": width = 4
        case "ci8", "cs8", "cu8": width = 2
        default: throw SpectrogramError("sigmf-meta: core:datatype \"\(type.prefix(32))\" is not one of cf32_le, ci16_le, ci8, cu8")
        }
        guard bytes.count % width == 0 else {
            throw SpectrogramError("sigmf-data: \(bytes.count) bytes is not a whole number of \(type) samples (\(width) bytes each)")
        }
        let n = min(bytes.count / width, maxSamples)
        var out = [ComplexFloat](repeating: .zero, count: n)
        bytes.withUnsafeBytes { raw in
            for i in 0..<n {
                switch type {
                case "cf32_le":
                    let re = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt32.self)))
                    let im = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i + 4, as: UInt32.self)))
                    out[i] = ComplexFloat(re.isFinite ? re : 0, im.isFinite ? im : 0)
                case "ci16_le":
                    let re = Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: Int16.self))
                    let im = Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i + 2, as: Int16.self))
                    out[i] = ComplexFloat(Float(re) / 32768, Float(im) / 32768)
                case "cu8":
                    out[i] = ComplexFloat((Float(bytes[2 * i]) - 127.5) / 128, (Float(bytes[2 * i + 1]) - 127.5) / 128)
                default:   // ci8 / cs8
                    out[i] = ComplexFloat(Float(Int8(bitPattern: bytes[2 * i])) / 128, Float(Int8(bitPattern: bytes[2 * i + 1])) / 128)
                }
            }
        }
        samples = out
    }
}

/// A spectrum picture of an evidence snippet, computed with our FFT (DSP): on top the mean power
/// spectrum (dBFS per bin, Hann window), below it a waterfall, time downwards, one row per slice of
/// the snippet, frequency across (centre in the middle). Colours and the dB scale are set by the
/// snippet's own range (the strongest bin at the top of the scale, 60 dB below at the bottom).
public struct Spectrogram: Sendable {
    public let fftSize: Int
    /// Power per row and bin in dB (rows × fftSize, bins fft-shifted: lowest frequency first).
    public let rows: [[Float]]
    public let mean: [Float]
    public let sampleRate: Double
    public let centreFrequency: Double?

    /// `fftSize` a power of two (64…4096); `maxRows` bounds the waterfall height.
    public init(_ snippet: SnippetSamples, fftSize: Int = 512, maxRows: Int = 160) throws(SpectrogramError) {
        guard fftSize >= 16, fftSize <= 4096, fftSize & (fftSize - 1) == 0 else {
            throw SpectrogramError("FFT size \(fftSize) is not a power of two in 16…4096")
        }
        let x = snippet.samples
        guard x.count >= fftSize else {
            throw SpectrogramError("the snippet has \(x.count) samples; at least \(fftSize) are needed for one spectrum")
        }
        self.fftSize = fftSize
        sampleRate = snippet.sampleRate
        centreFrequency = snippet.centreFrequency
        let fft: FFT
        do { fft = try FFT(size: fftSize, rigor: .estimate) } catch { throw SpectrogramError("FFT: \(error)") }
        let window = Window(.hann, length: fftSize)
        // Power normalisation: a full-scale complex tone in one bin reads 0 dBFS.
        let norm = Float(1 / (window.sum * window.sum))
        let segments = x.count / fftSize
        let rowCount = min(maxRows, segments)
        let perRow = segments / rowCount
        var rows: [[Float]] = []
        rows.reserveCapacity(rowCount)
        var acc = [Float](repeating: 0, count: fftSize)
        var total = [Float](repeating: 0, count: fftSize)
        let half = fftSize / 2
        for r in 0..<rowCount {
            for k in 0..<fftSize { acc[k] = 0 }
            for s in 0..<perRow {
                let base = (r * perRow + s) * fftSize
                for k in 0..<fftSize {
                    let w = window.coefficients[k]
                    fft.unsafeInput[k] = ComplexFloat(x[base + k].real * w, x[base + k].imag * w)
                }
                fft.execute()
                for k in 0..<fftSize { acc[(k + half) % fftSize] += fft.unsafeOutput[k].magnitudeSquared }
            }
            var row = [Float](repeating: 0, count: fftSize)
            for k in 0..<fftSize {
                let p = acc[k] / Float(perRow) * norm
                total[k] += p
                row[k] = 10 * log10(max(p, 1e-20))
            }
            rows.append(row)
        }
        self.rows = rows
        mean = total.map { 10 * log10(max($0 / Float(rowCount), 1e-20)) }
    }

    /// The picture: `width` × (trace height + waterfall height) pixels.
    public func image(width: Int = 512, traceHeight: Int = 120, rowHeight: Int = 2) -> RGBImage {
        let top = mean.max() ?? 0
        let floor = top - 60
        let waterfallHeight = rows.count * rowHeight
        var img = RGBImage(width: width, height: traceHeight + waterfallHeight, fill: (16, 20, 28))
        func bin(_ x: Int) -> Int { min(fftSize - 1, x * fftSize / width) }
        func level(_ db: Float) -> Float { max(0, min(1, (db - floor) / (top - floor))) }
        // Grid: 10 dB lines in the trace panel, centre frequency marker.
        for d in stride(from: 0, through: 60, by: 10) {
            let y = Int(Float(d) / 60 * Float(traceHeight - 1))
            for x in stride(from: 0, to: width, by: 2) { img.set(x, y, (48, 56, 72)) }
        }
        for y in stride(from: 0, to: traceHeight, by: 2) { img.set(width / 2, y, (48, 56, 72)) }
        var previous: (Int, Int)?
        for x in 0..<width {
            // Peak of the bins this column covers, so a narrow carrier is never lost when shrinking.
            let b0 = bin(x), b1 = max(b0, min(fftSize - 1, (x + 1) * fftSize / width - 1))
            let db = mean[b0...b1].max()!
            let y = Int((1 - level(db)) * Float(traceHeight - 1))
            if let p = previous { img.line(p.0, p.1, x, y, (250, 204, 21)) }
            previous = (x, y)
        }
        for (r, row) in rows.enumerated() {
            for x in 0..<width {
                let b0 = bin(x), b1 = max(b0, min(fftSize - 1, (x + 1) * fftSize / width - 1))
                let c = Self.colour(level(row[b0...b1].max()!))
                for dy in 0..<rowHeight { img.set(x, traceHeight + r * rowHeight + dy, c) }
            }
        }
        return img
    }

    /// Dark blue → teal → green → yellow → white, linear between anchors.
    static func colour(_ t: Float) -> (UInt8, UInt8, UInt8) {
        let anchors: [(Float, Float, Float)] = [(8, 12, 40), (20, 90, 140), (30, 160, 120), (230, 210, 40), (255, 255, 240)]
        let p = max(0, min(1, t)) * Float(anchors.count - 1)
        let i = min(anchors.count - 2, Int(p))
        let f = p - Float(i)
        let a = anchors[i], b = anchors[i + 1]
        return (UInt8(a.0 + (b.0 - a.0) * f), UInt8(a.1 + (b.1 - a.1) * f), UInt8(a.2 + (b.2 - a.2) * f))
    }
}
