import Foundation
import LTE
import Testing
import TestSupport

/// BCCH-DL-SCH messages (unaligned PER, TS 36.331) from real China Mobile TD-LTE cells
/// (`../shared/testdata/lte/sib`), against the ASN.1 decoder printout beside them and Wireshark.
@Suite(.enabled(if: TestSupport.hasTestdata, "../shared/testdata is not present"))
struct SystemInformationRealTests {
    static var directory: URL { TestSupport.testdata.appendingPathComponent("lte/sib") }

    static func perFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "per" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    static func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02X", $0) }.joined() }

    /// (hex of the message, leaves of its XML printout) for every decode printed in the text files.
    static func printedDecodes() throws -> [(hex: String, leaves: [(String, String)])] {
        var out: [(String, [(String, String)])] = []
        let texts = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil).filter { $0.pathExtension == "txt" }
        for t in texts {
            let text = try String(contentsOf: t, encoding: .utf8)
            let hexLines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && $0.allSatisfy(\.isHexDigit) }
            let blocks = text.components(separatedBy: "<BCCH-DL-SCH-Message>").dropFirst()
                .map { $0.components(separatedBy: "</BCCH-DL-SCH-Message>")[0] }
            #expect(hexLines.count == blocks.count, "\(t.lastPathComponent): \(hexLines.count) hex lines, \(blocks.count) decodes")
            for (h, b) in zip(hexLines, blocks) { out.append((h.uppercased(), XMLLeaves.parse(b))) }
        }
        return out
    }

    @Test func everyFileDecodesToThePrintedValues() throws {
        let printed = try Self.printedDecodes()
        var matched = 0
        for file in try Self.perFiles() {
            let bytes = [UInt8](try Data(contentsOf: file))
            let trace = RRCTrace()
            let message = try BCCHDLSCHMessage.decode(bytes, trace: trace)
            let ours = trace.leaves.map { ($0.name, $0.value) }
            // The printout whose message starts with this file's bytes (the printed hex carries the CRC too).
            guard let p = printed.first(where: { $0.hex.hasPrefix(Self.hex(bytes)) }) else {
                // f2585_sib5.per has no printout: its values are checked by hand below and by Wireshark.
                #expect(!message.blocks.isEmpty, "\(file.lastPathComponent) decodes to nothing")
                continue
            }
            matched += 1
            #expect(ours.count == p.leaves.count, "\(file.lastPathComponent): \(ours.count) leaves, printout has \(p.leaves.count)")
            for (i, (a, b)) in zip(ours, p.leaves).enumerated() where a != b {
                Issue.record("\(file.lastPathComponent) leaf \(i): ours \(a.0)=\(a.1), printout \(b.0)=\(b.1)")
                break
            }
        }
        #expect(matched == 4)
    }

    @Test func sib1FieldsOfBothCells() throws {
        let a = try #require(try BCCHDLSCHMessage.decode([UInt8](Data(contentsOf: Self.directory.appendingPathComponent("f2360_sib1.per")))).sib1)
        #expect(a.mcc == "460" && a.mnc == "00" && a.plmns.count == 1 && !a.plmns[0].reservedForOperatorUse)
        #expect(a.trackingAreaCode == 0x1127 && a.cellIdentity == 0b0001010010000110110000000001)
        #expect(!a.cellBarred && a.intraFrequencyReselectionAllowed && !a.csgIndication && a.csgIdentity == nil)
        #expect(a.qRxLevMin == -62 && a.qRxLevMinDBm == -124 && a.pMax == 23 && a.frequencyBandIndicator == 40)
        #expect(a.schedulingInfo == [SchedulingInfo(periodicityFrames: 16, sibTypes: [3]), SchedulingInfo(periodicityFrames: 32, sibTypes: [5])])
        #expect(a.tddConfiguration == TDDConfiguration(subframeAssignment: 2, specialSubframePattern: 7))
        #expect(a.siWindowLengthMs == 40 && a.systemInfoValueTag == 25)
        let b = try #require(try BCCHDLSCHMessage.decode([UInt8](Data(contentsOf: Self.directory.appendingPathComponent("f2585_sib1-10.per")))).sib1)
        #expect(b.frequencyBandIndicator == 38 && b.cellIdentity == 19_031_041 && b.systemInfoValueTag == 27)
    }

    @Test func sib2Sib3AndSib5() throws {
        let si = try BCCHDLSCHMessage.decode([UInt8](Data(contentsOf: Self.directory.appendingPathComponent("f2585_sib2.per"))))
        guard si.blocks.count == 2, case .sib2(let s2) = si.blocks[0], case .sib3(let s3) = si.blocks[1] else {
            Issue.record("expected SIB2 and SIB3, got \(si)"); return
        }
        #expect(s2.numberOfRAPreambles == 52 && s2.preambleTransMax == 10 && s2.prachRootSequenceIndex == 586)
        #expect(s2.prachConfigurationIndex == 3 && s2.referenceSignalPower == 15 && s2.defaultPagingCycle == 128)
        #expect(s2.t300Ms == 1000 && s2.t310Ms == 1000 && s2.n310 == 20 && s2.additionalSpectrumEmission == 1)
        #expect(s2.accessBarring == nil && s2.uplinkCarrierEARFCN == nil && s2.mbsfnSubframeConfigurations == 0)
        #expect(s3.qHystDB == 4 && s3.sNonIntraSearch == 12 && s3.threshServingLow == 2 && s3.cellReselectionPriority == 7)
        #expect(s3.qRxLevMin == -62 && s3.pMax == 23 && s3.sIntraSearch == 22 && s3.tReselectionEUTRA == 1 && s3.qQualMin == -18)

        let m5 = try BCCHDLSCHMessage.decode([UInt8](Data(contentsOf: Self.directory.appendingPathComponent("f2585_sib5.per"))))
        guard case .sib5(let s5) = m5.blocks.first else { Issue.record("expected SIB5, got \(m5)"); return }
        // As Wireshark 4.0 dissects it.
        #expect(s5.carriers.map(\.earfcn) == [38350, 39250])
        #expect(s5.carriers.map(\.cellReselectionPriority) == [7, 5])
        #expect(s5.carriers.map(\.threshXHigh) == [11, 13] && s5.carriers.map(\.threshXLow) == [9, 11])
        #expect(s5.carriers.map(\.pMax) == [23, nil] && s5.carriers.map(\.allowedMeasBandwidthPRB) == [100, 100])
    }

    /// Wireshark's LTE RRC dissector (tshark, user DLT 147 → lte-rrc.bcch.dl.sch) on the same files:
    /// every traced leaf Wireshark has a field for must carry the same value, in the same order.
    @Test func wiresharkAgrees() throws {
        guard let tshark = RRCWireshark.tsharkPath() else {
            print("skipped: tshark is not installed (Debian package tshark); the Wireshark comparison did not run")
            return
        }
        var messages: [[UInt8]] = []
        for f in try Self.perFiles() { messages.append([UInt8](try Data(contentsOf: f))) }
        let compared = try RRCWireshark.compare(messages, tshark: tshark)
        #expect(compared >= 150, "only \(compared) values compared")
    }
}

