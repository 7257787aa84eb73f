import ArgumentParser
import CellwatchModel
import Detection
import Foundation
import GSM
import Radio
import Survey

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decode the broadcast channels of GSM and LTE cells in a recording.",
        subcommands: [DecodeGSM.self, DecodeLTE.self]
    )
}

struct DecodeGSM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gsm",
        abstract: "Decode every GSM BCCH carrier in a recording: one line per decoded block, then the cell summary.",
        discussion: """
            From IQ: finds the GSM carriers with a spectrum scan (or takes --arfcn), then for each one searches the
            FCCH, decodes the SCH (BSIC, frame number), demodulates timeslot 0 (GMSK, MLSE equaliser), decodes its
            BCCH/CCCH blocks (TS 45.003) and their RR messages (TS 44.018): System Information 1–4, 2bis/2ter/2quater,
            13, paging, immediate assignments. Blocks before the first SCH are kept and decoded once timing is known.
            From a gr-gsm bursts capture (--bursts FILE.bursts[.bz2]): the same decoding, from gr-gsm's bursts.

            Privacy: subscriber identities in paging and assignments are counted, never printed; those blocks are
            shown without their octets.

            Examples:
              cellwatch decode gsm ../shared/testdata/gsm/ref_c0_clean.sigmf-meta
              cellwatch decode gsm capture.cu8 --rate 2048000 --frequency 947.2e6 --arfcn 61 --json
              cellwatch decode gsm --bursts vf_call6_arfcn725.bursts.bz2
            """
    )

    @Argument(help: "SigMF recording or raw IQ file (omit with --bursts).")
    var input: String?

    @Option(name: .long, help: ArgumentHelp("gr-gsm bursts capture to decode instead of IQ.", valueName: "FILE"))
    var bursts: String?

    @Option(name: .long, help: ArgumentHelp("Decode only this ARFCN (needs the recording's centre frequency); with --bursts, the ARFCN to report when the capture's GSMTAP headers say 0.", valueName: "N"))
    var arfcn: Int?

    @Flag(name: .long, help: "One JSON object per line.")
    var json = false

    @OptionGroup(title: "Raw files")
    var raw: RawInputOptions

    @Option(name: .long, help: ArgumentHelp("Also send each decoded block as GSMTAP over UDP to HOST:PORT (Wireshark: udp port 4729). Blocks carrying subscriber identities are not sent.", valueName: "HOST:PORT"))
    var gsmtap: String?

    @Option(name: .customLong("gsmtap-pcap"), help: ArgumentHelp("Also write the GSMTAP packets to a pcap file for Wireshark.", valueName: "FILE"))
    var gsmtapPcap: String?

    @Flag(name: .long, help: "Also judge each cell with the detection rules (empty baseline, China's operator list): score, severity and reasons.")
    var assess = false

    func validate() throws {
        if (input == nil) == (bursts == nil) {
            throw ValidationError("give either a recording (INPUT) or --bursts FILE, not both or neither")
        }
    }

    func run() throws {
        if let bursts {
            decodeBursts(bursts)
            return
        }
        let input = input!
        let raw = self.raw.parameters()
        do {
            let device = try FileDevice(path: input, raw: raw)
            let carriers = try GSMRecordingDecoder().decode(device, source: input, arfcn: arfcn)
            try export(carriers)
            for c in carriers {
                for (b, m, e) in c.blocks {
                    if let line = json ? GSMDecodeFormatter.blockJSON(b, message: m, messageError: e)
                        : GSMDecodeFormatter.blockLine(b, message: m, messageError: e) {
                        print(line)
                    }
                }
                print(json ? GSMDecodeFormatter.cellJSON(c) : GSMDecodeFormatter.cellText(c))
                if assess { printAssessment(c, windowSeconds: device.recording.durationSeconds) }
            }
        } catch let e as RadioError {
            fail(e.description)
        } catch let e as GSMDecodeError {
            fail(e.description)
        }
    }

    /// Runs the detection rules on the cell as one observation, with an empty baseline (a recording
    /// says nothing of the network around it) and the clock at the time of the run.
    private func printAssessment(_ c: GSMCarrierDecode, windowSeconds: Double) {
        let now = Date()
        guard let o = c.observation(sensorID: "recording", time: now, windowSeconds: windowSeconds) else {
            print(json ? #"{"type":"assessment","error":"cell identity not decoded"}"# : "  assessment: cell identity not decoded")
            return
        }
        var detector = Detector(baseline: Baseline(), clock: { now })
        let s = detector.process(o)
        print(json ? AssessmentFormatter.json(s) : AssessmentFormatter.text(s))
    }

    private func export(_ carriers: [GSMCarrierDecode]) throws {
        guard gsmtap != nil || gsmtapPcap != nil else { return }
        let sender: GSMTAPSender?
        do throws(GSMTAPSender.SenderError) {
            sender = try gsmtap.map { (d) throws(GSMTAPSender.SenderError) in try GSMTAPSender(destination: d) }
        } catch { fail(error.description, code: 64) }
        let pcap: GSMTAPPcapWriter?
        do { pcap = try gsmtapPcap.map { try GSMTAPPcapWriter(path: $0) } } catch {
            fail("\(gsmtapPcap!): cannot be written: \(error.localizedDescription)")
        }
        var sent = 0, withheld = 0
        for c in carriers {
            let r = try GSMTAPExport.export(c, sender: sender, pcap: pcap)
            sent += r.sent
            withheld += r.withheld
        }
        try pcap?.close()
        FileHandle.standardError.write(Data("cellwatch: GSMTAP: \(sent) blocks exported, \(withheld) withheld (subscriber identities)\n".utf8))
    }

    private func decodeBursts(_ path: String) {
        do {
            let c = try GSMRecordingDecoder().decodeBursts(path: path, arfcn: arfcn)
            try export([c])
            for (b, m, e) in c.blocks {
                if let line = json ? GSMDecodeFormatter.blockJSON(b, message: m, messageError: e)
                    : GSMDecodeFormatter.blockLine(b, message: m, messageError: e) {
                    print(line)
                }
            }
            print(json ? GSMDecodeFormatter.cellJSON(c) : GSMDecodeFormatter.cellText(c))
            if assess {
                let fns = c.blocks.map { Double($0.block.frameNumber.value) }
                let span = ((fns.max() ?? 0) - (fns.min() ?? 0) + 4) * 120e-3 / 26
                printAssessment(c, windowSeconds: span)
            }
        } catch let e as BurstFileError {
            fail(e.description)
        } catch {
            fail("\(path): \(error)")
        }
    }
}
