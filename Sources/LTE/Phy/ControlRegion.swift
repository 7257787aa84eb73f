/// Resource-element groups of the control region and where PCFICH, PHICH and PDCCH sit in them,
/// TS 36.211 §6.2.4, §6.7.4, §6.9.3, §6.8.5 (normal cyclic prefix, normal PHICH duration).
struct ControlRegionLayout: Sendable {
    /// A REG: its OFDM symbol and its four subcarriers, in increasing frequency.
    struct REG: Sendable, Equatable {
        var symbol: Int
        var subcarriers: [Int]
        var first: Int { subcarriers[0] }
    }

    let pcfich: [REG]
    let phich: [REG]
    /// PDCCH REGs in mapping order (§6.8.5: frequency first over k', then symbols l' at each k').
    let pdcch: [REG]
    var cceCount: Int { pdcch.count / 9 }

    /// REGs of one control symbol: 6-subcarrier groups with the two CRS REs left out where the
    /// symbol carries CRS (symbol 0; symbol 1 with four ports), 4-subcarrier groups elsewhere.
    /// Symbol 0 always assumes ports 0 and 1 (§6.2.4), so k ≡ v_shift (mod 3) is skipped.
    static func regs(symbol l: Int, prb: Int, pci: Int, ports: Int) -> [REG] {
        let width = 12 * prb
        let hasCRS = l == 0 || (l == 1 && ports == 4)
        var out: [REG] = []
        if hasCRS {
            let vshift = pci % 6
            for k0 in stride(from: 0, to: width, by: 6) {
                out.append(REG(symbol: l, subcarriers: (k0..<(k0 + 6)).filter { $0 % 3 != vshift % 3 }))
            }
        } else {
            for k0 in stride(from: 0, to: width, by: 4) { out.append(REG(symbol: l, subcarriers: Array(k0..<(k0 + 4)))) }
        }
        return out
    }

    /// `ng`: the MIB's PHICH resource N_g (1/6, 1/2, 1, 2). `symbols`: control symbols (CFI, +1 below 11 PRBs).
    init(pci: Int, prb: Int, ports: Int, ng: Double, symbols: Int) {
        let perSymbol = (0..<symbols).map { Self.regs(symbol: $0, prb: prb, pci: pci, ports: ports) }
        // §6.7.4: PCFICH quadruplets at k̄ + ⌊i·N_RB/2⌋·N_sc/2, k̄ = (N_sc/2)·(N_ID mod 2N_RB).
        let kBar = 6 * (pci % (2 * prb))
        let pcfichStarts = (0..<4).map { (kBar + ($0 * prb / 2) * 6) % (12 * prb) }
        let sym0 = perSymbol[0]
        let pcfichRegs = pcfichStarts.compactMap { k in sym0.first { $0.first / 6 == k / 6 } }
        pcfich = pcfichRegs
        // §6.9.3 (normal duration, normal CP): N_group = ⌈N_g·N_RB/8⌉, three REGs per group in symbol 0,
        // numbered among the REGs PCFICH left: n̄_i = (N_ID + m' + ⌊i·n0/3⌋) mod n0.
        let free0 = sym0.filter { r in !pcfichRegs.contains(r) }
        let n0 = free0.count
        let groups = Int((ng * Double(prb) / 8).rounded(.up))
        var phichRegs: [REG] = []
        for m in 0..<groups {
            for i in 0..<3 where n0 > 0 {
                let r = free0[(pci + m + (i * n0) / 3) % n0]
                if !phichRegs.contains(r) { phichRegs.append(r) }
            }
        }
        phich = phichRegs
        var order: [REG] = []
        for k in 0..<(12 * prb) {
            for l in 0..<symbols {
                if let r = perSymbol[l].first(where: { $0.first == k }), !pcfichRegs.contains(r), !phichRegs.contains(r) { order.append(r) }
            }
        }
        pdcch = order
    }

    /// CFI codewords, TS 36.212 §5.3.4 Table 5.3.4-1 (32 bits; the 3-bit pattern repeats, the last is cut).
    static func cfiCodeword(_ cfi: Int) -> [UInt8] {
        let base: [[UInt8]] = [[0, 1, 1], [1, 0, 1], [1, 1, 0], [0, 0, 0]]
        let p = base[cfi - 1]
        return (0..<32).map { p[$0 % 3] }
    }
}

