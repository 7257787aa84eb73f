import GSM

/// Bits and soft bits for the coding tests.
enum CodingTestBits {
    /// "0101…" → [0, 1, 0, 1, …].
    static func bits(_ string: String) -> [UInt8] {
        string.utf8.map { $0 == UInt8(ascii: "1") ? 1 : 0 }
    }

    /// Hard bits as soft bits of full confidence: 0 → −1, 1 → +1.
    static func soft(_ bits: [UInt8]) -> [SoftBit] {
        bits.map { $0 == 0 ? -1 : 1 }
    }

    /// "59061a…" → octets.
    static func octets(hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count - 1, by: 2).map {
            UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16)!
        }
    }

    static func hex(_ octets: [UInt8]) -> String {
        octets.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
