import CellwatchModel
import GSM
import Testing
import TestSupport

/// Frequency list formats (TS 44.018 §10.5.2.13) through the Cell Channel Description of SI1.
@Suite struct ProtocolFrequencyListTests {
    typealias T = ProtocolTestSupport

    /// An SI1 block around 16 octets of cell channel description.
    static func si1(_ ccd: [UInt8]) -> [UInt8] {
        [0x55, 0x06, 0x19] + ccd + [0xB9, 0x00, 0x00, 0x2B]
    }

    static func cellAllocation(_ ccd: [UInt8]) throws -> FrequencyList {
        guard case .systemInformation1(let m) = try RRMessageDecoder.decode(l2Block: si1(ccd)) else {
            throw ProtocolTestFailure("not SI1")
        }
        return m.cellChannelDescription
    }

    /// TS 44.018 Annex J.6, the spec's own worked example: 16 frequencies in range 1024 format with
    /// their W(1)…W(16).
    @Test func annexJ6Example() throws {
        let w = [122, 2, 69, 204, 75, 66, 60, 70, 83, 3, 24, 67, 54, 64, 70, 9]
        let expected = [13, 71, 122, 191, 251, 321, 402, 476, 521, 575, 635, 701, 765, 831, 906, 981]
        var b = BitWriter()
        b.put(0b10, 2); b.put(0, 2); b.put(0, 1); b.put(0, 1)  // format 1024, F0 = 0
        let fitted = b.putWords(w, rangeBits: 10, totalBits: 128)
        #expect(fitted)
        let list = try Self.cellAllocation(b.octets(count: 16, padding: 0))
        #expect(list == FrequencyList(format: .range1024, arfcns: expected.map(ARFCN.init)))
        // And the encoder written from Annex J.4 gives back the spec's W values.
        #expect(Array(T.rangeEncode(expected.map { $0 - 1 }, originalRange: 1023)!.prefix(16)) == w)
    }

    /// Worked by hand: ORIG-ARFCN 725 and offsets 5, 8, 9 in range 512. The pivot of {4, 7, 8} (offsets
    /// − 1) is 7 (W(1) = 8); 4 is left, renumbered 4 − 7 − 255 − 1 mod 511 = 252 (W(2) = 253); 8 is
    /// right, renumbered 0 (W(3) = 1). Wireshark 4.0 decodes these 16 octets to 725 730 733 734 too.
    @Test func range512ByHand() throws {
        let ccd = T.octets("89 6a 82 3f 40 40 00 00 00 00 00 00 00 00 00 00")
        #expect(try Self.cellAllocation(ccd) == FrequencyList(format: .range512, arfcns: [725, 730, 733, 734].map(ARFCN.init)))
        #expect(T.frequencyListOctets([725, 730, 733, 734], format: .range512) == ccd)
    }

    /// Bit map 0: octet 2 bits 4–1 are ARFCN 124–121, the last octet's bit 1 is ARFCN 1.
    @Test func bitMap0Ends() throws {
        let ccd: [UInt8] = [0x09] + [UInt8](repeating: 0, count: 14) + [0x81]
        #expect(try Self.cellAllocation(ccd) == FrequencyList(format: .bitMap0, arfcns: [1, 8, 121, 124].map(ARFCN.init)))
    }

    /// F0 in range 1024 adds ARFCN 0; an all-zero W list is the set {0} or the empty set.
    @Test func range1024F0() throws {
        #expect(try Self.cellAllocation([0x84] + [UInt8](repeating: 0, count: 15)) == FrequencyList(format: .range1024, arfcns: [ARFCN(0)]))
        #expect(try Self.cellAllocation([0x80] + [UInt8](repeating: 0, count: 15)) == FrequencyList(format: .range1024, arfcns: []))
    }

    @Test func reservedFormatAndWordsAfterTheEndAreErrors() throws {
        // FORMAT-ID 01xxx is reserved.
        #expect(throws: RRDecodingError.self) { try Self.cellAllocation([0x40] + [UInt8](repeating: 0, count: 15)) }
        // Range 1024 with W(1) = 0 but W(2) = 1.
        var b = BitWriter()
        b.put(0b100000, 6); b.put(0, 10); b.put(1, 9)
        do {
            _ = try Self.cellAllocation(b.octets(count: 16, padding: 0))
            Issue.record("no error")
        } catch let e as RRDecodingError {
            #expect(e.description == "System Information Type 1: cell channel description has a 1024 range word after the list's terminating zero word")
        }
    }

    /// Random sets in every format: encoded with the Annex J.4 encoder, decoded back.
    @Test func randomSetsRoundTripInEveryFormat() throws {
        var rng = SeededGenerator(seed: 44018)
        for format in FrequencyListFormat.allCases {
            var done = 0
            for _ in 0..<300 {
                let set = Self.randomSet(format, using: &rng)
                guard let ccd = T.frequencyListOctets(set, format: format) else { continue }
                let list = try Self.cellAllocation(ccd)
                #expect(list.format == format)
                #expect(list.arfcns.map(\.value) == set.sorted(), "\(format) \(set.sorted())")
                done += 1
            }
            #expect(done == 300, "\(format): only \(done) sets fitted")
        }
    }

    /// A random set that fits `format` (sizes up to what its 16 octets hold), the origin first.
    static func randomSet(_ format: FrequencyListFormat, using rng: inout SeededGenerator) -> [Int] {
        switch format {
        case .bitMap0:
            return Array(Set((0..<Int.random(in: 0...30, using: &rng)).map { _ in Int.random(in: 1...124, using: &rng) }))
        case .range1024:
            return Array(Set((0..<Int.random(in: 0...16, using: &rng)).map { _ in Int.random(in: 0...1023, using: &rng) }))
        case .range512, .range256, .range128, .variableBitMap:
            let (span, most) = switch format {
            case .range512: (511, 17)
            case .range256: (255, 21)
            case .range128: (127, 28)
            default: (111, 40)
            }
            let origin = Int.random(in: 0...1023, using: &rng)
            let offsets = (0..<Int.random(in: 0...most, using: &rng)).map { _ in Int.random(in: 1...span, using: &rng) }
            return [origin] + Array(Set(offsets.map { (origin + $0) % 1024 }))
        }
    }
}

struct ProtocolTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
