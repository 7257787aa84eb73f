/// System Information Type 3 (TS 44.018 §9.1.35): the cell's identity, location area, control channel
/// configuration, cell options, selection parameters and RACH control.
public struct SystemInformationType3: Sendable, Equatable {
    /// Cell identity (TS 24.008 §10.5.1.1), 0–65535.
    public var cellIdentity: Int
    public var locationArea: LocationAreaIdentification
    public var controlChannel: ControlChannelDescription
    public var cellOptions: CellOptionsBCCH
    public var cellSelection: CellSelectionParameters
    public var rachControl: RACHControlParameters
    public var restOctets: SI3RestOctets

    static let message = "System Information Type 3"

    init(block: [UInt8]) throws(RRDecodingError) {
        var c = OctetCursor(block: block, index: 3, message: Self.message)
        let ci = try c.octets(2, "cell identity")
        cellIdentity = Int(ci[0]) << 8 | Int(ci[1])
        locationArea = LocationAreaIdentification(octets: try c.octets(5, "location area identification"))
        controlChannel = ControlChannelDescription(octets: try c.octets(3, "control channel description"))
        cellOptions = CellOptionsBCCH(octet: try c.octet("cell options"))
        cellSelection = CellSelectionParameters(octets: try c.octets(2, "cell selection parameters"))
        rachControl = RACHControlParameters(octets: try c.octets(3, "RACH control parameters"))
        _ = try c.octets(4, "SI 3 rest octets")
        var r = RestOctetsReader(block: block, fromOctet: 19, message: Self.message, element: "SI 3 rest octets")
        restOctets = try SI3RestOctets(reading: &r)
    }
}

/// SI 3 rest octets (TS 44.018 §10.5.2.34).
public struct SI3RestOctets: Sendable, Equatable {
    public var selectionParameters: SelectionParameters?
    /// POWER_OFFSET coded 0–3 (2 dB steps, for DCS 1800 class 3 mobiles), nil when not sent.
    public var powerOffset: Int?
    /// SI2ter is available.
    public var si2terIndicator: Bool
    /// Early classmark sending is explicitly accepted in the cell.
    public var earlyClassmarkSending: Bool
    /// WHERE (scheduling if and where, §10.5.2.34 and TS 45.002): where SI messages are scheduled; nil
    /// when not sent.
    public var schedulingWhere: Int?
    public var gprsIndicator: GPRSIndicator?
    /// 3G early classmark sending restriction: H means UTRAN, CDMA2000 and GERAN Iu mode classmark
    /// changes may be sent early.
    public var threeGEarlyClassmarkSendingRestriction: Bool
    /// SI2quater POSITION: 0 BCCH Norm, 1 BCCH Ext; nil when the cell sends no SI2quater indicator.
    public var si2quaterPosition: Int?
    /// SI13alt POSITION (the Iu indicator), sent without a flag exactly when the GPRS indicator is
    /// absent (as Wireshark 4.0 reads it); nil otherwise.
    public var si13altPosition: Int?
    /// SI21 POSITION, nil when not sent.
    public var si21Position: Int?

    init(reading r: inout RestOctetsReader) throws(RRDecodingError) {
        selectionParameters = try SelectionParameters.read(&r)
        powerOffset = r.isH() ? try r.bits(2, "Power Offset") : nil
        si2terIndicator = r.isH()
        earlyClassmarkSending = r.isH()
        schedulingWhere = r.isH() ? try r.bits(3, "WHERE") : nil
        gprsIndicator = try GPRSIndicator.read(&r)
        threeGEarlyClassmarkSendingRestriction = r.isH()
        si2quaterPosition = r.isH() ? try r.bits(1, "SI2quater_POSITION") : nil
        si13altPosition = gprsIndicator == nil && r.bitsRemaining > 0 ? try r.bits(1, "SI13alt POSITION") : nil
        si21Position = r.isH() ? try r.bits(1, "SI21_POSITION") : nil
    }
}
