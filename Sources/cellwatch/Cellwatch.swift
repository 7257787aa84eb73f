import ArgumentParser
import Foundation

@main
struct Cellwatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cellwatch",
        abstract: "Find fake cellular base stations (IMSI catchers, SMS blasters) with software-defined radios.",
        discussion: """
            INPUT is a SigMF recording (.sigmf-meta or .sigmf-data; core:datatype cf32_le, ci16_le, ci8 or cu8)
            or a raw IQ file with --format cf32|ci16|cs8|cu8 --rate HZ [--frequency HZ].
            Errors go to stderr as one sentence naming the file and the problem, with a non-zero exit status.
            """,
        subcommands: [Scan.self, Decode.self, Simulate.self, SensorCommand.self, Devices.self, Calibrate.self]
    )
}

/// Writes one line to standard error and leaves with a non-zero status: the CLI contract for every
/// failure that is not a usage error (those are ArgumentParser's, exit 64).
func fail(_ message: String, code: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data(("cellwatch: " + message + "\n").utf8))
    exit(code)
}
