import CellwatchModel
import DSP
import Foundation
import GSM

/// One BCCH or CCCH block as the carrier sends it: the ground truth a receiver's output is judged by.
public struct GSMTransmittedBlock: Sendable, Hashable {
    /// Frame number of the block's first burst (as receivers and gr-gsm report it).
    public var frameNumber: GSMFrameNumber
    /// Frames since scenario time 0: the first burst starts at `frameIndex × frameDuration` seconds.
    public var frameIndex: Int
    /// `.bcch` or `.ccch`.
    public var channel: GSMBlock.Channel
    /// The 23-octet L2 block.
    public var l2: [UInt8]

    public init(frameNumber: GSMFrameNumber, frameIndex: Int, channel: GSMBlock.Channel, l2: [UInt8]) {
        self.frameNumber = frameNumber
        self.frameIndex = frameIndex
        self.channel = channel
        self.l2 = l2
    }
}

/// The BCCH carrier (C0) of one GSM cell as a function of scenario time: timeslot 0 carries the
/// non-combined 51-multiframe (FCCH, SCH, BCCH, CCCH; TS 45.002 §6.3, §7 Table 3), timeslots 1–7 and
/// the idle frame dummy bursts (§5.2.6), all GMSK-modulated (TS 45.004) with a continuous phase.
///
/// Scenario time 0 is the start of frame `parameters.firstFrameNumber`, timeslot 0, bit 0. What is
/// sent depends on the time alone: the BCCH follows the System Information schedule by
/// TC = (FN div 51) mod 8 (TS 45.002 §6.3.1.3); the CCCH blocks of each 51-multiframe carry paging and
/// immediate assignments drawn (Poisson, at the configured rates) from a generator seeded by `seed`
/// and the multiframe's number, so any stretch can be rendered in any order and gives the same signal.
///
/// Timeslots are 157, 156, 156, 156, 157, 156, 156, 156 bit periods (1250 per frame, the 156.25 of
/// TS 45.002 §5.2.1 on a continuous stream); guard periods carry +1 symbols. The GMSK phase returns to
/// the same value (mod 2π) at every frame start: one guard symbol of timeslot 7 is chosen for that, so
/// a frame can be modulated without knowing the frames before it.
public struct GSMCarrierWaveform: EmitterWaveform {
    public let parameters: GSMCellParameters
    public let seed: UInt64

    /// A TDMA frame lasts 120/26 ms (TS 45.002 §4.3.1).
    public static let frameDuration = 0.12 / 26
    static let symbolsPerFrame = 1250
    /// First bit of each timeslot in the frame's 1250 bit periods.
    static let slotStart = [0, 157, 313, 469, 625, 782, 938, 1094]
    /// Symbols kept before and after the frame for the phase pulse's reach.
    static let pad = 8
    /// The guard symbol of timeslot 7 that sets the frame's phase sum to 0 mod 4 quarter turns.
    static let phaseAlignmentSymbol = 1243

    public var occupiedBandwidth: Double { 200_000 }

    // Fixed content.
    private let bsic: UInt8
    private let trainingSequence: [UInt8]
    private let siL2: [[UInt8]]
    /// Coded bits (4 × 114) of each entry of `siL2`.
    private let siBits: [UInt8]
    /// For each TC 0…7 the `siL2` indices sent in turn there.
    private let bcchSchedule: [[Int]]
    /// Amplitude of each timeslot relative to timeslot 0 (index 8 repeats 7 for rounding at the end).
    private let slotGain: [Float]

    // Caches and scratch, allocated here and reused.
    private var ccchMultiframe = Int.min
    private var ccchL2: [UInt8]
    private var ccchBits: [UInt8]
    private var cachedFrame = Int.min
    /// aⱼ = ±1 for j = −pad ..< 1250 + pad, at index j + pad.
    private var symbols: [Float]
    /// (Σ_{i ≤ j} aᵢ) mod 4 with the sum through symbol −1 being 0, at index j + pad.
    private var phaseSum: [Float]
    private var burst: [UInt8]
    private var planScratch: [UInt8]
    private var schBits: [UInt8]
    // Carrier phase, continued when a call starts where the previous one ended.
    private var nextStartTime = Double.nan
    private var nextSampleRate = 0.0
    private var nextPhase: UInt32 = 0

