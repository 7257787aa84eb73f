import CellwatchModel
import Foundation

/// The lines `cellwatch decode lte` prints for a cell (shared/DESIGN.md, "Command line").
public enum LTECellFormatter {
    public static func json(_ c: LTECellReport) -> String {
        var j = JSONLine()
        j.add("type", "cell")
        j.add("pci", c.pci)
        j.add("duplex", c.duplex.rawValue)
        j.add("cyclic_prefix", c.detection.normalCP ? "normal" : "extended")
        if let prb = c.prb { j.add("prb", prb) }
        if let ports = c.ports { j.add("ports", ports) }
        if let sfn = c.sfn { j.add("sfn", sfn) }
        j.add("cfo_hz", c.carrierOffset.value, digits: 1)
        j.add("cfo_pss_hz", c.detection.pssOffsetHz, digits: 1)
        if let r = c.rsrp { j.add("rsrp_dbfs", r.value, digits: 1) }
        if let r = c.rsrq { j.add("rsrq_db", r.value, digits: 1) }
        if let r = c.sinr { j.add("sinr_db", r.value, digits: 1) }
        j.add("pss_metric", c.detection.pss.peakToMean, digits: 1)
        j.add("sss_score", c.detection.sssScore, digits: 3)
        j.add("sss_runner_up", c.detection.sssRunnerUp, digits: 3)
        if let m = c.mib, let p = c.pbch {
            var o = JSONLine()
            o.add("bits", m.bitString)
            o.add("dl_bandwidth_prb", m.downlinkPRB)
            o.add("phich_duration", m.phichDuration.rawValue)
            o.add("phich_resource", m.phichResource.rawValue)
            o.add("sfn_msb8", m.sfnHigh)
            o.add("frames_combined", p.framesCombined)
            j.add("mib", .object(o))
        }
        if let s = c.sib1 { j.add("sib1", .object(sib1JSON(s))) }
        let blocks = c.systemInformationBlocks
        if !blocks.isEmpty { j.add("sibs", .array(blocks.map { .object(blockJSON($0)) })) }
        if !c.systemInformation.isEmpty {
            j.add("bcch_blocks", .array(c.systemInformation.map { d in
                var o = JSONLine()
                o.add("subframe", d.subframe)
                o.add("cfi", d.cfi)
                o.add("tbs_bits", d.transportBlockBits)
                o.add("hex", d.payload.map { String(format: "%02x", $0) }.joined())
                if case .failure(let e) = d.message { o.add("error", e.description) }
                return .object(o)
            }))
        }
        if let why = c.systemInformationSkipped { j.add("sib_skipped", why) }
        return j.text
    }

    static func sib1JSON(_ s: SystemInformationBlockType1) -> JSONLine {
        var o = JSONLine()
        o.add("mcc", s.mcc)
        o.add("mnc", s.mnc)
        o.add("plmns", .array(s.plmns.map { .string(($0.mcc ?? "") + "-" + $0.mnc) }))
        o.add("tac", s.trackingAreaCode)
        o.add("cell_identity", s.cellIdentity)
        o.add("enb_id", s.cellIdentity >> 8)
        o.add("cell_barred", s.cellBarred)
        o.add("intra_freq_reselection", s.intraFrequencyReselectionAllowed)
        o.add("csg_indication", s.csgIndication)
        o.add("q_rxlevmin_dbm", s.qRxLevMinDBm)
        o.add("p_max_dbm", s.pMax)
        o.add("band", s.frequencyBandIndicator)
        if let t = s.tddConfiguration {
            o.add("tdd_subframe_assignment", t.subframeAssignment)
            o.add("tdd_special_subframe_pattern", t.specialSubframePattern)
        }
        o.add("si_window_ms", s.siWindowLengthMs)
        o.add("system_info_value_tag", s.systemInfoValueTag)
        o.add("scheduling", .array(s.schedulingInfo.map { si in
            var x = JSONLine()
            x.add("period_frames", si.periodicityFrames)
            x.add("sibs", .array(si.sibTypes.map { .integer(Int64($0)) }))
            return .object(x)
        }))
        return o
    }

    static func blockJSON(_ b: SystemInformation.Block) -> JSONLine {
        var o = JSONLine()
        switch b {
        case .sib2(let s):
            o.add("sib", 2)
            o.add("reference_signal_power_dbm", s.referenceSignalPower)
            o.add("prach_root_sequence_index", s.prachRootSequenceIndex)
            o.add("ul_earfcn", s.uplinkCarrierEARFCN)
            o.add("ul_bandwidth_prb", s.uplinkBandwidthPRB)
            if let a = s.accessBarring { o.add("ac_barring_for_emergency", a.emergency) }
        case .sib3(let s):
            o.add("sib", 3)
            o.add("cell_reselection_priority", s.cellReselectionPriority)
            o.add("q_hyst_db", s.qHystDB)
            o.add("thresh_serving_low", s.threshServingLow)
            o.add("q_rxlevmin_dbm", 2 * s.qRxLevMin)
        case .sib4(let s):
            o.add("sib", 4)
            o.add("neighbour_pcis", .array(s.neighbours.map { .integer(Int64($0.pci)) }))
        case .sib5(let s):
            o.add("sib", 5)
            o.add("carriers", .array(s.carriers.map { c in
                var x = JSONLine()
                x.add("earfcn", c.earfcn)
                x.add("cell_reselection_priority", c.cellReselectionPriority)
                x.add("thresh_x_high", c.threshXHigh)
                x.add("thresh_x_low", c.threshXLow)
                return .object(x)
            }))
        case .sib6(let s):
            o.add("sib", 6)
            o.add("utra_fdd", .array(s.fdd.map { c in
                var x = JSONLine()
                x.add("uarfcn", c.uarfcn)
                x.add("cell_reselection_priority", c.cellReselectionPriority)
                return .object(x)
            }))
            o.add("utra_tdd", .array(s.tdd.map { c in
                var x = JSONLine()
                x.add("uarfcn", c.uarfcn)
                x.add("cell_reselection_priority", c.cellReselectionPriority)
                return .object(x)
            }))
        case .sib7(let s):
            o.add("sib", 7)
            o.add("geran", .array(s.carrierGroups.map { g in
                var x = JSONLine()
                x.add("arfcns", .array(g.arfcns.map { .integer(Int64($0)) }))
                x.add("band_indicator", g.band.rawValue)
                x.add("cell_reselection_priority", g.cellReselectionPriority)
                x.add("thresh_x_high", g.threshXHigh)
                return .object(x)
            }))
        case .sib9: o.add("sib", 9)
        case .sib10(let id, let serial):
            o.add("sib", 10); o.add("message_identifier", id); o.add("serial_number", serial)
        case .sib11(let id, let serial, _):
            o.add("sib", 11); o.add("message_identifier", id); o.add("serial_number", serial)
        case .later(let k): o.add("sib", 12 + k)
        case .sib8NotDecoded: o.add("sib", 8); o.add("decoded", false)
        }
        return o
    }

