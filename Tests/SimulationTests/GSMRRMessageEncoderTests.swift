import CellwatchModel
import Foundation
import GSM
import Simulation
import Testing
import TestSupport

/// Every RR message the transmitter sends, decoded by our own decoders (Sources/GSM/Protocol) and by
/// Wireshark (tshark reading a GSMTAP pcap from our writer): message type and fields as set.
@Suite struct GSMRRMessageEncoderTests {
    static let cell: GSMCellParameters = {
        var p = GSMCellParameters.defaults(arfcn: ARFCN(62), mcc: "460", mnc: "00", lac: 0x2A5F, cellId: 0xBEEF,
                                           ncc: 3, bcc: 5, neighbourARFCNs: [ARFCN(3), ARFCN(17), ARFCN(80), ARFCN(124)])
        p.cellReselectOffset = 42
        p.temporaryOffset = 3
        p.penaltyTime = 17
        p.t3212 = 2
        p.bsPaMfrms = 5
        p.bsAgBlksRes = 2
        p.extendedNeighbourARFCNs = [ARFCN(1000), ARFCN(1010), ARFCN(5)]
        p.multibandNeighbourARFCNs = [ARFCN(600), ARFCN(640), ARFCN(700)]
        p.sendsSI2quater = true
        p.cellBarred = true
        p.msTxPwrMax = 7
        p.rxLevAccessMin = 10
        p.maxRetrans = 2
        p.txInteger = 9
        return p
    }()

    static let assignment1 = GSMChannelAssignment(subchannel: 3, timeslot: 1, tsc: 5, arfcn: ARFCN(62), randomAccessReference: 0x47,
                                                  requestFrame: GSMFrameNumber(1_234_567)!, timingAdvance: 9)
    static let assignment2 = GSMChannelAssignment(subchannel: 6, timeslot: 2, tsc: 5, arfcn: ARFCN(62), randomAccessReference: 0xA2,
                                                  requestFrame: GSMFrameNumber(1_234_601)!, timingAdvance: 33)

    /// (tag, block) of every encoder.
    static func allBlocks() -> [(String, [UInt8])] {
        let p = cell
        return [
            ("SI1", GSMRRMessageEncoder.systemInformation1(p)),
            ("SI2", GSMRRMessageEncoder.systemInformation2(p)),
            ("SI2bis", GSMRRMessageEncoder.systemInformation2bis(p)),
            ("SI2ter", GSMRRMessageEncoder.systemInformation2ter(p)),
            ("SI2quater", GSMRRMessageEncoder.systemInformation2quater(p)),
            ("SI3", GSMRRMessageEncoder.systemInformation3(p)),
            ("SI4", GSMRRMessageEncoder.systemInformation4(p)),
            ("SI13", GSMRRMessageEncoder.systemInformation13(p)),
            ("PR1", GSMRRMessageEncoder.pagingRequestType1(tmsis: [])),
            ("PR1", GSMRRMessageEncoder.pagingRequestType1(tmsis: [0x1234_5678])),
            ("PR1", GSMRRMessageEncoder.pagingRequestType1(tmsis: [0xDEAD_BEEF, 0x0102_0304], channelNeeded: .tchF)),
            ("PR2", GSMRRMessageEncoder.pagingRequestType2(tmsis: (0xCAFE_0001, 0xCAFE_0002))),
            ("PR3", GSMRRMessageEncoder.pagingRequestType3(tmsis: [1, 2, 3, 4], channelNeeded: .sdcch)),
            ("IA", GSMRRMessageEncoder.immediateAssignment(assignment1)),
            ("IAX", GSMRRMessageEncoder.immediateAssignmentExtended(assignment1, assignment2)),
        ]
    }

