import CellwatchModel
import GSM

/// Sends decoded blocks as GSMTAP (UDP and/or a pcap file) so Wireshark shows them. Blocks that carry
/// subscriber identities (paging, assignments) are not exported: identities are never sent.
public enum GSMTAPExport {
    /// Returns how many blocks were exported and how many were withheld for privacy.
    public static func export(_ carrier: GSMCarrierDecode, sender: GSMTAPSender?, pcap: GSMTAPPcapWriter?) throws -> (sent: Int, withheld: Int) {
        var sent = 0, withheld = 0
        for (block, message, _) in carrier.blocks {
            guard let l2 = block.l2 else { continue }
            if block.channel == .sdcch || GSMDecodeFormatter.carriesIdentities(message) { withheld += 1; continue }
            let snr = block.snr.isFinite && block.snr > 0 ? Int(Decibels(powerRatio: block.snr).value.rounded()) : 0
            let packet = GSMTAP.umPacket(arfcn: carrier.arfcn ?? 0, pcs: carrier.band == .pcs1900, snrDB: snr,
                                         frameNumber: block.frameNumber, channel: GSMTAP.UmChannel(block.channel), l2: l2)
            sender?.send(packet)
            try pcap?.write(packet, time: Double(block.sample) / BurstFormat.sampleRate)
            sent += 1
        }
        return (sent, withheld)
    }
}
