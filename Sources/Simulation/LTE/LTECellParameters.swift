import LTE

/// What one simulated eNodeB broadcasts on its downlink carrier (FDD, normal cyclic prefix).
public struct LTECellParameters: Sendable, Hashable {
    /// Physical cell identity N_ID^cell = 3·N_ID^(1) + N_ID^(2), 0…503.
    public var pci: Int
    /// Cell-specific reference signal ports: 1 or 2 (both summed into one output, as one receive antenna sees them).
    public var ports: Int
    /// Downlink bandwidth in resource blocks: 6, 15, 25, 50, 75 or 100 (MIB dl-Bandwidth).
    public var prb: Int
    public var phichDuration: MasterInformationBlock.PHICHDuration
    public var phichResource: MasterInformationBlock.PHICHResource
    /// SFN of the radio frame that starts at `frameTimingOffset` seconds (any value; taken mod 1024).
    public var firstSFN: Int
    /// Scenario time (s) at which the frame numbered `firstSFN` starts: eNodeBs are not time-aligned.
    public var frameTimingOffset: Double

    public init(pci: Int, ports: Int = 1, prb: Int = 6, phichDuration: MasterInformationBlock.PHICHDuration = .normal,
                phichResource: MasterInformationBlock.PHICHResource = .one, firstSFN: Int = 0, frameTimingOffset: Double = 0) {
        self.pci = pci
        self.ports = ports
        self.prb = prb
        self.phichDuration = phichDuration
        self.phichResource = phichResource
        self.firstSFN = firstSFN
        self.frameTimingOffset = frameTimingOffset
    }

    /// Why these parameters cannot be transmitted, or nil.
    public var problem: String? {
        if !(0...503).contains(pci) { return "PCI \(pci) is outside 0…503" }
        if ports != 1 && ports != 2 { return "\(ports) antenna ports: the simulator sends 1 or 2" }
        if !MasterInformationBlock.bandwidths.contains(prb) { return "\(prb) PRB is no LTE bandwidth (6, 15, 25, 50, 75, 100)" }
        if !frameTimingOffset.isFinite { return "frame timing offset is not finite" }
        return nil
    }

    /// The 24 MIB bits for the frames whose SFN has `sfnHigh` as its eight most significant bits
    /// (TS 36.331 §6.2.2 MasterInformationBlock, unaligned PER: dl-Bandwidth 3 bits, phich-Config
    /// 1 + 2 bits, systemFrameNumber 8 bits, spare 10 bits of zero).
    public func mibBits(sfnHigh: Int) -> [UInt8] {
        var bits: [UInt8] = []
        func put(_ value: Int, _ n: Int) { for i in stride(from: n - 1, through: 0, by: -1) { bits.append(UInt8((value >> i) & 1)) } }
        put(MasterInformationBlock.bandwidths.firstIndex(of: prb) ?? 0, 3)
        put(phichDuration == .normal ? 0 : 1, 1)
        let resources: [MasterInformationBlock.PHICHResource] = [.oneSixth, .half, .one, .two]
        put(resources.firstIndex(of: phichResource)!, 2)
        put(((sfnHigh % 256) + 256) % 256, 8)
        put(0, 10)
        return bits
    }

    /// The 1920 scrambled PBCH bits of one 40 ms period (normal CP): MIB + CRC-16 masked by the port
    /// count (TS 36.212 §5.3.1.1), tail-biting convolutional code (§5.1.3.1), rate matching to
    /// E = 1920 (§5.1.4.2), scrambled with c_init = N_ID^cell (TS 36.211 §6.6.1).
    public func pbchBits(sfnHigh: Int) -> [UInt8] {
        var a = mibBits(sfnHigh: sfnHigh)
        let parity = LTECRC16.parity(a) ^ (PBCHCRCMask.mask(ports: ports) ?? 0)
        for i in stride(from: 15, through: 0, by: -1) { a.append(UInt8((parity >> UInt16(i)) & 1)) }
        let streams = TailBitingConvolutionalCode.encode(a)
        var e = ConvolutionalRateMatcher(streamLength: a.count).match(streams, outputLength: 1920)
        let c = GoldSequence.bits(cInit: UInt32(pci), length: e.count)
        for i in e.indices { e[i] ^= c[i] }
        return e
    }
}
