// swift-tools-version: 6.1
// Cellwatch benchmarks: a separate package so that the main package does not depend on the
// benchmark framework. Run from this directory:
//   swift package --disable-sandbox benchmark
// See README.md and RESULTS.md.
import Foundation
import PackageDescription

// A path dependency's identity is the last component of its directory ("main" for /work/main,
// "wt-psd" for a worktree), not the manifest's `name: "Cellwatch"`; derive it so that the benchmarks
// build from any checkout.
let cellwatch = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "CellwatchBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // The Cellwatch package one level up.
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // FFTW directly, for the bare-FFT baseline over a block's segments.
        .systemLibrary(name: "BenchFFTW", path: "Benchmarks/BenchFFTW", pkgConfig: "fftw3f"),
        // Seeded blocks and the measured bodies, shared by both executables.
        .target(
            name: "BenchKernels",
            dependencies: [
                .product(name: "CellwatchModel", package: cellwatch),
                .product(name: "DSP", package: cellwatch),
                .product(name: "Radio", package: cellwatch),
                "BenchFFTW",
            ],
            path: "Benchmarks/BenchKernels"
        ),
        .executableTarget(
            name: "DSPBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "DSP", package: cellwatch),
                .product(name: "Radio", package: cellwatch),
                "BenchFFTW",
                "BenchKernels",
            ],
            path: "Benchmarks/DSPBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        // Paired PSD-vs-FFT ratio (see its header): swift run -c release psd-ratio
        .executableTarget(
            name: "psd-ratio",
            dependencies: ["BenchKernels", .product(name: "DSP", package: cellwatch)],
            path: "Benchmarks/PSDRatio"
        ),
    ],
    swiftLanguageModes: [.v6]
)