/// Downlink control information formats a UE reads with SI-RNTI in the common search space,
/// TS 36.212 §5.3.3.1.3 (1A) and §5.3.3.1.4 (1C).
public struct DCIFormat1A: Sendable, Equatable {
    public var localized: Bool
    /// Resource indication value (§7.1.6.3 of TS 36.213).
    public var riv: Int
    public var mcs: Int
    public var redundancyVersion: Int
    /// The TPC field's low bit, which for SI/P/RA-RNTI chooses N_PRB^1A = 2 or 3 (TS 36.213 §7.1.7).
    public var nPRB1A: Int

    /// Payload bits (before CRC) for FDD: 1A is padded to format 0's size, then by one more bit when
    /// that size is one of the ambiguous sizes of §5.3.3.1.2.
    static func size(prb n: Int) -> Int {
        let rb = UPERReader.width(n * (n + 1) / 2)
        let f1a = 1 + 1 + rb + 5 + 3 + 1 + 2 + 2
        let f0 = 1 + 1 + rb + 5 + 1 + 2 + 3 + 1
        var s = max(f1a, f0)
        if [12, 14, 16, 20, 24, 26, 32, 40, 44, 56].contains(s) { s += 1 }
        return s
    }

    public init(localized: Bool, riv: Int, mcs: Int, redundancyVersion: Int, nPRB1A: Int) {
        self.localized = localized
        self.riv = riv
        self.mcs = mcs
        self.redundancyVersion = redundancyVersion
        self.nPRB1A = nPRB1A
    }

    init?(bits b: [UInt8], prb n: Int) {
        guard b.count == Self.size(prb: n), b[0] == 1 else { return nil } // flag 1 = format 1A
        func field(_ from: Int, _ len: Int) -> Int { b[from..<(from + len)].reduce(0) { ($0 << 1) | Int($1) } }
        let rb = UPERReader.width(n * (n + 1) / 2)
        localized = b[1] == 0
        riv = field(2, rb)
        mcs = field(2 + rb, 5)
        // HARQ (3) and NDI (1) are reserved for SI-RNTI.
        redundancyVersion = field(2 + rb + 9, 2)
        nPRB1A = b[2 + rb + 12] == 0 ? 2 : 3
    }

    /// (first PRB, PRB count) of a localized type-2 allocation.
    func allocation(prb n: Int) -> (start: Int, count: Int)? {
        for l in 1...n {
            for s in 0...(n - l) {
                let v = (l - 1) <= n / 2 ? n * (l - 1) + s : n * (n - l + 1) + (n - 1 - s)
                if v == riv { return (s, l) }
            }
        }
        return nil
    }
}

/// Transport block sizes for N_PRB 1…6, TS 36.213 Table 7.1.7.2.1-1 (I_TBS 0…26).
enum TransportBlockSize {
    static let table: [[Int]] = [
        [16, 32, 56, 88, 120, 152], [24, 56, 88, 144, 176, 208], [32, 72, 144, 176, 208, 256],
        [40, 104, 176, 208, 256, 328], [56, 120, 208, 256, 328, 408], [72, 144, 224, 328, 424, 504],
        [328, 176, 256, 392, 504, 600], [104, 224, 328, 472, 584, 712], [120, 256, 392, 536, 680, 808],
        [136, 296, 456, 616, 776, 936], [144, 328, 504, 680, 872, 1032], [176, 376, 584, 776, 1000, 1192],
        [208, 440, 680, 904, 1128, 1352], [224, 488, 744, 1000, 1256, 1544], [256, 552, 840, 1128, 1416, 1736],
        [280, 600, 904, 1224, 1544, 1800], [328, 632, 968, 1288, 1608, 1928], [336, 696, 1064, 1416, 1800, 2152],
        [376, 776, 1160, 1544, 1992, 2344], [408, 840, 1288, 1736, 2152, 2600], [440, 904, 1384, 1864, 2344, 2792],
        [488, 1000, 1480, 1992, 2472, 2984], [520, 1064, 1608, 2152, 2664, 3240], [552, 1128, 1736, 2280, 2856, 3496],
        [584, 1192, 1800, 2408, 2984, 3624], [616, 1256, 1864, 2536, 3112, 3752], [712, 1480, 2216, 2984, 3752, 4392],
    ]

    static func bits(iTBS: Int, nPRB: Int) -> Int? {
        guard iTBS >= 0, iTBS < table.count, nPRB >= 1, nPRB <= 6 else { return nil }
        return table[iTBS][nPRB - 1]
    }
}
