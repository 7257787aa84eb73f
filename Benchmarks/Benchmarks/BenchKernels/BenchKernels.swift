// Set-up shared by the package-benchmark suite (DSPBenchmarks) and the paired ratio tool (psd-ratio):
// seeded test blocks and the states each measured body works on. Everything is allocated here, outside
// any measurement.

import BenchFFTW
import CellwatchModel
import DSP
import Radio

public let blockSamples = 65_536
public let cacheBlockSamples = 16_384
public let psdSizes = [512, 1024, 4096]

// MARK: - Deterministic test data (CellwatchModel's SplitMix64, so every run measures the same data)

/// A block of random complex samples, uniform in [−1, 1) per component.
public final class ComplexBlock {
    public let samples: UnsafeMutableBufferPointer<ComplexFloat>

    public init(count: Int, seed: UInt64) {
        samples = .allocate(capacity: count)
        var rng = SplitMix64(seed: seed)
        for i in 0..<count {
            samples[i] = ComplexFloat(Float.random(in: -1..<1, using: &rng), Float.random(in: -1..<1, using: &rng))
        }
    }

    deinit { samples.deallocate() }

    public var readOnly: UnsafeBufferPointer<ComplexFloat> { UnsafeBufferPointer(samples) }
}

/// Raw bytes of one block in a given sample format, plus the preallocated output buffer.
public final class ConversionState {
    public let format: SampleFormat
    public let source: UnsafeMutableRawPointer
    public let destination: UnsafeMutableBufferPointer<ComplexFloat>

    public init(format: SampleFormat, count: Int, seed: UInt64) {
        self.format = format
        let byteCount = count * format.bytesPerSample
        source = .allocate(byteCount: byteCount, alignment: 16)
        destination = .allocate(capacity: count)
        destination.initialize(repeating: .zero)
        var rng = SplitMix64(seed: seed)
        switch format {
        case .cf32:
            let f = source.bindMemory(to: Float.self, capacity: 2 * count)
            for i in 0..<(2 * count) { f[i] = Float.random(in: -1..<1, using: &rng) }
        case .ci16, .ci8, .cu8:
            let b = source.bindMemory(to: UInt8.self, capacity: byteCount)
            for i in 0..<byteCount { b[i] = UInt8.random(in: 0...255, using: &rng) }
        }
    }

    deinit {
        source.deallocate()
        destination.deallocate()
    }
}

public final class PSDState {
    public let block: ComplexBlock
    public let psd: WelchPSD
    public let segmentsPerBlock: Int

    public init(size: Int, blockSamples: Int = blockSamples) throws {
        block = ComplexBlock(count: blockSamples, seed: 0xC311_3A7C)
        psd = try WelchPSD(size: size, window: .hann, overlap: 0.5)
        precondition(blockSamples % psd.hop == 0, "block must be a whole number of hops")
        segmentsPerBlock = blockSamples / psd.hop
        // Fill the first segment so that every measured block yields exactly segmentsPerBlock segments.
        psd.process(block.readOnly)
    }

    /// One measured block: the PSD of `block`. Returns the segments it added (must be `segmentsPerBlock`).
    @inline(never)
    public func runBlock() -> Int {
        let before = psd.segmentCount
        psd.process(block.readOnly)
        return psd.segmentCount - before
    }
}

public final class BareFFTState {
    public let fft: FFT
    public let transformsPerIteration: Int

    public init(size: Int, blockSamples: Int = blockSamples) throws {
        fft = try FFT(size: size, direction: .forward)
        transformsPerIteration = 2 * blockSamples / size  // = segments of one PSD block at hop size/2
        let block = ComplexBlock(count: size, seed: 0xC311_3A7C)
        _ = fft.unsafeInput.update(fromContentsOf: block.samples)
    }

    /// One measured block: as many transforms of the in-cache input as one PSD block has segments.
    @inline(never)
    public func runBlock() -> Float {
        for _ in 0..<transformsPerIteration { fft.execute() }
        return fft.unsafeOutput[0].real
    }
}

/// FFTW over the segments of a block, as the PSD meets them: segment k starts at k·hop (hop = size/2),
/// read in place with FFTW's new-array execute into one output buffer. The block has `hop` samples
/// more than the PSD's, so that the same number of segments fits without wrapping.
public final class BlockFFTState {
    public let samples: UnsafeMutablePointer<fftwf_complex>
    public let output: UnsafeMutablePointer<fftwf_complex>
    public let plan: fftwf_plan
    public let size: Int, hop: Int, transformsPerIteration: Int

    public init(size: Int, blockSamples: Int) {
        self.size = size
        hop = size / 2
        transformsPerIteration = blockSamples / hop
        let block = ComplexBlock(count: blockSamples + hop, seed: 0xC311_3A7C)
        samples = fftwf_alloc_complex(blockSamples + hop)
        output = fftwf_alloc_complex(size)
        let input = fftwf_alloc_complex(size)!
        plan = fftwf_plan_dft_1d(Int32(size), input, output, FFTW_FORWARD, bench_fftw_measure)
        fftwf_free(input)
        UnsafeMutableRawPointer(samples).copyMemory(from: block.samples.baseAddress!, byteCount: (blockSamples + hop) * 8)
    }

    /// One measured block: FFTW over each overlapping segment of the block, read in place.
    @inline(never)
    public func runBlock() -> Float {
        for k in 0..<transformsPerIteration {
            fftwf_execute_dft(plan, samples + k * hop, output)
        }
        return output[0].0
    }

    deinit {
        fftwf_destroy_plan(plan)
        fftwf_free(samples)
        fftwf_free(output)
    }
}

public final class AutocorrelatorState {
    public let block: ComplexBlock
    public let correlator: LaggedAutocorrelator

    public init() throws {
        block = ComplexBlock(count: blockSamples, seed: 0xC311_3A7C)
        correlator = try LaggedAutocorrelator(lag: 128, period: 960)
        correlator.process(block.readOnly)  // fill the lag history before measuring
    }
}

