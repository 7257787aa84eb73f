/// System Information Type 4 (TS 44.018 §9.1.36): location area, selection parameters, RACH control,
/// and the CBCH when the cell broadcasts cell broadcast messages.
public struct SystemInformationType4: Sendable, Equatable {
    public var locationArea: LocationAreaIdentification
    public var cellSelection: CellSelectionParameters
    public var rachControl: RACHControlParameters
    /// CBCH channel description (IEI 0x64), when the cell has a CBCH.
    public var cbchChannelDescription: ChannelDescription?
    /// CBCH mobile allocation (IEI 0x72), when the CBCH hops.
    public var cbchMobileAllocation: MobileAllocation?
    public var restOctets: SI4RestOctets

    static let message = "System Information Type 4"

    init(block: [UInt8], pseudoLength: L2PseudoLength) throws(RRDecodingError) {
        var c = OctetCursor(block: block, index: 3, message: Self.message)
        locationArea = LocationAreaIdentification(octets: try c.octets(5, "location area identification"))
        cellSelection = CellSelectionParameters(octets: try c.octets(2, "cell selection parameters"))
        rachControl = RACHControlParameters(octets: try c.octets(3, "RACH control parameters"))
        guard pseudoLength.endIndex >= c.index else {
            throw c.malformed("L2 pseudo length", "is \(pseudoLength.value), shorter than the mandatory part (\(c.index - 1) octets)")
        }
        // The optional IEs lie inside the pseudo length; what follows it is SI 4 rest octets.
        while c.index < pseudoLength.endIndex {
            let iei = try c.octet("optional IE")
            switch iei {
            case 0x64 where cbchChannelDescription == nil && cbchMobileAllocation == nil:
                cbchChannelDescription = try ChannelDescription(octets: c.octets(3, "CBCH channel description"), cursor: c, element: "CBCH channel description")
            case 0x72 where cbchMobileAllocation == nil:
                cbchMobileAllocation = try MobileAllocation(reading: &c, element: "CBCH mobile allocation")
            default:
                throw c.malformed("optional IE", "has an unexpected IEI 0x\(hex(iei)) at octet \(c.index)")
            }
        }
        guard c.index == pseudoLength.endIndex else {
            throw c.malformed("L2 pseudo length", "is \(pseudoLength.value) but the optional IEs end at octet \(c.index)")
        }
        _ = try c.octets(max(0, 23 - c.index), "SI 4 rest octets")
        var r = RestOctetsReader(block: block, fromOctet: pseudoLength.endIndex, message: Self.message, element: "SI 4 rest octets")
        restOctets = try SI4RestOctets(reading: &r)
    }
}

/// SI 4 rest octets (TS 44.018 §10.5.2.35).
public struct SI4RestOctets: Sendable, Equatable {
    public var selectionParameters: SelectionParameters?
    public var powerOffset: Int?
    public var gprsIndicator: GPRSIndicator?
    /// The SI 4 Rest Octets_S part (LSA, cell identity, CBQ3) is present (H); when L, the break indicator follows.
    public var restOctetsS: Bool
    /// Break indicator: additional parameters are sent in SI7 and SI8 (only when `restOctetsS` is false).
    public var breakIndicator: Bool
    /// LSA parameters: PRIO_THR and LSA_OFFSET, when sent (in Rest Octets_S).
    public var lsaPriorityThreshold: Int?
    public var lsaOffset: Int?
    /// Cell identity sent in Rest Octets_S.
    public var cellIdentity: Int?
    /// LSA ID information is present (not decoded further).
    public var lsaIDInformation: Bool
    public var cbq3: Int?
    public var si13altPosition: Int?

    init(reading r: inout RestOctetsReader) throws(RRDecodingError) {
        selectionParameters = try SelectionParameters.read(&r)
        powerOffset = r.isH() ? try r.bits(2, "Power Offset") : nil
        gprsIndicator = try GPRSIndicator.read(&r)
        restOctetsS = r.isH()
        breakIndicator = false
        lsaIDInformation = false
        if !restOctetsS {
            breakIndicator = r.isH()
            return
        }
        if r.isH() {
            lsaPriorityThreshold = try r.bits(3, "PRIO_THR")
            lsaOffset = try r.bits(3, "LSA_OFFSET")
            if try r.bit("MCC and MNC") { try r.skip(24, "LSA MCC and MNC") }
        }
        if r.isH() { cellIdentity = try r.bits(16, "Cell Identity") }
        if r.isH() {
            lsaIDInformation = true
            repeat {
                // <LSA identity> ::= 0 <LSA_ID : bit (24)> | 1 <ShortLSA_ID : bit (10)>
                try r.skip(try r.bit("LSA identity") ? 10 : 24, "LSA ID")
            } while try r.bit("LSA ID information")
        }
        if r.isH() {
            cbq3 = try r.bits(2, "CBQ3")
            if try r.bit("SI13alt Position") { si13altPosition = try r.bits(1, "SI13alt Position") }
        }
    }
}
