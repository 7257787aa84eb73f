import CellwatchModel
import DSP

/// Finds carriers in one averaged power spectrum and guesses what they are.
///
/// 1. The noise floor is a low percentile of the bins inside the usable span (edges excluded),
///    corrected for its bias (`SpectrumStatistics.noiseFloor`).
/// 2. Regions are runs of bins 6 dB or more above the floor (small gaps bridged), widened to where
///    they fall back to 3 dB above it.
/// 3. A region wider than 1 MHz with a flat top is one wideband (OFDM-like) carrier; anything else is
///    cut along the 200 kHz GSM raster, one carrier per channel that stands `detectionThreshold`
///    above the noise in its channel and is not merely the skirt of a much stronger neighbour.
/// 4. An OFDM cyclic-prefix correlation (see `LaggedAutocorrelator`) marks wideband carriers as LTE,
///    and reveals LTE that fills the whole span, where no floor is visible in the spectrum.
struct CarrierDetector {
    let configuration: ScanConfiguration
    let bands: [Band]

    struct Input {
        var power: [Float]
        /// Per-bin maximum over the averaged segments (finds the FCCH tone).
        var peak: [Float]
        var sampleRate: Double
        var centre: Hertz?
        var segment: Int
        var ofdm: OFDMEvidence
    }

    struct OFDMEvidence {
        var correlation: Double
        var peakToMedian: Double
        var noiseLevel: Double
        /// Cyclic prefix structure found: an LTE (or other 15 kHz OFDM) signal is present.
        var detected: Bool { correlation > 6 * noiseLevel && peakToMedian > 3 && correlation > 0.02 }
    }

    struct Output {
        var carriers: [Carrier]
        var channels: [ChannelPower]
        var spectrum: SegmentSpectrum
    }

    func analyse(_ input: Input, segmentsAveraged: Int) -> Output {
        let p = input.power
        let n = p.count
        let binHz = input.sampleRate / Double(n)
        let guardBins = max(1, Int(Double(n) * configuration.edgeGuard))
        let usable = guardBins..<(n - guardBins)
        let floor = max(SpectrumStatistics.noiseFloor(p, in: usable, averages: segmentsAveraged), 1e-30)
        let threshold = configuration.detectionThreshold.powerRatio

        func offset(ofBin b: Double) -> Double { (b - Double(n / 2)) * binHz }
        func bin(ofOffset hz: Double) -> Double { hz / binHz + Double(n / 2) }
        func absolute(_ off: Double) -> Hertz? { input.centre.map { Hertz($0.value + off) } }

        let regions = findRegions(p, usable: usable, floor: floor, binHz: binHz)
        var carriers: [Carrier] = []
        var sawLTE = false
        var narrowRegions: [Range<Int>] = []

        for region in regions {
            let core = Self.core(p, region)
            let widthHz = Double(core.count) * binHz
            // LTE's narrowest carrier occupies 1.08 MHz; a flat region that wide is OFDM-like, and is
            // called LTE when its prefix correlates or its width is an LTE width.
            if widthHz >= 0.9e6, isFlat(p, core), input.ofdm.detected || Self.matchesLTEBandwidth(widthHz) {
                let obw = SpectrumStatistics.occupiedBandwidth(p, in: region, noiseFloor: floor)
                let centreOff = offset(ofBin: (obw.lowerBound + obw.upperBound) / 2)
                let bw = (obw.upperBound - obw.lowerBound) * binHz
                let power = SpectrumStatistics.bandPower(p, in: region)
                let noise = floor * Double(region.count)
                sawLTE = true
                let touches = region.lowerBound <= usable.lowerBound || region.upperBound >= usable.upperBound
                carriers.append(makeCarrier(
                    rat: .lte, offset: centreOff, absolute: absolute(centreOff), bandwidth: bw,
                    power: power, snr: max(power - noise, 0) / noise, segment: input.segment, exceedsSpan: touches,
                    evidence: input.ofdm.detected
                        ? "flat \(Self.kHz(bw)) kHz carrier with OFDM cyclic prefix (correlation \(input.ofdm.correlation.fixed(2)))"
                        : "flat \(Self.kHz(bw)) kHz carrier matching an LTE channel bandwidth"))
            } else {
                narrowRegions.append(region)
            }
        }
        carriers += gsmRasterCarriers(p, regions: narrowRegions, usable: usable, floor: floor, threshold: threshold,
                                      binHz: binHz, input: input, offsetOfBin: offset, binOfOffset: bin)

        // LTE that fills the whole span leaves no floor to stand above: the cyclic prefix shows it.
        if input.ofdm.detected && !sawLTE {
            let power = SpectrumStatistics.bandPower(p, in: usable)
            let rho = min(input.ofdm.correlation, 0.999)
            // For OFDM in white noise the prefix correlation is S/(S+N).
            let snr = rho / (1 - rho)
            let span = Double(usable.count) * binHz
            var centroid = 0.0
            for i in usable { centroid += Double(p[i]) * Double(i) }
            let centreOff = offset(ofBin: (centroid / power).rounded())
            carriers.append(makeCarrier(
                rat: .lte, offset: centreOff, absolute: absolute(centreOff), bandwidth: span, power: power, snr: snr,
                segment: input.segment, exceedsSpan: true,
                evidence: "OFDM cyclic prefix at the LTE symbol time (correlation \(input.ofdm.correlation.fixed(2)), \(input.ofdm.peakToMedian.fixed(1))× its median) across the whole span; SNR from the correlation, a lower bound"))
        }

        carriers = carriers.filter { c in
            // A named band narrows the report to it; by default carriers outside every band still show.
            configuration.bands.isEmpty || c.band != nil
        }

        let channels = channelPowers(p, usable: usable, binHz: binHz, input: input, binOfOffset: bin)
        let total = SpectrumStatistics.bandPower(p, in: 0..<n)
        let spectrum = SegmentSpectrum(
            segment: input.segment, centreFrequency: input.centre, sampleRate: input.sampleRate, fftSize: n,
            segmentsAveraged: segmentsAveraged,
            noiseFloorPerBinDBFS: Decibels(decibels(power: floor)),
            noiseFloorPer200kHzDBFS: Decibels(decibels(power: floor * 200e3 / binHz)),
            totalPowerDBFS: Decibels(decibels(power: total)),
            ofdmCorrelation: input.ofdm.correlation, ofdmPeakToMedian: input.ofdm.peakToMedian)
        return Output(carriers: carriers, channels: channels, spectrum: spectrum)
    }

