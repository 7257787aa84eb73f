/// System Information Type 2 (TS 44.018 §9.1.32): the BCCH allocation of neighbour cells, the NCCs
/// mobiles may report, and RACH control. It has no rest octets.
public struct SystemInformationType2: Sendable, Equatable {
    public var neighbourCells: NeighbourCellDescription
    /// NCC permitted (§10.5.2.27): the network colour codes whose cells mobiles measure and report.
    public var nccPermitted: [Int]
    public var rachControl: RACHControlParameters

    static let message = "System Information Type 2"

    init(block: [UInt8]) throws(RRDecodingError) {
        var c = OctetCursor(block: block, index: 3, message: Self.message)
        let ncd = try c.octets(16, "neighbour cell description")
        neighbourCells = try NeighbourCellDescription(octets: ncd, cursor: c, element: "neighbour cell description")
        let ncc = try c.octet("NCC permitted")
        nccPermitted = (0..<8).filter { ncc >> $0 & 1 == 1 }
        rachControl = RACHControlParameters(octets: try c.octets(3, "RACH control parameters"))
    }
}
