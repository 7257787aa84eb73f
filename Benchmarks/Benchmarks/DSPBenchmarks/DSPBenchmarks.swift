// Benchmarks of Cellwatch's per-block DSP kernels (package-benchmark).
//
// One benchmark iteration is one block of `blockSamples` complex samples, so the framework's
// `throughput` metric is blocks per second; RESULTS.md multiplies it out to samples/s, PSD
// segments/s and FFTs/s. All objects and buffers are made in `setup`, outside the measurement,
// so `mallocCountTotal` counts what processing one block allocates (it must be 0).
//
// WelchPSD vs bare FFT: with overlap 0.5 (hop = size/2) a block of 65536 samples, streamed
// repeatedly into the same estimator, yields exactly 65536/hop = 131072/size segments, i.e. that
// many FFTs. The bare-FFT benchmarks of the same size execute that same number of transforms per
// iteration, so  (PSD blocks/s) / (FFT iterations/s)  =  (PSD segments/s) / (bare FFTs/s). Two
// baselines: `FFT.execute` repeated on one in-cache buffer (the transform alone), and FFTW run over
// the overlapping segments of the same block (`FFT over block`: the transforms plus reading the data,
// which any PSD must do).

import Benchmark
import BenchFFTW
import DSP
import Radio

let blockSamples = 65_536
let cacheBlockSamples = 16_384
let psdSizes = [512, 1024, 4096]

let metrics: [BenchmarkMetric] = [.wallClock, .cpuTotal, .mallocCountTotal, .throughput]

// MARK: - Deterministic test data

/// SplitMix64: small, fast and reproducible, so every run measures the same data.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A block of random complex samples, uniform in [−1, 1) per component.
final class ComplexBlock {
    let samples: UnsafeMutableBufferPointer<ComplexFloat>

    init(count: Int, seed: UInt64) {
        samples = .allocate(capacity: count)
        var rng = SplitMix64(seed: seed)
        for i in 0..<count {
            samples[i] = ComplexFloat(Float.random(in: -1..<1, using: &rng), Float.random(in: -1..<1, using: &rng))
        }
    }

    deinit { samples.deallocate() }

    var readOnly: UnsafeBufferPointer<ComplexFloat> { UnsafeBufferPointer(samples) }
}

/// Raw bytes of one block in a given sample format, plus the preallocated output buffer.
final class ConversionState {
    let format: SampleFormat
    let source: UnsafeMutableRawPointer
    let destination: UnsafeMutableBufferPointer<ComplexFloat>

