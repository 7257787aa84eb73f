import CellwatchModel
import GSM
import Testing

/// The hand-built vectors of `ProtocolMessageVectors`, and the errors of broken blocks.
@Suite struct ProtocolMessageTests {
    typealias V = ProtocolMessageVectors
    typealias T = ProtocolTestSupport

    @Test func pagingRequest2CountsTheIMSIAndForgetsIt() throws {
        let m = try RRMessageDecoder.decode(l2Block: V.pagingRequest2)
        guard case .pagingRequest2(let p) = m else { Issue.record("not PR2"); return }
        #expect(p.identities == MobileIdentityCounts(imsi: 1, tmsi: 2))
        #expect(p.channelNeeded == [.sdcch, .any] && p.restOctets.channelNeeded3 == .tchF)
        let kept = m.json.text + String(describing: m)
        #expect(!kept.contains(V.pagingRequest2IMSI) && !kept.contains("2021234567890"))
        #expect(!kept.lowercased().contains("11223344") && !kept.lowercased().contains("55667788"))
        #expect(m.json.text == #"{"message":"PR2","page_mode":"normal","channel_needed":["SDCCH","any","TCH/F"],"imsi_count":1,"tmsi_count":2,"imei_count":0,"no_identity_count":0,"packet_page_indications":[false]}"#)
    }

    @Test func pagingRequest3() throws {
        guard case .pagingRequest3(let p) = try RRMessageDecoder.decode(l2Block: V.pagingRequest3) else { Issue.record("not PR3"); return }
        #expect(p.pageMode == .extendedPaging && p.identities == MobileIdentityCounts(tmsi: 4))
        #expect(p.restOctets.channelNeeded3 == nil && p.restOctets.priorities == [nil, nil, nil, nil])
    }

    @Test func immediateAssignmentOfAnSDCCH() throws {
        let m = try RRMessageDecoder.decode(l2Block: V.immediateAssignment)
        guard case .immediateAssignment(let a) = m else { Issue.record("not IA"); return }
        #expect(a.pageMode == .normalPaging && !a.dedicatedModeOrTBF.tbf)
        guard case .dedicated(let c) = a.channel else { Issue.record("not dedicated"); return }
        #expect(c.channelType == .sdcch8(subchannel: 3) && c.timeslot == 1 && c.tsc == 7 && c.hopping == .single(arfcn: 725))
        #expect(a.requestReference.ra == 5 && a.requestReference.t1Prime == 5 && a.requestReference.t3 == 37 && a.requestReference.t2 == 11)
        #expect(a.requestReference.frameNumberModulo42432 == 6667)
        #expect(a.timingAdvance == 3 && a.mobileAllocation.length == 0 && a.startingTime == nil)
        #expect(a.restOctets == .noPacketAssignment)
        #expect(m.json.text == #"{"message":"IA","page_mode":"normal","assignment":"dedicated","channel":{"channel_type":"SDCCH/8","subchannel":3,"timeslot":1,"tsc":7,"arfcn":725},"request_reference":{"ra":5,"t1_prime":5,"t3":37,"t2":11,"fn_mod_42432":6667},"timing_advance":3,"mobile_allocation_length":0,"rest_octets":"none"}"#)
    }

    @Test func immediateAssignmentHoppingWithStartingTime() throws {
        guard case .immediateAssignment(let a) = try RRMessageDecoder.decode(l2Block: V.immediateAssignmentHopping) else { Issue.record("not IA"); return }
        guard case .dedicated(let c) = a.channel else { Issue.record("not dedicated"); return }
        #expect(c.channelType == .tchF && c.timeslot == 2 && c.tsc == 3 && c.hopping == .hopping(maio: 5, hsn: 30))
        #expect(a.timingAdvance == 63)
        #expect(a.mobileAllocation.length == 2 && a.mobileAllocation.cellAllocationIndices == [1, 3, 9])
        #expect(a.startingTime?.t1Prime == 3 && a.startingTime?.t3 == 20 && a.startingTime?.t2 == 4)
    }

    @Test func immediateAssignmentOfADownlinkTBFKeepsNoTLLI() throws {
        let m = try RRMessageDecoder.decode(l2Block: V.immediateAssignmentTBF)
        guard case .immediateAssignment(let a) = m else { Issue.record("not IA"); return }
        #expect(a.dedicatedModeOrTBF.tbf && a.dedicatedModeOrTBF.downlink)
        guard case .packet(let p) = a.channel else { return }
        #expect(p.channelType == 1 && p.timeslot == 3 && p.tsc == 5 && p.hopping == .single(arfcn: 725))
        #expect(a.restOctets == .packetDownlinkAssignment)
        let kept = (m.json.text + String(describing: m)).lowercased()
        #expect(!kept.contains("deadbeef") && !kept.contains(String(0xDEAD_BEEF)))
    }