/// Leaves of an ASN.1 XML value printout: `<name>value</name>` and `<name><value/></name>`.
enum XMLLeaves {
    static func parse(_ xml: String) -> [(String, String)] {
        enum Token { case open(String), close(String), empty(String), text(String) }
        var tokens: [Token] = []
        var rest = Substring(xml)
        while !rest.isEmpty {
            if rest.first == "<", let end = rest.firstIndex(of: ">") {
                let tag = rest[rest.index(after: rest.startIndex)..<end]
                if tag.hasPrefix("/") { tokens.append(.close(String(tag.dropFirst()))) }
                else if tag.hasSuffix("/") { tokens.append(.empty(String(tag.dropLast()))) }
                else { tokens.append(.open(String(tag))) }
                rest = rest[rest.index(after: end)...]
            } else {
                let end = rest.firstIndex(of: "<") ?? rest.endIndex
                let t = rest[..<end].trimmingCharacters(in: .whitespacesAndNewlines)
                if !t.isEmpty { tokens.append(.text(t)) }
                rest = rest[end...]
            }
        }
        var leaves: [(String, String)] = []
        var i = 0
        while i + 2 < tokens.count {
            if case .open(let a) = tokens[i], case .close(let c) = tokens[i + 2], a == c {
                switch tokens[i + 1] {
                case .text(let v), .empty(let v): leaves.append((a, v)); i += 3; continue
                default: break
                }
            }
            i += 1
        }
        return leaves
    }
}