    init(format: SampleFormat, count: Int, seed: UInt64) {
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

final class PSDState {
    let block: ComplexBlock
    let psd: WelchPSD
    let segmentsPerBlock: Int

    init(size: Int, blockSamples: Int = blockSamples) throws {
        block = ComplexBlock(count: blockSamples, seed: 0xC311_3A7C)
        psd = try WelchPSD(size: size, window: .hann, overlap: 0.5)
        precondition(blockSamples % psd.hop == 0, "block must be a whole number of hops")
        segmentsPerBlock = blockSamples / psd.hop
        // Fill the first segment so that every measured block yields exactly segmentsPerBlock segments.
        psd.process(block.readOnly)
    }
}

final class BareFFTState {
    let fft: FFT
    let transformsPerIteration: Int

    init(size: Int, blockSamples: Int = blockSamples) throws {
        fft = try FFT(size: size, direction: .forward)
        transformsPerIteration = 2 * blockSamples / size  // = segments of one PSD block at hop size/2
        let block = ComplexBlock(count: size, seed: 0xC311_3A7C)
        _ = fft.unsafeInput.update(fromContentsOf: block.samples)
    }
}

/// FFTW over the segments of a block, as the PSD meets them: segment k starts at k·hop (hop = size/2),
/// read in place with FFTW's new-array execute into one output buffer. The block has `hop` samples
/// more than the PSD's, so that the same number of segments fits without wrapping.
final class BlockFFTState {
    let samples: UnsafeMutablePointer<fftwf_complex>
    let output: UnsafeMutablePointer<fftwf_complex>
    let plan: fftwf_plan
    let size: Int, hop: Int, transformsPerIteration: Int

    init(size: Int, blockSamples: Int) {
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

    deinit {
        fftwf_destroy_plan(plan)
        fftwf_free(samples)
        fftwf_free(output)
    }
}

final class AutocorrelatorState {
    let block: ComplexBlock
    let correlator: LaggedAutocorrelator

    init() throws {
        block = ComplexBlock(count: blockSamples, seed: 0xC311_3A7C)
        correlator = try LaggedAutocorrelator(lag: 128, period: 960)
        correlator.process(block.readOnly)  // fill the lag history before measuring
    }
}

// MARK: - Benchmarks

/// Timing run: one iteration = one block. Exact units (ns per block, blocks per second) instead of
/// the auto-scaled "66 K". Note that `cpuTotal` is read from /proc/self/stat (10 ms ticks) and its
/// reading itself mallocs inside the measured region (16 per iteration here, see the Noop row).
var timing: Benchmark.Configuration {
    .init(
        metrics: metrics,
        timeUnits: .nanoseconds,
        units: [.throughput: .count, .mallocCountTotal: .count],
        warmupIterations: 20,
        scalingFactor: .one,
        maxDuration: .seconds(3),
        maxIterations: 100_000
    )
}

/// Allocation-only run of the same body: with mallocCountTotal as the only metric nothing else
/// allocates inside the measured region, so the count is exactly what one block costs.
var allocationsOnly: Benchmark.Configuration {
    .init(
        metrics: [.mallocCountTotal],
        units: [.mallocCountTotal: .count],
        warmupIterations: 20,
        scalingFactor: .one,
        maxDuration: .seconds(1),
        maxIterations: 1_000
    )
}

/// Registers `body` twice: a timing benchmark `name` and an allocation benchmark `Allocs: name`.
/// `setup` runs once per benchmark, outside the measurement.
func register<State>(_ name: String, setup: @escaping () throws -> State,
                     body: @escaping (Benchmark, State) -> Void) {
    Benchmark(name, configuration: timing, closure: body, setup: { try setup() })
    Benchmark("Allocs: \(name)", configuration: allocationsOnly, closure: body, setup: { try setup() })
}

let benchmarks: @Sendable () -> Void = {
    // 0. The framework's own per-iteration cost: the floor under every timing row (and the
    //    mallocs that measuring cpuTotal costs).
    Benchmark("Noop (framework overhead)", configuration: timing) { benchmark in
        for i in benchmark.scaledIterations {
            blackHole(i)
        }
    }
    Benchmark("Allocs: Noop (framework overhead)", configuration: allocationsOnly) { benchmark in
        for i in benchmark.scaledIterations {
            blackHole(i)
        }
    }

    // 1. Sample-format conversion: one block of 65536 stored samples → ComplexFloat.
    for format in [SampleFormat.cu8, .ci8, .ci16, .cf32] {
        register("Convert \(format.rawValue) x\(blockSamples)") {
            ConversionState(format: format, count: blockSamples, seed: 0x5A3B_1E00 &+ UInt64(format.bytesPerSample))
        } body: { benchmark, state in
            let dst = state.destination.baseAddress!
            for _ in benchmark.scaledIterations {
                SampleConverter.convert(state.format, from: UnsafeRawPointer(state.source), into: dst, count: blockSamples)
                blackHole(dst[blockSamples - 1])
            }
        }
    }

    // 2. Welch PSD per block, and the bare FFT of the same size, same number of transforms. Two block
    // sizes: 65536 samples (512 KiB, more than the 512 KiB L2 holds with everything else) and 16384
    // (128 KiB, what stays in L2 — the block size SpectrumScanner streams with).
    for (size, block) in psdSizes.flatMap({ s in [(s, blockSamples), (s, cacheBlockSamples)] }) {
        let segments = 2 * block / size
        register("WelchPSD hann n=\(size) x\(block) (\(segments) seg)") {
            try PSDState(size: size, blockSamples: block)
        } body: { benchmark, state in
            for _ in benchmark.scaledIterations {
                let before = state.psd.segmentCount
                state.psd.process(state.block.readOnly)
                let done = state.psd.segmentCount - before
                if done != state.segmentsPerBlock {
                    benchmark.error("expected \(state.segmentsPerBlock) segments per block, got \(done)")
                }
                blackHole(done)
            }
        }

        register("FFT over block n=\(size) x\(block) (\(segments) seg)") {
            BlockFFTState(size: size, blockSamples: block)
        } body: { benchmark, state in
            for _ in benchmark.scaledIterations {
                for k in 0..<state.transformsPerIteration {
                    fftwf_execute_dft(state.plan, state.samples + k * state.hop, state.output)
                }
                blackHole(state.output[0])
            }
        }

        register("FFT.execute n=\(size) x\(segments)") {
            try BareFFTState(size: size, blockSamples: block)
        } body: { benchmark, state in
            let fft = state.fft
            let n = state.transformsPerIteration
            for _ in benchmark.scaledIterations {
                for _ in 0..<n {
                    fft.execute()
                }
                blackHole(fft.unsafeOutput[0])
            }
        }
    }

    // 3. Cyclic-prefix autocorrelation over the same kind of block.
    register("LaggedAutocorrelator lag=128 period=960 x\(blockSamples)") {
        try AutocorrelatorState()
    } body: { benchmark, state in
        for _ in benchmark.scaledIterations {
            state.correlator.process(state.block.readOnly)
            blackHole(state.correlator.productCount)
        }
    }
}
