import GSM
import Testing
import TestSupport

/// Random, cut-off and bit-flipped blocks (a million in all, seeded): every one gives a message or a
/// typed error, never a crash, and a block cut short never passes as a message of a type the decoder reads.
@Suite struct ProtocolFuzzTests {
    static let decodedTypes: Set<UInt8> = [0x00, 0x02, 0x03, 0x07, 0x19, 0x1A, 0x1B, 0x1C, 0x21, 0x22, 0x24, 0x39, 0x3A, 0x3F]

    static func seeds() throws -> [[UInt8]] {
        var seeds = ProtocolMessageVectors.all.map(\.1)
        for file in ["gsm/vf_call6_arfcn725.grgsm_bcch_expected.txt", "gsm/ref_c0_clean.grgsm_bcch_expected.txt"] {
            seeds += (try ProtocolExpectedFile.blocks(file) ?? []).map(\.octets)
        }
        for hex in [ProtocolRealCellTests.si1, ProtocolRealCellTests.si2, ProtocolRealCellTests.si3, ProtocolRealCellTests.si4,
                    ProtocolRealCellTests.si13, ProtocolRealCellTests.si2ter, ProtocolRealCellTests.si2quater,
                    ProtocolRealCellTests.pagingTMSI] {
            seeds.append(ProtocolTestSupport.octets(hex))
        }
        return seeds
    }

    /// Decodes and checks the outcome is whole: a message renders its JSON, an error its sentence.
    @discardableResult
    static func check(_ block: [UInt8]) -> Result<RRMessage, RRDecodingError> {
        do {
            let m = try RRMessageDecoder.decode(l2Block: block)
            #expect(m.json.text.hasPrefix(#"{"message":""#))
            #expect(!m.name.isEmpty)
            return .success(m)
        } catch {
            #expect(!error.description.isEmpty)
            return .failure(error)
        }
    }

    @Test func bitFlippedBlocks() throws {
        var rng = SeededGenerator(seed: 0xF1)
        let seeds = try Self.seeds()
        var decoded = 0, errors = 0
        for _ in 0..<500_000 {
            var block = seeds.randomElement(using: &rng)!
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let bit = Int.random(in: 0..<block.count * 8, using: &rng)
                block[bit / 8] ^= 0x80 >> UInt8(bit % 8)
            }
            switch Self.check(block) {
            case .success: decoded += 1
            case .failure: errors += 1
            }
        }
        // Flips in rest octets and values mostly still decode; flips in headers and lengths mostly fail.
        #expect(decoded > 25_000 && errors > 25_000)
    }

    @Test func cutOffBlocksAreErrorsNotPartialMessages() throws {
        for seed in try Self.seeds() {
            for length in 0..<seed.count {
                let block = Array(seed.prefix(length))
                let result = Self.check(block)
                if length >= 3, Self.decodedTypes.contains(block[2]), case .success(let m) = result {
                    Issue.record("a \(length)-octet block decoded as \(m.name)")
                }
            }
        }
    }

    @Test func randomBlocks() throws {
        var rng = SeededGenerator(seed: 0xC0FFEE)
        var messages = 0
        for i in 0..<500_000 {
            var block = (0..<Int.random(in: 0...24, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            // Two thirds get a valid header, so the message decoders themselves see the garbage.
            if i % 3 != 0, block.count >= 3 {
                block[0] = UInt8.random(in: 0...22, using: &rng) << 2 | 1
                block[1] = 0x06
                block[2] = Self.decodedTypes.randomElement(using: &rng)!
            }
            if case .success = Self.check(block) { messages += 1 }
        }
        #expect(messages > 1_600)
    }
}