    // MARK: regions

    private func findRegions(_ p: [Float], usable: Range<Int>, floor: Double, binHz: Double) -> [Range<Int>] {
        let start = Float(floor * 4)   // 6 dB
        let keep = Float(floor * 2)    // 3 dB
        let bridge = max(2, Int(20e3 / binHz))
        var runs: [Range<Int>] = []
        var i = usable.lowerBound
        while i < usable.upperBound {
            guard p[i] > start else { i += 1; continue }
            var j = i
            while j < usable.upperBound, p[j] > start { j += 1 }
            if let last = runs.last, i - last.upperBound <= bridge {
                runs[runs.count - 1] = last.lowerBound..<j
            } else {
                runs.append(i..<j)
            }
            i = j
        }
        // Widen to the 3 dB points, without running into the neighbours.
        var widened: [Range<Int>] = []
        for (k, r) in runs.enumerated() {
            var lo = r.lowerBound, hi = r.upperBound
            let loLimit = k > 0 ? runs[k - 1].upperBound : usable.lowerBound
            let hiLimit = k + 1 < runs.count ? runs[k + 1].lowerBound : usable.upperBound
            while lo > loLimit, p[lo - 1] > keep { lo -= 1 }
            while hi < hiLimit, p[hi] > keep { hi += 1 }
            if let last = widened.last, lo <= last.upperBound {
                widened[widened.count - 1] = last.lowerBound..<max(hi, last.upperBound)
            } else {
                widened.append(lo..<hi)
            }
        }
        // Runs of only a bin or two are noise spikes, not carriers.
        return widened.filter { $0.count >= 3 }
    }

