import CellwatchModel
import GSM

/// One dedicated-channel assignment of an Immediate Assignment (Extended): an SDCCH/8 sub-channel on
/// a timeslot of the cell's own carrier, answering the channel request sent in `requestFrame`.
public struct GSMChannelAssignment: Sendable, Hashable {
    /// SDCCH/8 sub-channel, 0–7.
    public var subchannel: Int
    /// Timeslot, 0–7.
    public var timeslot: Int
    /// Training sequence code, 0–7.
    public var tsc: Int
    public var arfcn: ARFCN
    /// RA, the random access reference of the channel request (TS 44.018 §9.1.8), 0–255.
    public var randomAccessReference: Int
    /// Frame in which the mobile sent the channel request (coded as T1', T3, T2; §10.5.2.38).
    public var requestFrame: GSMFrameNumber
    /// Timing advance, 0–63.
    public var timingAdvance: Int

    public init(subchannel: Int, timeslot: Int, tsc: Int, arfcn: ARFCN, randomAccessReference: Int,
                requestFrame: GSMFrameNumber, timingAdvance: Int) {
        self.subchannel = subchannel
        self.timeslot = timeslot
        self.tsc = tsc
        self.arfcn = arfcn
        self.randomAccessReference = randomAccessReference
        self.requestFrame = requestFrame
        self.timingAdvance = timingAdvance
    }
}

/// Encoders of the downlink BCCH/CCCH RR messages (TS 44.018 §9.1) into 23-octet L2 blocks: L2
/// pseudo length (§10.5.2.19), protocol discriminator and message type, the information elements
/// (§10.5.2), and rest octets in CSN.1 over the spare padding 0x2B (§10.5.2.15, §8.9).
///
/// Every message the receiver parses has an encoder; `GSMCarrierWaveform` sends them.
public enum GSMRRMessageEncoder {
    public static let blockLength = 23

    // MARK: System information

    /// SI1 (§9.1.31): cell channel description (the cell allocation: the carrier's own ARFCN), RACH
    /// control, SI1 rest octets (no NCH, band indicator DCS 1800 unless the carrier is PCS 1900).
    public static func systemInformation1(_ p: GSMCellParameters) -> [UInt8] {
        var b = Block(pseudoLength: 21, type: RRMessageType.systemInformationType1)
        b.frequencyList([p.arfcn], at: 3, neighbourDescription2: false, headerBits: 0)
        b.rachControl(p, at: 19)
        var w = b.restOctets(from: 22)
        w.low()  // no NCH position
        if GSMBand.pcs1900.contains(p.arfcn) && !GSMBand.dcs1800.contains(p.arfcn) { w.high() } else { w.low() }
        return b.octets
    }

    /// SI2 (§9.1.32): neighbour cell description (the BA list; EXT-IND when SI2bis carries more),
    /// NCC permitted (all), RACH control.
    public static func systemInformation2(_ p: GSMCellParameters) -> [UInt8] {
        var b = Block(pseudoLength: 22, type: RRMessageType.systemInformationType2)
        let ext: UInt8 = p.extendedNeighbourARFCNs.isEmpty ? 0 : 1
        b.frequencyList(p.neighbourARFCNs, at: 3, neighbourDescription2: false, headerBits: ext << 5)
        b.octets[19] = 0xFF
        b.rachControl(p, at: 20)
        return b.octets
    }

    /// SI2bis (§9.1.33): the extension of the BA list (EXT-IND set), RACH control, spare rest octet.
    public static func systemInformation2bis(_ p: GSMCellParameters) -> [UInt8] {
        var b = Block(pseudoLength: 21, type: RRMessageType.systemInformationType2bis)
        b.frequencyList(p.extendedNeighbourARFCNs, at: 3, neighbourDescription2: false, headerBits: 1 << 5)
        b.rachControl(p, at: 19)
        return b.octets
    }

    /// SI2ter (§9.1.34): multiband neighbours (neighbour cell description 2, MULTIBAND_REPORTING 0),
    /// empty rest octets (no UTRAN description).
    public static func systemInformation2ter(_ p: GSMCellParameters) -> [UInt8] {
        var b = Block(pseudoLength: 0, type: RRMessageType.systemInformationType2ter)
        b.frequencyList(p.multibandNeighbourARFCNs, at: 3, neighbourDescription2: true, headerBits: 0)
        return b.octets
    }

