/// Request reference (TS 44.018 §10.5.2.30): the random access reference and the frame in which the
/// mobile sent its channel request, by which the mobile recognises the answer.
public struct RequestReference: Sendable, Equatable {
    /// RA, the 8-bit random access information the mobile sent (TS 44.018 §9.1.8).
    public var ra: Int
    /// T1' = T1 mod 32, T3 and T2 of the channel request's frame (§10.5.2.38).
    public var t1Prime: Int
    public var t3: Int
    public var t2: Int

    /// The frame number modulo 42432 (= 32 × 26 × 51) that T1', T3 and T2 give:
    /// 51 × ((T3 − T2) mod 26) + T3 + 51 × 26 × T1' (TS 44.018 §10.5.2.38).
    public var frameNumberModulo42432: Int {
        51 * (((t3 - t2) % 26 + 26) % 26) + t3 + 51 * 26 * t1Prime
    }

    init(octets o: [UInt8]) {
        ra = Int(o[0])
        t1Prime = Int(o[1] >> 3)
        t3 = Int(o[1] & 7) << 3 | Int(o[2] >> 5)
        t2 = Int(o[2] & 0x1F)
    }
}

/// Starting time (TS 44.018 §10.5.2.38), as T1', T3 and T2.
public struct StartingTime: Sendable, Equatable {
    public var t1Prime: Int
    public var t3: Int
    public var t2: Int

    init(octets o: [UInt8]) {
        t1Prime = Int(o[0] >> 3)
        t3 = Int(o[0] & 7) << 3 | Int(o[1] >> 5)
        t2 = Int(o[1] & 0x1F)
    }
}
