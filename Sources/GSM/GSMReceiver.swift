import DSP
#if canImport(Glibc)
import Glibc
#endif

/// One decoded (or undecodable) 4-burst block of TS0.
public struct GSMBlock: Sendable {
    public enum Channel: String, Sendable {
        case bcch = "BCCH"
        case ccch = "CCCH"
        /// SDCCH/4 or SACCH/4 of a combined TS0 (CCCH_CONF 1): dedicated signalling, never printed.
        case sdcch = "SDCCH/4"
    }
    /// Frame number of the block's first burst (as gr-gsm prints it).
    public var frameNumber: GSMFrameNumber
    public var channel: Channel
    /// The 23-octet L2 block, or nil when the Fire code did not check.
    public var l2: [UInt8]?
    public var error: GSMCodingError?
    /// Mean SNR of the four bursts on their training sequences (linear).
    public var snr: Double
    /// Sample index (at the receiver's 4 samples per symbol) of the first burst.
    public var sample: Int
}

/// What a receiver found, in order.
public enum GSMReceiverEvent: Sendable {
    case frequencyCorrection(FrequencyCorrectionBurst)
    case synchronised(bsic: BSIC, frameNumber: GSMFrameNumber, sample: Int)
    case block(GSMBlock)
    case synchronisationLost(sample: Int)
}

/// Receives one GSM BCCH carrier (C0) from IQ: FCCH search and coarse frequency correction, SCH
/// timing and identity (BSIC, frame number), then every TS0 burst of the 51-multiframe demodulated
/// and its BCCH/CCCH blocks decoded. Blocks that arrived before synchronisation are kept (the last two
/// multiframes of samples are buffered) and decoded as soon as the SCH gives the timing.
public final class GSMReceiver {
    public let inputRate: Double
    /// Offset of the wanted carrier from the recording's centre frequency, Hz.
    public let carrierOffset: Double

    private let selector: ChannelSelector
    private let fcch = FrequencyCorrectionBurstDetector()
    private let demodulator = BurstDemodulator()
    private let schDecoder = SCHDecoder()
    private let xcchDecoder = XCCHDecoder()

    /// Working-rate samples; `buffer[0]` is sample `bufferStart` of the stream.
    private var buffer: [ComplexFloat] = []
    private var bufferStart = 0
    private var fcchPosition = 0
    /// Frames starting before this sample have been handled in a synchronised state.
    private var handledUntil = 0
    /// Stream index of the detector's sample 0.
    private var fcchBase = 0
    private static let keep = 2 * 51 * BurstFormat.frameSamples

    private enum State {
        case searching
        /// Waiting for the SCH one frame after an FCCH that started at `fcchStart`.
        case awaitingSCH(fcchStart: Int)
        /// Frame `frameNumber` starts (TS0 bit 0) at sample `frameStart`; `next` is the next frame to do.
        case synced(frameNumber: GSMFrameNumber, frameStart: Int, failedSCH: Int)
    }
    private var state = State.searching
    private var pendingBursts: [[SoftBit]] = []
    private var pendingFirst: (fn: GSMFrameNumber, sample: Int, channel: GSMBlock.Channel)?
    private var pendingSNR = 0.0

    // Measurements.
    public private(set) var bsic: BSIC?
    /// TS0 carries CCCH + SDCCH/4 (CCCH_CONF 1), as the cell's SI3 says.
    public private(set) var combinedCCCH = false
    private var powerSum = 0.0, snrSum = 0.0, burstCount = 0
    private var offsetMeasurements: [Double] = []
    /// Every FCCH burst's own estimate of the carrier's offset (Hz, against the nominal frequency), in
    /// stream order: the spread of these is what a crystal calibration's uncertainty rests on. The first
    /// `maxFCCHRecorded` (about 3 minutes of a cell) are kept.
    public private(set) var fcchOffsets: [Double] = []
    /// Stream sample of each burst in `fcchOffsets`: after synchronising, the receiver goes back over the
    /// buffered frames, which holds the burst the search found; it is measured once.
    private var fcchStarts: [Int] = []
    public static let maxFCCHRecorded = 4096

