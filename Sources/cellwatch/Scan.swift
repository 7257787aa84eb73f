import ArgumentParser
import CellwatchModel
import Foundation
import Radio
import Survey

struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the carriers on the air in a recording: frequency, channel, power, SNR and RAT guess.",
        discussion: """
            Averages the spectrum of the whole recording (Welch, Hann window, ~4 kHz bins), estimates the noise
            floor, and reports every carrier standing 10 dB or more above it: GSM carriers on the 200 kHz ARFCN
            raster, wideband OFDM carriers (LTE, confirmed by the cyclic-prefix correlation at the LTE symbol time).
            Powers are dBFS (0 dBFS = a full-scale complex tone), so they compare within one device and gain
            setting, not across devices. Each SigMF capture (tuning step) is analysed on its own.

            Examples:
              cellwatch scan drive.sigmf-meta
              cellwatch scan --band DCS1800 --band LTE-B3 drive.sigmf-meta --json
              cellwatch scan capture.cu8 --rate 2048000 --frequency 947e6
            """
    )

    @Argument(help: "SigMF recording (.sigmf-meta / .sigmf-data) or raw IQ file.")
    var input: String

    @Option(name: .long, help: ArgumentHelp("Only report channels of this band; repeat for several.",
                                             discussion: "Names: \(Band.allNames.joined(separator: ", ")); also GSM900, GSM1800, B3.",
                                             valueName: "NAME"))
    var band: [String] = []

    @Flag(name: .long, help: "One JSON object per line instead of a table.")
    var json = false

    @Flag(name: .long, help: "Also list the power of every GSM ARFCN and LTE EARFCN (centre 1.08 MHz) inside the span.")
    var channels = false

    @OptionGroup(title: "Raw files")
    var raw: RawInputOptions

    @Option(name: .long, help: ArgumentHelp("Minimum carrier SNR in its channel to report it.", valueName: "DB"))
    var threshold: Double = 10

    func run() throws {
        var config = ScanConfiguration()
        for name in band {
            guard let b = Band(name: name) else {
                fail("unknown band \"\(name)\"; known bands: \(Band.allNames.joined(separator: ", "))", code: 64)
            }
            config.bands.append(b)
        }
        config.detectionThreshold = Decibels(threshold)

        let raw = self.raw.parameters()

        do {
            let device = try FileDevice(path: input, raw: raw)
            let recording = device.recording
            if recording.segments.allSatisfy({ $0.frequency == nil }) {
                FileHandle.standardError.write(Data("cellwatch: \(input): no centre frequency (core:frequency or --frequency); carriers are listed as offsets from the centre, without channel numbers\n".utf8))
            }
            let scanner = try SpectrumScanner(configuration: config, sampleRate: recording.sampleRate)
            let showProgress = isatty(STDERR_FILENO) != 0 && recording.durationSeconds > 5
            let report = try scanner.scan(device, source: input) { done, total in
                guard showProgress, let total, total > 0 else { return }
                let pct = Int(Double(done) / Double(total) * 100)
                FileHandle.standardError.write(Data("\rscanning \(input): \(pct) %".utf8))
            }
            if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            if json {
                print(ScanReportFormatter.jsonLines(report, includeChannels: channels).joined(separator: "\n"))
            } else {
                print(ScanReportFormatter.table(report, includeChannels: channels), terminator: "")
            }
        } catch let e as RadioError {
            fail(e.description)
        } catch let e as ScanError {
            fail(e.description)
        }
    }
}
