/// Paging Request Type 1 (TS 44.018 §9.1.22): one or two mobile identities of any type.
public struct PagingRequestType1: Sendable, Equatable {
    public var pageMode: PageMode
    /// Channel needed for the first and the second identity.
    public var channelNeeded: [ChannelNeeded]
    public var identities: MobileIdentityCounts
    public var restOctets: PagingRestOctets

    static let message = "Paging Request Type 1"

    init(block: [UInt8], pseudoLength: L2PseudoLength) throws(RRDecodingError) {
        var c = OctetCursor(block: block, index: 3, message: Self.message)
        let modes = try c.octet("page mode and channel needed")
        pageMode = PageMode(octet: modes)
        channelNeeded = Self.channels(modes)
        identities = MobileIdentityCounts()
        try Self.readIdentity(&c, into: &identities, element: "mobile identity 1")
        try Self.checkWithin(pseudoLength, c)
        // Mobile identity 2 (IEI 0x17) is there when the pseudo length says so.
        if c.index < pseudoLength.endIndex {
            let iei = try c.octet("mobile identity 2")
            guard iei == 0x17 else { throw c.malformed("mobile identity 2", "has IEI 0x\(hex(iei)), not 0x17") }
            try Self.readIdentity(&c, into: &identities, element: "mobile identity 2")
            try Self.checkWithin(pseudoLength, c)
        }
        guard c.index == pseudoLength.endIndex else {
            throw c.malformed("L2 pseudo length", "is \(pseudoLength.value) but the identities end at octet \(c.index)")
        }
        restOctets = try PagingRestOctets(block: block, from: c, kind: .p1)
    }

    /// Octet 4: channel needed for identity 1 in bits 6–5, for identity 2 in bits 8–7.
    static func channels(_ octet: UInt8) -> [ChannelNeeded] {
        [ChannelNeeded(rawValue: Int(octet >> 4 & 3))!, ChannelNeeded(rawValue: Int(octet >> 6 & 3))!]
    }

    /// One LV Mobile Identity (TS 24.008 §10.5.1.4), counted and not kept.
    static func readIdentity(_ c: inout OctetCursor, into counts: inout MobileIdentityCounts, element: String) throws(RRDecodingError) {
        let length = Int(try c.octet(element))
        let contents = try c.octets(length, element)
        try counts.count(contents: contents, cursor: c, element: element)
    }

    static func checkWithin(_ pseudoLength: L2PseudoLength, _ c: OctetCursor) throws(RRDecodingError) {
        guard c.index <= pseudoLength.endIndex else {
            throw c.malformed("L2 pseudo length", "is \(pseudoLength.value) but the message runs to octet \(c.index)")
        }
    }
}

/// Paging Request Type 2 (TS 44.018 §9.1.23): two TMSIs and an optional third identity.
public struct PagingRequestType2: Sendable, Equatable {
    public var pageMode: PageMode
    /// Channel needed for identities 1 and 2 (identity 3's is CN3 in the rest octets).
    public var channelNeeded: [ChannelNeeded]
    public var identities: MobileIdentityCounts
    public var restOctets: PagingRestOctets

    static let message = "Paging Request Type 2"

    init(block: [UInt8], pseudoLength: L2PseudoLength) throws(RRDecodingError) {
        var c = OctetCursor(block: block, index: 3, message: Self.message)
        let modes = try c.octet("page mode and channel needed")
        pageMode = PageMode(octet: modes)
        channelNeeded = PagingRequestType1.channels(modes)
        _ = try c.octets(4, "mobile identity 1 (TMSI)")
        _ = try c.octets(4, "mobile identity 2 (TMSI)")
        identities = MobileIdentityCounts(tmsi: 2)
        try PagingRequestType1.checkWithin(pseudoLength, c)
        if c.index < pseudoLength.endIndex {
            let iei = try c.octet("mobile identity 3")
            guard iei == 0x17 else { throw c.malformed("mobile identity 3", "has IEI 0x\(hex(iei)), not 0x17") }
            try PagingRequestType1.readIdentity(&c, into: &identities, element: "mobile identity 3")
            try PagingRequestType1.checkWithin(pseudoLength, c)
        }
        guard c.index == pseudoLength.endIndex else {
            throw c.malformed("L2 pseudo length", "is \(pseudoLength.value) but the identities end at octet \(c.index)")
        }
        restOctets = try PagingRestOctets(block: block, from: c, kind: .p2)
    }
}

