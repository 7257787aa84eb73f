/// The optional selection parameters of SI3 and SI4 rest octets (TS 44.018 §10.5.2.34, §10.5.2.35),
/// the C2 reselection parameters of TS 45.008 §6.4.
public struct SelectionParameters: Sendable, Equatable {
    /// CBQ, cell bar qualify (with CELL_BAR_ACCESS it gives the cell's priority, TS 45.008 table 1a).
    public var cbq: Int
    /// CELL_RESELECT_OFFSET coded 0–63, in steps of 2 dB.
    public var cellReselectOffset: Int
    /// TEMPORARY_OFFSET coded 0–7, in steps of 10 dB; 7 means infinity.
    public var temporaryOffset: Int
    /// PENALTY_TIME coded 0–31: 20 s × (code + 1); 31 means CELL_RESELECT_OFFSET is subtracted from
    /// C2 and TEMPORARY_OFFSET is ignored.
    public var penaltyTime: Int

    public init(cbq: Int, cellReselectOffset: Int, temporaryOffset: Int, penaltyTime: Int) {
        self.cbq = cbq
        self.cellReselectOffset = cellReselectOffset
        self.temporaryOffset = temporaryOffset
        self.penaltyTime = penaltyTime
    }

    public var cellReselectOffsetDB: Int { 2 * cellReselectOffset }
    /// nil for code 7 (infinity).
    public var temporaryOffsetDB: Int? { temporaryOffset == 7 ? nil : 10 * temporaryOffset }
    /// nil for code 31 (the special meaning above).
    public var penaltyTimeSeconds: Int? { penaltyTime == 31 ? nil : 20 * (penaltyTime + 1) }

    /// Reads `L | H <Selection Parameters>`.
    static func read(_ r: inout RestOctetsReader) throws(RRDecodingError) -> SelectionParameters? {
        guard r.isH() else { return nil }
        return SelectionParameters(
            cbq: try r.bits(1, "CBQ"),
            cellReselectOffset: try r.bits(6, "CELL_RESELECT_OFFSET"),
            temporaryOffset: try r.bits(3, "TEMPORARY_OFFSET"),
            penaltyTime: try r.bits(5, "PENALTY_TIME"))
    }
}

/// GPRS indicator of SI3 and SI4 rest octets: GPRS is supported, with its routing area colour and where
/// SI13 is sent.
public struct GPRSIndicator: Sendable, Equatable {
    /// RA COLOUR, 0–7.
    public var raColour: Int
    /// SI13 POSITION: 0 BCCH Norm, 1 BCCH Ext.
    public var si13Position: Int

    public init(raColour: Int, si13Position: Int) {
        self.raColour = raColour
        self.si13Position = si13Position
    }

    static func read(_ r: inout RestOctetsReader) throws(RRDecodingError) -> GPRSIndicator? {
        guard r.isH() else { return nil }
        return GPRSIndicator(raColour: try r.bits(3, "RA COLOUR"), si13Position: try r.bits(1, "SI13 POSITION"))
    }
}