/// Runs tshark on BCCH-DL-SCH messages and compares its fields with our trace.
enum RRCWireshark {
    static func tsharkPath() -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        return dirs.map { $0 + "/tshark" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// A pcap of LINKTYPE_USER0 (147) records, one message each.
    static func pcap(_ messages: [[UInt8]]) -> Data {
        var d = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        u32(0xA1B2_C3D4); u16(2); u16(4); u32(0); u32(0); u32(65535); u32(147)
        for (i, m) in messages.enumerated() {
            u32(UInt32(i)); u32(0); u32(UInt32(m.count)); u32(UInt32(m.count))
            d.append(contentsOf: m)
        }
        return d
    }

    /// How Wireshark prints one of our leaves in `-T fields` output, or nil when not comparable.
    static func wiresharkValue(_ l: RRCTraceLeaf) -> String? {
        guard let n = l.number else { return nil }
        switch l.kind {
        case .integer, .enumerated, .boolean: return String(n)
        case .bitString(let w):
            // Whole octets as hex, the last one padded on the right (trackingAreaCode 1127, cellIdentity 1486c010).
            if w == 16 { return String(format: "%04x", n) }
            if w == 28 { return String(format: "%08x", n << 4) }
            if w <= 8 { return String(n) }
            return nil
        case .octetString: return nil
        }
    }

    /// Returns the number of values compared; records an issue for each disagreement.
    static func compare(_ messages: [[UInt8]], tshark: String) throws -> Int {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bcch.pcap")
        try pcap(messages).write(to: file)
        let uat = #"uat:user_dlts:"User 0 (DLT=147)","lte-rrc.bcch.dl.sch","0","","0","""#
        let known = Set(try TestSupport.standardOutput(of: tshark, ["-G", "fields"]).split(separator: "\n").compactMap { line -> String? in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            return f.count > 2 && f[2].hasPrefix("lte-rrc.") ? String(f[2]) : nil
        })
        #expect(!known.isEmpty, "tshark lists no lte-rrc fields")
        let traces = try messages.map { m in
            let t = RRCTrace()
            _ = try BCCHDLSCHMessage.decode(m, trace: t)
            return t.leaves
        }
        // Wireshark's sib_MappingInfo is the list's item count; its entries are SIB_Type.
        func field(_ name: String) -> String {
            name == "sib-MappingInfo" ? "lte-rrc.SIB_Type" : "lte-rrc." + name.replacingOccurrences(of: "-", with: "_")
        }
        let fields = Array(Set(traces.flatMap { $0 }.filter { wiresharkValue($0) != nil }.map { field($0.name) }).intersection(known)).sorted()
        var args = ["-r", file.path, "-o", uat, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=;"]
        for f in fields { args += ["-e", f] }
        args += ["-e", "_ws.malformed"]
        let rows = try TestSupport.standardOutput(of: tshark, args).split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        #expect(rows.count == messages.count, "tshark printed \(rows.count) rows for \(messages.count) messages")
        var compared = 0
        for (i, row) in rows.enumerated() where i < traces.count {
            let cols = row.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard cols.count == fields.count + 1 else { Issue.record("message \(i): \(cols.count) columns"); continue }
            #expect(cols[fields.count].isEmpty, "message \(i): Wireshark reports it malformed")
            for (j, f) in fields.enumerated() {
                let ours = traces[i].filter { field($0.name) == f }.compactMap(wiresharkValue)
                let theirs = cols[j].isEmpty ? [] : cols[j].split(separator: ";").map(String.init)
                if ours != theirs {
                    Issue.record("message \(i) \(f): ours \(ours), Wireshark \(theirs)")
                } else {
                    compared += ours.count
                }
            }
        }
        return compared
    }
}