    @Test func ourDecodersReadWhatWasEncoded() throws {
        let p = Self.cell
        for (tag, block) in Self.allBlocks() {
            #expect(block.count == 23, "\(tag)")
            let m = try RRMessageDecoder.decode(l2Block: block)
            #expect(m.tag == tag, "\(tag) decoded as \(m.tag)")
            switch m {
            case .systemInformation1(let s):
                #expect(s.cellChannelDescription.arfcns == [p.arfcn])
                #expect(s.rachControl.cellBarAccess && s.rachControl.maxRetransCode == 2 && s.rachControl.txIntegerCode == 9)
                #expect(s.bandIndicator == .dcs1800 && s.nchPosition == nil)
            case .systemInformation2(let s):
                #expect(s.neighbourCells.frequencies.arfcns == p.neighbourARFCNs)
                #expect(s.neighbourCells.frequencies.format == .bitMap0)
                #expect(s.neighbourCells.extInd)
                #expect(s.nccPermitted == Array(0..<8))
            case .systemInformation2bis(let s):
                #expect(s.extendedNeighbourCells.frequencies.arfcns == p.extendedNeighbourARFCNs.sorted())
                #expect(s.extendedNeighbourCells.frequencies.format == .variableBitMap)
            case .systemInformation2ter(let s):
                #expect(s.extendedNeighbourCells.frequencies.arfcns == p.multibandNeighbourARFCNs)
                #expect(s.restOctets == nil)
            case .systemInformation2quater(let s):
                #expect(s.restOctets.index == 0 && s.restOctets.count == 0 && s.restOctets.utranFDDNeighbours.isEmpty)
            case .systemInformation3(let s):
                #expect(s.cellIdentity == p.cellId)
                #expect(s.locationArea == LocationAreaIdentification(mcc: "460", mnc: "00", lac: 0x2A5F))
                #expect(s.controlChannel.t3212 == 2 && s.controlChannel.bsPaMfrms == 5 && s.controlChannel.bsAgBlksRes == 2)
                #expect(s.controlChannel.ccchConf == 0 && s.controlChannel.att)
                #expect(s.cellSelection.msTxpwrMaxCch == 7 && s.cellSelection.rxlevAccessMin == 10)
                #expect(s.restOctets.selectionParameters == SelectionParameters(cbq: 0, cellReselectOffset: 42, temporaryOffset: 3, penaltyTime: 17))
                #expect(s.restOctets.si2terIndicator)
                #expect(s.restOctets.gprsIndicator == GPRSIndicator(raColour: 0, si13Position: 0))
                #expect(s.restOctets.si2quaterPosition == 0)
            case .systemInformation4(let s):
                #expect(s.locationArea == LocationAreaIdentification(mcc: "460", mnc: "00", lac: 0x2A5F))
                #expect(s.restOctets.selectionParameters?.cellReselectOffset == 42)
                #expect(s.restOctets.gprsIndicator != nil && !s.restOctets.restOctetsS)
                #expect(s.cbchChannelDescription == nil)
            case .systemInformation13(let s):
                let r = try #require(s.restOctets)
                #expect(r.rac == 0x5F && !r.pbcchPresent && r.gprsCellOptions?.nmo == 1 && r.sgsnr == 1)
            case .pagingRequest1(let s):
                #expect(s.pageMode == .normalPaging)
                #expect(s.identities.tmsi == (block[4] == 1 ? 0 : (block[10] == 0x17 ? 2 : 1)))
                #expect(s.identities.none == (block[4] == 1 ? 1 : 0))
                #expect(!s.restOctets.furtherContent)
            case .pagingRequest2(let s):
                #expect(s.identities.tmsi == 2)
            case .pagingRequest3(let s):
                #expect(s.identities.tmsi == 4 && s.channelNeeded == [.sdcch, .sdcch])
            case .immediateAssignment(let s):
                guard case .dedicated(let c) = s.channel else { Issue.record("IA not dedicated"); continue }
                #expect(c.channelType == .sdcch8(subchannel: 3) && c.timeslot == 1 && c.tsc == 5 && c.hopping == .single(arfcn: 62))
                #expect(s.requestReference.ra == 0x47 && s.timingAdvance == 9 && s.startingTime == nil)
                #expect(s.requestReference.frameNumberModulo42432 == 1_234_567 % 42432)
                #expect(s.restOctets == .noPacketAssignment)
            case .immediateAssignmentExtended(let s):
                #expect(s.assignments.count == 2)
                #expect(s.assignments[1].channel.channelType == .sdcch8(subchannel: 6) && s.assignments[1].timingAdvance == 33)
                #expect(s.assignments[1].requestReference.frameNumberModulo42432 == 1_234_601 % 42432)
            default:
                Issue.record("\(tag): unexpected \(m.name)")
            }
        }
    }

