import CZlib
import Foundation

/// An 8-bit RGB image and its PNG encoding (ISO/IEC 15948 / W3C PNG 2nd ed.): signature, IHDR,
/// one zlib-compressed IDAT with filter type 0 on every row, IEND. Enough for the server-rendered
/// spectrum images; no other PNG features.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Row-major, 3 bytes per pixel.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, fill: (UInt8, UInt8, UInt8) = (0, 0, 0)) {
        precondition(width > 0 && height > 0 && width <= 1 << 14 && height <= 1 << 14, "image size out of range")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            pixels[3 * i] = fill.0
            pixels[3 * i + 1] = fill.1
            pixels[3 * i + 2] = fill.2
        }
    }

    @inline(__always)
    public mutating func set(_ x: Int, _ y: Int, _ c: (UInt8, UInt8, UInt8)) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = 3 * (y * width + x)
        pixels[i] = c.0
        pixels[i + 1] = c.1
        pixels[i + 2] = c.2
    }

    public func pixel(_ x: Int, _ y: Int) -> (UInt8, UInt8, UInt8) {
        let i = 3 * (y * width + x)
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }

    /// A straight line (Bresenham).
    public mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ c: (UInt8, UInt8, UInt8)) {
        var x = x0, y = y0
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var err = dx + dy
        while true {
            set(x, y, c)
            if x == x1 && y == y1 { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    /// The PNG file bytes.
    public func png() -> Data {
        var out = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])   // PNG §5.2 signature
        var ihdr = Data()
        ihdr.appendBigEndian(UInt32(width))
        ihdr.appendBigEndian(UInt32(height))
        ihdr.append(contentsOf: [8, 2, 0, 0, 0])   // bit depth 8, colour type 2 (RGB), deflate, filter 0, no interlace (§11.2.2)
        Self.chunk("IHDR", ihdr, into: &out)

        // Scanlines, each led by its filter type byte 0 (None, §9.2).
        let stride = width * 3
        var raw = [UInt8](repeating: 0, count: (stride + 1) * height)
        pixels.withUnsafeBufferPointer { src in
            raw.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let d = dst.baseAddress! + y * (stride + 1) + 1
                    d.update(from: src.baseAddress! + y * stride, count: stride)
                }
            }
        }
        var bound = compressBound(uLong(raw.count))
        var compressed = [UInt8](repeating: 0, count: Int(bound))
        let rc = compressed.withUnsafeMutableBufferPointer { c in
            raw.withUnsafeBufferPointer { r in compress2(c.baseAddress, &bound, r.baseAddress, uLong(r.count), 6) }
        }
        precondition(rc == Z_OK, "zlib compress2 failed (\(rc)) on a buffer sized by compressBound")
        Self.chunk("IDAT", Data(compressed[0..<Int(bound)]), into: &out)
        Self.chunk("IEND", Data(), into: &out)
        return out
    }

    /// Length, type, data, CRC-32 over type and data (§5.3).
    static func chunk(_ type: String, _ data: Data, into out: inout Data) {
        out.appendBigEndian(UInt32(data.count))
        var body = Data(type.utf8)
        body.append(data)
        out.append(body)
        let crc = body.withUnsafeBytes { b in
            crc32(crc32(0, nil, 0), b.bindMemory(to: Bytef.self).baseAddress, uInt(b.count))
        }
        out.appendBigEndian(UInt32(crc))
    }
}

extension Data {
    mutating func appendBigEndian(_ v: UInt32) {
        append(contentsOf: [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)])
    }
}
