import GSM
import TestSupport
import Testing

/// The whole live capture vf_call6_arfcn725.bursts.bz2 (../shared/testdata; skipped without it):
/// every BCCH/CCCH block and SCH burst of downlink timeslot 0, against gr-gsm's decode.
@Suite struct CodingCaptureTests {
    @Test(.enabled(if: TestSupport.hasTestdata, "needs ../shared/testdata"))
    func everyTimeslot0BlockDecodesAndAgreesWithGrGsm() throws {
        let capture = try #require(try CodingCapture.load())
        #expect(capture.expected.count == 47)
        let decoder = XCCHDecoder()
        var decoded: [UInt32: [UInt8]] = [:]
        var complete = 0
        for fn in capture.timeslot0.keys.sorted() {
            guard BCCHCCCHMultiframe.startsBlock(try #require(GSMFrameNumber(fn))) else { continue }
            let frames = (0..<4).compactMap { capture.timeslot0[fn + UInt32($0)] }
            guard frames.count == 4 else { continue }  // a block cut by the start or end of the capture
            let bursts = try frames.map { try NormalBurst.dataBits(of: CodingTestBits.soft($0.bits)) }
            complete += 1
            do {
                decoded[fn] = try decoder.decode(bursts)
            } catch {
                #expect(error == .parityFailed)
                // Only where the cell's timeslot 0 has been lost at the end of the capture (dummy
                // bursts and noise from FN 862395 on).
                #expect(fn >= 862_395, "FN \(fn) fails parity")
            }
        }
        for (fn, l2) in capture.expected.sorted(by: { $0.key < $1.key }) {
            #expect(decoded[fn] == l2, "FN \(fn): \(decoded[fn].map(CodingTestBits.hex) ?? "not decoded") ≠ gr-gsm \(CodingTestBits.hex(l2))")
        }
        // Blocks past gr-gsm's 47 decode too: 293 of the 312 complete blocks.
        #expect(complete == 312)
        #expect(decoded.count == 293)
    }

    @Test(.enabled(if: TestSupport.hasTestdata, "needs ../shared/testdata"))
    func encoderReproducesEveryBlockGrGsmDecoded() throws {
        let capture = try #require(try CodingCapture.load())
        let encoder = XCCHEncoder()
        for (fn, l2) in capture.expected {
            let encoded = try encoder.encode(l2)
            for i in 0..<4 {
                let real = try #require(capture.timeslot0[fn + UInt32(i)]).bits
                #expect(encoded[i] == (try NormalBurst.dataBits(of: real)), "FN \(fn) burst \(i)")
            }
        }
    }

    @Test(.enabled(if: TestSupport.hasTestdata, "needs ../shared/testdata"))
    func everySCHBurstGivesTheBSICAndItsFrameNumber() throws {
        let capture = try #require(try CodingCapture.load())
        let decoder = SCHDecoder()
        var sch = 0, decoded = 0
        for (fn, burst) in capture.timeslot0 where burst.subType == 3 {
            sch += 1
            do {
                let result = try decoder.decode(SynchronizationBurst.codedBits(of: CodingTestBits.soft(burst.bits)))
                #expect(result.bsic.value == 48)
                #expect(result.frameNumber.value == fn)
                decoded += 1
            } catch {
                #expect(error == .parityFailed)
                #expect(fn >= 862_395, "FN \(fn) fails parity")  // the lost end of the capture, as above
            }
        }
        #expect(sch == 156)
        #expect(decoded == 146)
    }
}