    /// The part of a region within 10 dB of its top (90th percentile): an OFDM carrier without its
    /// skirts, which unfiltered cyclic-prefix OFDM spreads far above a low noise floor.
    static func core(_ p: [Float], _ region: Range<Int>) -> Range<Int> {
        let sorted = region.map { p[$0] }.sorted()
        let level = sorted[min(sorted.count - 1, sorted.count * 9 / 10)] / 10
        guard let first = region.first(where: { p[$0] >= level }),
              let last = region.last(where: { p[$0] >= level }) else { return region }
        return first..<(last + 1)
    }

    /// An OFDM carrier's top is flat within a few dB; a row of GSM carriers is lumpy. Measured as the
    /// spread between the 10th and 90th percentile of the inner 80 % in dB, so that LTE's empty DC
    /// subcarrier (a notch a few bins wide) does not count.
    private func isFlat(_ p: [Float], _ region: Range<Int>) -> Bool {
        let inner = (region.lowerBound + region.count / 10)..<(region.upperBound - region.count / 10)
        guard inner.count >= 8 else { return false }
        let db = inner.map { decibels(power: Double(p[$0])) }.sorted()
        return db[db.count * 9 / 10] - db[db.count / 10] < 6
    }

    /// LTE channel bandwidths 1.4/3/5/10/15/20 MHz occupy 6/15/25/50/75/100 resource blocks of 180 kHz
    /// (TS 36.101 Table 5.6-1).
    static func matchesLTEBandwidth(_ hz: Double) -> Bool {
        [6.0, 15, 25, 50, 75, 100].contains { abs(hz - $0 * 180e3) <= 0.12 * $0 * 180e3 }
    }

    // MARK: GSM raster

