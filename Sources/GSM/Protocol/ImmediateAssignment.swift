/// Immediate Assignment (TS 44.018 §9.1.18): the answer on AGCH to a channel request, giving the
/// mobile a dedicated channel or a packet uplink/downlink TBF.
public struct ImmediateAssignment: Sendable, Equatable {
    public var pageMode: PageMode
    public var dedicatedModeOrTBF: DedicatedModeOrTBF
    /// The assigned channel: a channel description (§10.5.2.5) for dedicated mode, a packet channel
    /// description (§10.5.2.25a) for a TBF.
    public var channel: AssignedChannel
    public var requestReference: RequestReference
    /// Timing advance (§10.5.2.40), 0–63 bit periods.
    public var timingAdvance: Int
    public var mobileAllocation: MobileAllocation
    public var startingTime: StartingTime?
    public var restOctets: IARestOctets

    public enum AssignedChannel: Sendable, Equatable {
        case dedicated(ChannelDescription)
        case packet(PacketChannelDescription)
    }

    static let message = "Immediate Assignment"

    init(block: [UInt8], pseudoLength: L2PseudoLength) throws(RRDecodingError) {
        var c = OctetCursor(block: block, index: 3, message: Self.message)
        let modes = try c.octet("page mode and dedicated mode or TBF")
        pageMode = PageMode(octet: modes)
        dedicatedModeOrTBF = DedicatedModeOrTBF(code: Int(modes >> 4 & 7))
        let description = try c.octets(3, "channel description")
        if dedicatedModeOrTBF.tbf {
            channel = .packet(PacketChannelDescription(octets: description))
        } else {
            channel = .dedicated(try ChannelDescription(octets: description, cursor: c, element: "channel description"))
        }
        requestReference = RequestReference(octets: try c.octets(3, "request reference"))
        timingAdvance = Int(try c.octet("timing advance") & 0x3F)
        mobileAllocation = try MobileAllocation(reading: &c, element: "mobile allocation")
        startingTime = try Self.optionalStartingTime(&c, pseudoLength: pseudoLength)
        restOctets = try IARestOctets(block: block, from: c, element: "IA rest octets")
    }

    /// Starting time (IEI 0x7C) lies inside the pseudo length when it is sent; the rest octets follow.
    static func optionalStartingTime(_ c: inout OctetCursor, pseudoLength: L2PseudoLength) throws(RRDecodingError) -> StartingTime? {
        guard c.index <= pseudoLength.endIndex else {
            throw c.malformed("L2 pseudo length", "is \(pseudoLength.value) but the mandatory part runs to octet \(c.index)")
        }
        guard c.index < pseudoLength.endIndex else { return nil }
        let iei = try c.octet("starting time")
        guard iei == 0x7C else { throw c.malformed("starting time", "has IEI 0x\(hex(iei)), not 0x7C") }
        let time = StartingTime(octets: try c.octets(2, "starting time"))
        guard c.index == pseudoLength.endIndex else {
            throw c.malformed("L2 pseudo length", "is \(pseudoLength.value) but the message ends at octet \(c.index)")
        }
        return time
    }
}

/// Dedicated mode or TBF (TS 44.018 §10.5.2.25b), the high half of the page mode octet.
public struct DedicatedModeOrTBF: Sendable, Equatable {
    /// The 3-bit value: bit 1 T/D, bit 2 downlink, bit 3 TMA (first of a two-message assignment).
    public var code: Int

    public init(code: Int) { self.code = code }

    /// A TBF (packet) rather than a dedicated mode resource is assigned.
    public var tbf: Bool { code & 1 == 1 }
    /// The TBF is a downlink TBF to the mobile named in the rest octets.
    public var downlink: Bool { code & 2 != 0 }
    /// First message of a two-message assignment.
    public var twoMessageAssignment: Bool { code & 4 != 0 }
}

/// What IA rest octets (TS 44.018 §10.5.2.16) hold, by their first two L/H bits. The contents (which
/// for a downlink TBF include the mobile's TLLI) are not kept.
public enum IARestOctets: String, Sendable, Equatable {
    /// LL: no packet assignment (dedicated mode; compressed inter-RAT handover info indication).
    case noPacketAssignment = "none"
    /// LH: EGPRS packet uplink assignment or multiple blocks packet downlink assignment.
    case egprsOrMultipleBlocks = "egprs_uplink_or_multiple_blocks"
    /// HL: frequency parameters before time.
    case frequencyParametersBeforeTime = "frequency_parameters_before_time"
    /// HH 00: packet uplink assignment.
    case packetUplinkAssignment = "packet_uplink"
    /// HH 01: packet downlink assignment.
    case packetDownlinkAssignment = "packet_downlink"
    /// HH 1: second part packet assignment.
    case secondPartPacketAssignment = "second_part_packet_assignment"

    init(block: [UInt8], from cursor: OctetCursor, element: String) throws(RRDecodingError) {
        var c = cursor
        _ = try c.octets(max(0, 23 - c.index), element)
        var r = RestOctetsReader(block: block, fromOctet: cursor.index, message: cursor.message, element: element)
        switch (r.isH(), r.isH()) {
        case (false, false): self = .noPacketAssignment
        case (false, true): self = .egprsOrMultipleBlocks
        case (true, false): self = .frequencyParametersBeforeTime
        case (true, true):
            if try r.bit("packet assignment") { self = .secondPartPacketAssignment }
            else { self = try r.bit("packet assignment") ? .packetDownlinkAssignment : .packetUplinkAssignment }
        }
    }
}
