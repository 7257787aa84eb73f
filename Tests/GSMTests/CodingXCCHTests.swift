import GSM
import TestSupport
import Testing

/// TS 45.003 §4.1 xCCH coding, against real bursts (CodingVectors) and by encode → damage → decode.
@Suite struct CodingXCCHTests {
    // MARK: The real world

    @Test func decodesRealBurstsToWhatGrGsmDecoded() throws {
        let decoder = XCCHDecoder()
        for block in CodingVectors.xcchBlocks {
            let bursts = try block.bursts.map { try NormalBurst.dataBits(of: CodingTestBits.soft(CodingTestBits.bits($0))) }
            let l2 = try decoder.decode(bursts)
            #expect(CodingTestBits.hex(l2) == block.l2, "FN \(block.frameNumber)")
            #expect(decoder.lastCorrectedBitCount == 0, "FN \(block.frameNumber)")
        }
    }

    @Test func encoderReproducesTheRealBursts() throws {
        let encoder = XCCHEncoder()
        for block in CodingVectors.xcchBlocks {
            let encoded = try encoder.encode(CodingTestBits.octets(hex: block.l2))
            for (b, burstString) in block.bursts.enumerated() {
                let real = CodingTestBits.bits(burstString)
                #expect(encoded[b] == (try NormalBurst.dataBits(of: real)), "FN \(block.frameNumber) burst \(b)")
                // §4.1.5: both stealing flags are 1 on xCCH.
                #expect(real[NormalBurst.lowerStealingFlagPosition] == XCCHEncoder.stealingFlags.hl)
                #expect(real[NormalBurst.upperStealingFlagPosition] == XCCHEncoder.stealingFlags.hu)
            }
        }
    }

    @Test func correctsBitErrorsInRealBursts() throws {
        var rng = SeededGenerator(seed: 45_003)
        let decoder = XCCHDecoder()
        for block in CodingVectors.xcchBlocks {
            var bursts = try block.bursts.map { try NormalBurst.dataBits(of: CodingTestBits.soft(CodingTestBits.bits($0))) }
            // 3 errors in each burst, 12 in the block (2.6 %).
            for b in 0..<4 {
                for j in Array(0..<NormalBurst.dataBitCount).shuffled(using: &rng).prefix(3) { bursts[b][j] = -bursts[b][j] }
            }
            #expect(CodingTestBits.hex(try decoder.decode(bursts)) == block.l2, "FN \(block.frameNumber)")
            #expect(decoder.lastCorrectedBitCount == 12)
        }
    }

    // MARK: Round trips

    @Test func anyThreeBitErrorsAreCorrected() throws {
        // The code's free distance is 7: a maximum-likelihood decoder corrects every pattern of 3 errors.
        var rng = SeededGenerator(seed: 1)
        let encoder = XCCHEncoder(), decoder = XCCHDecoder()
        for _ in 0..<200 {
            let l2 = randomBlock(&rng)
            var soft = try encoder.encode(l2).map(CodingTestBits.soft)
            for k in Array(0..<456).shuffled(using: &rng).prefix(3) { soft[k % 4][k / 4] *= -1 }
            #expect(try decoder.decode(soft) == l2)
            #expect(decoder.lastCorrectedBitCount == 3)
        }
    }

    @Test func scatteredBitErrorsDecodeOrFailParityNeverDecodeWrong() throws {
        // Random errors among the 456 coded bits (hard decisions, so the decoder has no help from
        // confidence) → least number of the 200 blocks that must decode. Measured with other seeds:
        // 12 errors 99 %, 20 errors 88 %, 30 errors 54 %, 40 errors 12 % decoded; never a wrong block.
        var rng = SeededGenerator(seed: 2)
        let encoder = XCCHEncoder(), decoder = XCCHDecoder()
        for (errors, leastDecoded) in [(12, 190), (20, 160), (30, 80), (40, 5)] {
            var decoded = 0
            for _ in 0..<200 {
                let l2 = randomBlock(&rng)
                var soft = try encoder.encode(l2).map(CodingTestBits.soft)
                for k in Array(0..<456).shuffled(using: &rng).prefix(errors) { soft[k % 4][k / 4] *= -1 }
                do {
                    #expect(try decoder.decode(soft) == l2, "\(errors) errors: decoded to other bytes")
                    #expect(decoder.lastCorrectedBitCount == errors)
                    decoded += 1
                } catch {
                    #expect(error == .parityFailed)
                }
            }
            #expect(decoded >= leastDecoded, "\(errors) errors: \(decoded) of 200 decoded")
        }
    }

    @Test func aLostBurstIsRecoveredFromTheOtherThree() throws {
        // One burst of four stolen or faded away entirely (soft bits 0: no information).
        var rng = SeededGenerator(seed: 3)
        let encoder = XCCHEncoder(), decoder = XCCHDecoder()
        for lost in 0..<4 {
            for _ in 0..<50 {
                let l2 = randomBlock(&rng)
                var soft = try encoder.encode(l2).map(CodingTestBits.soft)
                soft[lost] = [SoftBit](repeating: 0, count: NormalBurst.dataBitCount)
                #expect(try decoder.decode(soft) == l2)
                #expect(decoder.lastCorrectedBitCount == 0)  // erasures are not errors
            }
        }
    }