    /// A minimal valid SI2quater (§9.1.34a, rest octets §10.5.2.33b): instance 0 of 1, every optional
    /// description absent.
    public static func systemInformation2quater(_ p: GSMCellParameters) -> [UInt8] {
        var b = Block(pseudoLength: 1, type: RRMessageType.systemInformationType2quater)
        var w = b.restOctets(from: 3)
        w.bits(0, 3)  // BA_IND, 3G_BA_IND, MP_CHANGE_MARK
        w.bits(0, 4)  // SI2quater_INDEX
        w.bits(0, 4)  // SI2quater_COUNT
        // Measurement parameters, GPRS RTD, GPRS BSIC, GPRS report priority, GPRS measurement
        // parameters, NC measurement parameters, SI2q extension, 3G neighbour cells, 3G measurement
        // parameters, GPRS 3G measurement parameters: none. Release 5+ additions: L (padding).
        w.bits(0, 10)
        b.apply(w)
        return b.octets
    }

    /// SI3 (§9.1.35): cell identity, LAI, control channel description, cell options, cell selection
    /// parameters, RACH control, SI3 rest octets (selection parameters with CRO/TO/PT, SI2ter and
    /// SI2quater indicators, GPRS indicator).
    public static func systemInformation3(_ p: GSMCellParameters) -> [UInt8] {
        var b = Block(pseudoLength: 18, type: RRMessageType.systemInformationType3)
        b.octets[3] = UInt8(p.cellId >> 8 & 0xFF)
        b.octets[4] = UInt8(p.cellId & 0xFF)
        b.locationArea(p, at: 5)
        // Control channel description (§10.5.2.11): MSCR 1, ATT, BS_AG_BLKS_RES, CCCH_CONF; CBQ3 0,
        // BS_PA_MFRMS − 2; T3212.
        b.octets[10] = 0x80 | (p.attachDetachAllowed ? 0x40 : 0) | UInt8(p.bsAgBlksRes & 7) << 3 | UInt8(p.ccchConf & 7)
        b.octets[11] = UInt8((p.bsPaMfrms - 2) & 7)
        b.octets[12] = UInt8(p.t3212 & 0xFF)
        // Cell options (§10.5.2.3): PWRC 0, DTX 2 (shall not), RADIO-LINK-TIMEOUT 15 (64 blocks).
        b.octets[13] = 0x2F
        b.cellSelection(p, at: 14)
        b.rachControl(p, at: 16)
        var w = b.restOctets(from: 19)
        w.selectionParameters(p)
        w.low()  // power offset
        if p.multibandNeighbourARFCNs.isEmpty { w.low() } else { w.high() }  // SI2ter indicator
        w.low()  // early classmark sending
        w.low()  // scheduling if and where
        w.gprsIndicator(p)
        w.low()  // 3G early classmark sending restriction
        if p.sendsSI2quater { w.high(); w.bits(0, 1) } else { w.low() }  // SI2quater on BCCH Norm
        b.apply(w)
        return b.octets
    }

    /// SI4 (§9.1.36): LAI, cell selection parameters, RACH control (no CBCH), SI4 rest octets
    /// (selection parameters, GPRS indicator, no Rest Octets_S, no break indicator).
    public static func systemInformation4(_ p: GSMCellParameters) -> [UInt8] {
        var b = Block(pseudoLength: 12, type: RRMessageType.systemInformationType4)
        b.locationArea(p, at: 3)
        b.cellSelection(p, at: 8)
        b.rachControl(p, at: 10)
        var w = b.restOctets(from: 13)
        w.selectionParameters(p)
        w.low()  // power offset
        w.gprsIndicator(p)
        w.low()  // no SI 4 Rest Octets_S
        w.low()  // break indicator
        b.apply(w)
        return b.octets
    }

