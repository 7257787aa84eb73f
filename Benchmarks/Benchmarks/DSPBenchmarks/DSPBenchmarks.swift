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

import BenchFFTW
import BenchKernels
import Benchmark
import DSP
import Radio

let metrics: [BenchmarkMetric] = [.wallClock, .cpuTotal, .mallocCountTotal, .throughput]

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
                let done = state.runBlock()
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
                blackHole(state.runBlock())
            }
        }

        register("FFT.execute n=\(size) x\(segments)") {
            try BareFFTState(size: size, blockSamples: block)
        } body: { benchmark, state in
            for _ in benchmark.scaledIterations {
                blackHole(state.runBlock())
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
