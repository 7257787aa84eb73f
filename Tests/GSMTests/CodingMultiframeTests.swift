import GSM
import Testing

/// TS 45.002 §7 Table 3, Figure 8a: the non-combined BCCH/CCCH 51-multiframe of timeslot 0.
@Suite struct CodingMultiframeTests {
    @Test func framesOfTheMultiframe() throws {
        let base: UInt32 = 51 * 16_881  // 860931, T3 = 0
        func position(_ t3: UInt32) throws -> (channel: BCCHCCCHMultiframe.Channel, burstIndex: Int) {
            BCCHCCCHMultiframe.position(of: try #require(GSMFrameNumber(base + t3)))
        }
        for t3: UInt32 in [0, 10, 20, 30, 40] { #expect(try position(t3).channel == .frequencyCorrection) }
        for t3: UInt32 in [1, 11, 21, 31, 41] { #expect(try position(t3).channel == .synchronization) }
        #expect(try position(50).channel == .idle)
        for i in 0..<4 {
            #expect(try position(2 + UInt32(i)) == (.broadcastControl, i))
            for (block, start) in [6, 12, 16, 22, 26, 32, 36, 42, 46].enumerated() {
                #expect(try position(UInt32(start + i)) == (.commonControl(block: block), i))
            }
        }
        let starts = (0..<51).filter { BCCHCCCHMultiframe.startsBlock(GSMFrameNumber(base + UInt32($0))!) }
        #expect(starts == [2, 6, 12, 16, 22, 26, 32, 36, 42, 46])
    }

    @Test func grGsmBlocksStartWhereTheMultiframeSays() throws {
        // Every block gr-gsm decoded from the live capture starts at a block start.
        for block in CodingVectors.xcchBlocks {
            #expect(BCCHCCCHMultiframe.startsBlock(try #require(GSMFrameNumber(block.frameNumber))))
        }
    }
}
