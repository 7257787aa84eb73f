import DSP
import Foundation
import GSM
import Radio
import Testing
import TestSupport

/// The whole receiver, IQ in, L2 blocks out, on the reference carriers that other people's code made
/// (libosmocore coding, GNU Radio GMSK). Their meta files list every block sent; gr-gsm decoded 58 of 61
/// (clean) and 57 of 61 (impaired) — we must do at least as well, and every block we give must be right.
@Suite(.enabled(if: TestSupport.hasTestdata, "../shared/testdata is not present"))
struct ReceiverReferenceTests {
    struct Sent: Decodable { let fn: UInt32; let l2: String }

    static func sentBlocks(_ meta: String) throws -> [UInt32: String] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: meta))) as! [String: Any]
        let global = json["global"] as! [String: Any]
        let reference = global["cellwatch:reference"] as! [String: Any]
        let blocks = reference["blocks"] as! [[String: Any]]
        var out: [UInt32: String] = [:]
        for b in blocks { out[(b["fn"] as! NSNumber).uint32Value] = b["l2"] as? String }
        return out
    }

    static func receive(_ path: String) throws -> (blocks: [GSMBlock], receiver: GSMReceiver, events: [GSMReceiverEvent]) {
        let device = try FileDevice(path: path)
        let receiver = try GSMReceiver(inputRate: device.sampleRate, carrierOffset: 0)
        let block = SampleBlock(capacity: 1 << 15)
        var events: [GSMReceiverEvent] = []
        while try device.read(into: block) {
            events += block.withSamples { receiver.process($0) }
        }
        events += receiver.finish()
        let blocks = events.compactMap { if case .block(let b) = $0 { b } else { nil } }
        return (blocks, receiver, events)
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    // gr-gsm: 58 and 57; we decode 59 of the 61 sent on both: the other two are the first and the last
    // block, which the recording's ends cut.
    @Test(arguments: [("gsm/ref_c0_clean.sigmf-meta", 59, 0.0), ("gsm/ref_c0_impaired.sigmf-meta", 59, 8500.0)])
    func decodesAtLeastAsManyBlocksAsGrGSM(name: String, grgsm: Int, offset: Double) throws {
        let path = try #require(TestSupport.recording(name))
        let sent = try Self.sentBlocks(path)
        let (blocks, receiver, events) = try Self.receive(path)
        let good = blocks.filter { $0.l2 != nil }
        for b in good {
            // Every block given out is one that was sent, at its frame number.
            #expect(sent[b.frameNumber.value] == Self.hex(b.l2!), "FN \(b.frameNumber)")
        }
        #expect(good.count >= grgsm, "\(name): \(good.count) blocks, gr-gsm \(grgsm); events \(events.count)")
        #expect(receiver.bsic == BSIC(value: 48))
        #expect(abs((receiver.frequencyOffset ?? .nan) - offset) < 100)
    }
}