    /// SI13 (§9.1.43a, rest octets §10.5.2.37b): GPRS without PBCCH: RAC 0, NMO II, typical timers,
    /// GPRS power control parameters, SGSNR (release 99).
    public static func systemInformation13(_ p: GSMCellParameters) -> [UInt8] {
        var b = Block(pseudoLength: 0, type: RRMessageType.systemInformationType13)
        var w = b.restOctets(from: 3)
        w.high()
        w.bits(0, 3)  // BCCH_CHANGE_MARK
        w.bits(0, 4)  // SI_CHANGE_FIELD
        w.bits(0, 1)  // no SI13_CHANGE_MARK / GPRS mobile allocation
        w.bits(0, 1)  // no PBCCH
        w.bits(p.lac & 0xFF, 8)  // RAC (the low octet of the LAC)
        w.bits(0, 1)  // SPGC_CCCH_SUP
        w.bits(6, 3)  // PRIORITY_ACCESS_THR: packet access allowed for all priorities
        w.bits(0, 2)  // NETWORK_CONTROL_ORDER NC0
        // GPRS cell options (TS 44.060 §12.24)
        w.bits(1, 2)  // NMO II
        w.bits(4, 3)  // T3168 2.5 s
        w.bits(0, 3)  // T3192 500 ms
        w.bits(3, 3)  // DRX_TIMER_MAX 4 s
        w.bits(0, 1)  // ACCESS_BURST_TYPE 8-bit
        w.bits(1, 1)  // CONTROL_ACK_TYPE RLC/MAC
        w.bits(15, 4)  // BS_CV_MAX
        w.bits(0, 1)  // no PAN
        w.bits(0, 1)  // no extension
        // GPRS power control parameters (TS 44.060 §12.9a)
        w.bits(0, 4)  // ALPHA
        w.bits(10, 5)  // T_AVG_W
        w.bits(10, 5)  // T_AVG_T
        w.bits(0, 1)  // PC_MEAS_CHAN BCCH
        w.bits(4, 4)  // N_AVG_I
        w.high()
        w.bits(1, 1)  // SGSNR: release 99 onwards
        b.apply(w)
        return b.octets
    }

    // MARK: Paging and access grant

    /// Paging Request Type 1 (§9.1.22) with 0, 1 or 2 TMSIs (more are not sent); with none, the identity is "no
    /// identity" (what a cell sends in a paging block with nobody to page). Page mode normal.
    public static func pagingRequestType1(tmsis: [UInt32], channelNeeded: ChannelNeeded = .any) -> [UInt8] {
        var o = [UInt8](repeating: 0x2B, count: blockLength)
        writePagingRequestType1(count: min(tmsis.count, 2), first: tmsis.first ?? 0, second: tmsis.count > 1 ? tmsis[1] : 0,
                                channelNeeded: channelNeeded, into: &o)
        return o
    }

    /// Paging Request Type 2 (§9.1.23): two TMSIs, no third identity.
    public static func pagingRequestType2(tmsis: (UInt32, UInt32), channelNeeded: ChannelNeeded = .any) -> [UInt8] {
        var o = [UInt8](repeating: 0x2B, count: blockLength)
        writePagingRequestType2(tmsis: tmsis, channelNeeded: channelNeeded, into: &o)
        return o
    }

    /// Paging Request Type 3 (§9.1.24): four TMSIs (the first four of `tmsis`, which needs four).
    public static func pagingRequestType3(tmsis: [UInt32], channelNeeded: ChannelNeeded = .any) -> [UInt8] {
        precondition(tmsis.count >= 4, "Paging Request Type 3 carries four TMSIs")
        var o = [UInt8](repeating: 0x2B, count: blockLength)
        writePagingRequestType3(tmsis: (tmsis[0], tmsis[1], tmsis[2], tmsis[3]), channelNeeded: channelNeeded, into: &o)
        return o
    }

    /// Immediate Assignment (§9.1.18) of a dedicated SDCCH/8, no hopping, no starting time.
    public static func immediateAssignment(_ a: GSMChannelAssignment) -> [UInt8] {
        var o = [UInt8](repeating: 0x2B, count: blockLength)
        writeImmediateAssignment(a, into: &o)
        return o
    }

    /// Immediate Assignment Extended (§9.1.19): two SDCCH/8 assignments.
    public static func immediateAssignmentExtended(_ a: GSMChannelAssignment, _ b: GSMChannelAssignment) -> [UInt8] {
        var o = [UInt8](repeating: 0x2B, count: blockLength)
        writeImmediateAssignmentExtended(a, b, into: &o)
        return o
    }

