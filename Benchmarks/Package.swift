// swift-tools-version: 6.1
// Cellwatch benchmarks: a separate package so that the main package does not depend on the
// benchmark framework. Run from this directory:
//   swift package --disable-sandbox benchmark
// See README.md and RESULTS.md.
import PackageDescription

let package = Package(
    name: "CellwatchBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // The Cellwatch package one level up. A path dependency's identity is the last component
        // of its directory ("main" for /work/main), not the manifest's `name: "Cellwatch"`.
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "DSPBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "DSP", package: "main"),
                .product(name: "Radio", package: "main"),
            ],
            path: "Benchmarks/DSPBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