    /// One line per SIB for the human output.
    public static func sibLines(_ c: LTECellReport) -> [String] {
        var lines: [String] = []
        if let s = c.sib1 {
            var p = ["  SIB1: PLMN " + s.plmns.map { ($0.mcc ?? "?") + "-" + $0.mnc }.joined(separator: ",")]
            p.append(String(format: "TAC %d (0x%04x)", s.trackingAreaCode, s.trackingAreaCode))
            p.append(String(format: "CI %d (eNB %d, cell %d)", s.cellIdentity, s.cellIdentity >> 8, s.cellIdentity & 0xFF))
            p.append("band \(s.frequencyBandIndicator)")
            if s.cellBarred { p.append("BARRED") }
            p.append("q-RxLevMin \(s.qRxLevMinDBm) dBm")
            if let m = s.pMax { p.append("p-Max \(m) dBm") }
            if let t = s.tddConfiguration { p.append("TDD sa\(t.subframeAssignment)/ssp\(t.specialSubframePattern)") }
            p.append("SI window \(s.siWindowLengthMs) ms")
            p.append("scheduled " + s.schedulingInfo.map { "rf\($0.periodicityFrames):[" + $0.sibTypes.map { "SIB\($0)" }.joined(separator: ",") + "]" }.joined(separator: " "))
            lines.append(p.joined(separator: "  "))
        }
        for b in c.systemInformationBlocks {
            switch b {
            case .sib3(let s): lines.append("  SIB3: serving priority \(s.cellReselectionPriority)  q-Hyst \(s.qHystDB) dB  threshServingLow \(s.threshServingLow)")
            case .sib5(let s): lines.append("  SIB5: " + s.carriers.map { "EARFCN \($0.earfcn) prio \($0.cellReselectionPriority.map(String.init) ?? "-")" }.joined(separator: ", "))
            case .sib6(let s): lines.append("  SIB6: " + (s.fdd + s.tdd).map { "UARFCN \($0.uarfcn) prio \($0.cellReselectionPriority.map(String.init) ?? "-")" }.joined(separator: ", "))
            case .sib7(let s): lines.append("  SIB7: " + s.carrierGroups.map { "ARFCN \($0.arfcns.map(String.init).joined(separator: ",")) prio \($0.cellReselectionPriority.map(String.init) ?? "-")" }.joined(separator: "; "))
            case .sib2(let s): lines.append("  SIB2: RS power \(s.referenceSignalPower) dBm  PRACH root \(s.prachRootSequenceIndex)" + (s.uplinkCarrierEARFCN.map { "  UL EARFCN \($0)" } ?? ""))
            default: break
            }
        }
        for d in c.systemInformation {
            if case .failure(let e) = d.message { lines.append("  BCCH block in subframe \(d.subframe) not decoded: \(e.description)") }
        }
        return lines
    }

    public static func text(_ c: LTECellReport) -> String {
        var parts = ["PCI \(c.pci)", c.duplex.rawValue, c.detection.normalCP ? "normal CP" : "extended CP"]
        if let prb = c.prb { parts.append("\(prb) PRB") }
        if let ports = c.ports { parts.append("\(ports) port" + (ports == 1 ? "" : "s")) }
        if let sfn = c.sfn { parts.append("SFN \(sfn)") }
        parts.append(String(format: "CFO %+.0f Hz", c.carrierOffset.value))
        if let r = c.rsrp { parts.append(String(format: "RSRP %.1f dBFS", r.value)) }
        if let r = c.rsrq { parts.append(String(format: "RSRQ %.1f dB", r.value)) }
        if let r = c.sinr { parts.append(String(format: "SINR %.1f dB", r.value)) }
        if let m = c.mib {
            parts.append("MIB \(m.bitString) (PHICH \(m.phichDuration.rawValue)/\(m.phichResource.rawValue))")
        } else {
            parts.append("MIB not decoded")
        }
        parts.append(String(format: "PSS %.1f SSS %.2f/%.2f", c.detection.pss.peakToMean, c.detection.sssScore, c.detection.sssRunnerUp))
        return ([parts.joined(separator: "  ")] + sibLines(c)).joined(separator: "\n")
    }
}
