import GSM
import Testing

@Suite struct GSMFrameNumberTests {
    @Test func t1t2t3RoundTripOnEverySCHFrame() throws {
        // Every SCH frame (T3 = 1, 11, 21, 31, 41) of a stretch of the hyperframe, both ends included.
        for fn in stride(from: UInt32(0), to: GSMFrameNumber.hyperframe, by: 997) {
            let f = try #require(GSMFrameNumber(fn))
            let sch = f.advanced(by: (51 + 1 - f.t3) % 51)  // next frame with T3 = 1
            #expect(sch.t3 == 1)
            #expect(GSMFrameNumber(t1: sch.t1, t2: sch.t2, t3Prime: sch.t3Prime) == sch)
        }
        let last = try #require(GSMFrameNumber(GSMFrameNumber.hyperframe - 1))
        #expect(last.advanced(by: 1).value == 0)
        #expect(GSMFrameNumber(GSMFrameNumber.hyperframe) == nil)
    }

    @Test func bsicPacksNCCAndBCC() throws {
        let b = BSIC(value: 48)
        #expect(b.ncc == 6 && b.bcc == 0)
        #expect(try #require(BSIC(ncc: 6, bcc: 0)).value == 48)
        #expect(BSIC(ncc: 8, bcc: 0) == nil)
    }
}