    // In-place writers (23 octets, overwritten): the transmitter's hot path, allocation-free.

    static func reset(_ o: inout [UInt8], pseudoLength: Int, type: UInt8) {
        for i in 0..<blockLength { o[i] = 0x2B }
        o[0] = UInt8(pseudoLength << 2 | 1)
        o[1] = 0x06
        o[2] = type
    }

    static func tmsi(_ v: UInt32, into o: inout [UInt8], at i: Int) {
        o[i] = UInt8(v >> 24); o[i + 1] = UInt8(v >> 16 & 0xFF); o[i + 2] = UInt8(v >> 8 & 0xFF); o[i + 3] = UInt8(v & 0xFF)
    }

    static func writePagingRequestType1(count: Int, first: UInt32, second: UInt32, channelNeeded: ChannelNeeded,
                                        into o: inout [UInt8]) {
        let cn = UInt8(channelNeeded.rawValue)
        switch count {
        case 0:
            reset(&o, pseudoLength: 5, type: RRMessageType.pagingRequestType1)
            o[3] = 0x00
            o[4] = 1; o[5] = 0xF0  // mobile identity, type "no identity" (TS 24.008 §10.5.1.4)
        case 1:
            reset(&o, pseudoLength: 9, type: RRMessageType.pagingRequestType1)
            o[3] = cn << 4
            o[4] = 5; o[5] = 0xF4; tmsi(first, into: &o, at: 6)
        default:
            reset(&o, pseudoLength: 16, type: RRMessageType.pagingRequestType1)
            o[3] = cn << 6 | cn << 4
            o[4] = 5; o[5] = 0xF4; tmsi(first, into: &o, at: 6)
            o[10] = 0x17; o[11] = 5; o[12] = 0xF4; tmsi(second, into: &o, at: 13)
        }
    }

    static func writePagingRequestType2(tmsis: (UInt32, UInt32), channelNeeded: ChannelNeeded, into o: inout [UInt8]) {
        let cn = UInt8(channelNeeded.rawValue)
        reset(&o, pseudoLength: 11, type: RRMessageType.pagingRequestType2)
        o[3] = cn << 6 | cn << 4
        tmsi(tmsis.0, into: &o, at: 4)
        tmsi(tmsis.1, into: &o, at: 8)
    }

    static func writePagingRequestType3(tmsis: (UInt32, UInt32, UInt32, UInt32), channelNeeded: ChannelNeeded,
                                        into o: inout [UInt8]) {
        let cn = UInt8(channelNeeded.rawValue)
        reset(&o, pseudoLength: 19, type: RRMessageType.pagingRequestType3)
        o[3] = cn << 6 | cn << 4
        tmsi(tmsis.0, into: &o, at: 4)
        tmsi(tmsis.1, into: &o, at: 8)
        tmsi(tmsis.2, into: &o, at: 12)
        tmsi(tmsis.3, into: &o, at: 16)
    }

    /// Channel description (§10.5.2.5), request reference (§10.5.2.30), timing advance (§10.5.2.40).
    static func assignment(_ a: GSMChannelAssignment, into o: inout [UInt8], at i: Int) {
        o[i] = UInt8(0b01000 | (a.subchannel & 7)) << 3 | UInt8(a.timeslot & 7)
        o[i + 1] = UInt8(a.tsc & 7) << 5 | UInt8(a.arfcn.value >> 8 & 3)  // H = 0: single RF channel
        o[i + 2] = UInt8(a.arfcn.value & 0xFF)
        o[i + 3] = UInt8(a.randomAccessReference & 0xFF)
        let f = a.requestFrame
        let t1p = f.t1 % 32, t3 = f.t3, t2 = f.t2
        o[i + 4] = UInt8(t1p << 3 | t3 >> 3)
        o[i + 5] = UInt8((t3 & 7) << 5 | t2)
        o[i + 6] = UInt8(a.timingAdvance & 0x3F)
    }