    public init(parameters: GSMCellParameters, seed: UInt64) {
        self.parameters = parameters
        self.seed = seed
        let p = parameters
        bsic = UInt8((p.ncc & 7) << 3 | (p.bcc & 7))
        trainingSequence = BurstFormat.trainingSequences[p.bcc & 7]

        // TS 45.002 §6.3.1.3: SI1 TC 0, SI2 TC 1, SI3 TC 2 and 6, SI4 TC 3 and 7; SI2bis TC 5; SI2ter
        // TC 5, or 4 when SI2bis takes 5; SI2quater TC 5, or 4 when 2bis or 2ter is sent; SI13 TC 4.
        // Several messages on one TC take turns; a TC with nothing to send repeats SI3.
        var l2: [[UInt8]] = [
            GSMRRMessageEncoder.systemInformation1(p), GSMRRMessageEncoder.systemInformation2(p),
            GSMRRMessageEncoder.systemInformation3(p), GSMRRMessageEncoder.systemInformation4(p),
        ]
        var tc4: [Int] = [], tc5: [Int] = []
        func add(_ block: [UInt8]) -> Int { l2.append(block); return l2.count - 1 }
        if p.gprs { tc4.append(add(GSMRRMessageEncoder.systemInformation13(p))) }
        let has2bis = !p.extendedNeighbourARFCNs.isEmpty, has2ter = !p.multibandNeighbourARFCNs.isEmpty
        if has2bis { tc5.append(add(GSMRRMessageEncoder.systemInformation2bis(p))) }
        if has2ter {
            let i = add(GSMRRMessageEncoder.systemInformation2ter(p))
            if has2bis { tc4.append(i) } else { tc5.append(i) }
        }
        if p.sendsSI2quater {
            let i = add(GSMRRMessageEncoder.systemInformation2quater(p))
            if has2bis || has2ter { tc4.append(i) } else { tc5.append(i) }
        }
        siL2 = l2
        bcchSchedule = [[0], [1], [2], [3], tc4.isEmpty ? [2] : tc4, tc5.isEmpty ? [2] : tc5, [2], [3]]
        var bits = [UInt8](repeating: 0, count: l2.count * 456)
        for (i, block) in l2.enumerated() {
            block.withUnsafeBufferPointer { b in
                bits.withUnsafeMutableBufferPointer { out in
                    GSMBurstCoding.encodeXCCH(b, into: UnsafeMutableBufferPointer(rebasing: out[(i * 456)..<((i + 1) * 456)]))
                }
            }
        }
        siBits = bits

        let idle = Float(pow(10, min(0, p.idleTimeslotRelativePowerDB.isFinite ? p.idleTimeslotRelativePowerDB : 0) / 20))
        slotGain = [1] + [Float](repeating: idle, count: 8)

        ccchL2 = [UInt8](repeating: 0x2B, count: 9 * 23)
        ccchBits = [UInt8](repeating: 0, count: 9 * 456)
        symbols = [Float](repeating: 1, count: Self.symbolsPerFrame + 2 * Self.pad)
        phaseSum = [Float](repeating: 0, count: Self.symbolsPerFrame + 2 * Self.pad)
        burst = [UInt8](repeating: 0, count: 148)
        planScratch = [UInt8](repeating: 0x2B, count: 23)
        schBits = [UInt8](repeating: 0, count: 78)
        _ = GMSKTables.phasePulse.count + GMSKTables.unitCircle.count + GSMBurstCoding.xcchRows.count + GSMBurstCoding.schRows.count
    }

    // MARK: time and frame numbers

    static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
    static func positiveMod(_ a: Int, _ b: Int) -> Int { ((a % b) + b) % b }

    /// Absolute frame count (firstFrameNumber + frames since time 0), not wrapped at the hyperframe.
    private func absoluteFrame(_ frameIndex: Int) -> Int {
        Self.positiveMod(parameters.firstFrameNumber, Int(GSMFrameNumber.hyperframe)) + frameIndex
    }

    private func frameNumber(absolute a: Int) -> GSMFrameNumber {
        GSMFrameNumber(UInt32(Self.positiveMod(a, Int(GSMFrameNumber.hyperframe))))!
    }

    /// Frames since scenario time 0 of the frame on air at `time` (negative before time 0).
    public static func frameIndex(at time: Double) -> Int { Int((time / frameDuration).rounded(.down)) }

    /// The frame number on air at scenario time `time`.
    public func frameNumber(at time: Double) -> GSMFrameNumber {
        frameNumber(absolute: absoluteFrame(Self.frameIndex(at: time)))
    }

