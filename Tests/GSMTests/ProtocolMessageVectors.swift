import GSM

/// Hand-built blocks for the message types and fields the shared recordings do not contain. Each is
/// explained field by field; the Wireshark comparison test checks them against tshark as well.
enum ProtocolMessageVectors {
    typealias T = ProtocolTestSupport

    /// Paging Request Type 2: TMSIs 11223344 and 55667788, mobile identity 3 an IMSI (262021234567890,
    /// odd, 8 octets), channel needed SDCCH then any; P2 rest octets H CN3 = 10 (TCH/F), all else L.
    static let pagingRequest2 = T.octets("55 06 22 10 11 22 33 44 55 66 77 88 17 08 29 26 20 21 43 65 87 09 cb")
    static let pagingRequest2IMSI = "262021234567890"

    /// Paging Request Type 3: extended paging, four TMSIs, P3 rest octets all L.
    static let pagingRequest3 = T.octets("4d 06 24 01 de ad be ef 00 00 00 01 00 00 00 02 00 00 00 03 2b 2b 2b")

    /// Immediate Assignment, dedicated: SDCCH/8 subchannel 3 on TN 1, TSC 7, ARFCN 725; RA 0x05 sent in
    /// the frame with T1' 5, T3 37, T2 11 (FN mod 42432 = 6667); TA 3; no MA; rest octets LL.
    static let immediateAssignment = T.octets("2d 06 3f 00 59 e2 d5 05 2c ab 03 00 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b")

    /// Immediate Assignment, hopping TCH/F on TN 2, TSC 3, MAIO 5, HSN 30; TA 63; MA of 2 octets with
    /// C1, C3, C9; starting time T1' 3, T3 20, T2 4.
    static let immediateAssignmentHopping = T.octets("41 06 3f 00 0a 71 5e 05 2c ab 3f 02 01 05 7c 1a 84 2b 2b 2b 2b 2b 2b")

    /// Immediate Assignment of a downlink TBF: packet channel description PDCH TN 3, TSC 5, ARFCN 725;
    /// IA rest octets HH 01 (packet downlink assignment) with a TLLI the decoder must not keep.
    static var immediateAssignmentTBF: [UInt8] {
        var b = BitWriter()
        b.lh(true); b.lh(true); b.put(0b01, 2)
        b.put(0xDEAD_BEEF, 32)
        b.put(0, 4)  // no TFI assignment, TA index, starting time, P0
        b.lh(false); b.lh(false); b.lh(false)
        return T.octets("2d 06 3f 30 0b a2 d5 7f 2c ab 00 00") + b.octets(count: 11, padding: 0x2B)
    }

    /// Immediate Assignment Extended: SDCCH/8 sub 3 for RA 0x05 (TA 2), SDCCH/8 sub 4 for RA 0x0e at
    /// T1' 5, T3 37, T2 12 (TA 5), both TN 1, TSC 7, ARFCN 725.
    static let immediateAssignmentExtended = T.octets("49 06 39 00 59 e2 d5 05 2c ab 02 61 e2 d5 0e 2c ac 05 00 2b 2b 2b 2b")

    /// Immediate Assignment Reject: RA 0x05 and 0x0e rejected, wait 10 and 20 s, refs 3 and 4 repeat.
    static let immediateAssignmentReject = T.octets("4d 06 3a 00 05 2c ab 0a 0e 2c ac 14 05 2c ab 0a 05 2c ab 0a 2b 2b 2b")

    /// SI4 of an MNC-3 network (MCC 310, MNC 410, LAC 0x1234) with a CBCH on SDCCH/8 sub 2, TN 0, ARFCN 725.
    static let si4WithCBCH = T.octets("41 06 1c 13 00 14 12 34 60 09 b9 00 00 64 50 02 d5 2b 2b 2b 2b 2b 2b")

    /// SI2bis with EXT-IND set, range 1024 list {1, 5, 62, 124}.
    static var si2bis: [UInt8] {
        T.octets("55 06 02") + T.frequencyListOctets([1, 5, 62, 124], format: .range1024, bits65: 0b10)! + T.octets("b9 00 00 2b")
    }

    /// SI3 whose RACH bars access classes 0 and 7 and restricts emergency calls (EC), and whose rest
    /// octets have selection parameters (CBQ 0, offset 10, temporary offset 2, penalty 5), power
    /// offset 2, no SI2ter, early classmark sending, GPRS (RA colour 2, SI13 on BCCH Ext), 3G early
    /// classmark restriction and SI2quater on BCCH Norm.
    static var si3Full: [UInt8] {
        var b = BitWriter()
        b.lh(true); b.put(0, 1); b.put(10, 6); b.put(2, 3); b.put(5, 5)
        b.lh(true); b.put(2, 2)
        b.lh(false); b.lh(true); b.lh(false)
        b.lh(true); b.put(2, 3); b.put(1, 1)
        b.lh(true)
        b.lh(true); b.put(0, 1)
        b.lh(false); b.lh(false)
        return T.octets("49 06 1b 00 01 62 f2 20 01 3e 48 03 00 15 60 09 a5 04 81") + b.octets(count: 4, padding: 0x2B)
    }

