import CellwatchModel
import DSP
import Foundation
import GSM
@testable import Simulation
import Testing
import TestSupport

/// The GSM transmitter against our receiver: every BCCH/CCCH block it sends comes back, byte for
/// byte, at the receiver's native rate and in a wider window with the carrier off centre.
@Suite struct GSMCarrierWaveformTests {
    static let cell: GSMCellParameters = {
        var p = GSMCellParameters.defaults(arfcn: ARFCN(62), mcc: "460", mnc: "01", lac: 0x5A17, cellId: 40_321,
                                           ncc: 2, bcc: 6, neighbourARFCNs: [ARFCN(3), ARFCN(40), ARFCN(71)],
                                           firstFrameNumber: 1_234_500)
        p.cellReselectOffset = 30
        p.t3212 = 3
        p.bsAgBlksRes = 2
        p.multibandNeighbourARFCNs = [ARFCN(600), ARFCN(650)]
        p.sendsSI2quater = true
        // Heavy load, like an SMS blaster: most CCCH blocks carry something.
        p.pagingRequestsPerSecond = 20
        p.immediateAssignmentsPerSecond = 10
        return p
    }()

    static func render(_ waveform: inout GSMCarrierWaveform, seconds: Double, sampleRate: Double, offset: Double,
                       amplitude: Float = 0.5, chunk: Int = 50_000) -> [ComplexFloat] {
        let n = Int(seconds * sampleRate)
        var out = [ComplexFloat](repeating: .zero, count: n)
        out.withUnsafeMutableBufferPointer { buffer in
            var i = 0
            while i < n {
                let end = min(n, i + chunk)
                waveform.render(into: UnsafeMutableBufferPointer(rebasing: buffer[i..<end]), startTime: Double(i) / sampleRate,
                                sampleRate: sampleRate, frequencyOffset: offset, amplitude: amplitude)
                i = end
            }
        }
        return out
    }

    struct Received {
        var blocks: [GSMBlock]
        var bsic: BSIC?
        var summary: GSMCellSummary
    }

    static func receive(_ samples: [ComplexFloat], sampleRate: Double, carrierOffset: Double) throws -> Received {
        let receiver = try GSMReceiver(inputRate: sampleRate, carrierOffset: carrierOffset)
        var events: [GSMReceiverEvent] = []
        samples.withUnsafeBufferPointer { all in
            var i = 0
            while i < all.count {
                let end = min(all.count, i + 65_536)
                events += receiver.process(UnsafeBufferPointer(rebasing: all[i..<end]))
                i = end
            }
        }
        events += receiver.finish()
        var summary = GSMCellSummary()
        summary.bsic = receiver.bsic
        var blocks: [GSMBlock] = []
        for case .block(let b) in events {
            blocks.append(b)
            summary.add(b, message: b.l2.flatMap { try? RRMessageDecoder.decode(l2Block: $0) })
        }
        return Received(blocks: blocks, bsic: receiver.bsic, summary: summary)
    }

