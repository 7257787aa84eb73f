import GSM
import TestSupport
import Testing

/// TS 45.003 §4.7 SCH coding, against real SCH bursts (CodingVectors) and by encode → damage → decode.
@Suite struct CodingSCHTests {
    @Test func decodesRealBurstsToTheCellsBSICAndTheirFrameNumbers() throws {
        let decoder = SCHDecoder()
        for sch in CodingVectors.schBursts {
            let soft = try SynchronizationBurst.codedBits(of: CodingTestBits.soft(CodingTestBits.bits(sch.burst)))
            let decoded = try decoder.decode(soft)
            #expect(decoded.bsic.value == CodingVectors.bsic)
            #expect(decoded.bsic == BSIC(ncc: 6, bcc: 0))
            #expect(decoded.frameNumber.value == sch.frameNumber)
            #expect(decoder.lastCorrectedBitCount == 0)
        }
    }

    @Test func encoderReproducesTheRealBursts() throws {
        let encoder = SCHEncoder()
        for sch in CodingVectors.schBursts {
            let fn = try #require(GSMFrameNumber(sch.frameNumber))
            let real = try SynchronizationBurst.codedBits(of: CodingTestBits.bits(sch.burst))
            #expect(encoder.encode(bsic: BSIC(value: CodingVectors.bsic), frameNumber: fn) == real, "FN \(fn)")
        }
    }

    @Test func roundTripsEveryBSICAndSCHFramePosition() throws {
        // All 64 BSICs, SCH frames (T3 = 1, 11, 21, 31, 41) spread over the hyperframe, T1 up to 2047.
        var rng = SeededGenerator(seed: 11)
        let encoder = SCHEncoder(), decoder = SCHDecoder()
        for value in UInt8(0)..<64 {
            let bsic = BSIC(value: value)
            for _ in 0..<40 {
                let any = try #require(GSMFrameNumber(UInt32.random(in: 0..<GSMFrameNumber.hyperframe, using: &rng)))
                let sch = any.advanced(by: (51 + 1 + 10 * Int.random(in: 0..<5, using: &rng) - any.t3) % 51)
                var soft = CodingTestBits.soft(encoder.encode(bsic: bsic, frameNumber: sch))
                // Any 3 errors are within the free distance (7) of the code.
                for k in Array(0..<78).shuffled(using: &rng).prefix(3) { soft[k] = -soft[k] }
                let decoded = try decoder.decode(soft)
                #expect(decoded.bsic == bsic)
                #expect(decoded.frameNumber == sch)
                #expect(decoder.lastCorrectedBitCount == 3)
            }
        }
        let last = try #require(GSMFrameNumber(GSMFrameNumber.hyperframe - 51 * 26 + 41))  // T1 = 2047
        #expect(try decoder.decode(CodingTestBits.soft(encoder.encode(bsic: BSIC(value: 63), frameNumber: last))).frameNumber == last)
    }

    @Test func noisySoftBitsDecodeOrFail() throws {
        var rng = SeededGenerator(seed: 12)
        let encoder = SCHEncoder(), decoder = SCHDecoder()
        for (sigma, leastDecoded) in [(0.5, 200), (0.7, 180)] as [(Double, Int)] {
            var decoded = 0
            for _ in 0..<200 {
                let bsic = BSIC(value: UInt8.random(in: 0..<64, using: &rng))
                let fn = try #require(GSMFrameNumber(UInt32(51 * Int.random(in: 0..<53_000, using: &rng) + 21)))
                let soft = encoder.encode(bsic: bsic, frameNumber: fn).map { SoftBit((Double($0) * 2 - 1) + sigma * rng.gaussian()) }
                if let d = try? decoder.decode(soft) {
                    #expect(d.bsic == bsic && d.frameNumber == fn, "σ \(sigma): decoded to another BSIC or FN")
                    decoded += 1
                }
            }
            #expect(decoded >= leastDecoded, "σ \(sigma): \(decoded) of 200 decoded")
        }
    }

    @Test func garbageIsRejected() {
        // The SCH has only 10 parity bits: one random input in 1024 passes them, and about half of
        // those also hold a possible T2 and T3'. Nothing else stands between noise and a false BSIC,
        // so a receiver should trust an SCH only after FCCH and burst synchronisation agree.
        var rng = SeededGenerator(seed: 13)
        let decoder = SCHDecoder()
        var accepted = 0
        for _ in 0..<2000 {
            let soft = (0..<78).map { _ in SoftBit(rng.gaussian()) }
            do {
                _ = try decoder.decode(soft)
                accepted += 1
            } catch {
                #expect(error == .parityFailed || error == .uncorrectable)
            }
        }
        #expect(accepted <= 4, "\(accepted) of 2000 random inputs accepted")
        for constant: SoftBit in [0, .nan, .infinity, -.infinity, 1, -1] {
            #expect(throws: GSMCodingError.self) { try decoder.decode([SoftBit](repeating: constant, count: 78)) }
        }
    }

    @Test func wrongLengthsAreErrors() {
        let decoder = SCHDecoder()
        #expect(throws: GSMCodingError.wrongLength(expected: 78, got: 77)) { try decoder.decode([SoftBit](repeating: 1, count: 77)) }
        #expect(throws: GSMCodingError.wrongLength(expected: 78, got: 0)) { try decoder.decode([]) }
        #expect(throws: GSMCodingError.wrongLength(expected: 78, got: 148)) { try decoder.decode([SoftBit](repeating: 1, count: 148)) }
        #expect(throws: GSMCodingError.wrongLength(expected: 148, got: 78)) {
            try SynchronizationBurst.codedBits(of: [SoftBit](repeating: 1, count: 78))
        }
    }
}