    /// SI3 rest octets with scheduling WHERE 5, SI2ter, no GPRS and so an Iu indicator (SI13alt
    /// position 1, a bare bit), and SI21 position 0.
    static var si3Where: [UInt8] {
        var b = BitWriter()
        b.lh(false); b.lh(false); b.lh(true); b.lh(false)
        b.lh(true); b.put(5, 3)
        b.lh(false); b.lh(false); b.lh(false)
        b.put(1, 1)
        b.lh(true); b.put(0, 1)
        return T.octets("49 06 1b 00 01 62 f2 20 01 3e 48 03 00 15 60 09 b9 00 00") + b.octets(count: 4, padding: 0x2B)
    }

    /// SI2quater instance 1 of 3 (BA_IND 1) with a UTRAN FDD neighbour: UARFCN 10788, scrambling codes
    /// 100, 200, 300 (a range 1024 set of 10-bit values, p(3) = 28 bits), and 3G CCN active.
    static var si2quaterUTRAN: [UInt8] {
        var b = BitWriter()
        b.put(1, 1); b.put(0, 1); b.put(0, 1); b.put(1, 4); b.put(3, 4)  // BA_IND 1, 3G_BA_IND 0, MP 0, index 1 of count 3
        b.put(0, 6)  // no measurement, RTD, BSIC, report priority, GPRS measurement, NC parameters
        b.put(0, 1)  // no extension
        b.put(1, 1); b.put(0, 2)  // 3G neighbour cell description, no index starts
        b.put(1, 1); b.put(0, 1)  // UTRAN FDD description, no bandwidth
        b.put(1, 1); b.put(0, 1); b.put(10788, 14); b.put(0, 1); b.put(3, 5)
        let w = T.rangeEncode([99, 199, 299], originalRange: 1023)!
        b.put(w[0], 10); b.put(w[1], 9); b.put(w[2], 9)
        b.put(0, 1)  // end of repeated FDD
        b.put(0, 1)  // no TDD
        b.put(0, 2)  // no 3G measurement, no GPRS 3G measurement
        b.lh(true); b.put(0, 2)  // Rel-5, nothing
        b.lh(true); b.put(1, 1)  // Rel-6, 3G_CCN_ACTIVE
        b.lh(false)  // no Rel-7
        precondition(b.bits.count <= 160)
        return T.octets("05 06 07") + b.octets(count: 20, padding: 0x2B)
    }

    /// SI2quater instance 2 of 3 with serving cell priorities (GERAN_PRIORITY 2, THRESH_Priority_Search
    /// 15, THRESH_GSM_low 8, H_PRIO 1, T_Reselection 0) and E-UTRAN neighbours EARFCN 6300 and 1300
    /// (measurement bandwidth code 3) with priority 5, THRESH_high 20, THRESH_low 10, QRXLEVMIN 22.
    static var si2quaterEUTRAN: [UInt8] {
        var b = BitWriter()
        b.put(1, 1); b.put(0, 1); b.put(0, 1); b.put(2, 4); b.put(3, 4)
        b.put(0, 6); b.put(0, 1)
        b.put(0, 1)  // no 3G neighbour cell description
        b.put(0, 2)
        b.lh(true); b.put(0, 2)  // Rel-5, nothing
        b.lh(true); b.put(0, 1)  // Rel-6, 3G_CCN_ACTIVE 0
        b.lh(true); b.put(0, 2)  // Rel-7, nothing
        b.lh(true); b.put(1, 1)  // Rel-8, priority and E-UTRAN parameters
        b.put(1, 1); b.put(2, 3); b.put(15, 4); b.put(8, 4); b.put(1, 2); b.put(0, 2)
        b.put(0, 1)  // no 3G priority
        b.put(1, 1); b.put(0, 1); b.put(1, 1); b.put(1, 1)  // E-UTRAN: CCN 0, start 1, stop 1
        b.put(0, 2)  // no measurement parameters
        b.put(1, 1)  // repeated neighbour cells
        b.put(1, 1); b.put(6300, 16); b.put(0, 1)
        b.put(1, 1); b.put(1300, 16); b.put(1, 1); b.put(3, 3)
        b.put(0, 1)
        b.put(1, 1); b.put(5, 3); b.put(20, 5); b.put(1, 1); b.put(10, 5); b.put(1, 1); b.put(22, 5)
        b.put(0, 1); b.put(0, 1); b.put(0, 1)  // end of repeated, no not-allowed cells, no PCID to TA
        b.put(0, 2)  // no 3G CSG, no E-UTRAN CSG
        b.lh(false)  // no Rel-9
        precondition(b.bits.count <= 160)
        return T.octets("05 06 07") + b.octets(count: 20, padding: 0x2B)
    }

    /// All of them, for the tests that run every vector.
    static var all: [(String, [UInt8])] {
        [("PR2", pagingRequest2), ("PR3", pagingRequest3), ("IA", immediateAssignment),
         ("IA hopping", immediateAssignmentHopping), ("IA TBF", immediateAssignmentTBF),
         ("IAX", immediateAssignmentExtended), ("IAR", immediateAssignmentReject),
         ("SI4 CBCH", si4WithCBCH), ("SI2bis", si2bis), ("SI3 full", si3Full), ("SI3 where", si3Where),
         ("SI2quater UTRAN", si2quaterUTRAN), ("SI2quater E-UTRAN", si2quaterEUTRAN)]
    }
}
