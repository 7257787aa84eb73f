import DSP
import Radio
import Testing

@Suite struct SampleConverterTests {
    func convert(_ format: SampleFormat, _ bytes: [UInt8]) -> [ComplexFloat] {
        let count = bytes.count / format.bytesPerSample
        var out = [ComplexFloat](repeating: .zero, count: count)
        bytes.withUnsafeBytes { raw in
            out.withUnsafeMutableBufferPointer { SampleConverter.convert(format, from: raw.baseAddress!, into: $0.baseAddress!, count: count) }
        }
        return out
    }

    @Test func cu8IsOffsetBinaryAroundMidScale() {
        // RTL-SDR: 0 → −1, 255 → +1, 127/128 straddle zero.
        let x = convert(.cu8, [0, 255, 127, 128])
        #expect(x == [ComplexFloat(-1, 1), ComplexFloat(-0.5 / 127.5, 0.5 / 127.5)])
    }

    @Test func ci8IsTwosComplement() {
        let x = convert(.ci8, [0x80, 0x7F, 0x00, 0xFF])
        #expect(x == [ComplexFloat(-1, 127 / 128), ComplexFloat(0, -1 / 128)])
    }

    @Test func ci16IsLittleEndian() {
        // I = 0x4000 (0.5), Q = 0x8000 (−1), stored low byte first.
        let x = convert(.ci16, [0x00, 0x40, 0x00, 0x80])
        #expect(x == [ComplexFloat(0.5, -1)])
    }

    @Test func cf32IsCopiedBitExact() {
        let values: [Float] = [0.25, -3.5e-7, .greatestFiniteMagnitude, -0.0]
        var bytes: [UInt8] = []
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        let x = convert(.cf32, bytes)
        #expect(x.count == 2)
        #expect(x[0].real.bitPattern == values[0].bitPattern && x[0].imag.bitPattern == values[1].bitPattern)
        #expect(x[1].real.bitPattern == values[2].bitPattern && x[1].imag.bitPattern == values[3].bitPattern)
    }

    @Test func formatNamesParse() {
        #expect(SampleFormat(argument: "cs8") == .ci8)
        #expect(SampleFormat(argument: "CS16") == .ci16)
        #expect(SampleFormat(argument: "cf32") == .cf32)
        #expect(SampleFormat(argument: "u8") == nil)
        #expect(SampleFormat(sigmfDatatype: "ci16_le") == .ci16)
        #expect(SampleFormat(sigmfDatatype: "ci16_be") == nil)
        #expect(SampleFormat(fileExtension: "cfile") == .cf32)
    }
}
