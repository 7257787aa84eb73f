import Foundation
@testable import LTE
import Testing
import TestSupport

/// DL-SCH channel coding (TS 36.212 §5.1): CRC-24A, QPP interleaver, turbo code, turbo rate matching.
@Suite struct TurboCodingTests {
    /// CRC-24A of an all-zero block is zero; the parity of a single 1 is the generator without D^24.
    @Test func crc24a() {
        #expect(LTECRC24A.parity([UInt8](repeating: 0, count: 40)) == 0)
        #expect(LTECRC24A.parity([1]) == 0x86_4CFB)
        var rng = SeededGenerator(seed: 24)
        let bits = (0..<100).map { _ in UInt8.random(in: 0...1, using: &rng) }
        let p = LTECRC24A.parity(bits)
        let block = bits + (0..<24).map { UInt8((p >> (23 - UInt32($0))) & 1) }
        #expect(LTECRC24A.check(block[...]))
        var bad = block
        bad[7] ^= 1
        #expect(!LTECRC24A.check(bad[...]))
    }

    /// Every one of the 188 QPP parameter sets is a permutation (a typo in the table would break it).
    @Test func qppTableGivesPermutations() throws {
        #expect(QPPInterleaver.table.count == 188)
        for e in QPPInterleaver.table {
            let p = try #require(QPPInterleaver.permutation(k: e.k))
            #expect(Set(p).count == e.k, "K = \(e.k)")
        }
        #expect(QPPInterleaver.blockSize(atLeast: 41) == 48 && QPPInterleaver.blockSize(atLeast: 6145) == nil)
    }

    /// Encode → rate match (each redundancy version) → BPSK in noise → recover → max-log-MAP.
    @Test(arguments: [(40, 0, 132, 0), (208, 8, 600, 0), (1008, 24, 2000, 1), (2240, 0, 4800, 2)])
    func turboRoundTrip(k: Int, filler: Int, e: Int, rv: Int) throws {
        var rng = SeededGenerator(seed: UInt64(k * 7 + rv))
        var info = (0..<(k - filler - 24)).map { _ in UInt8.random(in: 0...1, using: &rng) }
        let p = LTECRC24A.parity(info)
        info += (0..<24).map { UInt8((p >> (23 - UInt32($0))) & 1) }
        let c = [UInt8](repeating: 0, count: filler) + info
        let d = try #require(TurboDecoder.encode(c))
        let matcher = TurboRateMatcher(streamLength: k + 4, fillerBits: filler)
        let tx = matcher.match(d, outputLength: e, rv: rv)
        #expect(tx.count == e)
        // 1 dB Es/N0 on BPSK: well inside what rate ≤ 1/2 turbo codes correct.
        let sigma = (pow(10, -1.0 / 10) / 2).squareRoot()
        let llr = tx.map { Float((($0 == 0 ? 1.0 : -1.0) + sigma * rng.gaussian()) * 2 / (sigma * sigma)) }
        var streams = [[Float]](repeating: [Float](repeating: 0, count: k + 4), count: 3)
        matcher.recover(llr, rv: rv, into: &streams)
        for i in 0..<filler { streams[0][i] = 100 }
        let decoder = try #require(TurboDecoder(k: k))
        let (bits, ok) = decoder.decode(streams, iterations: 8) { LTECRC24A.check($0[filler...]) }
        #expect(ok && Array(bits[filler...]) == info)
    }

    /// Without noise the systematic bits come back after rate matching alone (bit selection order).
    @Test func rateMatchingCarriesSystematicBits() throws {
        let k = 104
        let c = (0..<k).map { UInt8($0 % 3 == 0 ? 1 : 0) }
        let d = try #require(TurboDecoder.encode(c))
        let m = TurboRateMatcher(streamLength: k + 4)
        let tx = m.match(d, outputLength: 3 * (k + 4), rv: 0)
        var streams = [[Float]](repeating: [Float](repeating: 0, count: k + 4), count: 3)
        m.recover(tx.map { $0 == 0 ? 1 : -1 }, rv: 0, into: &streams)
        #expect(streams[0][0..<k].map { $0 < 0 ? UInt8(1) : 0 } == c)
    }

    /// DCI 1A at 6 PRB: 20 bits of fields, padded to 21 (20 is an ambiguous size), TS 36.212 §5.3.3.1.3.
    @Test func dci1ASize() {
        #expect(DCIFormat1A.size(prb: 6) == 21)
        #expect(DCIFormat1A.size(prb: 25) == 25)
        #expect(DCIFormat1A.size(prb: 50) == 27)
    }
}