    private func gsmRasterCarriers(_ p: [Float], regions: [Range<Int>], usable: Range<Int>, floor: Double, threshold: Double,
                                   binHz: Double, input: Input,
                                   offsetOfBin: (Double) -> Double, binOfOffset: (Double) -> Double) -> [Carrier] {
        guard !regions.isEmpty else { return [] }
        let halfChannel = 90e3
        func channelPower(atOffset off: Double) -> (power: Double, bins: Range<Int>) {
            let lo = max(usable.lowerBound, Int(binOfOffset(off - halfChannel).rounded()))
            let hi = min(usable.upperBound, Int(binOfOffset(off + halfChannel).rounded()) + 1)
            guard lo < hi else { return (0, lo..<lo) }
            return (SpectrumStatistics.bandPower(p, in: lo..<hi), lo..<hi)
        }
        func nearRegion(_ off: Double) -> Bool {
            regions.contains { r in off >= offsetOfBin(Double(r.lowerBound)) - 100e3 && off <= offsetOfBin(Double(r.upperBound)) + 100e3 }
        }

        // Raster points across the whole usable span, so that every candidate is compared with both of
        // its neighbours: the band's ARFCNs when the frequency is known, else a 200 kHz grid through
        // each region's strongest bin.
        let spanLow = offsetOfBin(Double(usable.lowerBound)), spanHigh = offsetOfBin(Double(usable.upperBound))
        var raster: [Double] = []
        if let centre = input.centre {
            let gsmBands = bands.compactMap { if case .gsm(let g) = $0 { g } else { nil } }
            for g in gsmBands {
                for a in g.channels {
                    guard let f = g.downlink(a) else { continue }
                    let off = f.value - centre.value
                    if off >= spanLow - 100e3, off <= spanHigh + 100e3 { raster.append(off) }
                }
            }
            raster = Array(Set(raster.map { ($0 / 1e3).rounded() * 1e3 })).sorted()
        }
        if raster.isEmpty {
            for region in regions {
                let peakOff = offsetOfBin(Double(SpectrumStatistics.peak(p, in: region)))
                var off = peakOff
                while off - 200e3 >= spanLow - 100e3 { off -= 200e3 }
                while off <= spanHigh + 100e3 { raster.append(off); off += 200e3 }
            }
            raster = Array(Set(raster.map { ($0 / 1e3).rounded() * 1e3 })).sorted()
        }

        let powers = raster.map { channelPower(atOffset: $0) }
        var lineWidth = Int((15e3 / binHz).rounded())
        if lineWidth % 2 == 0 { lineWidth += 1 }
        lineWidth = max(3, lineWidth)
        var carriers: [Carrier] = []
        for (k, off) in raster.enumerated() where nearRegion(off) {
            let (power, bins) = powers[k]
            guard bins.count >= 3 else { continue }
            let noise = floor * Double(bins.count)
            guard power - noise >= noise * threshold else { continue }
            let left = k > 0 && abs(raster[k - 1] - off) < 250e3 ? powers[k - 1].power : 0
            let right = k + 1 < raster.count && abs(raster[k + 1] - off) < 250e3 ? powers[k + 1].power : 0
            // Skirts of a neighbour 10 dB stronger are not carriers of their own.
            guard power * 10 >= max(left, right) else { continue }

            // Centre: a BCCH carrier (C0) sends the FCCH, a pure tone 1625/24 kHz above its centre
            // (TS 45.004 §2.6, all-zero bits), in 5 of every 51 frames. The peak-hold spectrum shows
            // it as a line that stands far above the modulated spectrum; its position gives the
            // carrier frequency to a fraction of a bin. Without it (a traffic carrier, or a recording
            // shorter than an FCCH period): the power centroid of the carrier's core (±60 kHz, median
            // filtered, recentred twice), which adjacent carriers' skirts barely reach.
            var centreOff: Double
            let fcch = fcchLine(input.peak, near: off + Self.fcchOffset, usable: usable, binHz: binHz,
                                offsetOfBin: offsetOfBin, binOfOffset: binOfOffset)
            if let fcch {
                centreOff = fcch - Self.fcchOffset
            } else {
                centreOff = off
                for _ in 0..<3 {
                    let lo = max(usable.lowerBound, Int(binOfOffset(centreOff - 60e3).rounded()))
                    let hi = min(usable.upperBound, Int(binOfOffset(centreOff + 60e3).rounded()) + 1)
                    guard lo < hi else { break }
                    var w = 0.0, m = 0.0
                    for (j, v) in Self.medianFiltered(p, lo..<hi, width: lineWidth).enumerated() {
                        let e = max(0, v - floor)
                        w += e
                        m += e * Double(lo + j)
                    }
                    if w > 0 { centreOff = offsetOfBin(m / w) }
                }
            }
            let wide = max(usable.lowerBound, Int(binOfOffset(off - 150e3)))..<min(usable.upperBound, Int(binOfOffset(off + 150e3)) + 1)
            let obw = SpectrumStatistics.occupiedBandwidth(p, in: wide, noiseFloor: floor)
            let bw = (obw.upperBound - obw.lowerBound) * binHz
            let isGSM = bw >= 60e3 && bw <= 400e3
            carriers.append(makeCarrier(
                rat: isGSM ? .gsm : .unknown, offset: centreOff, absolute: input.centre.map { Hertz($0.value + centreOff) },
                bandwidth: bw, power: power, snr: (power - noise) / noise, segment: input.segment, exceedsSpan: false,
                evidence: isGSM ? "\(Self.kHz(bw)) kHz wide carrier on the 200 kHz GSM raster"
                    + (fcch != nil ? ", FCCH tone at +67.7 kHz (a BCCH carrier)" : "")
                                : "\(Self.kHz(bw)) kHz wide: too \(bw < 60e3 ? "narrow" : "wide") for a GSM carrier"))
        }
        return carriers
    }

    // MARK: bands and channels

    private func makeCarrier(rat: RAT, offset: Double, absolute: Hertz?, bandwidth: Double, power: Double, snr: Double,
                             segment: Int, exceedsSpan: Bool, evidence: String) -> Carrier {
        var band: Band?
        var channel: Int?
        if let f = absolute {
            if rat != .lte {
                for case .gsm(let g) in bands {
                    if let a = g.arfcn(downlink: f, tolerance: .kilohertz(100)) { band = .gsm(g); channel = a.value; break }
                }
            }
            if band == nil, rat == .lte || bandwidth >= 1e6 {
                for case .lte(let l) in bands where l.downlinkRange.contains(f) {
                    band = .lte(l)
                    channel = l.earfcn(downlink: f, tolerance: .kilohertz(50))?.value
                    break
                }
            }
        }
        return Carrier(frequency: absolute, offset: Hertz(offset), bandwidth: Hertz(bandwidth), rat: rat, band: band,
                       channel: channel, powerDBFS: Decibels(decibels(power: power)),
                       snr: Decibels(decibels(power: max(snr, 1e-30))), segment: segment, exceedsSpan: exceedsSpan,
                       evidence: evidence)
    }

