import Foundation
import GSM
import Testing
import TestSupport

/// Wireshark's GSM RR dissector (tshark, Debian package `tshark`) as an independent decoder: every
/// block of the shared recordings, every hand-built vector and a few hundred random frequency lists go
/// into a GSMTAP pcap; tshark's fields must equal what our decoder says, field by field.
@Suite struct ProtocolWiresharkComparisonTests {
    typealias T = ProtocolTestSupport

    struct Case {
        var label: String
        var block: [UInt8]
        var frameNumber: UInt32 = 0
    }

    static func tsharkPath() -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        return dirs.map { $0 + "/tshark" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test func tsharkAgreesWithEveryDecodedField() throws {
        guard let tshark = Self.tsharkPath() else {
            print("skipped: tshark is not installed (Debian package tshark); the Wireshark comparison did not run")
            return
        }
        var cases: [Case] = []
        for file in ["gsm/vf_call6_arfcn725.grgsm_bcch_expected.txt", "gsm/ref_c0_clean.grgsm_bcch_expected.txt", "gsm/ref_c0_impaired.grgsm_bcch_expected.txt"] {
            for (i, b) in (try ProtocolExpectedFile.blocks(file) ?? []).enumerated() {
                cases.append(Case(label: "\(file) line \(i + 1)", block: b.octets, frameNumber: b.frameNumber))
            }
        }
        for (label, block) in ProtocolMessageVectors.all { cases.append(Case(label: label, block: block)) }
        cases += Self.randomFrequencyListCases()

        let decoded = try cases.map { try RRMessageDecoder.decode(l2Block: $0.block) }
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pcap = dir.appendingPathComponent("rr.pcap")
        // Our own GSMTAP pcap writer (the one `decode gsm --gsmtap-pcap` uses) feeds Wireshark.
        let writer = try GSMTAPPcapWriter(path: pcap.path)
        for (i, c) in cases.enumerated() {
            // BCCH for system information, CCCH for the rest (GSMTAP Um sub-types 1 and 2).
            let si = [0x00, 0x02, 0x03, 0x07, 0x19, 0x1A, 0x1B, 0x1C].contains(c.block[2])
            try writer.write(GSMTAP.umPacket(arfcn: 725, frameNumber: try #require(GSMFrameNumber(c.frameNumber)),
                                             channel: si ? .bcch : .ccch, l2: c.block), time: Double(i) * 0.01)
        }
        try writer.close()

        let expectations = zip(cases, decoded).map { Self.expectations(for: $1, block: $0.block) }
        let fieldNames = Array(Set(expectations.flatMap(\.fields.keys))).sorted()
        let rows = try Self.tsharkFields(tshark, pcap: pcap, fields: fieldNames)
        let verbose = try Self.tsharkVerbose(tshark, pcap: pcap)
        #expect(rows.count == cases.count && verbose.count == cases.count)

        var compared = 0
        for (i, c) in cases.enumerated() where i < rows.count && i < verbose.count {
            let e = expectations[i]
            let v = verbose[i]
            #expect(v.name == decoded[i].name, "\(c.label): Wireshark says \(v.name)")
            #expect(!v.malformed, "\(c.label): Wireshark reports the block as malformed")
            for (field, value) in e.fields.sorted(by: { $0.key < $1.key }) {
                #expect(rows[i][field] == value, "\(c.label) \(T.hex(c.block)): \(field) is \(rows[i][field] ?? "absent") in Wireshark, \(value) in ours")
                compared += 1
            }
            if let arfcns = e.arfcns {
                #expect(v.arfcns == arfcns, "\(c.label) \(T.hex(c.block)): Wireshark lists \(v.arfcns ?? []), we \(arfcns)")
                compared += 1
            }
            if let mnc = e.mnc {
                #expect(v.mnc == mnc, "\(c.label): Wireshark's MNC is \(v.mnc ?? "absent"), ours \(mnc)")
                compared += 1
            }
        }
        print("Wireshark comparison: \(cases.count) blocks, \(compared) fields compared")
    }

    // MARK: what tshark must show for our decoding

    struct Expectation {
        var fields: [String: String] = [:]
        /// Sorted ARFCNs of the message's frequency list, compared with Wireshark's "List of ARFCNs".
        var arfcns: [Int]?
        var mnc: String?
    }

    static func expectations(for message: RRMessage, block: [UInt8]) -> Expectation {
        var e = Expectation()
        func set(_ field: String, _ value: Int) { e.fields["gsm_a.rr." + field] = String(value) }
        func set(_ field: String, _ value: Bool) { e.fields["gsm_a.rr." + field] = value ? "1" : "0" }
        func hex4(_ v: Int) -> String { "0x" + String(repeating: "0", count: 4 - String(v, radix: 16).count) + String(v, radix: 16) }
        func list(_ values: [Int]) -> String { values.map(String.init).joined(separator: ",") }
        e.fields["gsm_a.rr.l2_pseudo_len"] = String(block[0] >> 2)

        func rach(_ r: RACHControlParameters) {
            set("max_retrans", r.maxRetransCode)
            set("tx_integer", r.txIntegerCode)
            set("cell_barr_access", r.cellBarAccess ? 1 : 0)
            set("re", r.callReestablishmentAllowed ? 0 : 1)
            let classes = r.barredAccessClasses.reduce(r.emergencyCallRestricted ? 1 << 10 : 0) { $0 | 1 << $1 }
            e.fields["gsm_a.rr.acc"] = hex4(classes)
        }
        func lai(_ l: LocationAreaIdentification) {
            e.fields["e212.lai.mcc"] = String(Int(l.mcc)!)
            e.fields["e212.lai.mnc"] = String(Int(l.mnc)!)
            e.fields["gsm_a.lac"] = hex4(l.lac)
            e.mnc = l.mnc
        }
        func selection(_ c: CellSelectionParameters) {
            set("cell_reselect_hyst", c.cellReselectHysteresis)
            set("ms_txpwr_max_cch", c.msTxpwrMaxCch)
            set("acs", c.acs)
            set("neci", c.neci ? 1 : 0)
            set("rxlev_access_min", c.rxlevAccessMin)
        }
        func selectionParameters(_ s: SelectionParameters?) {
            guard let s else { return }
            set("cbq", s.cbq)
            set("cell_reselect_offset", s.cellReselectOffset)
            set("temporary_offset", s.temporaryOffset)
            set("penalty_time", s.penaltyTime)
        }
        func gprs(_ g: GPRSIndicator?) {
            guard let g else { return }
            set("gprs_ra_colour", g.raColour)
            set("si13_position", g.si13Position)
        }
        func channel(_ c: ChannelDescription) -> (timeslot: Int, tsc: Int, arfcn: Int?, maio: Int?, hsn: Int?) {
            switch c.hopping {
            case .single(let a): (c.timeslot, c.tsc, a, nil, nil)
            case .hopping(let m, let h): (c.timeslot, c.tsc, nil, m, h)
            }
        }

        switch message {
        case .systemInformation1(let m):
            e.arfcns = m.cellChannelDescription.arfcns.map(\.value)
            rach(m.rachControl)
        case .systemInformation2(let m):
            e.arfcns = m.neighbourCells.frequencies.arfcns.map(\.value)
            set("ba_ind", m.neighbourCells.baInd)
            set("ext_ind", m.neighbourCells.extInd ? 1 : 0)
            e.fields["gsm_a.rr.ncc_permitted"] = "0x" + String(format: "%02x", m.nccPermitted.reduce(0) { $0 | 1 << $1 })
            rach(m.rachControl)
        case .systemInformation2bis(let m):
            e.arfcns = m.extendedNeighbourCells.frequencies.arfcns.map(\.value)
            set("ba_ind", m.extendedNeighbourCells.baInd)
            set("ext_ind", m.extendedNeighbourCells.extInd ? 1 : 0)
            rach(m.rachControl)
        case .systemInformation2ter(let m):
            e.arfcns = m.extendedNeighbourCells.frequencies.arfcns.map(\.value)
            set("ba_ind", m.extendedNeighbourCells.baInd)
            set("multiband_reporting", m.extendedNeighbourCells.multibandReporting)
        case .systemInformation2quater(let m):
            let r = m.restOctets
            set("ba_ind", r.baInd)
            set("3g_ba_ind", r.threeGBAInd)
            set("si2quater_index", r.index)
            set("si2quater_count", r.count)
            if !r.utranFDDNeighbours.isEmpty {
                e.fields["gsm_a.rr.fdd_uarfcn"] = list(r.utranFDDNeighbours.map(\.uarfcn))
                e.fields["gsm_a.rr.scrambling_code"] = list(r.utranFDDNeighbours.flatMap { $0.cells.map(\.scramblingCode) })
            }
            if let s = r.servingCellPriority {
                set("serving_cell_priority_param_geran_priority", s.geranPriority)
                set("serving_cell_priority_param_thresh_prio_search", s.threshPrioritySearch)
                set("serving_cell_priority_param_thresh_gsm_low", s.threshGSMLow)
                set("serving_cell_priority_param_h_prio", s.hPrio)
                set("serving_cell_priority_param_t_reselection", s.tReselection)
            }
            if let eu = r.eutran, !eu.neighbourFrequencies.isEmpty {
                let n = eu.neighbourFrequencies
                e.fields["gsm_a.rr.earfcn"] = list(n.flatMap { $0.earfcns.map(\.earfcn) })
                e.fields["gsm_a.rr.thresh_eutran_high"] = list(n.map(\.threshHigh))
                e.fields["gsm_a.rr.eutran_priority"] = list(n.compactMap(\.priority))
                e.fields["gsm_a.rr.thresh_eutran_low"] = list(n.compactMap(\.threshLow))
                e.fields["gsm_a.rr.eutran_qrxlevmin"] = list(n.compactMap(\.qRxLevMin))
            }
        case .systemInformation3(let m):
            lai(m.locationArea)
            e.fields["gsm_a.bssmap.cell_ci"] = hex4(m.cellIdentity)
            let cc = m.controlChannel
            set("mscr", cc.mscr ? 1 : 0)
            set("att", cc.att ? 1 : 0)
            set("bs_ag_blks_res", cc.bsAgBlksRes)
            set("ccch_conf", cc.ccchConf)
            set("cbq3", cc.cbq3)
            // Wireshark 4.0 shows BS-PA-MFRMS as code + 2 through the field's 3-bit mask: 9 reads 1.
            set("bs_pa_mfrms", cc.bsPaMfrms & 7)
            set("t3212", cc.t3212)
            set("pwrc", m.cellOptions.pwrc)
            set("dtx_bcch", m.cellOptions.dtx)
            set("radio_link_timeout", m.cellOptions.radioLinkTimeoutCode)
            selection(m.cellSelection)
            rach(m.rachControl)
            let r = m.restOctets
            selectionParameters(r.selectionParameters)
            if let p = r.powerOffset { set("power_offset", p) }
            if let w = r.schedulingWhere { set("where", w) }
            gprs(r.gprsIndicator)
            if let p = r.si2quaterPosition { set("si2quater_position", p) }
            if let p = r.si13altPosition { set("si13alt_position", p) }
        case .systemInformation4(let m):
            lai(m.locationArea)
            selection(m.cellSelection)
            rach(m.rachControl)
            if let c = m.cbchChannelDescription {
                let d = channel(c)
                set("timeslot", d.timeslot)
                set("training_sequence", d.tsc)
                if let a = d.arfcn { set("single_channel_arfcn", a) }
            }
            selectionParameters(m.restOctets.selectionParameters)
            if let p = m.restOctets.powerOffset { set("power_offset", p) }
            gprs(m.restOctets.gprsIndicator)
        case .systemInformation13(let m):
            guard let r = m.restOctets else { break }
            set("bcch_change_mark", r.bcchChangeMark)
            set("si_change_field", r.siChangeField)
            if let v = r.rac { set("rac", v) }
            if let v = r.spgcCcchSup { set("spgc_ccch_sup", v) }
            if let v = r.priorityAccessThr { set("priority_access_thr", v) }
            if let v = r.networkControlOrder { set("network_control_order", v) }
            if let o = r.gprsCellOptions {
                set("nmo", o.nmo)
                set("t3168", o.t3168)
                set("t3192", o.t3192)
                set("drx_timer_max", o.drxTimerMax)
                set("access_burst_type", o.accessBurstType == 1)
                set("control_ack_type", o.controlAckType == 1)
                set("bs_cv_max", o.bsCvMax)
                if let v = o.panDec { set("pan_dec", v) }
                if let v = o.panInc { set("pan_inc", v) }
                if let v = o.panMax { set("pan_max", v) }
            }
            if let p = r.gprsPowerControl {
                set("alpha", p.alpha)
                set("t_avg_w", p.tAvgW)
                set("t_avg_t", p.tAvgT)
                set("pc_meas_chan", p.pcMeasChan == 1)
                set("n_avg_i", p.nAvgI)
            }
            if let v = r.sgsnr { set("sgsnr", v == 1) }
            if let v = r.siStatusInd { set("si_status_ind", v == 1) }
        case .pagingRequest1(let m):
            set("page_mode", m.pageMode.rawValue)
            set("chnl_needed_ch1", m.channelNeeded[0].rawValue)
            set("chnl_needed_ch2", m.channelNeeded[1].rawValue)
            let ids = m.identities
            e.fields["gsm_a.ie.mobileid.type"] = (Array(repeating: "0", count: ids.none) + Array(repeating: "1", count: ids.imsi)
                + Array(repeating: "4", count: ids.tmsi)).joined(separator: ",")
            if let nln = m.restOctets.nln { set("nln_pch", nln) }
        case .pagingRequest2(let m):
            set("page_mode", m.pageMode.rawValue)
            set("chnl_needed_ch1", m.channelNeeded[0].rawValue)
            set("chnl_needed_ch2", m.channelNeeded[1].rawValue)
            if let c = m.restOctets.channelNeeded3 { set("chnl_needed_ch3", c.rawValue) }
            if m.identities.imsi == 1 { e.fields["gsm_a.ie.mobileid.type"] = "1" }
        case .pagingRequest3(let m):
            set("page_mode", m.pageMode.rawValue)
            set("chnl_needed_ch1", m.channelNeeded[0].rawValue)
            set("chnl_needed_ch2", m.channelNeeded[1].rawValue)
        case .immediateAssignment(let m):
            set("page_mode", m.pageMode.rawValue)
            set("ra", m.requestReference.ra)
            e.fields["gsm_a.rr.T1prim"] = list([m.requestReference.t1Prime] + (m.startingTime.map { [$0.t1Prime] } ?? []))
            e.fields["gsm_a.rr.T3"] = list([m.requestReference.t3] + (m.startingTime.map { [$0.t3] } ?? []))
            e.fields["gsm_a.rr.T2"] = list([m.requestReference.t2] + (m.startingTime.map { [$0.t2] } ?? []))
            set("timing_adv", m.timingAdvance)
            switch m.channel {
            case .dedicated(let c):
                let d = channel(c)
                set("timeslot", d.timeslot)
                set("training_sequence", d.tsc)
                if let a = d.arfcn { set("single_channel_arfcn", a) }
                if let maio = d.maio { set("hopping_channel_maio", maio) }
                if let hsn = d.hsn { set("hsn", hsn) }
            case .packet(let p):
                set("packet_channel_type", p.channelType)
                set("timeslot", p.timeslot)
                set("training_sequence", p.tsc)
                if case .single(let a) = p.hopping { set("single_channel_arfcn", a) }
            }
        case .immediateAssignmentExtended(let m):
            set("page_mode", m.pageMode.rawValue)
            e.fields["gsm_a.rr.ra"] = list(m.assignments.map(\.requestReference.ra))
            e.fields["gsm_a.rr.T2"] = list(m.assignments.map(\.requestReference.t2))
            e.fields["gsm_a.rr.timing_adv"] = list(m.assignments.map(\.timingAdvance))
            e.fields["gsm_a.rr.timeslot"] = list(m.assignments.map(\.channel.timeslot))
        case .immediateAssignmentReject(let m):
            set("page_mode", m.pageMode.rawValue)
            e.fields["gsm_a.rr.ra"] = list(m.rejections.map(\.requestReference.ra))
            e.fields["gsm_a.rr.wait_indication"] = list(m.rejections.map(\.waitIndication))
        case .other:
            break
        }
        return e
    }

    // MARK: random frequency lists

    /// SI1 and SI2 blocks with random lists in every format (the Wireshark decoding of range formats is
    /// independent of ours; the Annex J encoder here only builds the input).
    static func randomFrequencyListCases() -> [Case] {
        var rng = SeededGenerator(seed: 725)
        var cases: [Case] = []
        for format in FrequencyListFormat.allCases {
            var made = 0
            while made < 25 {
                let set = ProtocolFrequencyListTests.randomSet(format, using: &rng)
                guard let ccd = T.frequencyListOctets(set, format: format) else { continue }
                if made % 2 == 0 {
                    cases.append(Case(label: "random SI1 \(format) \(set.sorted())", block: ProtocolFrequencyListTests.si1(ccd)))
                } else {
                    cases.append(Case(label: "random SI2 \(format) \(set.sorted())", block: [0x59, 0x06, 0x1A] + ccd + [0xFF, 0xB9, 0x00, 0x00]))
                }
                made += 1
            }
        }
        return cases
    }

    // MARK: running tshark

    /// One dictionary per frame: field → value (occurrences joined by ",").
    static func tsharkFields(_ tshark: String, pcap: URL, fields: [String]) throws -> [[String: String]] {
        let args = ["-r", pcap.path, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,", "-e", "frame.number"]
            + fields.flatMap { ["-e", $0] }
        return try TestSupport.standardOutput(of: tshark, args).split(separator: "\n", omittingEmptySubsequences: true).map { line in
            let values = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            var row: [String: String] = [:]
            for (i, f) in fields.enumerated() where i + 1 < values.count && !values[i + 1].isEmpty { row[f] = values[i + 1] }
            return row
        }
    }

    struct Verbose {
        var name = ""
        var arfcns: [Int]?
        var mnc: String?
        var malformed = false
    }

    /// From `tshark -V`: the message name, the "List of ARFCNs", the MNC digits as printed.
    static func tsharkVerbose(_ tshark: String, pcap: URL) throws -> [Verbose] {
        var frames: [Verbose] = []
        for line in try TestSupport.standardOutput(of: tshark, ["-r", pcap.path, "-V"]).split(separator: "\n") {
            if line.hasPrefix("Frame ") { frames.append(Verbose()); continue }
            guard !frames.isEmpty else { continue }
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("GSM CCCH - ") { frames[frames.count - 1].name = String(t.dropFirst("GSM CCCH - ".count)) }
            if t.hasPrefix("List of ARFCNs = ") {
                let list = t.dropFirst("List of ARFCNs = ".count).split(separator: " ").compactMap { Int($0) }
                frames[frames.count - 1].arfcns = list.sorted()
            } else if t == "List of ARFCNs =" {
                frames[frames.count - 1].arfcns = []
            }
            if t.hasPrefix("Mobile Network Code (MNC):"), let open = t.lastIndex(of: "("), let close = t.lastIndex(of: ")"), frames[frames.count - 1].mnc == nil {
                frames[frames.count - 1].mnc = String(t[t.index(after: open)..<close])
            }
            if t.contains("Malformed Packet") || t.contains("Unknown extension detected or malformed") { frames[frames.count - 1].malformed = true }
        }
        return frames
    }
}
