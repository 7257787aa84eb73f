import Foundation
import LTE
import Testing
import TestSupport

/// SIB reception off the air: the Amarisoft eNodeB recording of srsRAN's test vectors (PCI 1, 6 PRB,
/// one port, CFI 3, SIB on the PDSCH — srsRAN `pdsch_pdcch_file_test -c 1 -f 3 -n 6 -p 1`).
@Suite(.enabled(if: TestSupport.hasTestdata, "../shared/testdata is not present"))
struct SystemInformationReceiverTests {
    @Test func amarisoftSIBDecoded() throws {
        let (x, rate) = try #require(try LTEFixtures.samples("lte/srsran_1_92M_amar.sigmf-meta"))
        let cells = try LTEReceiver().decode(x, sampleRate: rate)
        let c = try #require(cells.first)
        #expect(c.pci == 1 && c.prb == 6 && c.ports == 1)
        #expect(c.systemInformationSkipped == nil)
        let blocks = c.systemInformation
        #expect(!blocks.isEmpty, "no BCCH-DL-SCH transport block passed its CRC")
        for b in blocks {
            // srsRAN's invocation states CFI 3; the transport block passed CRC-24A, so the message must parse.
            #expect(b.cfi == 3)
            #expect(throws: Never.self) { try b.message.get() }
            print("amarisoft SI-RNTI block: subframe \(b.subframe) CFI \(b.cfi) L\(b.aggregation) CCE \(b.firstCCE) MCS \(b.dci.mcs) "
                  + "TBS \(b.transportBlockBits) rv \(b.dci.redundancyVersion) iterations \(b.turboIterations) "
                  + b.payload.map { String(format: "%02x", $0) }.joined())
        }
        // Wireshark must dissect the same bytes without complaint and agree on every field it shows.
        if let tshark = RRCWireshark.tsharkPath() {
            let compared = try RRCWireshark.compare(blocks.map(\.payload), tshark: tshark)
            #expect(compared > 0)
        }
    }
}