    private func channelPowers(_ p: [Float], usable: Range<Int>, binHz: Double, input: Input,
                               binOfOffset: (Double) -> Double) -> [ChannelPower] {
        guard let centre = input.centre else { return [] }
        let low = centre.value + (Double(usable.lowerBound) - Double(p.count / 2)) * binHz
        let high = centre.value + (Double(usable.upperBound) - Double(p.count / 2)) * binHz
        func power(_ f: Double, half: Double) -> Double? {
            guard f - half >= low, f + half <= high else { return nil }
            let lo = Int(binOfOffset(f - half - centre.value).rounded())
            let hi = Int(binOfOffset(f + half - centre.value).rounded())
            return SpectrumStatistics.bandPower(p, in: lo..<max(lo + 1, hi))
        }
        var out: [ChannelPower] = []
        for b in bands {
            switch b {
            case .gsm(let g):
                for a in g.channels {
                    guard let f = g.downlink(a), let pw = power(f.value, half: 100e3) else { continue }
                    out.append(ChannelPower(band: b, channel: a.value, frequency: f,
                                            powerDBFS: Decibels(decibels(power: pw)), segment: input.segment))
                }
            case .lte(let l):
                for e in l.downlinkEARFCNs {
                    guard let f = l.downlink(EARFCN(e)), let pw = power(f.value, half: 540e3) else { continue }
                    out.append(ChannelPower(band: b, channel: e, frequency: f,
                                            powerDBFS: Decibels(decibels(power: pw)), segment: input.segment))
                }
            }
        }
        return out.sorted { ($0.frequency, $0.band.name) < ($1.frequency, $1.band.name) }
    }

    /// FCCH tone offset from the carrier centre: a quarter of the GSM bit rate, 1625/24 kHz.
    static let fcchOffset = 1625e3 / 24

    /// A spectral line in the peak-hold spectrum within ±25 kHz of `expected`, standing 6 dB above the
    /// peak-hold around it (peak-hold of modulated data or noise is smooth, a tone is one or two bins);
    /// its offset refined by parabolic interpolation in dB.
    private func fcchLine(_ peak: [Float], near expected: Double, usable: Range<Int>, binHz: Double,
                          offsetOfBin: (Double) -> Double, binOfOffset: (Double) -> Double) -> Double? {
        let lo = max(usable.lowerBound + 1, Int(binOfOffset(expected - 25e3).rounded()))
        let hi = min(usable.upperBound - 1, Int(binOfOffset(expected + 25e3).rounded()) + 1)
        guard hi - lo >= 5 else { return nil }
        let k = SpectrumStatistics.peak(peak, in: lo..<hi)
        let around = (max(usable.lowerBound, k - Int(60e3 / binHz))..<min(usable.upperBound, k + Int(60e3 / binHz)))
        let median = Double(around.map { peak[$0] }.sorted()[around.count / 2])
        // A line: 6 dB over the peak-hold around it, and 6 dB over the peak-hold 15 kHz either side.
        let side = max(2, Int(15e3 / binHz))
        guard Double(peak[k]) > 4 * median,
              k - side >= usable.lowerBound, k + side < usable.upperBound,
              peak[k] > 4 * max(peak[k - side], peak[k + side]) else { return nil }
        let a = decibels(power: Double(peak[k - 1])), b = decibels(power: Double(peak[k])), c = decibels(power: Double(peak[k + 1]))
        let denom = a - 2 * b + c
        let delta = denom < 0 ? max(-0.5, min(0.5, 0.5 * (a - c) / denom)) : 0
        return offsetOfBin(Double(k) + delta)
    }

    /// Running median of `width` (odd) bins over `range`, edges clamped.
    static func medianFiltered(_ p: [Float], _ range: Range<Int>, width: Int) -> [Double] {
        let h = width / 2
        var window = [Float](repeating: 0, count: width)
        return range.map { i in
            for j in 0..<width { window[j] = p[min(p.count - 1, max(0, i - h + j))] }
            window.sort()
            return Double(window[h])
        }
    }

    static func kHz(_ hz: Double) -> String { String(Int((hz / 1e3).rounded())) }
}
