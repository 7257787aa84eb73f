/// Location area identification (TS 24.008 §10.5.1.3, used by TS 44.018 §9.1.35 and §9.1.36): MCC and
/// MNC as the digit strings they are (leading zeros kept, a 2- or 3-digit MNC) and the LAC.
public struct LocationAreaIdentification: Sendable, Equatable {
    /// Three digits. A digit that is not decimal is written as the hex digit sent (A–F), so a
    /// malformed code stays visible rather than being guessed at.
    public var mcc: String
    /// Two digits, or three when the third MNC digit is not the filler 0xF.
    public var mnc: String
    public var lac: Int

    public init(mcc: String, mnc: String, lac: Int) {
        self.mcc = mcc
        self.mnc = mnc
        self.lac = lac
    }

    /// From the 5 octets of the value part.
    init(octets o: [UInt8]) {
        func d(_ nibble: UInt8) -> String { String(nibble, radix: 16, uppercase: true) }
        // Octet 2: MCC digit 2 | MCC digit 1; octet 3: MNC digit 3 | MCC digit 3; octet 4: MNC digit 2 | MNC digit 1.
        mcc = d(o[0] & 0xF) + d(o[0] >> 4) + d(o[1] & 0xF)
        let mnc3 = o[1] >> 4
        mnc = d(o[2] & 0xF) + d(o[2] >> 4) + (mnc3 == 0xF ? "" : d(mnc3))
        lac = Int(o[3]) << 8 | Int(o[4])
    }
}
