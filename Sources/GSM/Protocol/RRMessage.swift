/// A Radio Resource management message from a downlink BCCH or CCCH block (TS 44.018 §9.1).
public enum RRMessage: Sendable, Equatable {
    case systemInformation1(SystemInformationType1)
    case systemInformation2(SystemInformationType2)
    case systemInformation2bis(SystemInformationType2bis)
    case systemInformation2ter(SystemInformationType2ter)
    case systemInformation2quater(SystemInformationType2quater)
    case systemInformation3(SystemInformationType3)
    case systemInformation4(SystemInformationType4)
    case systemInformation13(SystemInformationType13)
    case pagingRequest1(PagingRequestType1)
    case pagingRequest2(PagingRequestType2)
    case pagingRequest3(PagingRequestType3)
    case immediateAssignment(ImmediateAssignment)
    case immediateAssignmentExtended(ImmediateAssignmentExtended)
    case immediateAssignmentReject(ImmediateAssignmentReject)
    /// A well-formed RR message of a type this decoder does not read (e.g. Notification/NCH).
    case other(messageType: UInt8)

    /// The message's name as TS 44.018 gives it, e.g. "System Information Type 3".
    public var name: String {
        switch self {
        case .systemInformation1: SystemInformationType1.message
        case .systemInformation2: SystemInformationType2.message
        case .systemInformation2bis: SystemInformationType2bis.message
        case .systemInformation2ter: SystemInformationType2ter.message
        case .systemInformation2quater: SystemInformationType2quater.message
        case .systemInformation3: SystemInformationType3.message
        case .systemInformation4: SystemInformationType4.message
        case .systemInformation13: SystemInformationType13.message
        case .pagingRequest1: PagingRequestType1.message
        case .pagingRequest2: PagingRequestType2.message
        case .pagingRequest3: PagingRequestType3.message
        case .immediateAssignment: ImmediateAssignment.message
        case .immediateAssignmentExtended: ImmediateAssignmentExtended.message
        case .immediateAssignmentReject: ImmediateAssignmentReject.message
        case .other(let type): RRMessageType.name(of: type) ?? "Unknown RR message type \(type)"
        }
    }

    /// The short tag of the message in JSON output ("SI3", "PR1", "IA", …; "other" for the rest).
    public var tag: String {
        switch self {
        case .systemInformation1: "SI1"
        case .systemInformation2: "SI2"
        case .systemInformation2bis: "SI2bis"
        case .systemInformation2ter: "SI2ter"
        case .systemInformation2quater: "SI2quater"
        case .systemInformation3: "SI3"
        case .systemInformation4: "SI4"
        case .systemInformation13: "SI13"
        case .pagingRequest1: "PR1"
        case .pagingRequest2: "PR2"
        case .pagingRequest3: "PR3"
        case .immediateAssignment: "IA"
        case .immediateAssignmentExtended: "IAX"
        case .immediateAssignmentReject: "IAR"
        case .other: "other"
        }
    }
}