    // MARK: content

    /// The BCCH and CCCH blocks whose first burst starts in [startTime, endTime), in order.
    public func transmittedBlocks(from startTime: Double, to endTime: Double) -> [GSMTransmittedBlock] {
        var result: [GSMTransmittedBlock] = []
        var first = Self.frameIndex(at: startTime)
        if Double(first) * Self.frameDuration < startTime { first += 1 }
        var ccch = [UInt8](repeating: 0, count: 9 * 23)
        var scratch = [UInt8](repeating: 0x2B, count: 23)
        var planned = Int.min
        var k = first
        while Double(k) * Self.frameDuration < endTime {
            let a = absoluteFrame(k)
            let fn = frameNumber(absolute: a)
            let position = BCCHCCCHMultiframe.position(of: fn)
            if position.burstIndex == 0 {
                switch position.channel {
                case .broadcastControl:
                    result.append(GSMTransmittedBlock(frameNumber: fn, frameIndex: k, channel: .bcch, l2: siL2[siIndex(absolute: a)]))
                case .commonControl(let b):
                    let mf = Self.floorDiv(a, 51)
                    if mf != planned {
                        Self.planCCCH(multiframe: mf, parameters: parameters, seed: seed, into: &ccch, scratch: &scratch)
                        planned = mf
                    }
                    result.append(GSMTransmittedBlock(frameNumber: fn, frameIndex: k, channel: .ccch, l2: Array(ccch[(b * 23)..<(b * 23 + 23)])))
                default: break
                }
            }
            k += 1
        }
        return result
    }

    /// The SI block sent in the BCCH of the multiframe holding absolute frame `a`.
    private func siIndex(absolute a: Int) -> Int {
        let mf = Self.floorDiv(a, 51)
        let fn = Self.positiveMod(a, Int(GSMFrameNumber.hyperframe))
        let list = bcchSchedule[(fn / 51) % 8]
        return list[Self.positiveMod(Self.floorDiv(mf, 8), list.count)]
    }

    /// CCCH block b of a non-combined multiframe starts at T3 = `ccchStart[b]` (TS 45.002 §7 Table 3).
    static let ccchStart = [6, 12, 16, 22, 26, 32, 36, 42, 46]