    static func writeImmediateAssignment(_ a: GSMChannelAssignment, into o: inout [UInt8]) {
        reset(&o, pseudoLength: 11, type: RRMessageType.immediateAssignment)
        o[3] = 0x00  // page mode normal; dedicated mode
        assignment(a, into: &o, at: 4)
        o[11] = 0  // mobile allocation, length 0
        // IA rest octets (§10.5.2.16): L L (no packet assignment), padding.
    }

    static func writeImmediateAssignmentExtended(_ a: GSMChannelAssignment, _ b: GSMChannelAssignment,
                                                 into o: inout [UInt8]) {
        reset(&o, pseudoLength: 18, type: RRMessageType.immediateAssignmentExtended)
        o[3] = 0x00  // page mode normal
        assignment(a, into: &o, at: 4)
        assignment(b, into: &o, at: 11)
        o[18] = 0  // mobile allocation, length 0
        // IAX rest octets: padding.
    }
}

// MARK: block building

extension GSMRRMessageEncoder {
    struct Block {
        var octets: [UInt8]

        init(pseudoLength: Int, type: UInt8) {
            octets = [UInt8](repeating: 0x2B, count: GSMRRMessageEncoder.blockLength)
            GSMRRMessageEncoder.reset(&octets, pseudoLength: pseudoLength, type: type)
        }

        /// Location area identification (TS 24.008 §10.5.1.3): MCC and MNC digits in BCD, LAC.
        mutating func locationArea(_ p: GSMCellParameters, at i: Int) {
            let mcc = p.mcc.compactMap { $0.wholeNumberValue }.map(UInt8.init)
            let mnc = p.mnc.compactMap { $0.wholeNumberValue }.map(UInt8.init)
            func d(_ a: [UInt8], _ k: Int) -> UInt8 { k < a.count ? a[k] : 0xF }
            octets[i] = d(mcc, 1) << 4 | d(mcc, 0)
            octets[i + 1] = (mnc.count == 3 ? mnc[2] : 0xF) << 4 | d(mcc, 2)
            octets[i + 2] = d(mnc, 1) << 4 | d(mnc, 0)
            octets[i + 3] = UInt8(p.lac >> 8 & 0xFF)
            octets[i + 4] = UInt8(p.lac & 0xFF)
        }

        /// Cell selection parameters (§10.5.2.4): hysteresis, MS-TXPWR-MAX-CCH; ACS 0, NECI 1,
        /// RXLEV-ACCESS-MIN.
        mutating func cellSelection(_ p: GSMCellParameters, at i: Int) {
            octets[i] = UInt8(p.cellReselectHysteresis & 7) << 5 | UInt8(p.msTxPwrMax & 0x1F)
            octets[i + 1] = 0x40 | UInt8(p.rxLevAccessMin & 0x3F)
        }

        /// RACH control parameters (§10.5.2.29): MAX RETRANS, TX-INTEGER, CELL_BAR_ACCESS, RE = 1
        /// (no re-establishment); no access class barred.
        mutating func rachControl(_ p: GSMCellParameters, at i: Int) {
            octets[i] = UInt8(p.maxRetrans & 3) << 6 | UInt8(p.txInteger & 0xF) << 2 | (p.cellBarred ? 2 : 0) | 1
            octets[i + 1] = 0
            octets[i + 2] = 0
        }

        /// A 16-octet frequency list (§10.5.2.1b, §10.5.2.22, §10.5.2.22a) at octet `i`.
        /// `headerBits` are or-ed into the first octet (EXT-IND, BA-IND).
        mutating func frequencyList(_ arfcns: [ARFCN], at i: Int, neighbourDescription2: Bool, headerBits: UInt8) {
            let list = GSMFrequencyListEncoder.encode(arfcns)
            for k in 0..<16 { octets[i + k] = list[k] }
            octets[i] |= headerBits
        }

        func restOctets(from octet: Int) -> CSN1Writer { CSN1Writer(bitPosition: octet * 8) }

        mutating func apply(_ w: CSN1Writer) {
            for (position, value) in w.written {
                let mask = UInt8(0x80) >> UInt8(position & 7)
                if value { octets[position >> 3] |= mask } else { octets[position >> 3] &= ~mask }
            }
        }
    }

    /// Writes CSN.1 fields of rest octets bit by bit, most significant bit first; `L`/`H` are the bit
    /// equal to / different from the padding 0x2B at that position (TS 44.018 §10.5.2.15 note).
    struct CSN1Writer {
        var bitPosition: Int
        var written: [(Int, Bool)] = []

