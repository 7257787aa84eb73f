import CellwatchModel
import DSP
import Foundation
import Simulation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Rendering cost of GSM carriers (Benchmarks/simulation-gsm.md). Runs only when CELLWATCH_BENCHMARK is
/// set, and is meant for a release build:
///
///     CELLWATCH_BENCHMARK=1 swift test -c release -Xswiftc -enable-testing --scratch-path .build-release \
///         --filter GSMCarrierBenchmarkTests
@Suite struct GSMCarrierBenchmarkTests {
    static let enabled = ProcessInfo.processInfo.environment["CELLWATCH_BENCHMARK"] != nil

    @Test(.enabled(if: enabled, "set CELLWATCH_BENCHMARK=1 (and build for release) to measure"))
    func tenCarriersOneSecondAt2MSps() {
        let rate = 2_000_000.0
        let chunk = 65_536
        let total = Int(rate)
        // Ten cells 200 kHz apart across the 2 MHz window, each with its own load and frequency error.
        var carriers = (0..<10).map { i in
            var p = GSMCellParameters.defaults(arfcn: ARFCN(10 + i), mcc: "460", mnc: "00", lac: 100 + i, cellId: 1000 + i,
                                               ncc: i % 8, bcc: (i * 3) % 8)
            p.pagingRequestsPerSecond = i == 0 ? 40 : 3
            return GSMCarrierWaveform(parameters: p, seed: UInt64(i))
        }
        let offsets = (0..<10).map { Double($0 - 5) * 190_000 + Double($0) * 37 }
        var buffer = [ComplexFloat](repeating: .zero, count: chunk)
        func threadCPU() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
        }
        var cpu: [Double] = []
        func second(startingAt t0: Double) -> Duration {
            let clock = ContinuousClock()
            let cpuStart = threadCPU()
            defer { cpu.append(threadCPU() - cpuStart) }
            return clock.measure {
                buffer.withUnsafeMutableBufferPointer { out in
                    var done = 0
                    while done < total {
                        let n = min(chunk, total - done)
                        let view = UnsafeMutableBufferPointer(rebasing: out[0..<n])
                        for i in 0..<n { view[i] = .zero }
                        for c in 0..<carriers.count {
                            carriers[c].render(into: view, startTime: t0 + Double(done) / rate, sampleRate: rate,
                                               frequencyOffset: offsets[c], amplitude: 0.05)
                        }
                        done += n
                    }
                }
            }
        }
        _ = second(startingAt: 0)  // first call: tables and caches
        var runs: [Double] = []
        for r in 1...5 {
            let d = second(startingAt: Double(r))
            runs.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
        }
        runs.sort()
        let cpuRuns = cpu.dropFirst().sorted()
        print(String(format: "GSM benchmark: 10 carriers, 1 s at 2 MS/s in chunks of %d: wall median %.3f s (min %.3f, max %.3f); thread CPU median %.3f s (min %.3f, max %.3f); 5 runs",
                     chunk, runs[2], runs[0], runs[4], cpuRuns[2], cpuRuns[0], cpuRuns[4]))
        #expect(runs[2] < 1.0)
    }
}

/// Allocation probe for Benchmarks/simulation-gsm.md: renders CELLWATCH_ALLOCATION_PROBE seconds of one
/// busy carrier at 2 MS/s after a warm-up call, between two `getppid()` calls that mark the measured
/// stretch for a debugger counting `malloc` (the command is in the benchmark file).
@Suite struct GSMCarrierAllocationProbe {
    static let seconds = ProcessInfo.processInfo.environment["CELLWATCH_ALLOCATION_PROBE"].flatMap(Double.init)

    @Test(.enabled(if: seconds != nil, "set CELLWATCH_ALLOCATION_PROBE=SECONDS and run under gdb"))
    func renderAfterTheFirstCall() throws {
        let seconds = try #require(Self.seconds)
        var p = GSMCellParameters.defaults(arfcn: ARFCN(20), mcc: "460", mnc: "00", lac: 1, cellId: 2)
        p.pagingRequestsPerSecond = 40
        p.immediateAssignmentsPerSecond = 10
        var w = GSMCarrierWaveform(parameters: p, seed: 1)
        let rate = 2_000_000.0, chunk = 20_000
        var buffer = [ComplexFloat](repeating: .zero, count: chunk)
        buffer.withUnsafeMutableBufferPointer { out in
            w.render(into: out, startTime: 0, sampleRate: rate, frequencyOffset: 1000, amplitude: 0.1)
            var done = chunk
            _ = getppid()  // start of the measured stretch
            while Double(done) < seconds * rate {
                w.render(into: out, startTime: Double(done) / rate, sampleRate: rate, frequencyOffset: 1000, amplitude: 0.1)
                done += chunk
            }
            _ = getppid()  // end
        }
    }
}