    /// The nine CCCH blocks (9 × 23 octets) of multiframe `mf` (absolute frame count div 51).
    ///
    /// The first BS_AG_BLKS_RES blocks are the AGCH, the others the PCH (TS 45.002 §7 Table 5 note,
    /// TS 44.018 §3.3.2.1). Paging requests (Poisson at `pagingRequestsPerSecond`; Type 1 with one or
    /// two TMSIs, Type 2, Type 3) take random PCH blocks, one per block; immediate assignments
    /// (Poisson at `immediateAssignmentsPerSecond`) take AGCH blocks, two to an Immediate Assignment
    /// Extended when there are more than blocks, then PCH blocks left free. What does not fit in the
    /// multiframe is dropped. Every other block is an empty Paging Request Type 1.
    static func planCCCH(multiframe mf: Int, parameters p: GSMCellParameters, seed: UInt64, into l2: inout [UInt8],
                         scratch block: inout [UInt8]) {
        var rng = GSMSeededGenerator(seed: seed, stream: UInt64(bitPattern: Int64(mf)))
        let span = 51 * frameDuration
        var pagings = rng.poisson(max(0, p.pagingRequestsPerSecond) * span)
        var assignments = rng.poisson(max(0, p.immediateAssignmentsPerSecond) * span)
        let reserved = min(max(p.bsAgBlksRes, 0), 7)
        var used: UInt16 = 0
        let mfStartFN = positiveMod(mf * 51, Int(GSMFrameNumber.hyperframe))

        func store(_ b: Int) {
            for i in 0..<23 { l2[b * 23 + i] = block[i] }
            used |= 1 << UInt16(b)
        }
        func assignment(_ b: Int) -> GSMChannelAssignment {
            let requestFN = positiveMod(mfStartFN + ccchStart[b] - 3 - Int(rng.next() % 40), Int(GSMFrameNumber.hyperframe))
            return GSMChannelAssignment(subchannel: Int(rng.next() % 8), timeslot: 1, tsc: p.bcc & 7, arfcn: p.arfcn,
                                        randomAccessReference: Int(rng.next() & 0xFF), requestFrame: GSMFrameNumber(UInt32(requestFN))!,
                                        timingAdvance: Int(rng.next() % 16))
        }
        func assign(_ b: Int, blocksLeft: Int) {
            if assignments >= 2 && assignments > blocksLeft {
                GSMRRMessageEncoder.writeImmediateAssignmentExtended(assignment(b), assignment(b), into: &block)
                assignments -= 2
            } else {
                GSMRRMessageEncoder.writeImmediateAssignment(assignment(b), into: &block)
                assignments -= 1
            }
            store(b)
        }

        // PCH: each paging request to a random free PCH block.
        let pchCount = 9 - reserved
        while pagings > 0 && used.nonzeroBitCount < pchCount {
            var b = reserved + Int(rng.next() % UInt64(pchCount))
            while used >> UInt16(b) & 1 == 1 { b = b + 1 == 9 ? reserved : b + 1 }
            let cn: ChannelNeeded = rng.next() & 1 == 0 ? .any : .sdcch
            let kind = rng.unit()
            if kind < 0.55 {
                GSMRRMessageEncoder.writePagingRequestType1(count: 1, first: rng.tmsi(), second: 0, channelNeeded: cn, into: &block)
            } else if kind < 0.75 {
                GSMRRMessageEncoder.writePagingRequestType1(count: 2, first: rng.tmsi(), second: rng.tmsi(), channelNeeded: cn, into: &block)
            } else if kind < 0.9 {
                GSMRRMessageEncoder.writePagingRequestType2(tmsis: (rng.tmsi(), rng.tmsi()), channelNeeded: cn, into: &block)
            } else {
                GSMRRMessageEncoder.writePagingRequestType3(tmsis: (rng.tmsi(), rng.tmsi(), rng.tmsi(), rng.tmsi()), channelNeeded: cn, into: &block)
            }
            store(b)
            pagings -= 1
        }
        // AGCH, then free PCH blocks.
        for b in 0..<reserved where assignments > 0 { assign(b, blocksLeft: reserved - b) }
        if assignments > 0 {
            var freeLeft = (reserved..<9).count - (used >> UInt16(reserved)).nonzeroBitCount
            for b in reserved..<9 where assignments > 0 && used >> UInt16(b) & 1 == 0 {
                assign(b, blocksLeft: freeLeft)
                freeLeft -= 1
            }
        }
        GSMRRMessageEncoder.writePagingRequestType1(count: 0, first: 0, second: 0, channelNeeded: .any, into: &block)
        for b in 0..<9 where used >> UInt16(b) & 1 == 0 { store(b) }
    }

    private mutating func ensureCCCH(_ mf: Int) {
        guard mf != ccchMultiframe else { return }
        Self.planCCCH(multiframe: mf, parameters: parameters, seed: seed, into: &ccchL2, scratch: &planScratch)
        ccchL2.withUnsafeBufferPointer { l2 in
            ccchBits.withUnsafeMutableBufferPointer { out in
                for b in 0..<9 {
                    GSMBurstCoding.encodeXCCH(UnsafeBufferPointer(rebasing: l2[(b * 23)..<(b * 23 + 23)]),
                                              into: UnsafeMutableBufferPointer(rebasing: out[(b * 456)..<(b * 456 + 456)]))
                }
            }
        }
        ccchMultiframe = mf
    }

    // MARK: bursts and symbols

    /// Normal burst (TS 45.002 §5.2.3): tail, 57 data, stealing flag, training sequence, stealing
    /// flag, 57 data, tail; `data` holds the 114 interleaved bits i(B, 0…113).
    private mutating func normalBurst(_ data: UnsafeBufferPointer<UInt8>) {
        for j in 0..<148 { burst[j] = 0 }
        for j in 0..<57 { burst[3 + j] = data[j]; burst[88 + j] = data[57 + j] }
        burst[60] = 1
        burst[87] = 1
        for j in 0..<26 { burst[61 + j] = trainingSequence[j] }
    }

    /// TS 45.004 §2.3–2.4: d̂ᵢ = dᵢ ⊕ dᵢ₋₁ and aᵢ = 1 − 2d̂ᵢ, with the bit before the burst (a guard
    /// bit) 0; writes the burst's 148 symbols from frame position `start`.
    private mutating func modulateBits(_ bits: [UInt8], at start: Int) {
        var previous: UInt8 = 0
        for j in 0..<148 {
            let d = bits[j]
            symbols[Self.pad + start + j] = d ^ previous == 0 ? 1 : -1
            previous = d
        }
    }

