/// The L2 pseudo length octet that opens every BCCH/CCCH block (TS 44.018 §10.5.2.19): bits 8–3 count
/// the octets of the message that follow it, rest octets excluded; bits 2–1 are binary 01.
public struct L2PseudoLength: Sendable, Equatable {
    /// Octets after this one that belong to the message proper (TS 44.018 §10.5.2.19).
    public let value: Int

    /// The largest value that fits in a 23-octet block after the pseudo length itself.
    public static let maximum = 22

    public init(octet: UInt8) throws(RRDecodingError) {
        guard octet & 0b11 == 0b01 else { throw .invalidPseudoLength(octet: octet) }
        let value = Int(octet >> 2)
        guard value <= Self.maximum else { throw .pseudoLengthTooLong(length: value) }
        self.value = value
    }

    /// 0-based index in the block of the first octet after the message proper (where rest octets start).
    var endIndex: Int { 1 + value }
}