    @Test func noisySoftBitsDecodeOrFailParityNeverDecodeWrong() throws {
        var rng = SeededGenerator(seed: 4)
        let encoder = XCCHEncoder(), decoder = XCCHDecoder()
        // σ of Gaussian noise on ±1 soft bits → least number of the 100 blocks that must decode.
        // Measured with other seeds: σ 0.5 100 %, 0.6 99.6 %, 0.7 92 %, 0.8 62 %, 0.9 18 %, 1.0 2 %.
        // (σ 0.7 is Es/N0 ≈ 0.1 dB, where a hard-decision decoder would see 7.7 % bit errors.)
        for (sigma, leastDecoded) in [(0.5, 100), (0.7, 80), (0.9, 5), (3.0, 0)] as [(Double, Int)] {
            var decoded = 0, failed = 0
            for _ in 0..<100 {
                let l2 = randomBlock(&rng)
                let soft = try encoder.encode(l2).map { burst in
                    burst.map { SoftBit((Double($0) * 2 - 1) + sigma * rng.gaussian()) }
                }
                do {
                    #expect(try decoder.decode(soft) == l2, "σ \(sigma): decoded to other bytes")
                    decoded += 1
                } catch {
                    #expect(error == .parityFailed)
                    failed += 1
                }
            }
            #expect(decoded >= leastDecoded, "σ \(sigma): \(decoded) of 100 decoded")
            if sigma >= 3 { #expect(failed == 100) }
        }
    }

    @Test func softBitScaleDoesNotMatter() throws {
        var rng = SeededGenerator(seed: 5)
        let encoder = XCCHEncoder(), decoder = XCCHDecoder()
        let l2 = randomBlock(&rng)
        let noisy = try encoder.encode(l2).map { burst in burst.map { SoftBit((Double($0) * 2 - 1) + 0.7 * rng.gaussian()) } }
        for scale: SoftBit in [1e-6, 1, 127, 1e5] {
            #expect(try decoder.decode(noisy.map { $0.map { $0 * scale } }) == l2, "scale \(scale)")
        }
    }

    // MARK: Damage beyond correction and garbage

    @Test func heavyDamageFailsParity() throws {
        var rng = SeededGenerator(seed: 6)
        let encoder = XCCHEncoder(), decoder = XCCHDecoder()
        for _ in 0..<200 {
            var soft = try encoder.encode(randomBlock(&rng)).map(CodingTestBits.soft)
            for k in Array(0..<456).shuffled(using: &rng).prefix(150) { soft[k % 4][k / 4] *= -1 }
            #expect(throws: GSMCodingError.parityFailed) { try decoder.decode(soft) }
            #expect(decoder.lastCorrectedBitCount > 30)
        }
    }

    @Test func garbageFailsParityWithoutCrashing() {
        var rng = SeededGenerator(seed: 7)
        let decoder = XCCHDecoder()
        let count = NormalBurst.dataBitCount
        let inputs: [[[SoftBit]]] = [
            [[SoftBit]](repeating: [SoftBit](repeating: 0, count: count), count: 4),
            [[SoftBit]](repeating: [SoftBit](repeating: .nan, count: count), count: 4),
            [[SoftBit]](repeating: [SoftBit](repeating: .infinity, count: count), count: 4),
            [[SoftBit]](repeating: [SoftBit](repeating: -.infinity, count: count), count: 4),
            [[SoftBit]](repeating: [SoftBit](repeating: .greatestFiniteMagnitude, count: count), count: 4),
            (0..<4).map { _ in (0..<count).map { _ in [SoftBit.nan, .infinity, -.infinity, 0, 1, -1].randomElement(using: &rng)! } },
        ] + (0..<100).map { _ in (0..<4).map { _ in (0..<count).map { _ in SoftBit(rng.gaussian()) } } }
        for input in inputs {
            #expect(throws: GSMCodingError.parityFailed) { try decoder.decode(input) }
        }
    }

    @Test func wrongLengthsAreErrors() throws {
        let decoder = XCCHDecoder(), encoder = XCCHEncoder()
        let burst = [SoftBit](repeating: 1, count: 114)
        #expect(throws: GSMCodingError.wrongBurstCount(expected: 4, got: 3)) { try decoder.decode([burst, burst, burst]) }
        #expect(throws: GSMCodingError.wrongBurstCount(expected: 4, got: 0)) { try decoder.decode([]) }
        #expect(throws: GSMCodingError.wrongLength(expected: 114, got: 113)) {
            try decoder.decode([burst, burst, Array(burst.dropLast()), burst])
        }
        #expect(throws: GSMCodingError.wrongLength(expected: 114, got: 116)) {
            try decoder.decode([burst, burst, burst, burst + [1, 1]])
        }
        #expect(decoder.lastCorrectedBitCount == 0)
        #expect(throws: GSMCodingError.wrongLength(expected: 23, got: 22)) { try encoder.encode([UInt8](repeating: 0, count: 22)) }
        #expect(throws: GSMCodingError.wrongLength(expected: 23, got: 0)) { try encoder.encode([]) }
        #expect(throws: GSMCodingError.wrongLength(expected: 148, got: 147)) {
            try NormalBurst.dataBits(of: [UInt8](repeating: 0, count: 147))
        }
        // The decoder is still fine after errors.
        let l2 = [UInt8](repeating: 0x2B, count: 23)
        #expect(try decoder.decode(encoder.encode(l2).map(CodingTestBits.soft)) == l2)
    }

    @Test func errorsReadAsSentences() {
        #expect(GSMCodingError.wrongLength(expected: 114, got: 3).description
            == "The input has 3 elements where 114 were expected.")
        #expect(GSMCodingError.parityFailed.description.hasPrefix("The decoded block fails its parity check"))
    }

    private func randomBlock(_ rng: inout SeededGenerator) -> [UInt8] {
        (0..<23).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }
}