    private mutating func buildFrame(_ k: Int) {
        let a = absoluteFrame(k)
        let fn = frameNumber(absolute: a)
        for j in 0..<symbols.count { symbols[j] = 1 }
        let position = BCCHCCCHMultiframe.position(of: fn)
        switch position.channel {
        case .frequencyCorrection:
            // TS 45.002 §5.2.4: all 148 bits 0.
            for j in 0..<148 { burst[j] = 0 }
        case .synchronization:
            // TS 45.002 §5.2.5: tail, 39 coded, extended training sequence, 39 coded, tail.
            schBits.withUnsafeMutableBufferPointer { GSMBurstCoding.encodeSCH(bsic: bsic, frameNumber: fn, into: $0) }
            for j in 0..<148 { burst[j] = 0 }
            for j in 0..<39 { burst[3 + j] = schBits[j]; burst[106 + j] = schBits[39 + j] }
            for j in 0..<64 { burst[42 + j] = BurstFormat.syncTrainingSequence[j] }
        case .broadcastControl:
            let offset = siIndex(absolute: a) * 456 + position.burstIndex * 114
            let bits = siBits
            bits.withUnsafeBufferPointer { normalBurst(UnsafeBufferPointer(rebasing: $0[offset..<(offset + 114)])) }
        case .commonControl(let b):
            ensureCCCH(Self.floorDiv(a, 51))
            let offset = b * 456 + position.burstIndex * 114
            let bits = ccchBits
            bits.withUnsafeBufferPointer { normalBurst(UnsafeBufferPointer(rebasing: $0[offset..<(offset + 114)])) }
        case .idle, .dedicatedControl:
            for j in 0..<148 { burst[j] = GSMBurstCoding.dummyBurst[j] }
        }
        let ts0 = burst
        modulateBits(ts0, at: 0)
        for slot in 1..<8 { modulateBits(GSMBurstCoding.dummyBurst, at: Self.slotStart[slot]) }

        // Phase alignment: the frame's symbols sum to 0 mod 4, so its end phase equals its start phase.
        var sum = 0
        for j in 0..<Self.symbolsPerFrame { sum += Int(symbols[Self.pad + j]) }
        if Self.positiveMod(sum, 4) == 2 { symbols[Self.pad + Self.phaseAlignmentSymbol] = -1 }

        // Running sums mod 4; the sum through symbol −1 is 0.
        var s = 0
        for j in stride(from: -1, through: -Self.pad, by: -1) {
            phaseSum[Self.pad + j] = Float(Self.positiveMod(s, 4))
            s -= Int(symbols[Self.pad + j])
        }
        s = 0
        for j in 0..<(Self.symbolsPerFrame + Self.pad) {
            s += Int(symbols[Self.pad + j])
            phaseSum[Self.pad + j] = Float(Self.positiveMod(s, 4))
        }
        cachedFrame = k
    }

    // MARK: rendering

    public mutating func render(into output: UnsafeMutableBufferPointer<ComplexFloat>, startTime: Double,
                                sampleRate: Double, frequencyOffset: Double, amplitude: Float) {
        let n = output.count
        guard n > 0, sampleRate > 0, sampleRate.isFinite, startTime.isFinite else { return }
        var carrier: UInt32
        if sampleRate == nextSampleRate && abs(startTime - nextStartTime) * sampleRate < 0.5 {
            carrier = nextPhase
        } else {
            let turns = frequencyOffset * startTime
            carrier = UInt32(truncatingIfNeeded: Int64(((turns - turns.rounded(.down)) * 4_294_967_296).rounded()))
        }
        let increment = UInt32(truncatingIfNeeded: Int64((frequencyOffset / sampleRate * 4_294_967_296).rounded()))
        let symbolStep = BurstFormat.symbolRate / sampleRate
        var i = 0
        while i < n {
            let t = startTime + Double(i) / sampleRate
            let k = Self.frameIndex(at: t)
            if k != cachedFrame { buildFrame(k) }
            let frameEnd = Double(k + 1) * Self.frameDuration
            let end = min(n, max(i + 1, Int(((frameEnd - startTime) * sampleRate).rounded(.up))))
            let tau0 = (t - Double(k) * Self.frameDuration) * BurstFormat.symbolRate
            Self.modulate(output: output, range: i..<end, tau0: tau0, symbolStep: symbolStep, symbols: symbols,
                          phaseSum: phaseSum, slotGain: slotGain, amplitude: amplitude, carrier: &carrier, increment: increment)
            i = end
        }
        nextStartTime = startTime + Double(n) / sampleRate
        nextSampleRate = sampleRate
        nextPhase = carrier
    }