    @Test func immediateAssignmentExtendedAndReject() throws {
        guard case .immediateAssignmentExtended(let x) = try RRMessageDecoder.decode(l2Block: V.immediateAssignmentExtended) else { Issue.record("not IAX"); return }
        #expect(x.assignments.map(\.channel.channelType) == [.sdcch8(subchannel: 3), .sdcch8(subchannel: 4)])
        #expect(x.assignments.map(\.requestReference.ra) == [5, 14] && x.assignments.map(\.timingAdvance) == [2, 5])
        #expect(x.assignments[1].requestReference.t2 == 12)
        guard case .immediateAssignmentReject(let r) = try RRMessageDecoder.decode(l2Block: V.immediateAssignmentReject) else { Issue.record("not IAR"); return }
        #expect(r.rejections.map(\.requestReference.ra) == [5, 14, 5, 5] && r.rejections.map(\.waitIndication) == [10, 20, 10, 10])
    }

    @Test func si4WithCBCHAndAThreeDigitMNC() throws {
        let m = try RRMessageDecoder.decode(l2Block: V.si4WithCBCH)
        guard case .systemInformation4(let s) = m else { Issue.record("not SI4"); return }
        #expect(s.locationArea == LocationAreaIdentification(mcc: "310", mnc: "410", lac: 0x1234))
        #expect(s.cbchChannelDescription?.channelType == .sdcch8(subchannel: 2))
        #expect(s.cbchChannelDescription?.hopping == .single(arfcn: 725) && s.cbchMobileAllocation == nil)
        #expect(m.json.text.contains(#""mcc":"310","mnc":"410","lac":4660"#))
    }

    @Test func si2bisCarriesTheRestOfTheBA() throws {
        guard case .systemInformation2bis(let s) = try RRMessageDecoder.decode(l2Block: V.si2bis) else { Issue.record("not SI2bis"); return }
        #expect(s.extendedNeighbourCells.extInd)
        #expect(s.extendedNeighbourCells.frequencies == FrequencyList(format: .range1024, arfcns: [1, 5, 62, 124].map(ARFCN.init)))
    }

    @Test func si3RestOctetsInFull() throws {
        guard case .systemInformation3(let s) = try RRMessageDecoder.decode(l2Block: V.si3Full) else { Issue.record("not SI3"); return }
        #expect(s.rachControl.maxRetrans == 4 && s.rachControl.txInteger == 12 && !s.rachControl.callReestablishmentAllowed)
        #expect(s.rachControl.emergencyCallRestricted && s.rachControl.barredAccessClasses == [0, 7])
        #expect(s.controlChannel.bsPaMfrms == 5 && s.controlChannel.t3212 == 0 && !s.controlChannel.mscr)
        let r = s.restOctets
        #expect(r.selectionParameters == SelectionParameters(cbq: 0, cellReselectOffset: 10, temporaryOffset: 2, penaltyTime: 5))
        #expect(r.selectionParameters?.temporaryOffsetDB == 20 && r.selectionParameters?.penaltyTimeSeconds == 120)
        #expect(r.powerOffset == 2 && !r.si2terIndicator && r.earlyClassmarkSending && r.schedulingWhere == nil)
        #expect(r.gprsIndicator == GPRSIndicator(raColour: 2, si13Position: 1))
        #expect(r.threeGEarlyClassmarkSendingRestriction && r.si2quaterPosition == 0)
        #expect(r.si13altPosition == nil && r.si21Position == nil)

        guard case .systemInformation3(let w) = try RRMessageDecoder.decode(l2Block: V.si3Where) else { Issue.record("not SI3"); return }
        #expect(w.restOctets.selectionParameters == nil && w.restOctets.si2terIndicator && w.restOctets.schedulingWhere == 5)
        #expect(w.restOctets.gprsIndicator == nil && w.restOctets.si13altPosition == 1 && w.restOctets.si21Position == 0)
    }