/// Paging Request Type 3 (TS 44.018 §9.1.24): four TMSIs.
public struct PagingRequestType3: Sendable, Equatable {
    public var pageMode: PageMode
    public var channelNeeded: [ChannelNeeded]
    public var identities: MobileIdentityCounts
    public var restOctets: PagingRestOctets

    static let message = "Paging Request Type 3"

    init(block: [UInt8], pseudoLength: L2PseudoLength) throws(RRDecodingError) {
        var c = OctetCursor(block: block, index: 3, message: Self.message)
        let modes = try c.octet("page mode and channel needed")
        pageMode = PageMode(octet: modes)
        channelNeeded = PagingRequestType1.channels(modes)
        for i in 1...4 { _ = try c.octets(4, "mobile identity \(i) (TMSI)") }
        identities = MobileIdentityCounts(tmsi: 4)
        guard c.index == pseudoLength.endIndex else {
            throw c.malformed("L2 pseudo length", "is \(pseudoLength.value), not the 19 octets of the message")
        }
        restOctets = try PagingRestOctets(block: block, from: c, kind: .p3)
    }
}

/// The first fields of P1, P2 and P3 rest octets (TS 44.018 §10.5.2.23–25): channel needed for
/// identities 3 and 4, the notification list number, call priorities and packet paging indications.
/// Later additions (group calls, MBMS, ETWS) are not decoded; `furtherContent` says they are present.
public struct PagingRestOctets: Sendable, Equatable {
    enum Kind { case p1, p2, p3 }

    /// CN3 (P2, P3) and CN4 (P3).
    public var channelNeeded3: ChannelNeeded?
    public var channelNeeded4: ChannelNeeded?
    /// NLN(PCH) and NLN status, when sent.
    public var nln: Int?
    public var nlnStatus: Int?
    /// Call priority (eMLPP) of each identity, nil where not sent.
    public var priorities: [Int?]
    /// P1: group call information follows (not decoded).
    public var groupCallInformation: Bool
    /// Packet paging indication per identity (P1: 1 and 2; P2: 3): the page is for a packet access.
    public var packetPageIndications: [Bool]
    /// Bits after the decoded fields are not all spare padding.
    public var furtherContent: Bool

    init(block: [UInt8], from cursor: OctetCursor, kind: Kind) throws(RRDecodingError) {
        let name = switch kind {
        case .p1: "P1 rest octets"
        case .p2: "P2 rest octets"
        case .p3: "P3 rest octets"
        }
        var c = cursor
        _ = try c.octets(max(0, 23 - c.index), name)
        var r = RestOctetsReader(block: block, fromOctet: cursor.index, message: cursor.message, element: name)
        if kind == .p2, r.isH() { channelNeeded3 = ChannelNeeded(rawValue: try r.bits(2, "CN3"))! }
        if kind == .p3, r.isH() {
            channelNeeded3 = ChannelNeeded(rawValue: try r.bits(2, "CN3"))!
            channelNeeded4 = ChannelNeeded(rawValue: try r.bits(2, "CN4"))!
        }
        if r.isH() {
            nln = try r.bits(2, "NLN(PCH)")
            nlnStatus = try r.bits(1, "NLN status(PCH)")
        }
        let identities = kind == .p1 ? 2 : kind == .p2 ? 3 : 4
        priorities = []
        for i in 1...identities { priorities.append(r.isH() ? try r.bits(3, "Priority\(i)") : nil) }
        groupCallInformation = false
        packetPageIndications = []
        switch kind {
        case .p1:
            groupCallInformation = r.isH()
            if !groupCallInformation { packetPageIndications = [r.isH(), r.isH()] }
        case .p2:
            packetPageIndications = [r.isH()]
        case .p3:
            break
        }
        // What follows is release 6+ additions (or, after group call information, its contents).
        var more = false
        while r.bitsRemaining > 0 { if r.isH() { more = true } }
        furtherContent = more
    }
}