    /// Every block sent whose four bursts lie in the recording is decoded with the same bytes.
    static func checkEveryBlock(sampleRate: Double, offset: Double, error: Double, seconds: Double = 2.2) throws {
        var waveform = GSMCarrierWaveform(parameters: cell, seed: 99)
        let samples = render(&waveform, seconds: seconds, sampleRate: sampleRate, offset: offset + error)
        let received = try receive(samples, sampleRate: sampleRate, carrierOffset: offset)
        // Blocks whose last burst ends inside the recording.
        let sent = waveform.transmittedBlocks(from: 0, to: seconds - 4 * GSMCarrierWaveform.frameDuration)
        let decoded = Dictionary(received.blocks.map { ($0.frameNumber, $0) }, uniquingKeysWith: { a, _ in a })
        var missing = 0, wrong = 0
        for s in sent {
            guard let d = decoded[s.frameNumber] else { missing += 1; continue }
            #expect(d.channel == s.channel, "FN \(s.frameNumber)")
            if d.l2 != s.l2 { wrong += 1 }
        }
        #expect(sent.count > 80)
        #expect(missing == 0, "\(missing) of \(sent.count) blocks not decoded at \(sampleRate) S/s")
        #expect(wrong == 0, "\(wrong) of \(sent.count) blocks decoded with other bytes at \(sampleRate) S/s")
        #expect(received.blocks.allSatisfy { $0.l2 != nil }, "blocks failing the Fire code")
        #expect(received.bsic == BSIC(ncc: 2, bcc: 6))
        let summary = received.summary
        #expect(summary.mcc == "460" && summary.mnc == "01" && summary.lac == 0x5A17 && summary.cellIdentity == 40_321)
        #expect(summary.cellReselectOffset == 30 && summary.t3212 == 3)
        #expect(summary.neighbours == [3, 40, 71])
        #expect(summary.pagedTMSIs > 0 && summary.immediateAssignments > 0)
        // Every message type of the first ten multiframes came through (SI2quater takes turns with SI13 on TC 4
        // every eighth multiframe: `scheduleFollowsTS45002`).
        for tag in ["SI1", "SI2", "SI2ter", "SI3", "SI4", "SI13", "PR1", "IA"] {
            #expect((summary.messageCounts[tag] ?? 0) > 0, "no \(tag) in \(summary.messageCounts)")
        }
    }

    @Test func receiverDecodesEveryBlockAtItsOwnRate() throws {
        try Self.checkEveryBlock(sampleRate: BurstFormat.sampleRate, offset: 0, error: 0)
    }

    @Test func receiverDecodesEveryBlockOffCentreWithFrequencyError() throws {
        // A 2 MS/s window with the carrier 200 kHz above the centre and 350 Hz off its nominal frequency.
        try Self.checkEveryBlock(sampleRate: 2_000_000, offset: 200_000, error: 350)
    }

    @Test func linearCodesEqualTheGSMEncoders() throws {
        var g = SeededGenerator(seed: 5)
        let encoder = XCCHEncoder()
        var bits = [UInt8](repeating: 0, count: 456)
        for _ in 0..<50 {
            let l2 = (0..<23).map { _ in UInt8.random(in: 0...255, using: &g) }
            l2.withUnsafeBufferPointer { b in bits.withUnsafeMutableBufferPointer { GSMBurstCoding.encodeXCCH(b, into: $0) } }
            #expect(bits == Array(try encoder.encode(l2).joined()))
        }
        var sch = [UInt8](repeating: 0, count: 78)
        for _ in 0..<50 {
            let bsic = BSIC(value: UInt8.random(in: 0..<64, using: &g))
            let fn = try #require(GSMFrameNumber(UInt32.random(in: 0..<GSMFrameNumber.hyperframe, using: &g)))
            sch.withUnsafeMutableBufferPointer { GSMBurstCoding.encodeSCH(bsic: bsic.value, frameNumber: fn, into: $0) }
            #expect(sch == SCHEncoder().encode(bsic: bsic, frameNumber: fn))
        }
    }