    @Test func si2quaterWithUTRANAndEUTRANNeighbours() throws {
        guard case .systemInformation2quater(let u) = try RRMessageDecoder.decode(l2Block: V.si2quaterUTRAN) else { Issue.record("not SI2quater"); return }
        #expect(u.restOctets.baInd == 1 && u.restOctets.index == 1 && u.restOctets.count == 3)
        #expect(u.restOctets.utranFDDNeighbours.count == 1 && u.restOctets.utranFDDNeighbours[0].uarfcn == 10788)
        // In the order the range 1024 tree gives them, which is also the order Wireshark 4.0 lists them in.
        #expect(u.restOctets.utranFDDNeighbours[0].cells.map(\.scramblingCode) == [200, 100, 300])
        #expect(u.restOctets.utranFDDNeighbours[0].cells.allSatisfy { !$0.diversity })
        #expect(u.restOctets.threeGCCNActive == true && u.restOctets.eutran == nil)
        let m = try RRMessageDecoder.decode(l2Block: V.si2quaterEUTRAN)
        guard case .systemInformation2quater(let s) = m else { Issue.record("not SI2quater"); return }
        let r = s.restOctets
        #expect(r.index == 2 && r.threeGCCNActive == false && r.utranFDDNeighbours.isEmpty)
        let sp = try #require(r.servingCellPriority)
        #expect(sp.geranPriority == 2 && sp.threshPrioritySearch == 15 && sp.threshGSMLow == 8 && sp.hPrio == 1 && sp.tReselection == 0)
        let e = try #require(r.eutran)
        #expect(e.start && e.stop && !e.ccnActive)
        #expect(e.neighbourFrequencies.count == 1)
        let n = e.neighbourFrequencies[0]
        #expect(n.earfcns == [.init(earfcn: 6300, measurementBandwidth: nil), .init(earfcn: 1300, measurementBandwidth: 3)])
        #expect(n.priority == 5 && n.threshHigh == 20 && n.threshLow == 10 && n.qRxLevMin == 22)
        #expect(r.notKept.isEmpty)
        #expect(m.json.text.contains(#""eutran":{"ccn_active":false,"start":true,"stop":true,"neighbours":[{"earfcns":[6300,1300],"measurement_bandwidths":[null,3],"priority":5,"thresh_high":20,"thresh_low":10,"qrxlevmin":22}]}"#))
    }

    // MARK: errors

    static func error(_ block: [UInt8]) -> RRDecodingError? {
        do { _ = try RRMessageDecoder.decode(l2Block: block); return nil } catch { return error }
    }

    @Test func truncatedBlocksNameWhatWasCutOff() throws {
        let si3 = T.octets(ProtocolRealCellTests.si3)
        #expect(Self.error(Array(si3.prefix(14)))?.description == "System Information Type 3: cell selection parameters cut off at octet 15")
        #expect(Self.error(Array(si3.prefix(20))) == .truncated(message: "System Information Type 3", element: "SI 3 rest octets", octet: 21))
        #expect(Self.error([])?.description == "L2 block: L2 pseudo length cut off at octet 1")
        #expect(Self.error([0x49, 0x06])?.description == "L2 block: message type cut off at octet 3")
        #expect(Self.error(T.octets("15 06 21 00 05 f4"))?.description == "Paging Request Type 1: mobile identity 1 cut off at octet 7")
        #expect(Self.error(Array(V.immediateAssignment.prefix(9)))?.description == "Immediate Assignment: request reference cut off at octet 10")
        let si2 = T.octets(ProtocolRealCellTests.si2)
        #expect(Self.error(Array(si2.prefix(10)))?.description == "System Information Type 2: neighbour cell description cut off at octet 11")
    }

    @Test func malformedHeadersAreTypedErrors() throws {
        let si3 = T.octets(ProtocolRealCellTests.si3)
        #expect(Self.error(si3 + [0x2B]) == .blockTooLong(octets: 24))
        #expect(Self.error([0x2B] + si3.dropFirst()) == .invalidPseudoLength(octet: 0x2B))
        #expect(Self.error([0x5D] + si3.dropFirst()) == .pseudoLengthTooLong(length: 23))
        #expect(Self.error([0x49, 0x05] + si3.dropFirst(2)) == .notRadioResource(protocolDiscriminator: 5))
        #expect(Self.error([0x49, 0x16] + si3.dropFirst(2)) == .nonZeroSkipIndicator(1))
        // A pseudo length that ends inside the paged identity, and one that runs past it into rest octets.
        let paging = T.octets(ProtocolRealCellTests.pagingTMSI)
        #expect(Self.error([0x21] + paging.dropFirst())?.description == "Paging Request Type 1: L2 pseudo length is 8 but the message runs to octet 10")
        #expect(Self.error([0x2D] + paging.dropFirst())?.description == "Paging Request Type 1: mobile identity 2 has IEI 0x81, not 0x17")
        // A TMSI identity must have 4 digits' worth of octets.
        #expect(Self.error(T.octets("21 06 21 00 04 f4 01 02 03 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b"))?.description
            == "Paging Request Type 1: mobile identity 1 is a TMSI of 4 octets, not 5")
        // Reserved channel type in an immediate assignment.
        var ia = V.immediateAssignment
        ia[4] = 0x81
        #expect(Self.error(ia)?.description == "Immediate Assignment: channel description has the reserved channel type and TDMA offset 16")
    }

    @Test func unknownTypesAreNamedNotErrors() throws {
        #expect(try RRMessageDecoder.decode(l2Block: T.octets("01 06 3d 2b")) == .other(messageType: 0x3D))
        #expect(RRMessage.other(messageType: 0x3D).name == "System Information Type 16")
        #expect(RRMessage.other(messageType: 0x6E).name == "Unknown RR message type 110")
        #expect(RRMessage.other(messageType: 0x6E).json.text == #"{"message":"other","message_type":110,"name":"Unknown RR message type 110"}"#)
    }
}