    private func recordFCCH(start: Int, offset: Double) {
        guard fcchOffsets.count < Self.maxFCCHRecorded,
              !fcchStarts.contains(where: { abs($0 - start) < BurstFormat.frameSamples / 2 }) else { return }
        if fcchStarts.count >= 64 { fcchStarts.removeFirst() }
        fcchStarts.append(start)
        fcchOffsets.append(offset)
    }

    public init(inputRate: Double, carrierOffset: Double) throws(DSPError) {
        self.inputRate = inputRate
        self.carrierOffset = carrierOffset
        selector = try ChannelSelector(inputRate: inputRate, carrierOffset: carrierOffset)
    }

    /// Carrier frequency offset measured so far (Hz): how far the carrier sits from where it should.
    public var frequencyOffset: Double? {
        guard !offsetMeasurements.isEmpty else { return nil }
        return selector.shift - carrierOffset
    }
    /// Mean burst power (full-scale units) and SNR (linear) over the demodulated bursts.
    public var meanPower: Double? { burstCount > 0 ? powerSum / Double(burstCount) : nil }
    public var meanSNR: Double? { burstCount > 0 ? snrSum / Double(burstCount) : nil }

    /// Feeds input samples (at `inputRate`); returns what they completed.
    public func process(_ samples: UnsafeBufferPointer<ComplexFloat>) -> [GSMReceiverEvent] {
        selector.process(samples, appendingTo: &buffer)
        var events: [GSMReceiverEvent] = []
        advance(&events)
        trim()
        return events
    }

    /// The end of the stream.
    public func finish() -> [GSMReceiverEvent] {
        var events: [GSMReceiverEvent] = []
        advance(&events)
        return events
    }

    // MARK: state machine

    private var bufferEnd: Int { bufferStart + buffer.count }

    private func advance(_ events: inout [GSMReceiverEvent]) {
        var progressed = true
        while progressed {
            progressed = false
            switch state {
            case .searching:
                let from = max(fcchPosition, bufferStart)
                guard from < bufferEnd else { return }
                if fcchBase + fcch.position != from {
                    fcch.reset()
                    fcchBase = from
                }
                let found = buffer.withUnsafeBufferPointer { b in
                    fcch.process(UnsafeBufferPointer(rebasing: b[(from - bufferStart)...]))
                }
                fcchPosition = bufferEnd
                if let burst = found.first {
                    // The detector's estimate uses a one-symbol lag only; refine it on the buffered burst.
                    let start = fcchBase + burst.start
                    let absolute = FrequencyCorrectionBurst(start: start, frequencyOffset: fcchFrequency(start: start) ?? burst.frequencyOffset)
                    events.append(.frequencyCorrection(absolute))
                    recordFCCH(start: absolute.start, offset: selector.shift - carrierOffset + absolute.frequencyOffset)
                    correctFrequency(absolute.frequencyOffset, buffered: true)
                    state = .awaitingSCH(fcchStart: absolute.start)
                    progressed = true
                }
            case .awaitingSCH(let fcchStart):
                let expected = fcchStart + BurstFormat.frameSamples
                guard expected + 200 * BurstFormat.samplesPerSymbol < bufferEnd else { return }
                if let (bsic, fn, start) = decodeSCH(expected: expected, search: 12) {
                    self.bsic = bsic
                    events.append(.synchronised(bsic: bsic, frameNumber: fn, sample: start))
                    // Go back to the oldest whole frame still buffered and not yet handled: blocks that
                    // arrived before synchronisation are not lost, and none is handled twice.
                    let back = max(0, (start - max(bufferStart, handledUntil)) / BurstFormat.frameSamples)
                    state = .synced(frameNumber: fn.advanced(by: -back), frameStart: start - back * BurstFormat.frameSamples, failedSCH: 0)
                } else {
                    state = .searching
                    fcchPosition = fcchStart + 600 * BurstFormat.samplesPerSymbol
                }
                progressed = true
            case .synced(let fn, let frameStart, let failed):
                guard frameStart + 170 * BurstFormat.samplesPerSymbol < bufferEnd else { return }
                handledUntil = frameStart + BurstFormat.frameSamples / 2
                var nextStart = frameStart
                var failures = failed
                // TS0's layout follows CCCH_CONF from the cell's SI3 once decoded (non-combined until then).
                let position = BCCHCCCHMultiframe.position(of: fn, combined: combinedCCCH)
                switch position.channel {
                case .frequencyCorrection:
                    measureFCCH(at: frameStart)
                case .synchronization:
                    if let (_, decodedFN, start) = decodeSCH(expected: frameStart, search: 3), decodedFN == fn {
                        nextStart = start
                        failures = 0
                    } else {
                        failures += 1
                    }
                case .broadcastControl:
                    nextStart = normalBurst(fn: fn, start: frameStart, burst: position.burstIndex, channel: .bcch, &events) ?? frameStart
                case .commonControl:
                    nextStart = normalBurst(fn: fn, start: frameStart, burst: position.burstIndex, channel: .ccch, &events) ?? frameStart
                case .dedicatedControl:
                    nextStart = normalBurst(fn: fn, start: frameStart, burst: position.burstIndex, channel: .sdcch, &events) ?? frameStart
                case .idle:
                    break
                }
                if failures >= 6 {
                    events.append(.synchronisationLost(sample: frameStart))
                    state = .searching
                    fcchPosition = frameStart
                } else {
                    state = .synced(frameNumber: fn.advanced(by: 1), frameStart: nextStart + BurstFormat.frameSamples, failedSCH: failures)
                }
                progressed = true
            }
        }
    }