    @Test func scheduleFollowsTS45002() {
        let w = GSMCarrierWaveform(parameters: Self.cell, seed: 1)
        let blocks = w.transmittedBlocks(from: 0, to: 16 * 51 * GSMCarrierWaveform.frameDuration)
        var byTC: [Int: Set<UInt8>] = [:]
        for b in blocks where b.channel == .bcch {
            #expect(b.frameNumber.t3 == 2)
            byTC[Int(b.frameNumber.value / 51 % 8), default: []].insert(b.l2[2])
        }
        // SI1 0x19, SI2 0x1A, SI3 0x1B, SI4 0x1C, SI13 0x00, SI2ter 0x03, SI2quater 0x07.
        #expect(byTC[0] == [0x19] && byTC[1] == [0x1A] && byTC[2] == [0x1B] && byTC[3] == [0x1C])
        #expect(byTC[4] == [0x00, 0x07] && byTC[5] == [0x03] && byTC[6] == [0x1B] && byTC[7] == [0x1C])
        let ccch = blocks.filter { $0.channel == .ccch }
        #expect(ccch.count == 16 * 9)
        // AGCH blocks (the first two) carry assignments or empty paging, never paging with identities.
        for b in ccch where [6, 12].contains(b.frameNumber.t3) {
            #expect([0x3F, 0x39].contains(b.l2[2]) || b.l2 == GSMRRMessageEncoder.pagingRequestType1(tmsis: []))
        }
        // Same content from another instance (content is a function of time and seed).
        let again = GSMCarrierWaveform(parameters: Self.cell, seed: 1).transmittedBlocks(from: 0, to: 16 * 51 * GSMCarrierWaveform.frameDuration)
        #expect(again == blocks)
        let other = GSMCarrierWaveform(parameters: Self.cell, seed: 2).transmittedBlocks(from: 0, to: 16 * 51 * GSMCarrierWaveform.frameDuration)
        #expect(other != blocks)
    }

    @Test func pagingLoadFollowsTheRate() {
        var p = Self.cell
        p.pagingRequestsPerSecond = 0
        p.immediateAssignmentsPerSecond = 0
        let quiet = GSMCarrierWaveform(parameters: p, seed: 3).transmittedBlocks(from: 0, to: 30)
        #expect(quiet.filter { $0.channel == .ccch }.allSatisfy { $0.l2 == GSMRRMessageEncoder.pagingRequestType1(tmsis: []) })
        p.pagingRequestsPerSecond = 10
        let busy = GSMCarrierWaveform(parameters: p, seed: 3).transmittedBlocks(from: 0, to: 30)
        let pages = busy.filter { [0x21, 0x22, 0x24].contains($0.l2[2]) && $0.l2[0] != 0x15 }.count
        #expect(abs(Double(pages) / 30 - 10) < 1.5, "\(pages) paging requests in 30 s at 10/s")
    }

    @Test func oneCallOrManyGiveTheSameSamplesAndRenderingAdds() {
        let rate = 2_000_000.0
        var a = GSMCarrierWaveform(parameters: Self.cell, seed: 4)
        let whole = Self.render(&a, seconds: 0.05, sampleRate: rate, offset: -123_456.7, chunk: 100_000)
        for chunk in [1, 777, 4096] {
            var b = GSMCarrierWaveform(parameters: Self.cell, seed: 4)
            let pieces = Self.render(&b, seconds: chunk == 1 ? 0.002 : 0.05, sampleRate: rate, offset: -123_456.7, chunk: chunk)
            var worst: Float = 0
            for i in 0..<pieces.count { worst = max(worst, abs(pieces[i].real - whole[i].real), abs(pieces[i].imag - whole[i].imag)) }
            #expect(worst < 2e-3, "chunks of \(chunk): largest difference \(worst)")
        }
        // Starting elsewhere (no previous call) lands on the same signal: the phase is a function of time.
        var c = GSMCarrierWaveform(parameters: Self.cell, seed: 4)
        var late = [ComplexFloat](repeating: .zero, count: 10_000)
        let start = 60_001
        late.withUnsafeMutableBufferPointer {
            c.render(into: $0, startTime: Double(start) / rate, sampleRate: rate, frequencyOffset: -123_456.7, amplitude: 0.5)
        }
        var worst: Float = 0
        for i in 0..<late.count { worst = max(worst, abs(late[i].real - whole[start + i].real), abs(late[i].imag - whole[start + i].imag)) }
        #expect(worst < 2e-3, "jumping in: largest difference \(worst)")
        // Additive: rendering onto a signal adds to it; amplitude is the envelope.
        var d = GSMCarrierWaveform(parameters: Self.cell, seed: 4)
        var sum = [ComplexFloat](repeating: ComplexFloat(0.25, -0.5), count: 20_000)
        sum.withUnsafeMutableBufferPointer {
            d.render(into: $0, startTime: 0, sampleRate: rate, frequencyOffset: -123_456.7, amplitude: 0.5)
        }
        var worstSum: Float = 0, worstEnvelope: Float = 0
        for i in 0..<sum.count {
            worstSum = max(worstSum, abs(sum[i].real - 0.25 - whole[i].real), abs(sum[i].imag + 0.5 - whole[i].imag))
            worstEnvelope = max(worstEnvelope, abs((whole[i].real * whole[i].real + whole[i].imag * whole[i].imag).squareRoot() - 0.5))
        }
        #expect(worstSum < 1e-5 && worstEnvelope < 1e-3)
    }

