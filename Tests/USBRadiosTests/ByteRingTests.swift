import Radio
import Testing
import USBRadios

/// The USB → reader hand-off on its own: wrap-around, whole-transfer drops, gap positions and offsets.
@Suite struct ByteRingTests {
    func bytes(_ start: Int, _ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: start + $0) } }

    func readAll(_ ring: ByteRing, max: Int) -> (data: [UInt8], result: ByteRing.ReadResult) {
        var out: [UInt8] = []
        let r = ring.read(maxBytes: max, timeout: 0.01) { a, b in out += Array(a); out += Array(b) }
        return (out, r)
    }

    @Test func wrapsAroundInTwoPieces() {
        let ring = ByteRing(capacity: 16)
        _ = bytes(0, 12).withUnsafeBytes { ring.write($0.baseAddress!, count: 12) }
        #expect(readAll(ring, max: 10).data == bytes(0, 10))
        _ = bytes(12, 12).withUnsafeBytes { ring.write($0.baseAddress!, count: 12) }   // wraps at 16
        let (data, result) = readAll(ring, max: 64)
        #expect(data == bytes(10, 14))
        #expect(result == .data(bytes: 14, streamOffset: 10, afterGap: false))
        #expect(readAll(ring, max: 64).result == .timedOut)
    }

    @Test func dropsWholeWritesAndMarksTheGap() {
        let ring = ByteRing(capacity: 8)
        #expect(bytes(0, 8).withUnsafeBytes { ring.write($0.baseAddress!, count: 8) })
        #expect(!bytes(8, 4).withUnsafeBytes { ring.write($0.baseAddress!, count: 4) })    // full: dropped
        #expect(!bytes(12, 2).withUnsafeBytes { ring.write($0.baseAddress!, count: 2) })   // still full
        #expect(ring.overflow.bytes == 6 && ring.overflow.events == 2)
        // The reader drains; the next write lands after a gap of 6 bytes.
        #expect(readAll(ring, max: 6).result == .data(bytes: 6, streamOffset: 0, afterGap: false))
        #expect(bytes(14, 4).withUnsafeBytes { ring.write($0.baseAddress!, count: 4) })
        // A read stops at the gap...
        let before = readAll(ring, max: 64)
        #expect(before.data == bytes(6, 2))
        #expect(before.result == .data(bytes: 2, streamOffset: 6, afterGap: false))
        // ...and the next one starts after it, at its true stream offset.
        let after = readAll(ring, max: 64)
        #expect(after.data == bytes(14, 4))
        #expect(after.result == .data(bytes: 4, streamOffset: 14, afterGap: true))
    }

    @Test func finishEndsTheReaderAfterTheData() {
        let ring = ByteRing(capacity: 8)
        _ = bytes(0, 4).withUnsafeBytes { ring.write($0.baseAddress!, count: 4) }
        ring.finish()
        #expect(readAll(ring, max: 64).data == bytes(0, 4))
        #expect(readAll(ring, max: 64).result == .ended)
    }

    @Test func discardKeepsOffsetsCounting() {
        let ring = ByteRing(capacity: 16)
        _ = bytes(0, 10).withUnsafeBytes { ring.write($0.baseAddress!, count: 10) }
        #expect(ring.discardPending() == 10)
        _ = bytes(10, 4).withUnsafeBytes { ring.write($0.baseAddress!, count: 4) }
        #expect(readAll(ring, max: 64).result == .data(bytes: 4, streamOffset: 10, afterGap: false))
    }

    @Test func gainAndFilterRulesMatchTheFirmware() {
        #expect(HackRFLimits.lnaSteps == [0, 8, 16, 24, 32, 40])
        #expect(HackRFLimits.vgaSteps.count == 32)
        #expect(HackRFLimits.basebandFilter(atMost: 15_000_000) == 15_000_000)   // 0.75 × 20 MS/s
        #expect(HackRFLimits.basebandFilter(atMost: 6_000_000) == 6_000_000)     // 0.75 × 8 MS/s
        #expect(HackRFLimits.basebandFilter(atMost: 1_500_000) == 1_750_000)
        #expect(HackRFLimits.basebandFilter(atMost: 4_000_000) == 3_500_000)
        #expect(HackRFLimits.rateFraction(20e6) == (20_000_000, 1))
        #expect(HackRFLimits.rateFraction(10e6 / 3) == (10_000_000, 3))
    }

    /// The sensor's filter and what it may trust: with 10 MHz at 20 MS/s, what folds onto ±5 MHz comes
    /// from 15 MHz or more off the centre, three cut-offs out; the tools' 15 MHz leaves no such span.
    @Test func surveyFilterAndItsAliasFreeSpan() {
        #expect(HackRFLimits.surveyFilter(sampleRate: 20e6) == 10_000_000)
        #expect(HackRFLimits.aliasFreeFraction(filter: 10_000_000, sampleRate: 20e6) == 0.5)
        #expect(HackRFLimits.aliasFreeFraction(filter: 15_000_000, sampleRate: 20e6) == 0.1)
        // 8 MS/s: the 3.5 MHz filter, trusted to its ±1.75 MHz cut-off (folds come from ≥ 6.25 MHz).
        #expect(HackRFLimits.surveyFilter(sampleRate: 8e6) == 3_500_000)
        #expect(abs(HackRFLimits.aliasFreeFraction(filter: 3_500_000, sampleRate: 8e6) - 0.4375) < 1e-12)
        // Never more than the 0.9 every receiver's edges allow.
        #expect(HackRFLimits.aliasFreeFraction(filter: 1_750_000, sampleRate: 20e6) < 0.9)
        #expect(HackRFLimits.aliasFreeFraction(filter: 28_000_000, sampleRate: 1e6) == 0.1)
    }
}
