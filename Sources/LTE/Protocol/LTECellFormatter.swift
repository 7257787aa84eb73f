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
        return j.text
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
        return parts.joined(separator: "  ")
    }
}
