/// One emitter: a cell identity on one channel. A clone of a real cell on another channel is another
/// emitter; several sensors hearing the same one add to the same suspect.
///
/// The key is derived from what the cell broadcasts (RAT, MCC/MNC, LAC/TAC, CI/ECI) and the channel it
/// was heard on, never chosen by a sensor: the detector keys its suspects with it and the collector
/// re-derives it to check every suspect and evidence id a sensor sends.
public struct EmitterKey: Hashable, Sendable, Codable, CustomStringConvertible {
    public var cell: CellKey
    public var channel: RadioChannel

    public init(_ cell: CellKey, _ channel: RadioChannel) {
        self.cell = cell
        self.channel = channel
    }

    /// The key of an emitter broadcasting `identity` on `channel`. When the MCC or MNC is not decimal
    /// (a garbled or deliberately odd broadcast) both become −1, so such a cell still has one stable
    /// key; an emitter without a decoded identity (area code and cell id −1, empty PLMN) is keyed by
    /// its channel alone.
    public init(rat: RAT, identity: CellIdentity, channel: RadioChannel) {
        let plmn = identity.mccValue.flatMap { mcc in identity.mncValue.map { (mcc, $0) } } ?? (-1, -1)
        self.init(CellKey(rat: rat, mcc: plmn.0, mnc: plmn.1, areaCode: identity.areaCode, cellId: identity.cellId), channel)
    }

    /// The key of the emitter an observation heard.
    public init(_ o: CellObservation) {
        self.init(rat: o.rat, identity: o.identity, channel: o.channel)
    }

    /// The key of the emitter a suspect is about (what its `id` must be).
    public init(_ s: Suspect) {
        self.init(rat: s.rat, identity: s.identity, channel: s.channel)
    }

    /// "GSM:460-0-9345-10001@ARFCN 60".
    public var description: String {
        "\(cell.rat.rawValue):\(cell.mcc)-\(cell.mnc)-\(cell.areaCode)-\(cell.cellId)@\(channel)"
    }
}