        init(bitPosition: Int) { self.bitPosition = bitPosition }

        private func paddingBit(_ position: Int) -> Bool { (0x2B >> (7 - position & 7)) & 1 == 1 }

        mutating func bits(_ value: Int, _ count: Int) {
            for k in stride(from: count - 1, through: 0, by: -1) {
                written.append((bitPosition, value >> k & 1 == 1))
                bitPosition += 1
            }
        }
        mutating func low() { written.append((bitPosition, paddingBit(bitPosition))); bitPosition += 1 }
        mutating func high() { written.append((bitPosition, !paddingBit(bitPosition))); bitPosition += 1 }

        /// `H <Selection Parameters>`: CBQ 0, CELL_RESELECT_OFFSET, TEMPORARY_OFFSET, PENALTY_TIME.
        mutating func selectionParameters(_ p: GSMCellParameters) {
            high()
            bits(0, 1)
            bits(p.cellReselectOffset, 6)
            bits(p.temporaryOffset, 3)
            bits(p.penaltyTime, 5)
        }

        /// `L | H <GPRS Indicator>`: RA COLOUR 0, SI13 on BCCH Norm.
        mutating func gprsIndicator(_ p: GSMCellParameters) {
            if p.gprs { high(); bits(0, 3); bits(0, 1) } else { low() }
        }
    }
}

/// Frequency list coding for the 16-octet lists (TS 44.018 §10.5.2.13), in the first format that
/// holds the whole set: bit map 0 when every ARFCN is in 1…124; the variable bit map when all lie
/// within 111 channels above one of them; the 512 range (an origin ARFCN and up to 17 more within 511
/// channels above it); the 1024 range (up to 16 ARFCNs, plus ARFCN 0). A set no format holds is sent
/// as the largest part that fits (`fits` says whether a list is sent whole).
public enum GSMFrequencyListEncoder {
    /// Whether `arfcns` can be coded whole.
    public static func fits(_ arfcns: [ARFCN]) -> Bool {
        let values = Array(Set(arfcns.map(\.value))).sorted()
        guard values.allSatisfy({ (0...1023).contains($0) }) else { return false }
        return format(values) != nil
    }

    /// The 16 octets (format identifier in the first; EXT-IND/BA-IND bits left 0).
    public static func encode(_ arfcns: [ARFCN]) -> [UInt8] {
        var values = Array(Set(arfcns.map(\.value).filter { (0...1023).contains($0) })).sorted()
        while format(values) == nil { values.removeLast() }
        return format(values)!
    }

    private static func format(_ set: [Int]) -> [UInt8]? {
        if set.allSatisfy({ (1...124).contains($0) }) { return bitMap0(set) }
        if let origin = variableBitMapOrigin(Set(set)) { return variableBitMap(set, origin: origin) }
        if let o = range512(set) { return o }
        return range1024(set)
    }

    /// §10.5.2.13.2 / §10.5.2.1b.2: FORMAT-ID 00; ARFCN n at octet 15 − (n − 1) div 8, bit (n − 1) mod 8.
    private static func bitMap0(_ set: [Int]) -> [UInt8] {
        var o = [UInt8](repeating: 0, count: 16)
        for n in set { o[15 - (n - 1) / 8] |= 1 << UInt8((n - 1) % 8) }
        return o
    }

    /// §10.5.2.13.7: FORMAT-ID 1000111, ORIG-ARFCN (10 bits from bit 7), RRFCN 1…111.
    private static func variableBitMap(_ set: [Int], origin: Int) -> [UInt8] {
        var w = BitField()
        w.octets[0] = 0x80 | 0x0E
        w.position = 7
        w.put(origin, 10)
        for n in set where n != origin {
            let k = (n - origin + 1024) % 1024
            w.octets[(16 + k) >> 3] |= 0x80 >> UInt8((16 + k) & 7)
        }
        return w.octets
    }

    /// An origin from which every ARFCN lies within 0…111 channels above (modulo 1024).
    static func variableBitMapOrigin(_ set: Set<Int>) -> Int? {
        guard !set.isEmpty else { return nil }
        for origin in set.sorted() where set.allSatisfy({ ($0 - origin + 1024) % 1024 <= 111 }) { return origin }
        return nil
    }

