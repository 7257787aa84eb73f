/// Why an L2 block could not be decoded as a Radio Resource message (TS 44.018).
///
/// Octets are counted from 1 at the L2 pseudo length, as the message tables of TS 44.018 §9.1 count
/// them, so "cut off at octet 15" names the first octet that was missing.
public enum RRDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// More octets than one 23-octet L2 block (TS 44.006 §5.1, N201 for BCCH/CCCH).
    case blockTooLong(octets: Int)
    /// The block ends before `element` of `message` is complete.
    case truncated(message: String, element: String, octet: Int)
    /// The first octet does not end in binary 01, so it is no L2 pseudo length (TS 44.018 §10.5.2.19).
    case invalidPseudoLength(octet: UInt8)
    /// The L2 pseudo length counts more octets than a block can carry after it (at most 22).
    case pseudoLengthTooLong(length: Int)
    /// The protocol discriminator is not Radio Resource management, binary 0110 (TS 24.007 §11.2.3.1.1).
    case notRadioResource(protocolDiscriminator: UInt8)
    /// A skip indicator other than 0000: TS 24.007 §11.2.3.1.1 says such a message is ignored.
    case nonZeroSkipIndicator(UInt8)
    /// The octets are all there but break a rule of the message's syntax.
    case malformed(message: String, element: String, reason: String)

    public var description: String {
        switch self {
        case .blockTooLong(let n):
            "L2 block of \(n) octets: a BCCH/CCCH block has 23"
        case .truncated(let message, let element, let octet):
            "\(message): \(element) cut off at octet \(octet)"
        case .invalidPseudoLength(let octet):
            "L2 pseudo length octet 0x\(hex(octet)) does not end in binary 01"
        case .pseudoLengthTooLong(let length):
            "L2 pseudo length \(length) is longer than the 22 octets that follow it"
        case .notRadioResource(let pd):
            "protocol discriminator \(pd) is not Radio Resource management (6)"
        case .nonZeroSkipIndicator(let s):
            "skip indicator \(s) is not 0: the message is to be ignored"
        case .malformed(let message, let element, let reason):
            "\(message): \(element) \(reason)"
        }
    }
}

func hex(_ octet: UInt8) -> String {
    let s = String(octet, radix: 16)
    return s.count == 1 ? "0" + s : s
}
