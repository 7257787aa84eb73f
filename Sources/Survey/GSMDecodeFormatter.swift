import Foundation
import CellwatchModel
import GSM

/// Renders `decode gsm` results: one line per decoded block, then one per cell (DESIGN.md's contract).
///
/// Dedicated signalling (SDCCH/4 on a combined TS0) is counted, never printed: it carries subscribers'
/// traffic (identities, SMS).
///
/// Privacy: blocks that carry subscriber identities (paging requests: IMSI, TMSI; immediate
/// assignments: a downlink TBF's TLLI) are shown without their L2 octets; only the counts per identity
/// type, which the RR decoder keeps, are printed.
public enum GSMDecodeFormatter {
    public static func carriesIdentities(_ m: RRMessage?) -> Bool {
        func any(_ c: MobileIdentityCounts) -> Bool { c.imsi + c.tmsi + c.imei + c.other > 0 }
        switch m {
        case .pagingRequest1(let p): return any(p.identities)
        case .pagingRequest2(let p): return any(p.identities)
        case .pagingRequest3(let p): return any(p.identities)
        // A packet downlink assignment's rest octets may hold the mobile's TLLI.
        case .immediateAssignment, .immediateAssignmentExtended: return true
        case nil, .some: return false
        }
    }

    /// Lowercase hex of an L2 block, as the `l2` field prints it.
    public static func hex(_ b: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        var s = ""
        for x in b { s.append(digits[Int(x >> 4)]); s.append(digits[Int(x & 15)]) }
        return s
    }

    public static func blockJSON(_ block: GSMBlock, message: RRMessage?, messageError: RRDecodingError?) -> String? {
        guard let l2 = block.l2, block.channel != .sdcch else { return nil }
        var j = JSONLine()
        j.add("type", "block")
        j.add("fn", Int64(block.frameNumber.value))
        j.add("timeslot", 0)
        j.add("channel", block.channel.rawValue)
        if carriesIdentities(message) {
            j.add("l2", String?.none)
            j.add("l2_redacted", "subscriber identities")
        } else {
            j.add("l2", hex(l2))
        }
        if let message {
            j.add("message", .object(message.json))
        } else {
            j.add("message", .null)
            j.add("error", messageError?.description)
        }
        return j.text
    }

    public static func blockLine(_ block: GSMBlock, message: RRMessage?, messageError: RRDecodingError?) -> String? {
        guard let l2 = block.l2, block.channel != .sdcch else { return nil }
        let octets = carriesIdentities(message) ? "[octets withheld: subscriber identities]".padding(46)
            : l2.map { hex([$0]) }.joined(separator: " ")
        let what = message?.name ?? "undecodable L3: \(messageError?.description ?? "?")"
        return "FN \(block.frameNumber.value)  \(block.channel.rawValue)  \(octets)  \(what)"
    }

    public static func cellJSON(_ c: GSMCarrierDecode) -> String {
        let s = c.summary
        var j = JSONLine()
        j.add("type", "cell")
        j.add("arfcn", c.arfcn)
        j.add("band", c.band?.rawValue)
        j.add("frequency_hz", c.frequency?.value)
        j.add("bsic", s.bsic.map { Int($0.value) })
        j.add("ncc", s.bsic.map { Int($0.ncc) })
        j.add("bcc", s.bsic.map { Int($0.bcc) })
        j.add("mcc", s.mcc)
        j.add("mnc", s.mnc)
        j.add("lac", s.lac)
        j.add("cell_id", s.cellIdentity)
        j.add("cfo_hz", c.frequencyOffset, digits: 1)
        j.add("cfo_ppm", c.frequencyOffset.flatMap { off in c.frequency.map { off / $0.value * 1e6 } }, digits: 3)
        j.add("power_dbfs", c.powerDBFS?.value, digits: 2)
        j.add("snr_db", c.snr?.value, digits: 2)
        j.add("blocks_decoded", s.blocksDecoded)
        j.add("blocks_failed", s.blocksFailed)
        j.add("sdcch_blocks", s.dedicatedBlocks)
        var messages = JSONLine()
        for (k, v) in s.messageCounts.sorted(by: { $0.key < $1.key }) { messages.add(k, v) }
        j.add("messages", .object(messages))
        j.add("neighbours", s.neighbours.map { .array($0.map { .integer(Int64($0)) }) } ?? .null)
        j.add("cell_reselect_offset", s.cellReselectOffset)
        j.add("t3212", s.t3212)
        j.add("ccch_conf", s.ccchConf)
        j.add("paging_imsi_count", s.pagedIMSIs)
        j.add("paging_tmsi_count", s.pagedTMSIs)
        j.add("immediate_assignments", s.immediateAssignments)
        return j.text
    }

    public static func cellText(_ c: GSMCarrierDecode) -> String {
        let s = c.summary
        var lines: [String] = []
        let where_ = [c.arfcn.map { "ARFCN \($0)" }, c.band?.rawValue, c.frequency.map { "\($0)" }].compactMap { $0 }.joined(separator: " ")
        lines.append("cell \(where_.isEmpty ? "(centre of the recording)" : where_)")
        lines.append("  BSIC \(s.bsic.map { "\($0)" } ?? "not decoded")")
        if let mcc = s.mcc, let mnc = s.mnc {
            lines.append("  MCC \(mcc)  MNC \(mnc)  LAC \(s.lac.map(String.init) ?? "?")  CI \(s.cellIdentity.map(String.init) ?? "?")")
        } else {
            lines.append("  identity: no SI3/SI4 decoded")
        }
        if let off = c.frequencyOffset {
            let ppm = c.frequency.map { " (\(String(format: "%+.3f", off / $0.value * 1e6)) ppm)" } ?? ""
            lines.append("  carrier offset \(String(format: "%+.1f", off)) Hz\(ppm)")
        }
        if let p = c.powerDBFS, let snr = c.snr {
            lines.append("  power \(String(format: "%.1f", p.value)) dBFS, SNR \(String(format: "%.1f", snr.value)) dB on the training sequences")
        }
        lines.append("  blocks: \(s.blocksDecoded) decoded, \(s.blocksFailed) failed the Fire code"
                     + (s.dedicatedBlocks > 0 ? "; \(s.dedicatedBlocks) SDCCH/4 blocks counted, not shown" : ""))
        if !s.messageCounts.isEmpty {
            lines.append("  messages: " + s.messageCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if let n = s.neighbours { lines.append("  neighbours (SI2): " + n.map(String.init).joined(separator: " ")) }
        if let cro = s.cellReselectOffset { lines.append("  CELL_RESELECT_OFFSET \(cro) (\(2 * cro) dB)") }
        if let t = s.t3212 { lines.append("  T3212 \(t) (\(t * 6) min)") }
        lines.append("  paging: \(s.pagedIMSIs) IMSI, \(s.pagedTMSIs) TMSI identities (counted, not shown); immediate assignments \(s.immediateAssignments)")
        return lines.joined(separator: "\n")
    }
}

private extension String {
    func padding(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}
