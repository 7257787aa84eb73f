import CellwatchModel

/// One emitter: a cell identity on one channel. A clone of a real cell on another channel is another
/// emitter; several sensors hearing the same one add to the same suspect.
public struct EmitterKey: Hashable, Sendable, Codable, CustomStringConvertible {
    public var cell: CellKey
    public var channel: RadioChannel

    public init(_ cell: CellKey, _ channel: RadioChannel) {
        self.cell = cell
        self.channel = channel
    }

    /// "GSM:460-0-9345-10001@ARFCN 60".
    public var description: String {
        "\(cell.rat.rawValue):\(cell.mcc)-\(cell.mnc)-\(cell.areaCode)-\(cell.cellId)@\(channel)"
    }
}
