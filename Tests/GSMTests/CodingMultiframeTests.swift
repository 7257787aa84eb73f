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

@Suite struct CombinedMultiframeTests {
    /// TS 45.002 §7 Table 3 / Figure 8b: CCCH_CONF 1 keeps BCCH and CCCH 0–2 and puts SDCCH/4 0–3 and
    /// SACCH/4 in frames 22–49.
    @Test func combinedLayout() throws {
        let base: UInt32 = 51 * 1000
        func at(_ t3: UInt32) throws -> (BCCHCCCHMultiframe.Channel, Int) {
            let p = BCCHCCCHMultiframe.position(of: try #require(GSMFrameNumber(base + t3)), combined: true)
            return (p.channel, p.burstIndex)
        }
        #expect(try at(2) == (.broadcastControl, 0))
        #expect(try at(9) == (.commonControl(block: 0), 3))
        #expect(try at(12) == (.commonControl(block: 1), 0))
        #expect(try at(19) == (.commonControl(block: 2), 3))
        #expect(try at(20) == (.frequencyCorrection, 0))
        #expect(try at(22) == (.dedicatedControl(block: 0), 0))
        #expect(try at(29) == (.dedicatedControl(block: 1), 3))
        #expect(try at(31) == (.synchronization, 0))
        #expect(try at(32) == (.dedicatedControl(block: 2), 0))
        #expect(try at(39) == (.dedicatedControl(block: 3), 3))
        #expect(try at(42) == (.dedicatedControl(block: 4), 0))
        #expect(try at(49) == (.dedicatedControl(block: 5), 3))
        #expect(try at(50) == (.idle, 0))
        // Non-combined is unchanged there.
        #expect(BCCHCCCHMultiframe.position(of: try #require(GSMFrameNumber(base + 22))).channel == .commonControl(block: 3))
    }
}
