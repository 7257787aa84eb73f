import DSP
import Foundation
import Simulation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Render cost of one LTE cell (Benchmarks/simulation-lte.md): 1 s at 2 MS/s in chunks of 65 536 after a
/// warm-up call, thread CPU time printed. The bound is loose enough for a debug build on a loaded machine.
@Suite struct LTEWaveformSpeedTests {
    @Test func oneSecondAt2MSps() throws {
        let rate = 2_000_000.0, chunk = 65_536, total = Int(rate)
        var w = try LTECellWaveform(parameters: LTECellParameters(pci: 300, ports: 2, prb: 25, firstSFN: 7, frameTimingOffset: 0.0041))
        var buffer = [ComplexFloat](repeating: .zero, count: chunk)
        func threadCPU() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
        }
        buffer.withUnsafeMutableBufferPointer { w.render(into: $0, startTime: 0, sampleRate: rate, frequencyOffset: 2_500, amplitude: 0.1) }
        let start = threadCPU()
        buffer.withUnsafeMutableBufferPointer { out in
            var done = 0
            while done < total {
                let n = min(chunk, total - done)
                w.render(into: UnsafeMutableBufferPointer(rebasing: out[0..<n]), startTime: 1 + Double(done) / rate, sampleRate: rate,
                         frequencyOffset: 2_500, amplitude: 0.1)
                done += n
            }
        }
        let cpu = threadCPU() - start
        print(String(format: "LTE benchmark: one cell (25 PRB, 2 ports), 1 s at 2 MS/s: thread CPU %.4f s", cpu))
        #expect(cpu < 1.0)
    }
}
