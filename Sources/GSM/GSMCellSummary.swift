/// What one BCCH carrier says about itself, gathered from the blocks decoded on it: identity (from
/// SI3/SI4), the parameters fake-station rules look at, and traffic counts. Paging identities are
/// counted, never kept (privacy).
public struct GSMCellSummary: Sendable {
    public var bsic: BSIC?
    public var mcc: String?
    public var mnc: String?
    public var lac: Int?
    public var cellIdentity: Int?
    public var neighbours: [Int]?
    public var cellReselectOffset: Int?
    public var temporaryOffset: Int?
    public var penaltyTime: Int?
    /// BS_PA_MFRMS as coded (0–7 → 2–9 multiframes).
    public var bsPaMfrmsCode: Int?
    public var t3212: Int?
    public var ccchConf: Int?
    public var blocksDecoded = 0
    public var blocksFailed = 0
    /// SDCCH/4 and SACCH/4 blocks of a combined TS0: counted only.
    public var dedicatedBlocks = 0
    /// Decoded messages per tag ("SI3": 4, "PR1": 20, …).
    public var messageCounts: [String: Int] = [:]
    public var pagedIMSIs = 0
    public var pagedTMSIs = 0
    public var immediateAssignments = 0

    public init() {}

    /// Adds one block; `message` is nil when the block's L3 could not be decoded.
    public mutating func add(_ block: GSMBlock, message: RRMessage?) {
        guard block.l2 != nil else { blocksFailed += 1; return }
        blocksDecoded += 1
        if block.channel == .sdcch { dedicatedBlocks += 1; return }
        guard let message else { return }
        messageCounts[message.tag, default: 0] += 1
        switch message {
        case .systemInformation3(let si):
            mcc = si.locationArea.mcc
            mnc = si.locationArea.mnc
            lac = si.locationArea.lac
            cellIdentity = si.cellIdentity
            t3212 = si.controlChannel.t3212
            ccchConf = si.controlChannel.ccchConf
            bsPaMfrmsCode = si.controlChannel.bsPaMfrmsCode
            if let s = si.restOctets.selectionParameters {
                cellReselectOffset = s.cellReselectOffset
                temporaryOffset = s.temporaryOffset
                penaltyTime = s.penaltyTime
            }
        case .systemInformation4(let si):
            mcc = mcc ?? si.locationArea.mcc
            mnc = mnc ?? si.locationArea.mnc
            lac = lac ?? si.locationArea.lac
            cellIdentity = cellIdentity ?? si.restOctets.cellIdentity
        case .systemInformation2(let si):
            neighbours = si.neighbourCells.frequencies.arfcns.map(\.value)
        case .pagingRequest1(let p):
            pagedIMSIs += p.identities.imsi
            pagedTMSIs += p.identities.tmsi
        case .pagingRequest2(let p):
            pagedIMSIs += p.identities.imsi
            pagedTMSIs += p.identities.tmsi
        case .pagingRequest3(let p):
            pagedIMSIs += p.identities.imsi
            pagedTMSIs += p.identities.tmsi
        case .immediateAssignment, .immediateAssignmentExtended:
            immediateAssignments += 1
        default:
            break
        }
    }
}
