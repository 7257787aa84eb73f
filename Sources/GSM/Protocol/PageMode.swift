/// Page mode (TS 44.018 §10.5.2.26), the low half of the octet after the message type in paging
/// and immediate assignment messages.
public enum PageMode: Int, Sendable, Equatable {
    case normalPaging = 0
    case extendedPaging = 1
    case pagingReorganization = 2
    case sameAsBefore = 3

    init(octet: UInt8) { self = PageMode(rawValue: Int(octet & 3))! }

    public var name: String {
        switch self {
        case .normalPaging: "normal"
        case .extendedPaging: "extended"
        case .pagingReorganization: "reorganization"
        case .sameAsBefore: "same as before"
        }
    }
}

/// Channel needed (TS 44.018 §10.5.2.8): the kind of channel the paged mobile will be given.
public enum ChannelNeeded: Int, Sendable, Equatable {
    case any = 0
    case sdcch = 1
    case tchF = 2
    case tchHOrF = 3

    public var name: String {
        switch self {
        case .any: "any"
        case .sdcch: "SDCCH"
        case .tchF: "TCH/F"
        case .tchHOrF: "TCH/H or TCH/F"
        }
    }
}
