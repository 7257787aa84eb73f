import CFFTW
import Foundation
import Synchronization

/// A one-dimensional single-precision complex FFT of a fixed size, planned once with FFTW.
///
/// `init` plans and allocates the aligned input and output buffers; `execute()` only computes
/// (`unsafeInput` → `unsafeOutput`) and is safe to call from the owning thread without locks.
/// Planning goes through `FFTPlanner`, which serialises FFTW's non-thread-safe planner and keeps
/// the wisdom cache.
public final class FFT {
    public enum Direction: Sendable {
        case forward, inverse
        var sign: Int32 { self == .forward ? FFTW_FORWARD : FFTW_BACKWARD }
    }

    public let size: Int
    public let direction: Direction
    /// Aligned buffers owned by the transform; valid until it is released. Never let them escape it.
    public let unsafeInput: UnsafeMutableBufferPointer<ComplexFloat>
    public let unsafeOutput: UnsafeMutableBufferPointer<ComplexFloat>
    private let plan: fftwf_plan

    public init(size: Int, direction: Direction = .forward, rigor: FFTPlanner.Rigor = FFTPlanner.defaultRigor) throws(DSPError) {
        guard size > 0, size <= 1 << 24 else { throw .invalidParameter("FFT size \(size) is outside 1…16777216") }
        self.size = size
        self.direction = direction
        guard let input = fftwf_alloc_complex(size), let output = fftwf_alloc_complex(size) else {
            throw .outOfMemory("FFT buffers of \(size) points")
        }
        let planned = FFTPlanner.shared.withPlannerLock {
            fftwf_plan_dft_1d(Int32(size), input, output, direction.sign, rigor.flags)
        }
        guard let planned else {
            fftwf_free(input)
            fftwf_free(output)
            throw .planningFailed(size)
        }
        plan = planned
        unsafeInput = UnsafeMutableRawPointer(input).bindMemory(to: ComplexFloat.self, capacity: size)
            .buffer(count: size)
        unsafeOutput = UnsafeMutableRawPointer(output).bindMemory(to: ComplexFloat.self, capacity: size)
            .buffer(count: size)
        // MEASURE planning scribbles over the arrays; hand them over clean.
        unsafeInput.update(repeating: .zero)
        unsafeOutput.update(repeating: .zero)
        FFTPlanner.shared.planCreated()
    }

    /// Transforms `unsafeInput` into `unsafeOutput` (unnormalised, as FFTW defines it).
    @inline(__always)
    public func execute() { fftwf_execute(plan) }

    deinit {
        FFTPlanner.shared.withPlannerLock { fftwf_destroy_plan(plan) }
        fftwf_free(unsafeInput.baseAddress)
        fftwf_free(unsafeOutput.baseAddress)
    }
}

private extension UnsafeMutablePointer {
    func buffer(count: Int) -> UnsafeMutableBufferPointer<Pointee> { UnsafeMutableBufferPointer(start: self, count: count) }
}

/// FFTW's planner is not thread-safe: every plan creation and destruction goes through here. Wisdom
/// (what FFTW learned about the fastest algorithm for each size on this machine) is loaded once from
/// `$XDG_CACHE_HOME/cellwatch/fftw3f.wisdom` (default `~/.cache/…`) and saved when new plans were
/// measured, so the slow measuring happens once per machine, not once per run.
public final class FFTPlanner: Sendable {
    public enum Rigor: Sendable {
        /// Quick heuristic plan (no measurement); for one-off transforms.
        case estimate
        /// Time several algorithms once and remember the fastest (default).
        case measure
        var flags: UInt32 {
            switch self {
            case .estimate: cellwatch_fftw_estimate
            case .measure: cellwatch_fftw_measure
            }
        }
    }

    public static let shared = FFTPlanner()

    /// `CELLWATCH_FFTW_RIGOR=estimate` skips measuring (useful on very slow machines).
    public static let defaultRigor: Rigor =
        ProcessInfo.processInfo.environment["CELLWATCH_FFTW_RIGOR"] == "estimate" ? .estimate : .measure

    private struct State {
        var wisdomLoaded = false
        var unsavedPlans = 0
    }
    private let state = Mutex(State())
    public let wisdomURL: URL?

    private init() {
        let env = ProcessInfo.processInfo.environment
        if env["CELLWATCH_FFTW_WISDOM"] == "off" {
            wisdomURL = nil
        } else if let cache = env["XDG_CACHE_HOME"], !cache.isEmpty {
            wisdomURL = URL(fileURLWithPath: cache).appendingPathComponent("cellwatch/fftw3f.wisdom")
        } else if let home = env["HOME"], !home.isEmpty {
            wisdomURL = URL(fileURLWithPath: home).appendingPathComponent(".cache/cellwatch/fftw3f.wisdom")
        } else {
            wisdomURL = nil
        }
    }

    func withPlannerLock<R>(_ body: () -> R) -> R {
        state.withLock { s in
            if !s.wisdomLoaded {
                s.wisdomLoaded = true
                if let url = wisdomURL, FileManager.default.fileExists(atPath: url.path) {
                    _ = fftwf_import_wisdom_from_filename(url.path)
                }
            }
            return body()
        }
    }

    func planCreated() {
        state.withLock { $0.unsavedPlans += 1 }
        saveWisdom()
    }

    /// Writes the accumulated wisdom atomically (temporary file, then rename). Failures are ignored:
    /// the cache only saves time.
    public func saveWisdom() {
        guard let url = wisdomURL else { return }
        state.withLock { s in
            guard s.unsavedPlans > 0 else { return }
            s.unsavedPlans = 0
            let dir = url.deletingLastPathComponent()
            try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let tmp = dir.appendingPathComponent(".fftw3f.wisdom.\(getpid()).\(UInt64.random(in: 0...UInt64.max))")
            if fftwf_export_wisdom_to_filename(tmp.path) != 0 {
                if rename(tmp.path, url.path) != 0 { unlink(tmp.path) }
            } else {
                unlink(tmp.path)
            }
        }
    }
}
