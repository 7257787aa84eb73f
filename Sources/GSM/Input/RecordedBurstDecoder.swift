/// Decodes the BCCH/CCCH blocks of timeslot 0 from bursts another receiver already demodulated (a
/// gr-gsm bursts capture): the channel-coding and protocol half of the receiver, without the radio.
public final class RecordedBurstDecoder {
    private let xcch = XCCHDecoder()
    private let sch = SCHDecoder()
    private var pending: [[SoftBit]] = []
    private var first: (fn: GSMFrameNumber, channel: GSMBlock.Channel)?
    private var seen = Set<UInt32>()
    public private(set) var bsic: BSIC?
    public private(set) var arfcn: Int?
    /// Learnt from SI3 (CCCH_CONF 1): TS0 carries SDCCH/4 in frames 22–49.
    public private(set) var combinedCCCH = false

    public init() {}

    /// Feeds one burst; returns a block when this burst completed one. Uplink bursts, other timeslots
    /// and frames seen before (captures can repeat frames) are ignored.
    public func add(_ burst: RecordedBurst) -> GSMBlock? {
        guard !burst.uplink, burst.timeslot == 0, seen.insert(burst.frameNumber.value).inserted else { return nil }
        arfcn = arfcn ?? burst.arfcn
        let soft = burst.bits.map { SoftBit($0 == 1 ? 1 : -1) }
        let position = BCCHCCCHMultiframe.position(of: burst.frameNumber, combined: combinedCCCH)
        let channel: GSMBlock.Channel
        switch position.channel {
        case .synchronization:
            if let bits = try? SynchronizationBurst.codedBits(of: soft), let d = try? sch.decode(bits), d.frameNumber == burst.frameNumber {
                bsic = d.bsic
            }
            return nil
        case .broadcastControl: channel = .bcch
        case .commonControl: channel = .ccch
        case .dedicatedControl: channel = .sdcch
        case .frequencyCorrection, .idle: return nil
        }
        guard let data = try? NormalBurst.dataBits(of: soft) else { return nil }
        if position.burstIndex == 0 {
            pending = [data]
            first = (burst.frameNumber, channel)
            return nil
        }
        guard let f = first, pending.count == position.burstIndex,
              f.fn.advanced(by: position.burstIndex) == burst.frameNumber else {
            pending.removeAll()
            first = nil
            return nil
        }
        pending.append(data)
        guard pending.count == 4 else { return nil }
        var block = GSMBlock(frameNumber: f.fn, channel: f.channel, l2: nil, error: nil, snr: .nan, sample: 0)
        do { block.l2 = try xcch.decode(pending) } catch { block.error = error }
        if f.channel == .bcch, let l2 = block.l2, case .systemInformation3(let si)? = try? RRMessageDecoder.decode(l2Block: l2) {
            combinedCCCH = si.controlChannel.ccchConf == 1
        }
        pending.removeAll()
        first = nil
        return block
    }
}
