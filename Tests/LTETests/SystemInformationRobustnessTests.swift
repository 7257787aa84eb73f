import Foundation
import LTE
import Testing
import TestSupport

/// Garbage, truncated and bit-flipped BCCH-DL-SCH messages: every one decodes or throws a typed
/// error; none crashes. The real messages are built in as literals so this runs without testdata.
@Suite struct SystemInformationRobustnessTests {
    static let real: [[UInt8]] = [
        // f2360 SIB1, f2585 SIB2+SIB3, f2585 SIB5 (shared/testdata/lte/sib).
        [0x70, 0x51, 0x80, 0x01, 0x11, 0x27, 0x14, 0x86, 0xC0, 0x18, 0x23, 0x59, 0xC2, 0x42, 0x04, 0x11, 0x27, 0xD9],
        [0x00, 0x80, 0x1C, 0x31, 0x18, 0x6F, 0xE1, 0x29, 0x28, 0x32, 0x88, 0x96, 0x63, 0x50, 0x00, 0x02, 0x02, 0x46, 0x02,
         0x77, 0x2C, 0xB5, 0x52, 0xCB, 0xC0, 0x01, 0x83, 0x25, 0x82, 0xFA, 0x46, 0xB6, 0x27, 0x80, 0xA0, 0x9D, 0x62, 0xB0,
         0x90, 0x00, 0x00],
        [0x00, 0x0C, 0x54, 0x4A, 0xE7, 0x11, 0xA9, 0x5A, 0x6B, 0xA2, 0x26, 0x54, 0x88, 0x2D, 0x5D, 0x54, 0x00, 0x00],
    ]

    @Test func realMessagesDecode() throws {
        #expect(try BCCHDLSCHMessage.decode(Self.real[0]).sib1?.trackingAreaCode == 0x1127)
        #expect(try BCCHDLSCHMessage.decode(Self.real[1]).blocks.count == 2)
        #expect(try BCCHDLSCHMessage.decode(Self.real[2]).blocks.count == 1)
    }

    @Test func everyTruncationIsATypedError() {
        for m in Self.real {
            for n in 0..<m.count {
                // A prefix may still decode when the cut falls in padding; otherwise it must say where it ran out.
                do { _ = try BCCHDLSCHMessage.decode(Array(m[0..<n])) } catch {
                    switch error {
                    case .truncated, .malformedOpenType, .invalidValue: break
                    default: Issue.record("prefix \(n) of \(m.count): unexpected \(error)")
                    }
                }
            }
        }
        #expect(throws: RRCDecodeError.self) { try BCCHDLSCHMessage.decode([]) }
        #expect(throws: RRCDecodeError.self) { try BCCHDLSCHMessage.decode(Array(Self.real[0][0..<9])) }
    }

    @Test func randomAndFlippedInputNeverCrash() {
        var rng = SeededGenerator(seed: 0x5EED_0009)
        var decoded = 0, failed = 0
        func run(_ b: [UInt8]) {
            do { _ = try BCCHDLSCHMessage.decode(b); decoded += 1 } catch {
                failed += 1
                #expect(!error.description.isEmpty)
            }
        }
        for _ in 0..<3000 {
            let n = Int.random(in: 0...64, using: &rng)
            run((0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) })
        }
        for m in Self.real {
            for _ in 0..<1000 {
                var b = m
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    let bit = Int.random(in: 0..<(8 * b.count), using: &rng)
                    b[bit / 8] ^= 0x80 >> UInt8(bit % 8)
                }
                run(b)
            }
        }
        // Both outcomes must occur, or the generator is not exercising the decoder.
        #expect(decoded > 0 && failed > 0)
    }

    @Test func errorsNameTheField() {
        do {
            _ = try BCCHDLSCHMessage.decode(Array(Self.real[0][0..<7]))
            Issue.record("a SIB1 cut inside the cell identity decoded")
        } catch {
            #expect(error == .truncated(field: "cellIdentity", at: 48, needed: 28, available: 56))
            #expect(error.description.contains("cellIdentity"))
        }
    }
}
