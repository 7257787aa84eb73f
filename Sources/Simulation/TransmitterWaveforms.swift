import CellwatchModel
import GSM

extension Transmitter {
    /// What this transmitter's C0 broadcasts, for the GSM transmitter: identity, the scenario's
    /// parameters and neighbours (same band group in SI2, the other in SI2ter), a frame number at time 0
    /// drawn from `seed` (cells are not synchronised). Nil for a transmitter that is not GSM.
    public func gsmCellParameters(seed: UInt64) -> GSMCellParameters? {
        guard rat == .gsm, let arfcn else { return nil }
        var rng = SplitMix64(seed: seed ^ 0xF4A3_E000)
        let highBand = (band == .dcs1800 || band == .pcs1900)
        func isHigh(_ a: ARFCN) -> Bool { (512...885).contains(a.value) }
        var p = GSMCellParameters.defaults(arfcn: arfcn, mcc: mcc, mnc: mnc, lac: lac, cellId: cellIdentity,
                                           ncc: bsic >> 3, bcc: bsic & 7,
                                           neighbourARFCNs: neighbours.filter { isHigh($0) == highBand },
                                           firstFrameNumber: Int(rng.next() % UInt64(GSMFrameNumber.hyperframe)))
        p.multibandNeighbourARFCNs = neighbours.filter { isHigh($0) != highBand }
        p.cellReselectOffset = gsm.cellReselectOffset
        p.temporaryOffset = gsm.temporaryOffset
        p.penaltyTime = gsm.penaltyTime
        p.cellReselectHysteresis = gsm.cellReselectHysteresis
        p.t3212 = gsm.t3212
        p.bsPaMfrms = gsm.bsPaMfrms
        p.bsAgBlksRes = gsm.bsAgBlksRes
        p.ccchConf = gsm.ccchConf
        p.attachDetachAllowed = gsm.att
        p.cellBarred = gsm.cellBarAccess
        p.msTxPwrMax = gsm.msTxpwrMaxCCH
        p.rxLevAccessMin = gsm.rxlevAccessMin
        // MAX RETRANS coded 0–3 for 1, 2, 4, 7 retransmissions (TS 44.018 §10.5.2.29).
        p.maxRetrans = [1: 0, 2: 1, 4: 2, 7: 3][gsm.maxRetrans] ?? 2
        p.txInteger = gsm.txInteger
        p.gprs = gsm.gprs
        p.pagingRequestsPerSecond = gsm.pagingRate
        p.immediateAssignmentsPerSecond = gsm.assignmentRate
        return p
    }
}

extension Transmitter {
    /// Bandwidth of a simulated eNodeB: 25 PRB (5 MHz), what a software eNodeB used as a lure usually runs.
    public static let lteResourceBlocks = 25

    /// What this transmitter's eNodeB broadcasts, for the LTE transmitter: its PCI, one antenna port,
    /// `lteResourceBlocks` PRB, PHICH normal/one, and an SFN and frame timing at time 0 drawn from
    /// `seed` (eNodeBs are not synchronised). Nil for a transmitter that is not LTE.
    public func lteCellParameters(seed: UInt64) -> LTECellParameters? {
        guard rat == .lte, let pci else { return nil }
        var rng = SplitMix64(seed: seed ^ 0x17E0_DE00)
        let sfn = Int(rng.next() % 1024)
        let offset = Double(rng.next() % 19_200) / 1_920_000
        return LTECellParameters(pci: pci, ports: 1, prb: Self.lteResourceBlocks, firstSFN: sfn, frameTimingOffset: offset)
    }
}

extension WaveformFactory {
    /// The real transmitters: a GSM C0 carrier for every GSM transmitter (`GSMCarrierWaveform`), an
    /// eNodeB (PSS, SSS, CRS, PBCH/MIB: `LTECellWaveform`) for every LTE transmitter (the downgrade lure).
    public static let standard = WaveformFactory { tx, seed in
        guard tx.rendered else { return nil }
        if let p = tx.gsmCellParameters(seed: seed) { return GSMCarrierWaveform(parameters: p, seed: seed) }
        if let p = tx.lteCellParameters(seed: seed) { return try? LTECellWaveform(parameters: p) }
        return nil
    }
}
