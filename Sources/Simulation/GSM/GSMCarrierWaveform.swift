import CellwatchModel
import DSP
import GSM

/// The BCCH carrier (C0) of one GSM cell as a function of scenario time: timeslot 0 carries the
/// non-combined 51-multiframe (FCCH, SCH, BCCH, CCCH; TS 45.002 §7 Table 3), timeslots 1–7 dummy
/// bursts, all GMSK-modulated (TS 45.004) with a continuous phase.
///
/// Scenario time 0 is the start of frame `parameters.firstFrameNumber`, timeslot 0.
public struct GSMCarrierWaveform: EmitterWaveform {
    public let parameters: GSMCellParameters
    public let seed: UInt64

    /// A TDMA frame lasts 120/26 ms (TS 45.002 §4.3.1).
    public static let frameDuration = 0.12 / 26

    public var occupiedBandwidth: Double { 200_000 }

    public init(parameters: GSMCellParameters, seed: UInt64) {
        self.parameters = parameters
        self.seed = seed
    }

    /// The frame number on air at scenario time `time` (≥ 0).
    public func frameNumber(at time: Double) -> GSMFrameNumber {
        let frames = Int((time / Self.frameDuration).rounded(.down))
        return GSMFrameNumber(UInt32(parameters.firstFrameNumber))!.advanced(by: frames)
    }

    public mutating func render(into output: UnsafeMutableBufferPointer<ComplexFloat>, startTime: Double,
                                sampleRate: Double, frequencyOffset: Double, amplitude: Float) {
        // Step 1 of the transmitter: the API only; the modulator follows.
    }
}