    @Test func emptyPagingIsWhatRealCellsSend() {
        // TS 44.018 §9.1.22 with the "no identity" mobile identity, as the shared recordings carry it.
        #expect(GSMRRMessageEncoder.pagingRequestType1(tmsis: []) ==
                [0x15, 0x06, 0x21, 0x00, 0x01, 0xF0] + [UInt8](repeating: 0x2B, count: 17))
    }

    @Test func frequencyListsRoundTrip() throws {
        var g = SeededGenerator(seed: 7)
        for _ in 0..<200 {
            let base = Int.random(in: 0..<1024, using: &g)
            let count = Int.random(in: 0...12, using: &g)
            let list = (0..<count).map { _ in ARFCN((base + Int.random(in: 0...111, using: &g)) % 1024) }
            #expect(GSMFrequencyListEncoder.fits(list))
            var p = Self.cell
            p.neighbourARFCNs = list
            p.extendedNeighbourARFCNs = []
            guard case .systemInformation2(let s) = try RRMessageDecoder.decode(l2Block: GSMRRMessageEncoder.systemInformation2(p)) else {
                Issue.record("not SI2"); continue
            }
            #expect(s.neighbourCells.frequencies.arfcns == Array(Set(list)).sorted(), "\(list)")
        }
        // Wide lists: the range formats (512 for a DCS 1800 plan, 1024 across bands).
        var formats: Set<FrequencyListFormat> = []
        for _ in 0..<400 {
            let wide = Bool.random(using: &g)
            let base = Int.random(in: 0..<1024, using: &g)
            let count = Int.random(in: 1...(wide ? 16 : 18), using: &g)
            let list = (0..<count).map { _ in ARFCN(wide ? Int.random(in: 0..<1024, using: &g) : (base + Int.random(in: 0...511, using: &g)) % 1024) }
            #expect(GSMFrequencyListEncoder.fits(list), "\(list)")
            var p = Self.cell
            p.neighbourARFCNs = list
            guard case .systemInformation2(let s) = try RRMessageDecoder.decode(l2Block: GSMRRMessageEncoder.systemInformation2(p)) else {
                Issue.record("not SI2"); continue
            }
            #expect(s.neighbourCells.frequencies.arfcns == Array(Set(list)).sorted(), "\(list.map(\.value))")
            formats.insert(s.neighbourCells.frequencies.format)
        }
        #expect(formats.isSuperset(of: [.range512, .range1024]), "\(formats)")
        // 17 ARFCNs spread over the whole band fit no format: the list is cut and says so.
        let tooMany = (0..<17).map { ARFCN($0 * 60 + 1) }
        #expect(!GSMFrequencyListEncoder.fits(tooMany))
    }

    // MARK: Wireshark

    static func tsharkPath() -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        return dirs.map { $0 + "/tshark" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test(.enabled(if: tsharkPath() != nil, "tshark (Debian package tshark) is not installed"))
    func wiresharkReadsWhatWasEncoded() throws {
        let tshark = try #require(Self.tsharkPath())
        // Plus SI2 with the range formats: a DCS 1800 plan (512 range) and a list across bands (1024 range).
        var dcs = Self.cell, wide = Self.cell
        dcs.neighbourARFCNs = [512, 530, 577, 601, 640, 700, 736, 800].map(ARFCN.init)
        wide.neighbourARFCNs = [0, 10, 62, 124, 512, 600, 885, 975, 1000, 1023].map(ARFCN.init)
        let blocks = Self.allBlocks() + [("SI2", GSMRRMessageEncoder.systemInformation2(dcs)), ("SI2", GSMRRMessageEncoder.systemInformation2(wide))]
        let lists: [[Int]?] = blocks.map { tag, block in
            switch try? RRMessageDecoder.decode(l2Block: block) {
            case .systemInformation1(let m): m.cellChannelDescription.arfcns.map(\.value)
            case .systemInformation2(let m): m.neighbourCells.frequencies.arfcns.map(\.value)
            case .systemInformation2bis(let m): m.extendedNeighbourCells.frequencies.arfcns.map(\.value)
            case .systemInformation2ter(let m): m.extendedNeighbourCells.frequencies.arfcns.map(\.value)
            default: nil
            }
        }
        #expect(lists[blocks.count - 2] == dcs.neighbourARFCNs.map(\.value) && lists[blocks.count - 1] == wide.neighbourARFCNs.map(\.value))
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pcap = dir.appendingPathComponent("sim.pcap")
        let writer = try GSMTAPPcapWriter(path: pcap.path)
        for (i, (tag, block)) in blocks.enumerated() {
            try writer.write(GSMTAP.umPacket(arfcn: 62, frameNumber: GSMFrameNumber(UInt32(100 + 51 * i))!,
                                             channel: tag.hasPrefix("SI") ? .bcch : .ccch, l2: block), time: Double(i) * 0.01)
        }
        try writer.close()
        let fields = ["gsm_a.dtap.msg_rr_type", "e212.lai.mcc", "e212.lai.mnc", "gsm_a.lac", "gsm_a.bssmap.cell_ci",
                      "gsm_a.rr.cell_reselect_offset", "gsm_a.rr.temporary_offset", "gsm_a.rr.penalty_time", "gsm_a.rr.t3212",
                      "gsm_a.rr.bs_pa_mfrms", "gsm_a.rr.bs_ag_blks_res", "gsm_a.rr.cell_barr_access", "gsm_a.rr.rxlev_access_min",
                      "gsm_a.rr.l2_pseudo_len", "_ws.expert"]
        let output = try TestSupport.standardOutput(of: tshark, ["-r", pcap.path, "-T", "fields", "-E", "separator=|", "-E", "occurrence=f"]
                                  + fields.flatMap { ["-e", $0] })
        let rows = output.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map {
            Dictionary(uniqueKeysWithValues: zip(fields, $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init)))
        }
        try #require(rows.count == blocks.count, "tshark printed \(rows.count) rows for \(blocks.count) packets:\n\(output)")
        // Wireshark's own reading of every frequency list ("List of ARFCNs = …" in the detail view).
        var shown: [[Int]?] = []
        for line in try TestSupport.standardOutput(of: tshark, ["-r", pcap.path, "-V"]).split(separator: "\n") {
            if line.hasPrefix("Frame ") { shown.append(nil); continue }
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("List of ARFCNs ="), !shown.isEmpty, shown[shown.count - 1] == nil {
                shown[shown.count - 1] = t.dropFirst("List of ARFCNs =".count).split(separator: " ").compactMap { Int($0) }.sorted()
            }
        }
        #expect(shown.count == blocks.count)
        for (i, list) in lists.enumerated() where list != nil && i < shown.count {
            #expect(shown[i] == list, "\(blocks[i].0) #\(i): Wireshark lists \(shown[i] ?? []), we sent \(list ?? [])")
        }
        for (i, (tag, block)) in blocks.enumerated() {
            let r = rows[i]
            #expect(r["gsm_a.dtap.msg_rr_type"] == "0x" + String(format: "%02x", block[2]), "\(tag): message type \(r["gsm_a.dtap.msg_rr_type"] ?? "")")
            #expect(r["gsm_a.rr.l2_pseudo_len"] == String(block[0] >> 2), "\(tag): pseudo length")
            #expect(r["_ws.expert"] == "", "\(tag): Wireshark reports \(r["_ws.expert"] ?? "") for \(block)")
            if tag == "SI3" || tag == "SI4" {
                #expect(r["e212.lai.mcc"] == "460" && r["e212.lai.mnc"] == "0" && r["gsm_a.lac"] == "0x2a5f", "\(tag): \(r)")
                #expect(r["gsm_a.rr.cell_reselect_offset"] == "42" && r["gsm_a.rr.temporary_offset"] == "3"
                        && r["gsm_a.rr.penalty_time"] == "17", "\(tag): \(r)")
                #expect(r["gsm_a.rr.cell_barr_access"] == "1" && r["gsm_a.rr.rxlev_access_min"] == "10", "\(tag): \(r)")
            }
            if tag == "SI3" {
                #expect(r["gsm_a.bssmap.cell_ci"] == "0xbeef" && r["gsm_a.rr.t3212"] == "2", "\(r)")
                #expect(r["gsm_a.rr.bs_pa_mfrms"] == "5" && r["gsm_a.rr.bs_ag_blks_res"] == "2", "\(r)")
            }
        }
    }
}
