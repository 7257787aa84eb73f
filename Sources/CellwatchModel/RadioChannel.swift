/// The channel a cell transmits on: a GSM ARFCN or an LTE downlink EARFCN. Encoded in JSON as
/// `{"arfcn": 60}` or `{"earfcn": 1300}`.
public enum RadioChannel: Hashable, Sendable, Codable, CustomStringConvertible {
    case arfcn(ARFCN)
    case earfcn(EARFCN)

    public var rat: RAT {
        switch self {
        case .arfcn: .gsm
        case .earfcn: .lte
        }
    }

    /// "ARFCN 60", "EARFCN 1300".
    public var description: String {
        switch self {
        case .arfcn(let a): "ARFCN \(a.value)"
        case .earfcn(let e): "EARFCN \(e.value)"
        }
    }

    /// Downlink carrier frequency. A GSM ARFCN is looked up in E-GSM 900, DCS 1800, GSM 850, GSM 450/480
    /// in that order (DCS and PCS share ARFCNs 512–810; a PCS network needs `GSMBand.pcs1900` directly).
    public var downlinkFrequency: Hertz? {
        switch self {
        case .arfcn(let a):
            for band in [GSMBand.egsm900, .dcs1800, .gsm850, .gsm450, .gsm480] {
                if let f = band.downlink(a) { return f }
            }
            return nil
        case .earfcn(let e):
            return LTEBand.band(downlink: e)?.downlink(e)
        }
    }

    private enum CodingKeys: String, CodingKey { case arfcn, earfcn }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let a = try c.decodeIfPresent(ARFCN.self, forKey: .arfcn) { self = .arfcn(a); return }
        if let e = try c.decodeIfPresent(EARFCN.self, forKey: .earfcn) { self = .earfcn(e); return }
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                debugDescription: "a channel needs \"arfcn\" or \"earfcn\""))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .arfcn(let a): try c.encode(a, forKey: .arfcn)
        case .earfcn(let e): try c.encode(e, forKey: .earfcn)
        }
    }
}