    /// §10.5.2.13.4: FORMAT-ID 1000100, ORIG-ARFCN, then W(1)… of the others' offsets − 1 (range 511).
    private static func range512(_ set: [Int]) -> [UInt8]? {
        for origin in set {
            let offsets = set.filter { $0 != origin }.map { ($0 - origin + 1024) % 1024 - 1 }
            guard offsets.allSatisfy({ $0 < 511 }), let w = rangeWords(offsets, range: 511) else { continue }
            var f = BitField()
            f.octets[0] = 0x80 | 0x08
            f.position = 7
            f.put(origin, 10)
            guard f.putWords(w, rangeBits: 9) else { continue }
            return f.octets
        }
        return nil
    }

    /// §10.5.2.13.3: FORMAT-ID 10 0 (bit 4 0), F0 for ARFCN 0, then W(1)… of ARFCN − 1 (range 1023).
    private static func range1024(_ set: [Int]) -> [UInt8]? {
        guard let w = rangeWords(set.filter { $0 != 0 }.map { $0 - 1 }, range: 1023) else { return nil }
        var f = BitField()
        f.octets[0] = 0x80 | (set.contains(0) ? 0x04 : 0)
        f.position = 6
        guard f.putWords(w, rangeBits: 10) else { return nil }
        return f.octets
    }

    /// TS 44.018 Annex J: the W(k) words (k = 1…N) of `values` (distinct, in 0 ..< range, range 2ⁿ − 1).
    ///
    /// Node k has children k + p (left) and k + 2p (right), p the greatest power of two ≤ k. A node
    /// of range R sends its pivot + 1; the right child holds the values 1…(R − 1)/2 after the pivot and
    /// the left child the (R − 1)/2 after those (modulo R), each relative to its own start. Filling
    /// W(1…N) without gaps needs the left subtree to take ⌈(N − 1)/2⌉ values at every node.
    static func rangeWords(_ values: [Int], range: Int) -> [Int]? {
        var w = [Int](repeating: 0, count: max(values.count, 1))
        func encode(_ index: Int, _ set: [Int], _ r: Int) -> Bool {
            guard !set.isEmpty else { return true }
            guard index <= w.count else { return false }
            let half = (r - 1) / 2
            let leftCount = set.count / 2  // ⌈(N − 1)/2⌉
            for pivot in set {
                let left = set.filter { v in let d = (v - pivot + r) % r; return d > half }
                guard left.count == leftCount else { continue }
                let right = set.filter { v in let d = (v - pivot + r) % r; return d >= 1 && d <= half }
                w[index - 1] = pivot + 1
                let p = 1 << FrequencyRangeWidth.exponent(index)
                return encode(index + p, left.map { ($0 - pivot - half - 1 + 2 * r) % r }, half)
                    && encode(index + 2 * p, right.map { ($0 - pivot - 1 + r) % r }, half)
            }
            return false
        }
        return encode(1, values, range) ? (values.isEmpty ? [] : w) : nil
    }

    /// Most-significant-bit-first writing into 16 octets.
    private struct BitField {
        var octets = [UInt8](repeating: 0, count: 16)
        var position = 0

        mutating func put(_ value: Int, _ width: Int) {
            for k in stride(from: width - 1, through: 0, by: -1) {
                if value >> k & 1 == 1 { octets[position >> 3] |= 0x80 >> UInt8(position & 7) }
                position += 1
            }
        }

        /// W(1), W(2), … with the widths of §10.5.2.13.3 (range bits − floor(log2 k)); false when they do not fit.
        mutating func putWords(_ w: [Int], rangeBits: Int) -> Bool {
            for (i, word) in w.enumerated() {
                let width = rangeBits - FrequencyRangeWidth.exponent(i + 1)
                guard width > 0, position + width <= 128 else { return false }
                put(word, width)
            }
            return true
        }
    }
}

enum FrequencyRangeWidth {
    /// floor(log2(k)) for k ≥ 1.
    static func exponent(_ k: Int) -> Int { Int.bitWidth - 1 - k.leadingZeroBitCount }
}
