/// SystemInformation, TS 36.331 §6.2.2: one SI message carrying SIB2…SIB11 (root) and later SIBs
/// (extension alternatives, skipped by their length).
public struct SystemInformation: Sendable, Equatable {
    public enum Block: Sendable, Equatable {
        case sib2(SystemInformationBlockType2)
        case sib3(SystemInformationBlockType3)
        case sib4(SystemInformationBlockType4)
        case sib5(SystemInformationBlockType5)
        case sib6(SystemInformationBlockType6)
        case sib7(SystemInformationBlockType7)
        /// SIB9: the home eNodeB name, as sent (UTF-8 by TS 36.331).
        case sib9(homeENBName: [UInt8]?)
        /// SIB10/SIB11: ETWS notifications (message identifier, serial number).
        case sib10(messageIdentifier: Int, serialNumber: Int)
        case sib11(messageIdentifier: Int, serialNumber: Int, segmentNumber: Int)
        /// A SIB of a later release (extension alternative k: 0 = SIB12, 1 = SIB13 …), skipped by its length.
        case later(extensionIndex: Int)
        /// SIB8 (CDMA2000) is not decoded; it has no length, so the blocks after it in the same message are not read.
        case sib8NotDecoded
    }
    public var blocks: [Block]
    /// True when the message stopped at SIB8 and blocks after it were not read.
    public var stoppedAtSIB8: Bool { blocks.last == .sib8NotDecoded }

    static func decode(_ r: inout UPERReader) throws(RRCDecodeError) -> SystemInformation {
        // criticalExtensions CHOICE { systemInformation-r8, criticalExtensionsFuture SEQUENCE {} }
        guard try r.choice(2, "criticalExtensions") == 0 else { return SystemInformation(blocks: []) }
        let nonCritical = try r.bit("systemInformation-r8")
        let n = try r.size(1...32, "sib-TypeAndInfo") // maxSIB
        var blocks: [Block] = []
        for _ in 0..<n {
            // sib2 … sib11 in the root, later SIBs as extension alternatives (open types).
            if try r.bit("sib-TypeAndInfo") {
                let k = try r.normallySmall("sib-TypeAndInfo")
                try r.skipOpenType("sib-TypeAndInfo extension \(k)")
                blocks.append(.later(extensionIndex: k))
                continue
            }
            let i = try r.constrained(0...9, "sib-TypeAndInfo")
            switch i {
            case 0: blocks.append(.sib2(try .decode(&r)))
            case 1: blocks.append(.sib3(try .decode(&r)))
            case 2: blocks.append(.sib4(try .decode(&r)))
            case 3: blocks.append(.sib5(try .decode(&r)))
            case 4: blocks.append(.sib6(try .decode(&r)))
            case 5: blocks.append(.sib7(try .decode(&r)))
            case 6:
                blocks.append(.sib8NotDecoded)
                return SystemInformation(blocks: blocks)
            case 7:
                let ext = try r.bit("sib9")
                let has = try r.bit("sib9")
                let name = has ? try r.octetString(1...48, "hnb-Name") : nil
                if ext { try r.extensionAdditions("sib9") }
                blocks.append(.sib9(homeENBName: name))
            case 8:
                let ext = try r.bit("sib10")
                let dummy = try r.bit("sib10")
                let id = try r.bitString(16, "messageIdentifier")
                let serial = try r.bitString(16, "serialNumber")
                _ = try r.octetString(2...2, "warningType")
                if dummy { _ = try r.octetString(50...50, "dummy") }
                if ext { try r.extensionAdditions("sib10") }
                blocks.append(.sib10(messageIdentifier: id, serialNumber: serial))
            default:
                let ext = try r.bit("sib11")
                let dcs = try r.bit("sib11")
                let id = try r.bitString(16, "messageIdentifier")
                let serial = try r.bitString(16, "serialNumber")
                try r.enumerated(["notLastSegment", "lastSegment"], "warningMessageSegmentType")
                let seg = try r.integer(0...63, "warningMessageSegmentNumber")
                _ = try r.octetString(nil, "warningMessageSegment")
                if dcs { _ = try r.octetString(1...1, "dataCodingScheme") }
                if ext { try r.extensionAdditions("sib11") }
                blocks.append(.sib11(messageIdentifier: id, serialNumber: serial, segmentNumber: seg))
            }
        }
        if nonCritical {
            // SystemInformation-v8a0-IEs: lateNonCriticalExtension, nonCriticalExtension SEQUENCE {} — both at the end.
            let o = try r.optionals(2, "SystemInformation-v8a0-IEs")
            if o[0] { _ = try r.octetString(nil, "lateNonCriticalExtension") }
        }
        return SystemInformation(blocks: blocks)
    }
}

/// BCCH-DL-SCH-Message, TS 36.331 §6.2.1: what the SI-RNTI PDSCH carries.
public enum BCCHDLSCHMessage: Sendable, Equatable {
    case systemInformationBlockType1(SystemInformationBlockType1)
    case systemInformation(SystemInformation)
    /// messageClassExtension: a message type of a later release, nothing to read.
    case messageClassExtension

    /// Decodes one transport block's payload. Padding after the message is allowed (the MAC fills
    /// the transport block); a message that ends early is an error naming the field.
    public static func decode(_ bytes: [UInt8], trace: RRCTrace? = nil) throws(RRCDecodeError) -> BCCHDLSCHMessage {
        var r = UPERReader(bytes, trace: trace)
        guard try r.choice(2, "BCCH-DL-SCH-MessageType") == 0 else { return .messageClassExtension }
        if try r.choice(2, "c1") == 1 {
            return .systemInformationBlockType1(try .decode(&r))
        }
        return .systemInformation(try .decode(&r))
    }

    public var sib1: SystemInformationBlockType1? {
        if case .systemInformationBlockType1(let s) = self { return s }
        return nil
    }
    public var blocks: [SystemInformation.Block] {
        if case .systemInformation(let s) = self { return s.blocks }
        return []
    }
}
