/// The RR message types that this decoder reads or names (TS 44.018 §10.4, table 10.4.1).
public enum RRMessageType {
    public static let systemInformationType13: UInt8 = 0x00
    public static let systemInformationType2bis: UInt8 = 0x02
    public static let systemInformationType2ter: UInt8 = 0x03
    public static let systemInformationType2quater: UInt8 = 0x07
    public static let systemInformationType1: UInt8 = 0x19
    public static let systemInformationType2: UInt8 = 0x1A
    public static let systemInformationType3: UInt8 = 0x1B
    public static let systemInformationType4: UInt8 = 0x1C
    public static let pagingRequestType1: UInt8 = 0x21
    public static let pagingRequestType2: UInt8 = 0x22
    public static let pagingRequestType3: UInt8 = 0x24
    public static let immediateAssignmentExtended: UInt8 = 0x39
    public static let immediateAssignmentReject: UInt8 = 0x3A
    public static let immediateAssignment: UInt8 = 0x3F

    /// The name TS 44.018 gives a message type, for types this decoder only names.
    public static func name(of type: UInt8) -> String? {
        switch type {
        case 0x00: "System Information Type 13"
        case 0x01: "System Information Type 14"
        case 0x02: "System Information Type 2bis"
        case 0x03: "System Information Type 2ter"
        case 0x04: "System Information Type 9"
        case 0x05: "System Information Type 5bis"
        case 0x06: "System Information Type 5ter"
        case 0x07: "System Information Type 2quater"
        case 0x18: "System Information Type 8"
        case 0x19: "System Information Type 1"
        case 0x1A: "System Information Type 2"
        case 0x1B: "System Information Type 3"
        case 0x1C: "System Information Type 4"
        case 0x1D: "System Information Type 5"
        case 0x1E: "System Information Type 6"
        case 0x1F: "System Information Type 7"
        case 0x20: "Notification/NCH"
        case 0x21: "Paging Request Type 1"
        case 0x22: "Paging Request Type 2"
        case 0x24: "Paging Request Type 3"
        case 0x27: "Paging Response"
        case 0x39: "Immediate Assignment Extended"
        case 0x3A: "Immediate Assignment Reject"
        case 0x3D: "System Information Type 16"
        case 0x3E: "System Information Type 17"
        case 0x3F: "Immediate Assignment"
        case 0x40: "System Information Type 2n"
        case 0x41: "System Information Type 21"
        case 0x42: "System Information Type 15"
        case 0x43: "System Information Type 13alt"
        case 0x44: "System Information Type 22"
        case 0x45: "System Information Type 23"
        default: nil
        }
    }
}
