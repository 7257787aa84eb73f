/// Decodes one downlink BCCH/CCCH L2 block (23 octets: L2 pseudo length, RR header, message, rest
/// octets) into an `RRMessage` (TS 44.018 §9.1, §10).
///
/// Every block gives a message or a typed error. A block shorter than 23 octets is an error naming
/// the first element it cuts off; a message type this decoder does not read is `.other`, not an error.
public enum RRMessageDecoder {
    /// Octets in a BCCH/CCCH L2 block (TS 44.006 §5.1, N201 = 23 for these channels).
    public static let blockLength = 23

    public static func decode(l2Block block: [UInt8]) throws(RRDecodingError) -> RRMessage {
        guard block.count <= blockLength else { throw .blockTooLong(octets: block.count) }
        var c = OctetCursor(block: block, index: 0, message: "L2 block")
        let pseudoLength = try L2PseudoLength(octet: c.octet("L2 pseudo length"))
        // TS 24.007 §11.2.3.1: octet 2 holds the skip indicator (bits 8–5) and the protocol discriminator (bits 4–1).
        let header = try c.octet("protocol discriminator")
        guard header & 0xF == 0x6 else { throw .notRadioResource(protocolDiscriminator: header & 0xF) }
        guard header >> 4 == 0 else { throw .nonZeroSkipIndicator(header >> 4) }
        // TS 44.018 §10.4: bit 8 of the RR message type is 0 (reserved for extension).
        let type = try c.octet("message type")
        switch type {
        case RRMessageType.systemInformationType1: return .systemInformation1(try SystemInformationType1(block: block))
        case RRMessageType.systemInformationType2: return .systemInformation2(try SystemInformationType2(block: block))
        case RRMessageType.systemInformationType2bis: return .systemInformation2bis(try SystemInformationType2bis(block: block))
        case RRMessageType.systemInformationType2ter: return .systemInformation2ter(try SystemInformationType2ter(block: block))
        case RRMessageType.systemInformationType2quater: return .systemInformation2quater(try SystemInformationType2quater(block: block))
        case RRMessageType.systemInformationType3: return .systemInformation3(try SystemInformationType3(block: block))
        case RRMessageType.systemInformationType4:
            return .systemInformation4(try SystemInformationType4(block: block, pseudoLength: pseudoLength))
        case RRMessageType.systemInformationType13: return .systemInformation13(try SystemInformationType13(block: block))
        case RRMessageType.pagingRequestType1:
            return .pagingRequest1(try PagingRequestType1(block: block, pseudoLength: pseudoLength))
        case RRMessageType.pagingRequestType2:
            return .pagingRequest2(try PagingRequestType2(block: block, pseudoLength: pseudoLength))
        case RRMessageType.pagingRequestType3:
            return .pagingRequest3(try PagingRequestType3(block: block, pseudoLength: pseudoLength))
        case RRMessageType.immediateAssignment:
            return .immediateAssignment(try ImmediateAssignment(block: block, pseudoLength: pseudoLength))
        case RRMessageType.immediateAssignmentExtended:
            return .immediateAssignmentExtended(try ImmediateAssignmentExtended(block: block, pseudoLength: pseudoLength))
        case RRMessageType.immediateAssignmentReject:
            return .immediateAssignmentReject(try ImmediateAssignmentReject(block: block, pseudoLength: pseudoLength))
        default:
            return .other(messageType: type)
        }
    }
}
