import Foundation
import Testing
@testable import CellwatchModel

@Suite("gzip bodies")
struct GzipTests {
    @Test func roundTrip() throws {
        let text = Data(String(repeating: "{\"type\":\"observation\"} ", count: 2000).utf8)
        let z = Gzip.compress(text)
        #expect(z.count < text.count / 10)
        #expect(z.prefix(2) == Data([0x1f, 0x8b]))
        #expect(try Gzip.decompress(z, limit: 1 << 20) == text)
        #expect(try Gzip.decompress(Gzip.compress(Data()), limit: 10) == Data())
    }

    @Test func hostileBodies() {
        let text = Data(repeating: 0x41, count: 1 << 20)
        let z = Gzip.compress(text)
        #expect(throws: Gzip.Failure.tooLarge(limit: 1000)) { try Gzip.decompress(z, limit: 1000) }
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(z.prefix(z.count / 2), limit: 1 << 21) }
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(Data("not gzip".utf8), limit: 100) }
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(Data(), limit: 100) }
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(z + Data([1, 2, 3]), limit: 1 << 21) }
    }

    @Test func garbageNeverCrashes() {
        var rng = SystemRandomNumberGenerator()
        let good = Gzip.compress(Data("hello hello hello hello".utf8))
        for _ in 0..<2000 {
            var d = good
            let i = Int.random(in: 0..<d.count, using: &rng)
            d[i] ^= UInt8.random(in: 1...255, using: &rng)
            _ = try? Gzip.decompress(d, limit: 1 << 16)
        }
    }
}
