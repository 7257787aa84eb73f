import ArgumentParser
import Foundation
import LTE
import Radio

struct DecodeLTE: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lte",
        abstract: "Find the LTE cells in a recording and decode their MIB and SIBs: one line per cell.",
        discussion: """
            Cell search on the centre 1.08 MHz at 1.92 MS/s (other rates are resampled): PSS over carrier-offset
            hypotheses of ±40 kHz, fractional offset, SSS (FDD/TDD, normal/extended cyclic prefix), PCI; RSRP
            from the cell-specific reference signals; PBCH → MIB (bandwidth, PHICH, SFN) and the number of ports.
            For 6-PRB single-port cells (the whole cell inside 1.92 MS/s): PCFICH, SI-RNTI PDCCH, PDSCH and turbo
            decoding → SIB1 (PLMNs, TAC, cell identity, band, scheduling) and SI messages (SIB2-7); the text output
            prints them on indented lines under the cell, JSON adds "sib1", "sibs" and "bcch_blocks".
            The first 100 ms of the recording are analysed. Fields that were not decoded are left out.

            Examples:
              cellwatch decode lte ../shared/testdata/lte/srsran_1_92M.sigmf-meta
              cellwatch decode lte capture.cu8 --rate 1920000 --frequency 739e6 --json
            """
    )

    @Argument(help: "SigMF recording or raw IQ file.")
    var input: String

    @Flag(name: .long, help: "One JSON object per line.")
    var json = false

    @OptionGroup(title: "Raw files")
    var raw: RawInputOptions

    func run() throws {
        do {
            let device = try FileDevice(path: input, raw: raw.parameters())
            let receiver = try LTEReceiver()
            // Before the rate sizes anything: a recording claiming 1e300 S/s must not trap or reserve terabytes.
            guard LTEReceiver.acceptedSampleRates.contains(device.sampleRate) else {
                throw LTEError.unsupportedSampleRate(device.sampleRate)
            }
            let wanted = Int(receiver.analysedSeconds * device.sampleRate) + 1
            let block = SampleBlock(capacity: 1 << 16)
            var samples = block.withSamples { Array($0) }   // empty; typed by the block
            samples.reserveCapacity(wanted)
            while samples.count < wanted, try device.read(into: block) { block.withSamples { samples += $0 } }
            let cells = try receiver.decode(samples, sampleRate: device.sampleRate)
            if cells.isEmpty && !json { print("no LTE cell found") }
            for c in cells { print(json ? LTECellFormatter.json(c) : LTECellFormatter.text(c)) }
        } catch let e as RadioError {
            fail(e.description)
        } catch let e as LTEError {
            fail("\(input): \(e.description)")
        }
    }
}
