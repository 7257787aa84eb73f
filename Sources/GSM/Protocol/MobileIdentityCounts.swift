/// How many mobile identities of each type a paging message carries (TS 24.008 §10.5.1.4).
///
/// Privacy: decoding counts identities and never keeps an identity's digits or a TMSI's value. A
/// sensor reports that subscribers were paged, not who.
public struct MobileIdentityCounts: Sendable, Equatable {
    public var imsi = 0
    public var tmsi = 0
    /// IMEI and IMEISV.
    public var imei = 0
    /// Type "no identity" (a paging request sent only to fill the block).
    public var none = 0
    /// TMGI and reserved types.
    public var other = 0

    public init(imsi: Int = 0, tmsi: Int = 0, imei: Int = 0, none: Int = 0, other: Int = 0) {
        self.imsi = imsi
        self.tmsi = tmsi
        self.imei = imei
        self.none = none
        self.other = other
    }

    /// Identities that name a subscriber or a device.
    public var total: Int { imsi + tmsi + imei + other }

    /// Counts one Mobile Identity value part (`contents` is octets 3… of the IE) by its type, octet 3
    /// bits 3–1, after checking that its length fits the type.
    mutating func count(contents: [UInt8], cursor: OctetCursor, element: String) throws(RRDecodingError) {
        guard let first = contents.first else { throw cursor.malformed(element, "has length 0") }
        switch first & 7 {
        case 0: none += 1
        case 1:
            guard contents.count <= 8 else { throw cursor.malformed(element, "is an IMSI of \(contents.count) octets, more than 8") }
            imsi += 1
        case 2, 3:
            guard contents.count <= 9 else { throw cursor.malformed(element, "is an IMEI of \(contents.count) octets, more than 9") }
            imei += 1
        case 4:
            guard contents.count == 5 else { throw cursor.malformed(element, "is a TMSI of \(contents.count) octets, not 5") }
            tmsi += 1
        default: other += 1
        }
    }
}
