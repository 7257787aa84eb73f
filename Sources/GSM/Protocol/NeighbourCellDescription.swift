/// Neighbour cell description (TS 44.018 §10.5.2.22): the BCCH allocation (BA) of SI2 and SI2bis.
public struct NeighbourCellDescription: Sendable, Equatable {
    /// EXT-IND: this IE carries only part of the BA (the rest is in SI2bis).
    public var extInd: Bool
    /// BA-IND, 0 or 1, to tell BA lists apart.
    public var baInd: Int
    public var frequencies: FrequencyList

    init(octets: [UInt8], cursor: OctetCursor, element: String) throws(RRDecodingError) {
        extInd = octets[0] >> 5 & 1 == 1
        baInd = Int(octets[0] >> 4 & 1)
        frequencies = try FrequencyList.decode(octets, bit7IsFormat: true, cursor: cursor, element: element)
    }
}

/// Neighbour cell description 2 (TS 44.018 §10.5.2.22a): the extended BA of SI2ter.
public struct NeighbourCellDescription2: Sendable, Equatable {
    /// MULTIBAND_REPORTING, 0–3: how many cells of other bands to report (TS 45.008 §8.4.3).
    public var multibandReporting: Int
    public var baInd: Int
    public var frequencies: FrequencyList

    init(octets: [UInt8], cursor: OctetCursor, element: String) throws(RRDecodingError) {
        multibandReporting = Int(octets[0] >> 5 & 3)
        baInd = Int(octets[0] >> 4 & 1)
        frequencies = try FrequencyList.decode(octets, bit7IsFormat: false, cursor: cursor, element: element)
    }
}

extension FrequencyList {
    /// Decodes a frequency list and turns a coding problem into an error naming the element.
    static func decode(_ octets: [UInt8], bit7IsFormat: Bool, cursor: OctetCursor, element: String) throws(RRDecodingError) -> FrequencyList {
        do {
            return try FrequencyList(octets: octets, bit7IsFormat: bit7IsFormat)
        } catch {
            switch error {
            case .reservedFormat(let id):
                throw cursor.malformed(element, "uses the reserved frequency list format \(id) (TS 44.018 table 10.5.2.13.1)")
            case .wordsAfterEnd(let format):
                throw cursor.malformed(element, "has a \(format.rawValue) word after the list's terminating zero word")
            }
        }
    }
}
