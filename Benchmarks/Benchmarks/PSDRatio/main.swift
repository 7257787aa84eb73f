// psd-ratio: Welch PSD throughput against bare FFTW, measured in pairs.
//
// The package-benchmark suite runs the PSD and its FFT baselines as separate benchmarks, seconds
// apart. On a VM whose clock and neighbours change from second to second, the ratio of two such
// figures compares two different machines (RESULTS.md shows p0 ratios moving by ±0.05 between runs
// of the same binary). Here every round times one block of each of the three bodies back to back,
// in rotating order, on the monotonic clock, so each round's ratio compares like with like.
// Reported per configuration: the fastest block of each body and their ratio (the p0 ratio), the
// medians and their ratio, and the median of the per-round ratios (the paired estimate).
//
// Usage: psd-ratio [--seconds S]   (S per configuration, default 2)
//
// Run from Benchmarks/:  swift run -c release psd-ratio

import BenchKernels
import DSP
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// CLOCK_MONOTONIC (the vDSO, ~20 ns). The thread CPU clock was tried first: on this VM it now and then
/// returned readings 0.2–18 µs apart across a 35 µs block, which made the fastest-block figures nonsense.
/// A preempted block reads long instead; the paired median is robust to that, the minimum immune.
func monotonicNanoseconds() -> UInt64 {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("psd-ratio: \(message)\n".utf8))
    exit(2)
}

var secondsPerConfiguration = 2.0
var arguments = CommandLine.arguments.dropFirst()
while let a = arguments.popFirst() {
    switch a {
    case "--seconds":
        guard let v = arguments.popFirst().flatMap(Double.init), v > 0 else { fail("--seconds needs a positive number") }
        secondsPerConfiguration = v
    case "-h", "--help":
        print("""
        usage: psd-ratio [--seconds S]
          Times WelchPSD (Hann, overlap 0.5) on one block against the same number of bare FFTW
          transforms (in-cache buffer, and over the block's segments), one block of each per round,
          for N = 512, 1024, 4096 and blocks of 16384 and 65536 samples; S seconds per configuration
          (default 2). Build it in release mode: swift run -c release psd-ratio
        """)
        exit(0)
    default:
        fail("unknown argument '\(a)' (see --help)")
    }
}

print("| FFT size | block | segments | rounds | PSD µs/block min · med | bare FFT min · med | FFT over block min · med | ratio vs bare: mins · medians · paired | ratio vs over-block: mins · medians · paired |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")

for (size, block) in psdSizes.flatMap({ s in [(s, cacheBlockSamples), (s, blockSamples)] }) {
    let psd: PSDState, bare: BareFFTState
    do {
        psd = try PSDState(size: size, blockSamples: block)
        bare = try BareFFTState(size: size, blockSamples: block)
    } catch {
        fail("set-up of n=\(size) x\(block) failed: \(error)")
    }
    let overBlock = BlockFFTState(size: size, blockSamples: block)
    var sink: Float = 0

    // The three bodies; each returns the nanoseconds one block took.
    let bodies: [() -> UInt64] = [
        {
            let t0 = monotonicNanoseconds()
            let done = psd.runBlock()
            let t1 = monotonicNanoseconds()
            if done != psd.segmentsPerBlock { fail("PSD made \(done) segments, expected \(psd.segmentsPerBlock)") }
            return t1 - t0
        },
        {
            let t0 = monotonicNanoseconds()
            sink += bare.runBlock()
            return monotonicNanoseconds() - t0
        },
        {
            let t0 = monotonicNanoseconds()
            sink += overBlock.runBlock()
            return monotonicNanoseconds() - t0
        },
    ]
    // Warm-up: caches, page faults, the CPU's clock.
    for _ in 0..<50 { for b in bodies { _ = b() } }

    var times: [[Double]] = [[], [], []]
    let budget = UInt64(secondsPerConfiguration * 1e9)
    let start = monotonicNanoseconds()
    var round = 0, dropped = 0
    while monotonicNanoseconds() - start < budget {
        var t = [0.0, 0.0, 0.0]
        for k in 0..<3 {
            let which = (round + dropped + k) % 3  // rotate the order: no body always runs first
            t[which] = Double(bodies[which]()) / 1000
        }
        // A clock that did not advance across a whole block measured nothing: such a round is left out,
        // and counted.
        if t.contains(where: { $0 <= 0 }) {
            dropped += 1
            continue
        }
        for k in 0..<3 { times[k].append(t[k]) }
        round += 1
    }
    if dropped > 0 { FileHandle.standardError.write(Data("psd-ratio: n=\(size) x\(block): \(dropped) rounds with a clock that did not advance left out\n".utf8)) }
    let mins = times.map { $0.min()! }
    let meds = times.map(median)
    let pairedBare = median((0..<round).map { times[1][$0] / times[0][$0] })
    let pairedBlock = median((0..<round).map { times[2][$0] / times[0][$0] })
    func f(_ x: Double) -> String { String(format: "%.1f", x) }
    func r(_ x: Double) -> String { String(format: "%.3f", x) }
    print("| \(size) | \(block) | \(psd.segmentsPerBlock) | \(round) | \(f(mins[0])) · \(f(meds[0])) | \(f(mins[1])) · \(f(meds[1])) | "
        + "\(f(mins[2])) · \(f(meds[2])) | \(r(mins[1] / mins[0])) · \(r(meds[1] / meds[0])) · **\(r(pairedBare))** | "
        + "\(r(mins[2] / mins[0])) · \(r(meds[2] / meds[0])) · **\(r(pairedBlock))** |")
    if sink.isNaN { print("") }  // keep the transforms' results alive
}