    /// The GMSK phase of the cached frame at τ = tau0 + (s − range.lowerBound)·symbolStep symbol
    /// periods, plus the carrier phase, to samples added to `output`.
    @inline(__always)
    private static func modulate(output: UnsafeMutableBufferPointer<ComplexFloat>, range: Range<Int>, tau0: Double,
                                 symbolStep: Double, symbols: [Float], phaseSum: [Float], slotGain: [Float],
                                 amplitude: Float, carrier: inout UInt32, increment: UInt32) {
        let width = 2 * GMSKTables.halfWidth
        let shift = UInt32(32 - GMSKTables.circleBits)
        let round = UInt32(1) << (shift - 1)
        var phase = carrier
        symbols.withUnsafeBufferPointer { a in
            phaseSum.withUnsafeBufferPointer { p in
                slotGain.withUnsafeBufferPointer { gain in
                    GMSKTables.phasePulse.withUnsafeBufferPointer { q in
                        GMSKTables.unitCircle.withUnsafeBufferPointer { circle in
                            let out = output.baseAddress!
                            let lower = range.lowerBound
                            // τ − ½ + 16 symbol periods in 32.32 fixed point: the integer part gives the symbol, the
                            // top bits of the fraction the row of the phase-pulse table.
                            let one = 4_294_967_296.0
                            var position = UInt64(((tau0 - 0.5 + 16) * one).rounded())
                            let step = UInt64((symbolStep * one).rounded())
                            let fractionShift = UInt64(32 - GMSKTables.resolutionBits)
                            let fractionMask = UInt64(GMSKTables.resolution - 1)
                            let uniform = gain[1] == 1
                            for s in lower..<range.upperBound {
                                let m = Int(truncatingIfNeeded: position >> 32) - 16
                                let row = Int(truncatingIfNeeded: position >> fractionShift & fractionMask) * width
                                position &+= step
                                // Symbols m − 2 … m + 3 are partly through their pulse; the sum through m − 3 is whole.
                                let base = m - 2 + pad
                                var quarterTurns = p[base - 1]
                                quarterTurns += a[base] * q[row] + a[base + 1] * q[row + 1] + a[base + 2] * q[row + 2]
                                quarterTurns += a[base + 3] * q[row + 3] + a[base + 4] * q[row + 4] + a[base + 5] * q[row + 5]
                                let gmsk = UInt32(truncatingIfNeeded: Int64(quarterTurns * 1_073_741_824))
                                let index = Int((gmsk &+ phase &+ round) >> shift)
                                phase &+= increment
                                // Timeslot of the symbol (156.25 periods each) for the idle-slot level.
                                let g = uniform ? amplitude : amplitude * gain[min(max(4 * m / 625, 0), 8)]
                                let z = circle[index]
                                out[s].real += g * z.real
                                out[s].imag += g * z.imag
                            }
                        }
                    }
                }
            }
        }
        carrier = phase
    }
}

/// SplitMix64 over (seed, stream): the transmitter's content generator, one stream per multiframe.
struct GSMSeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64, stream: UInt64) {
        state = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
        _ = next()
        state ^= stream &* 0x9E37_79B9_7F4A_7C15
    }

    mutating func next() -> UInt64 { SplitMix64.step(&state) }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A synthetic TMSI (never 0xFFFFFFFF, the "no valid TMSI" value of TS 23.003 §2.4).
    mutating func tmsi() -> UInt32 { UInt32(truncatingIfNeeded: next() % 0xFFFF_FFFF) }

    /// Poisson deviate of mean `lambda` (Knuth's product method; normal approximation above 30).
    mutating func poisson(_ lambda: Double) -> Int {
        guard lambda > 0, lambda.isFinite else { return 0 }
        if lambda > 30 {
            let u1 = max(unit(), 1e-300), u2 = unit()
            let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            return max(0, Int((lambda + z * lambda.squareRoot()).rounded()))
        }
        let limit = exp(-lambda)
        var k = 0
        var product = unit()
        while product > limit { k += 1; product *= unit() }
        return k
    }
}
