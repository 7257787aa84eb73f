/// TDMA frame number, 0 ..< 2 715 648 (the hyperframe, 2048 × 51 × 26 frames; TS 45.002 §4.3.3).
public struct GSMFrameNumber: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let hyperframe: UInt32 = 2_715_648

    public let value: UInt32

    public init?(_ value: UInt32) {
        guard value < Self.hyperframe else { return nil }
        self.value = value
    }

    /// FN from the SCH's reduced frame number (TS 45.002 §3.3.2.2.1, TS 44.018 §10.5.2.38 T1/T2/T3'):
    /// T1 = FN div (26 × 51), T2 = FN mod 26, T3 = FN mod 51 and T3' = (T3 − 1) div 10.
    public init?(t1: Int, t2: Int, t3Prime: Int) {
        guard (0..<2048).contains(t1), (0..<26).contains(t2), (0..<5).contains(t3Prime) else { return nil }
        let t3 = 10 * t3Prime + 1
        // FN = 51 × ((T3 − T2) mod 26) + T3 + 51 × 26 × T1
        let fn = 51 * ((t3 - t2 + 26 * 2) % 26) + t3 + 51 * 26 * t1
        self.value = UInt32(fn)
    }

    public var t1: Int { Int(value) / (26 * 51) }
    public var t2: Int { Int(value) % 26 }
    public var t3: Int { Int(value) % 51 }
    /// (T3 − 1) div 10, meaningful in the SCH frames (T3 = 1, 11, 21, 31, 41).
    public var t3Prime: Int { (t3 - 1) / 10 }

    public func advanced(by frames: Int) -> GSMFrameNumber {
        let h = Int(Self.hyperframe)
        return GSMFrameNumber(UInt32(((Int(value) + frames) % h + h) % h))!
    }

    public static func < (a: GSMFrameNumber, b: GSMFrameNumber) -> Bool { a.value < b.value }
    public var description: String { String(value) }
}

/// Base station identity code: network colour code and base station colour code, 3 bits each
/// (TS 23.003 §4.3.2). The BCC is also the training sequence code of the BCCH carrier.
public struct BSIC: Hashable, Sendable, CustomStringConvertible {
    public let ncc: UInt8
    public let bcc: UInt8
    public init?(ncc: UInt8, bcc: UInt8) {
        guard ncc < 8, bcc < 8 else { return nil }
        self.ncc = ncc
        self.bcc = bcc
    }
    public init(value: UInt8) {
        ncc = (value >> 3) & 7
        bcc = value & 7
    }
    /// 6-bit value NCC·8 + BCC, as gr-gsm and most tools print "BSIC".
    public var value: UInt8 { ncc << 3 | bcc }
    public var description: String { "\(value) (NCC \(ncc), BCC \(bcc))" }
}

/// Soft bits throughout the GSM receiver: a `Float` per bit, positive for 1, negative for 0, magnitude
/// the confidence (a log-likelihood ratio up to scale). Hard bits from files map 0 → −1, 1 → +1.
public typealias SoftBit = Float