    @Test func spectrumIsGMSK() {
        // The FCCH is a pure tone a quarter of the symbol rate above the carrier (TS 45.002 §5.2.4):
        // the phase advances by π/2 per symbol through the middle of the burst.
        let rate = BurstFormat.sampleRate
        var w = GSMCarrierWaveform(parameters: Self.cell, seed: 4)
        // Frame 1_234_500 + k with T3 = 0 is an FCCH frame.
        let k = (51 - 1_234_500 % 51) % 51
        let start = Double(k) * GSMCarrierWaveform.frameDuration
        var out = [ComplexFloat](repeating: .zero, count: 400)
        out.withUnsafeMutableBufferPointer { w.render(into: $0, startTime: start, sampleRate: rate, frequencyOffset: 0, amplitude: 1) }
        var worst = 0.0
        for i in 40..<400 {
            let a = out[i], b = out[i - 4]
            let step = atan2(Double(a.imag * b.real - a.real * b.imag), Double(a.real * b.real + a.imag * b.imag))
            worst = max(worst, abs(step - Double.pi / 2))
        }
        #expect(worst < 0.01, "phase step per symbol off π/2 by \(worst)")
    }

    @Test func idleTimeslotPower() {
        var p = Self.cell
        p.idleTimeslotRelativePowerDB = -20
        var w = GSMCarrierWaveform(parameters: p, seed: 4)
        let rate = BurstFormat.sampleRate
        var out = [ComplexFloat](repeating: .zero, count: 5000)
        out.withUnsafeMutableBufferPointer { w.render(into: $0, startTime: 0, sampleRate: rate, frequencyOffset: 0, amplitude: 1) }
        func level(_ i: Int) -> Float { (out[i].real * out[i].real + out[i].imag * out[i].imag).squareRoot() }
        #expect(abs(level(300) - 1) < 1e-3)  // timeslot 0
        #expect(abs(level(2000) - 0.1) < 1e-3)  // timeslot 3
    }

    @Test func parametersValidateAndDecodeWithDefaults() throws {
        let json = #"{"arfcn": 62, "mcc": "460", "mnc": "00", "lac": 1, "cellId": 2, "cellReselectOffset": 63, "t3212": 1}"#
        let p = try JSONDecoder().decode(GSMCellParameters.self, from: Data(json.utf8))
        #expect(p.cellReselectOffset == 63 && p.t3212 == 1 && p.bsPaMfrms == 4 && p.validationProblems().isEmpty)
        let back = try JSONDecoder().decode(GSMCellParameters.self, from: JSONEncoder().encode(p))
        #expect(back == p)
        var bad = p
        bad.cellReselectOffset = 64
        bad.mnc = "1"
        bad.neighbourARFCNs = (0..<17).map { ARFCN($0 * 60 + 1) }  // no frequency list format holds these
        let problems = bad.validationProblems()
        #expect(problems.contains { $0.hasPrefix("cellReselectOffset:") } && problems.contains { $0.hasPrefix("mnc:") }
                && problems.contains { $0.hasPrefix("neighbourARFCNs:") }, "\(problems)")
    }
}
