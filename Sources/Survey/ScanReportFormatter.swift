import CellwatchModel

/// Renders a scan for people (a table) and for programs (JSON lines, per DESIGN.md's contract).
public enum ScanReportFormatter {
    public static func jsonLines(_ r: ScanReport, includeChannels: Bool) -> [String] {
        var lines: [String] = []
        if includeChannels {
            for c in r.channels {
                var j = JSONLine()
                j.add("type", "channel")
                j.add("band", c.band.name)
                j.add("rat", c.band.rat.rawValue)
                j.add("channel", c.channel)
                j.add("frequency_hz", c.frequency.value)
                j.add("power_dbfs", c.powerDBFS.value, digits: 2)
                j.add("segment", c.segment)
                lines.append(j.text)
            }
        }
        for c in r.carriers {
            var j = JSONLine()
            j.add("type", "carrier")
            j.add("frequency_hz", c.frequency.map { ($0.value).rounded() })
            j.add("offset_hz", c.offset.value.rounded())
            j.add("bandwidth_hz", c.bandwidth.value.rounded())
            j.add("rat", c.rat.rawValue)
            j.add("band", c.band?.name)
            j.add("channel", c.channel)
            j.add("power_dbfs", c.powerDBFS.value, digits: 2)
            j.add("snr_db", c.snr.value, digits: 2)
            j.add("segment", c.segment)
            j.add("exceeds_span", c.exceedsSpan)
            j.add("evidence", c.evidence)
            lines.append(j.text)
        }
        var s = JSONLine()
        s.add("type", "summary")
        s.add("source", r.source)
        s.add("sample_rate_hz", r.sampleRate)
        s.add("samples", r.samples)
        s.add("duration_s", Double(r.samples) / r.sampleRate, digits: 6)
        if let first = r.spectra.first {
            s.add("noise_floor_dbfs", first.noiseFloorPer200kHzDBFS.value, digits: 2)
            s.add("noise_floor_bandwidth_hz", 200_000)
        }
        s.add("carriers", r.carriers.count)
        s.add("segments", .array(r.spectra.map { sp in
            var o = JSONLine()
            o.add("segment", sp.segment)
            o.add("centre_frequency_hz", sp.centreFrequency?.value)
            o.add("fft_size", sp.fftSize)
            o.add("rbw_hz", sp.sampleRate / Double(sp.fftSize), digits: 1)
            o.add("averages", sp.segmentsAveraged)
            o.add("noise_floor_dbfs", sp.noiseFloorPer200kHzDBFS.value, digits: 2)
            o.add("noise_floor_dbfs_per_bin", sp.noiseFloorPerBinDBFS.value, digits: 2)
            o.add("total_power_dbfs", sp.totalPowerDBFS.value, digits: 2)
            o.add("ofdm_correlation", sp.ofdmCorrelation, digits: 4)
            return .object(o)
        }))
        lines.append(s.text)
        return lines
    }

    public static func table(_ r: ScanReport, includeChannels: Bool) -> String {
        var out = ""
        let duration = Double(r.samples) / r.sampleRate
        out += "\(r.source): \((r.sampleRate / 1e6).fixed(3)) MS/s, \(r.samples) samples (\(duration.fixed(3)) s)\n"
        for sp in r.spectra {
            let at = sp.centreFrequency.map { "at \($0)" } ?? "centre frequency unknown (offsets only)"
            out += "segment \(sp.segment) \(at): FFT \(sp.fftSize) (\((sp.sampleRate / Double(sp.fftSize) / 1e3).fixed(2)) kHz bins), \(sp.segmentsAveraged) averages; "
            out += "noise floor \(sp.noiseFloorPer200kHzDBFS.value.fixed(1)) dBFS per 200 kHz, total \(sp.totalPowerDBFS.value.fixed(1)) dBFS\n"
        }
        if includeChannels, !r.channels.isEmpty {
            out += "\nchannel powers\n"
            var rows = [["band", "channel", "frequency", "power dBFS"]]
            for c in r.channels {
                rows.append([c.band.name, String(c.channel), "\(c.frequency)", c.powerDBFS.value.fixed(1)])
            }
            out += render(rows, rightAligned: [1, 3])
        }
        out += "\n"
        if r.carriers.isEmpty {
            out += "no carriers found\n"
            return out
        }
        var rows = [["frequency", "offset", "band", "channel", "RAT", "bandwidth", "power dBFS", "SNR dB", "why"]]
        for c in r.carriers {
            rows.append([
                c.frequency.map { "\($0)" } ?? "-",
                (c.offset.value >= 0 ? "+" : "") + (c.offset.value / 1e3).fixed(1) + " kHz",
                c.band?.name ?? "-",
                c.channel.map(String.init) ?? "-",
                c.rat.rawValue,
                (c.exceedsSpan ? "≥" : "") + (c.bandwidth.value / 1e3).fixed(0) + " kHz",
                c.powerDBFS.value.fixed(1),
                c.snr.value.fixed(1),
                c.evidence,
            ])
        }
        out += render(rows, rightAligned: [1, 3, 5, 6, 7])
        let g = r.carriers.filter { $0.rat == .gsm }.count, l = r.carriers.filter { $0.rat == .lte }.count
        out += "\(r.carriers.count) carrier\(r.carriers.count == 1 ? "" : "s") (\(g) GSM, \(l) LTE, \(r.carriers.count - g - l) unknown)\n"
        return out
    }

    private static func render(_ rows: [[String]], rightAligned: Set<Int>) -> String {
        var widths = [Int](repeating: 0, count: rows[0].count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for row in rows {
            var line = ""
            for (i, cell) in row.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                let last = i == row.count - 1
                line += rightAligned.contains(i) ? pad + cell : cell + (last ? "" : pad)
                if !last { line += "  " }
            }
            out += line + "\n"
        }
        return out
    }

}
