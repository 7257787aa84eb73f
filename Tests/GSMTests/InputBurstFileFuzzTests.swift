import Foundation
import GSM
import Testing
import TestSupport

/// The gr-gsm bursts reader and the block decoder behind it on mutated and random captures: a million
/// inputs (seeded), each ending in bursts, a clean end, or a typed error naming the record — never a crash.
@Suite(.serialized) struct InputBurstFileFuzzTests {
    /// One well-formed record: TS0 downlink burst of frame `fn`.
    static func record(fn: UInt32, kind: UInt8, bits: [UInt8]) -> [UInt8] {
        var r: [UInt8] = [0x07, 0x06, 0x0a, 0x00, 0, 0, 0, 164, 0x01, 0x00]
        r += [2, 4, 3, 0, 0x02, 0xd5, 0xbf, 0]  // GSMTAP v2, burst, TS0, ARFCN 725, −65 dBm
        r += [UInt8(fn >> 24), UInt8((fn >> 16) & 0xff), UInt8((fn >> 8) & 0xff), UInt8(fn & 0xff), kind, 0, 0, 0]
        return r + bits
    }

    /// One decoder for all inputs: whatever bursts come out also go through the block decoder.
    nonisolated(unsafe) static let decoder = RecordedBurstDecoder()

    static func drain(_ data: Data) -> (bursts: Int, error: BurstFileError?) {
        var n = 0
        do {
            let file = try GRGSMBurstFile(data: data, name: "fuzz.bursts")
            while let b = try file.next() {
                n += 1
                _ = decoder.add(b)
            }
            return (n, nil)
        } catch {
            #expect(error.description.hasPrefix("fuzz.bursts: "))
            return (n, error)
        }
    }

    @Test func mutatedRecords() {
        var rng = SeededGenerator(seed: 0xB0B)
        // Four frames of a BCCH block (T3 = 2…5) with random bits: a realistic small capture.
        var base: [UInt8] = []
        for fn in 860_882...860_885 as ClosedRange<UInt32> {
            base += Self.record(fn: fn, kind: 6, bits: (0..<148).map { _ in UInt8.random(in: 0...1, using: &rng) })
        }
        var errors = 0, clean = 0
        for i in 0..<1_000_000 {
            var bytes = base
            switch i % 4 {
            case 0:  // flipped bytes anywhere, headers included
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
            case 1:  // cut off
                bytes.removeLast(Int.random(in: 1..<bytes.count, using: &rng))
            case 2:  // extra garbage at the end
                bytes += (0..<Int.random(in: 1...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            default:  // pure noise
                bytes = (0..<Int.random(in: 0...400, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            }
            if Self.drain(Data(bytes)).error == nil { clean += 1 } else { errors += 1 }
        }
        #expect(errors > 400_000 && clean > 1_000, "\(errors) errors, \(clean) clean")
        let whole = Self.drain(Data(base))
        #expect(whole.bursts == 4 && whole.error == nil)
    }

    @Test(.enabled(if: TestSupport.hasTestdata))
    func mutatedCompressedCapture() throws {
        // bzip2 streams cut and damaged: the decompressor must report, not crash or hang.
        let real = try Data(contentsOf: URL(fileURLWithPath: try #require(TestSupport.recording("gsm/vf_call6_arfcn725.bursts.bz2"))))
        var rng = SeededGenerator(seed: 0xB22)
        let head = [UInt8](real.prefix(20_000))
        for i in 0..<300 {
            var bytes = head
            if i % 2 == 0 {
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    bytes[Int.random(in: 4..<bytes.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
                }
            } else {
                bytes.removeLast(Int.random(in: 1..<bytes.count - 4, using: &rng))
            }
            let (_, error) = Self.drain(Data(bytes))
            #expect(error != nil, "a damaged or cut bzip2 stream must be reported")
        }
    }
}
