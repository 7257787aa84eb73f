/// System Information Type 2bis (TS 44.018 §9.1.33): the part of the BA that did not fit in SI2.
public struct SystemInformationType2bis: Sendable, Equatable {
    /// Extended BCCH frequency list, a neighbour cell description (§10.5.2.22).
    public var extendedNeighbourCells: NeighbourCellDescription
    public var rachControl: RACHControlParameters

    static let message = "System Information Type 2bis"

    init(block: [UInt8]) throws(RRDecodingError) {
        var c = OctetCursor(block: block, index: 3, message: Self.message)
        let ncd = try c.octets(16, "extended BCCH frequency list")
        extendedNeighbourCells = try NeighbourCellDescription(octets: ncd, cursor: c, element: "extended BCCH frequency list")
        rachControl = RACHControlParameters(octets: try c.octets(3, "RACH control parameters"))
        // SI 2bis rest octets (§10.5.2.33) are spare padding only.
        _ = try c.octets(1, "SI 2bis rest octets")
    }
}
