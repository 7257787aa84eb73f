import ArgumentParser
import CellwatchModel
import Radio

/// The facts a raw IQ file cannot carry, shared by every command that reads recordings.
struct RawInputOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Sample format of a raw file: cf32, ci16 (cs16), ci8 (cs8), cu8.", valueName: "FORMAT"))
    var format: String?

    @Option(name: .long, help: ArgumentHelp("Sample rate of a raw file, samples per second (e.g. 2048000 or 2.048e6).", valueName: "HZ"))
    var rate: Double?

    @Option(name: .long, help: ArgumentHelp("Centre frequency in hertz (raw files; overrides a SigMF core:frequency).", valueName: "HZ"))
    var frequency: Double?

    /// The parameters, or a usage error (exit 64) naming the bad value.
    func parameters() -> Recording.RawParameters {
        var raw = Recording.RawParameters()
        if let format {
            guard let f = SampleFormat(argument: format) else {
                fail("unknown sample format \"\(format)\"; use one of \(SampleFormat.argumentNames)", code: 64)
            }
            raw.format = f
        }
        raw.sampleRate = rate
        if let frequency {
            guard frequency.isFinite, frequency > 0 else { fail("--frequency \(frequency) must be a positive number of hertz", code: 64) }
            raw.frequency = Hertz(frequency)
        }
        return raw
    }
}