    private func decodeSCH(expected: Int, search: Int) -> (BSIC, GSMFrameNumber, Int)? {
        guard let burst = demodulate(expected: expected, search: search, training: BurstFormat.syncTrainingSequence,
                                     trainingStart: BurstFormat.syncTrainingStart) else { return nil }
        guard let decoded = try? schDecoder.decode(burst.syncData) else { return nil }
        record(burst)
        return (decoded.bsic, decoded.frameNumber, burst.start)
    }

    /// Demodulates one normal burst; when it completes a block, decodes the block. Returns the burst's
    /// measured start (timing tracking), or nil if it could not be demodulated.
    private func normalBurst(fn: GSMFrameNumber, start: Int, burst index: Int, channel: GSMBlock.Channel,
                             _ events: inout [GSMReceiverEvent]) -> Int? {
        let tsc = Int(bsic?.bcc ?? 0)
        let burst = demodulate(expected: start, search: 3, training: BurstFormat.trainingSequences[tsc],
                               trainingStart: BurstFormat.normalTrainingStart)
        if index == 0 {
            pendingBursts.removeAll(keepingCapacity: true)
            pendingFirst = (fn, start, channel)
            pendingSNR = 0
        }
        guard let burst, pendingFirst != nil, pendingBursts.count == index else {
            if index == 3 { pendingFirst = nil }
            return burst?.start
        }
        record(burst)
        pendingBursts.append(burst.normalData)
        pendingSNR += burst.snr
        if index == 3, let first = pendingFirst {
            var block = GSMBlock(frameNumber: first.fn, channel: first.channel, l2: nil, error: nil,
                                 snr: pendingSNR / 4, sample: first.sample)
            do {
                block.l2 = try xcchDecoder.decode(pendingBursts)
            } catch {
                block.error = error
            }
            if first.channel == .bcch, let l2 = block.l2, case .systemInformation3(let si)? = try? RRMessageDecoder.decode(l2Block: l2) {
                combinedCCCH = si.controlChannel.ccchConf == 1
            }
            events.append(.block(block))
            pendingFirst = nil
        }
        // Follow the timing only on a burst that clearly locked on its training sequence.
        return burst.snr > 4 ? burst.start : nil
    }

    private func demodulate(expected: Int, search: Int, training: [UInt8], trainingStart: Int) -> DemodulatedBurst? {
        let local = expected - bufferStart
        return buffer.withUnsafeBufferPointer { b in
            demodulator.demodulate(b, expectedStart: local, searchSymbols: search, training: training, trainingStart: trainingStart)
        }.map { burst in
            var b = burst
            b.start += bufferStart
            return b
        }
    }

