import DSP
import Foundation

/// Primary and secondary synchronisation sequences, TS 36.211 §6.11.
public enum SynchronizationSignals {
    /// Zadoff–Chu roots for N_ID^(2) = 0, 1, 2 (TS 36.211 Table 6.11.1.1-1).
    public static let pssRoots = [25, 29, 34]

    /// d_u(0…61), TS 36.211 §6.11.1.1 (the DC element of the length-63 sequence is left out).
    public static func pss(nid2: Int) -> [ComplexFloat] {
        let u = Double(pssRoots[nid2])
        return (0..<62).map { n in
            let m = Double(n < 31 ? n * (n + 1) : (n + 1) * (n + 2))
            let phase = -Double.pi * u * m / 63
            return ComplexFloat(Float(cos(phase)), Float(sin(phase)))
        }
    }

    private static func mSequence(taps: (Int, Int, Int, Int)) -> [Int] {
        // x(i+5) = sum of x(i+tap) over the taps given (unused taps -1); x(0…3)=0, x(4)=1.
        var x = [0, 0, 0, 0, 1]
        for i in 0..<26 {
            var v = 0
            for t in [taps.0, taps.1, taps.2, taps.3] where t >= 0 { v ^= x[i + t] }
            x.append(v)
        }
        return x.map { 1 - 2 * $0 }
    }

    /// s~, c~, z~ of TS 36.211 §6.11.2.1.
    static let sTilde = mSequence(taps: (2, 0, -1, -1))
    static let cTilde = mSequence(taps: (3, 0, -1, -1))
    static let zTilde = mSequence(taps: (4, 2, 1, 0))

    /// (m0, m1) for N_ID^(1), TS 36.211 §6.11.2.1.
    public static func sssIndices(nid1: Int) -> (m0: Int, m1: Int) {
        let qp = nid1 / 30
        let q = (nid1 + qp * (qp + 1) / 2) / 30
        let mp = nid1 + q * (q + 1) / 2
        let m0 = mp % 31
        return (m0, (m0 + mp / 31 + 1) % 31)
    }

    /// d(0…61) of the SSS in subframe 0 (`subframe5 == false`) or 5, TS 36.211 §6.11.2.1.
    public static func sss(nid1: Int, nid2: Int, subframe5: Bool) -> [Float] {
        let (m0, m1) = sssIndices(nid1: nid1)
        var d = [Float](repeating: 0, count: 62)
        for n in 0..<31 {
            let s0 = sTilde[(n + m0) % 31], s1 = sTilde[(n + m1) % 31]
            let c0 = cTilde[(n + nid2) % 31], c1 = cTilde[(n + nid2 + 3) % 31]
            let z0 = zTilde[(n + m0 % 8) % 31], z1 = zTilde[(n + m1 % 8) % 31]
            if !subframe5 {
                d[2 * n] = Float(s0 * c0); d[2 * n + 1] = Float(s1 * c1 * z0)
            } else {
                d[2 * n] = Float(s1 * c0); d[2 * n + 1] = Float(s0 * c1 * z1)
            }
        }
        return d
    }

    /// FFT bin (of a 128-point FFT at 1.92 MS/s, negative bins wrapped) carrying element n of a
    /// 62-element synchronisation sequence: k = n − 31 + N_RB·6 (§6.11.1.2), DC skipped.
    @inline(__always)
    public static func syncBin(_ n: Int) -> Int { n < 31 ? 128 + n - 31 : n - 30 }
}

/// Cell-specific reference signals, TS 36.211 §6.10.1.
public enum CellReferenceSignals {
    /// r(m') for m' = 104 … 115, the twelve pilots of one port inside the centre six PRBs
    /// (m' = m + N_RB^max − N_RB with N_RB^max = 110 makes them independent of the bandwidth).
    public static func centrePilots(pci: Int, slot ns: Int, symbol l: Int, normalCP: Bool) -> [ComplexFloat] {
        let cInit = UInt32(1 << 10) &* UInt32(7 * (ns + 1) + l + 1) &* UInt32(2 * pci + 1)
            &+ UInt32(2 * pci + (normalCP ? 1 : 0))
        let c = GoldSequence.bits(cInit: cInit, length: 2 * 116)
        let s = Float(1 / 2.0.squareRoot())
        return (104..<116).map { m in ComplexFloat(s * (1 - 2 * Float(c[2 * m])), s * (1 - 2 * Float(c[2 * m + 1]))) }
    }

    /// Subcarrier offset (0…5) of port p's pilots in symbol l of slot ns: k = 6m + (v + v_shift) mod 6.
    public static func offset(port p: Int, slot ns: Int, symbol l: Int, pci: Int) -> Int {
        let v: Int
        switch p {
        case 0: v = l == 0 ? 0 : 3
        case 1: v = l == 0 ? 3 : 0
        case 2: v = 3 * (ns % 2)
        default: v = 3 + 3 * (ns % 2)
        }
        return (v + pci % 6) % 6
    }
}

/// OFDM symbol timing at 1.92 MS/s (N = 128), TS 36.211 §6.12 Table 6.12-1 scaled to 128 points.
public enum OFDMTiming {
    public static let fftSize = 128
    public static let slotSamples = 960
    public static let halfFrameSamples = 9600
    public static let frameSamples = 19200
    /// Shortest input a cell search accepts: one subframe (1 ms).
    public static let minimumSamples = 1920

    /// Start of the useful part of symbol l relative to the start of its slot.
    public static func usefulStart(symbol l: Int, normalCP: Bool) -> Int {
        normalCP ? 10 + 137 * l : 32 + 160 * l
    }

    /// FFT bin of centre-72 subcarrier index k' (0…71).
    @inline(__always)
    public static func centreBin(_ k: Int) -> Int { k < 36 ? 128 + k - 36 : k - 35 }
}
