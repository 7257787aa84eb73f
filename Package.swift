// swift-tools-version: 6.1
// Cellwatch: fake base station detection with software-defined radios.
// Targets and their allowed imports follow ../shared/DESIGN.md ("Targets").
import PackageDescription

/// The signal-processing targets are optimised in debug builds too. At -Onone their per-sample loops
/// run 20–50 times slower, which made every test that plays a simulated scene through the receivers
/// (and the sensor binary the end-to-end tests start) too slow for CI; -O keeps -enable-testing and
/// debug info, so `@testable import` and the debugger still work.
let optimisedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "Cellwatch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cellwatch", targets: ["cellwatch"]),
        .library(name: "CellwatchModel", targets: ["CellwatchModel"]),
        .library(name: "DSP", targets: ["DSP"]),
        .library(name: "Radio", targets: ["Radio"]),
        .library(name: "Survey", targets: ["Survey"]),
        .library(name: "GSM", targets: ["GSM"]),
        .library(name: "LTE", targets: ["LTE"]),
        .library(name: "Detection", targets: ["Detection"]),
        .library(name: "Simulation", targets: ["Simulation"]),
        .library(name: "Sensor", targets: ["Sensor"]),
        .library(name: "Collector", targets: ["Collector"]),
        .executable(name: "cellwatch-collector", targets: ["cellwatch-collector"]),
        .library(name: "Localization", targets: ["Localization"]),
        .library(name: "USBRadios", targets: ["USBRadios"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Scenario files (YAML, read node by node for file:line errors); the sensor's swift-configuration pulls the same.
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // Collector: HTTP server, SQLite store, evidence signatures, logging, graceful shutdown.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // Collector: PostgreSQL store for fleets (pool, LISTEN/NOTIFY alert fan-out); shares NIO with Hummingbird.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Mutual TLS between sensors and collector (already in the graph through async-http-client and
        // hummingbird; named so the collector can read the client certificate's subject).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
    ],
    targets: [
        // System-library shims, resolved through pkg-config (Debian: libfftw3-dev, libusb-1.0-0-dev).
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "CLibUSB", pkgConfig: "libusb-1.0", providers: [.apt(["libusb-1.0-0-dev"])]),
        // libbz2 has no pkg-config file on Debian; the module map links it (gr-gsm .bursts.bz2 input).
        .systemLibrary(name: "CBZip2", providers: [.apt(["libbz2-dev"])]),
        // zlib: gzip report bodies between sensor and collector.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        .target(name: "CellwatchModel", dependencies: ["CZlib"]),
        // The PSD's per-segment kernels, in C for function multiversioning (SSE2 and AVX2+FMA in one binary);
        // -O2 in debug too, like the Swift DSP targets.
        .target(name: "CDSPKernels", cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]),
        .target(name: "DSP", dependencies: ["CFFTW", "CDSPKernels"], swiftSettings: optimisedInDebug),
        .target(name: "Radio", dependencies: ["DSP", "CellwatchModel"], swiftSettings: optimisedInDebug),
        // HackRF One (and later RTL2832U) driven directly over libusb; the only CLibUSB user.
        .target(name: "USBRadios", dependencies: ["Radio", "DSP", "CLibUSB", "CellwatchModel"]),
        .target(name: "Survey", dependencies: ["Radio", "DSP", "CellwatchModel", "GSM"], swiftSettings: optimisedInDebug),
        // GSM receiver: Phy/ (FCCH, SCH, GMSK, MLSE), Coding/ (TS 45.003), Protocol/ (TS 44.018 RR).
        .target(name: "GSM", dependencies: ["DSP", "CellwatchModel", "CBZip2"], swiftSettings: optimisedInDebug),
        // LTE receiver: Phy/ (PSS/SSS search, CFO, CRS, PBCH), Coding/ (TS 36.212), Protocol/ (MIB).
        .target(name: "LTE", dependencies: ["DSP", "CellwatchModel"], swiftSettings: optimisedInDebug),
        // RF scene synthesis: GSM/LTE transmitters, propagation, impairments, scenarios, SimulatedDevice.
        .target(name: "Simulation", dependencies: ["GSM", "LTE", "Radio", "DSP", "CellwatchModel",
                                                   .product(name: "Yams", package: "Yams")],
                resources: [.copy("Scenarios")], swiftSettings: optimisedInDebug),
        // Baseline, rules and scoring: pure functions over observations, clock injected.
        .target(name: "Detection", dependencies: ["CellwatchModel"]),
        // The field daemon: survey loop, GPS, spool, uploader, evidence, sd_notify, metrics.
        .target(
            name: "Sensor",
            dependencies: [
                "Survey", "Radio", "DSP", "GSM", "LTE", "Detection", "Simulation", "CellwatchModel", "USBRadios",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),   // client certificate (mutual TLS)
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Emitter position from (sensor position, received power) sightings; moving-emitter tracking.
        .target(name: "Localization", dependencies: ["CellwatchModel"], swiftSettings: optimisedInDebug),
        .executableTarget(
            name: "cellwatch",
            dependencies: [
                "Survey", "Radio", "CellwatchModel", "GSM", "Detection", "Sensor", "Simulation", "LTE", "USBRadios",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Central service: ingest API, storage (SQLite via GRDB), alerts, exports.
        .target(
            name: "Collector",
            dependencies: [
                "CellwatchModel", "Localization",
                "DSP", "CZlib",   // dashboard: spectrum of evidence snippets (FFT), PNG encoding (zlib)
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("DashboardAssets")]
        ),
        .executableTarget(
            name: "cellwatch-collector",
            dependencies: [
                "Collector", "CellwatchModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // Paths of the shared recordings, scratch folders and seeded randomness for the tests.
        .target(name: "TestSupport", dependencies: ["CellwatchModel"], path: "Tests/TestSupport"),
        .testTarget(name: "CellwatchModelTests", dependencies: ["CellwatchModel"]),
        .testTarget(name: "DSPTests", dependencies: ["DSP", "TestSupport"]),
        .testTarget(name: "RadioTests", dependencies: ["Radio", "DSP", "TestSupport"]),
        .testTarget(name: "GSMTests", dependencies: ["GSM", "DSP", "CellwatchModel", "Radio", "TestSupport"],
                    exclude: ["Vectors"]),
        .testTarget(name: "SurveyTests", dependencies: ["Survey", "Radio", "DSP", "CellwatchModel", "TestSupport"]),
        .testTarget(name: "DetectionTests", dependencies: ["Detection", "CellwatchModel"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "GSM", "Radio", "DSP", "CellwatchModel", "TestSupport", "Survey", "LTE"]),
        .testTarget(name: "SensorTests", dependencies: ["Sensor", "Simulation", "CellwatchModel", "Radio", "Detection", "GSM", "LTE", "Survey", "DSP", "TestSupport", "cellwatch", "Collector",
                                                        .product(name: "Crypto", package: "swift-crypto"),
                                                        .product(name: "GRDB", package: "GRDB.swift")],
                    exclude: ["Fixtures"]),
        .testTarget(name: "CollectorTests", dependencies: [
            "Collector", "CellwatchModel", "TestSupport", "cellwatch-collector", "CZlib",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            // WebDriver client for the browser tests (chromedriver's headers defeat Linux URLSession).
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        .testTarget(name: "LocalizationTests", dependencies: ["Localization", "CellwatchModel", "TestSupport"]),
        // Localization on the bundled simulated drive (the simulator's scene model gives the sightings).
        .testTarget(name: "ScenarioLocalizationTests", dependencies: ["Localization", "Simulation", "DSP", "CellwatchModel", "TestSupport"]),
        .testTarget(name: "LTETests", dependencies: ["LTE", "DSP", "Radio", "CellwatchModel", "TestSupport"]),
        // Runs the built `cellwatch` binary as a user would: output, messages and exit status.
        .testTarget(name: "CLITests", dependencies: ["cellwatch", "TestSupport"]),
        // USB drivers under the recording libusb shim (Tests/USBShim, built by the tests with cc):
        // the vendors' tools and our driver (through usbradio-probe) must leave the same transcript.
        .executableTarget(name: "usbradio-probe", dependencies: ["USBRadios", "Radio", "CellwatchModel", "DSP"],
                          path: "Tests/USBRadioProbe"),
        .testTarget(name: "USBRadiosTests", dependencies: ["USBRadios", "Radio", "TestSupport", "usbradio-probe", "cellwatch", "DSP"]),
    ],
    swiftLanguageModes: [.v6]
)