    private func record(_ burst: DemodulatedBurst) {
        powerSum += burst.power
        snrSum += burst.snr
        burstCount += 1
    }

    /// Fine frequency from an FCCH burst inside the synchronised stream.
    private func measureFCCH(at start: Int) {
        guard let offset = fcchFrequency(start: start), abs(offset) < 5e3 else { return }
        recordFCCH(start: start, offset: selector.shift - carrierOffset + offset)
        // Half the measured error per FCCH: converges within a few without chasing noise.
        correctFrequency(offset * 0.5, buffered: false)
    }

    /// The FCCH tone's offset from its nominal +67.7 kHz, measured on the buffered burst whose bit 0 is
    /// near `start`, or nil when no clean tone is there.
    ///
    /// Two lags: one symbol (4 samples) gives an unambiguous estimate over ±67 kHz but is biased toward
    /// 0 Hz by noise, which the channel filter leaves correlated over a few samples (−0.5 kHz at 10 dB);
    /// 256 samples (16 whole cycles of the tone) sees uncorrelated noise and is unbiased, but wraps every
    /// 4.23 kHz. The short lag picks the wrap of the long one.
    func fcchFrequency(start: Int) -> Double? {
        let sps = BurstFormat.samplesPerSymbol
        let from = start - bufferStart + 12 * sps, to = start - bufferStart + 136 * sps
        let long = 256
        guard from >= sps, to <= buffer.count, to - from > long + 64 else { return nil }
        func lagged(_ lag: Int, _ first: Int) -> (Double, Double, Double) {
            var re = 0.0, im = 0.0, e = 0.0
            for i in first..<to {
                let z = buffer[i] * buffer[i - lag].conjugate
                re += Double(z.real)
                im += Double(z.imag)
                e += Double(buffer[i].magnitudeSquared)
            }
            return (re, im, e)
        }
        let rate = BurstFormat.sampleRate, tone = BurstFormat.fcchToneOffset
        let (re4, im4, e4) = lagged(sps, from)
        guard e4 > 0, (re4 * re4 + im4 * im4).squareRoot() / e4 > 0.6 else { return nil }
        let short = (atan2(im4, re4) - 2 * Double.pi * tone * Double(sps) / rate) * rate / (2 * .pi * Double(sps))
        let (reL, imL, _) = lagged(long, from + long)
        var turn = atan2(imL, reL) - 2 * Double.pi * tone * Double(long) / rate
        turn = turn - 2 * .pi * (turn / (2 * .pi)).rounded()
        let step = rate / Double(long)
        let fine = turn * rate / (2 * .pi * Double(long))
        return fine + step * ((short - fine) / step).rounded()
    }

    /// Moves the carrier by `offset` Hz: the mixer for samples still to come, and the buffered samples
    /// in place, so that blocks decoded from the buffer (those before synchronisation) get the correction
    /// too. A constant phase between the two does not matter: each burst's channel estimate absorbs it.
    private func correctFrequency(_ offset: Double, buffered: Bool) {
        offsetMeasurements.append(offset)
        selector.adjust(by: offset)
        // In sync the corrections are a few tens of hertz and only future samples need them.
        guard buffered else { return }
        let step = -2 * Double.pi * offset / BurstFormat.sampleRate
        let (c, s) = (cos(step), sin(step))
        var re = 1.0, im = 0.0
        // Samples already handled in sync need nothing; the rest (all of the buffer before the first
        // synchronisation) are rotated.
        let from = max(0, handledUntil - bufferStart)
        for i in from..<buffer.count {
            buffer[i] = buffer[i] * ComplexFloat(Float(re), Float(im))
            (re, im) = (re * c - im * s, re * s + im * c)
            if i & 1023 == 1023 {
                let m = (re * re + im * im).squareRoot()
                re /= m; im /= m
            }
        }
    }

    private func trim() {
        // Drop old samples only once they are as many as those kept, so moving the kept ones costs
        // O(1) per sample on average.
        let excess = buffer.count - Self.keep
        guard excess > Self.keep else { return }
        buffer.removeFirst(excess)
        bufferStart += excess
    }
}
