import CellwatchModel

/// System Information Type 1 (TS 44.018 §9.1.31): the cell allocation, RACH control and SI1 rest octets.
public struct SystemInformationType1: Sendable, Equatable {
    /// Cell channel description (§10.5.2.1b): the ARFCNs the cell uses (its cell allocation).
    public var cellChannelDescription: FrequencyList
    public var rachControl: RACHControlParameters
    /// NCH position coded 0–31 (table 10.5.2.32.1), nil when the cell has no NCH.
    public var nchPosition: Int?
    /// BAND_INDICATOR (§10.5.2.32): whether ARFCNs 512–810 mean DCS 1800 or PCS 1900.
    public var bandIndicator: BandIndicator

    public enum BandIndicator: String, Sendable, Equatable {
        case dcs1800 = "DCS1800"
        case pcs1900 = "PCS1900"
    }

    static let message = "System Information Type 1"

    /// Octets 4–23 of the block (after pseudo length, PD and message type).
    init(block: [UInt8]) throws(RRDecodingError) {
        var c = OctetCursor(block: block, index: 3, message: Self.message)
        let ccd = try c.octets(16, "cell channel description")
        cellChannelDescription = try FrequencyList.decode(ccd, bit7IsFormat: true, cursor: c, element: "cell channel description")
        rachControl = RACHControlParameters(octets: try c.octets(3, "RACH control parameters"))
        // SI 1 rest octets (§10.5.2.32), octet 23.
        _ = try c.octets(1, "SI 1 rest octets")
        var r = RestOctetsReader(block: block, fromOctet: 22, message: Self.message, element: "SI 1 rest octets")
        nchPosition = r.isH() ? try r.bits(5, "NCH position") : nil
        bandIndicator = r.isH() ? .pcs1900 : .dcs1800
    }
}
