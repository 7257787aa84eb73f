/// Immediate Assignment Extended (TS 44.018 §9.1.19): two dedicated channel assignments in one message.
public struct ImmediateAssignmentExtended: Sendable, Equatable {
    public var pageMode: PageMode
    /// Channel description, request reference and timing advance of mobile 1 and mobile 2.
    public var assignments: [Assignment]
    public var mobileAllocation: MobileAllocation
    public var startingTime: StartingTime?

    public struct Assignment: Sendable, Equatable {
        public var channel: ChannelDescription
        public var requestReference: RequestReference
        public var timingAdvance: Int
    }

    static let message = "Immediate Assignment Extended"

    init(block: [UInt8], pseudoLength: L2PseudoLength) throws(RRDecodingError) {
        var c = OctetCursor(block: block, index: 3, message: Self.message)
        pageMode = PageMode(octet: try c.octet("page mode"))
        assignments = []
        for i in 1...2 {
            let description = try c.octets(3, "channel description \(i)")
            let channel = try ChannelDescription(octets: description, cursor: c, element: "channel description \(i)")
            let reference = RequestReference(octets: try c.octets(3, "request reference \(i)"))
            let ta = Int(try c.octet("timing advance \(i)") & 0x3F)
            assignments.append(Assignment(channel: channel, requestReference: reference, timingAdvance: ta))
        }
        mobileAllocation = try MobileAllocation(reading: &c, element: "mobile allocation")
        startingTime = try ImmediateAssignment.optionalStartingTime(&c, pseudoLength: pseudoLength)
        // IAX rest octets (§10.5.2.18) carry only a compressed inter-RAT handover indication: not kept.
        _ = try c.octets(max(0, 23 - c.index), "IAX rest octets")
    }
}

/// Immediate Assignment Reject (TS 44.018 §9.1.20): up to four channel requests turned down, each with
/// how long the mobile must wait (T3122, or T3142 for a packet request).
public struct ImmediateAssignmentReject: Sendable, Equatable {
    public var pageMode: PageMode
    public var rejections: [Rejection]

    public struct Rejection: Sendable, Equatable {
        public var requestReference: RequestReference
        /// Wait indication (§10.5.2.43) in seconds.
        public var waitIndication: Int
    }

    static let message = "Immediate Assignment Reject"

    init(block: [UInt8], pseudoLength: L2PseudoLength) throws(RRDecodingError) {
        var c = OctetCursor(block: block, index: 3, message: Self.message)
        pageMode = PageMode(octet: try c.octet("page mode"))
        rejections = []
        for i in 1...4 {
            let reference = RequestReference(octets: try c.octets(3, "request reference \(i)"))
            let wait = Int(try c.octet("wait indication \(i)"))
            rejections.append(Rejection(requestReference: reference, waitIndication: wait))
        }
        guard pseudoLength.endIndex == c.index else {
            throw c.malformed("L2 pseudo length", "is \(pseudoLength.value), not the 19 octets of the message")
        }
        // IAR rest octets (§10.5.2.17): extended RA values, not kept.
        _ = try c.octets(max(0, 23 - c.index), "IAR rest octets")
    }
}
