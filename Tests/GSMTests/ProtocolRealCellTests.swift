import CellwatchModel
import GSM
import Testing

/// Blocks of a live Vodafone DE cell (ARFCN 725, vf_call6 capture, decoded by gr-gsm) and of the
/// libosmocore-made reference carrier, with what Wireshark 4.0 and the capture's description say.
@Suite struct ProtocolRealCellTests {
    typealias T = ProtocolTestSupport

    static let si2 = "59 06 1a 8f 6d 18 10 80 00 00 00 00 00 00 00 00 00 00 00 78 b9 00 00"
    static let si3 = "49 06 1b 2b d9 62 f2 20 01 3e c8 07 0a 15 60 09 b9 00 00 e8 1f 46 1b"
    static let si4 = "31 06 1c 62 f2 20 01 3e 60 09 b9 00 00 e8 1f 73 2b 2b 2b 2b 2b 2b 2b"
    static let si13 = "01 06 00 c0 00 58 47 eb 4a 92 43 40 62 84 eb 2b 2b 2b 2b 2b 2b 2b 2b"
    static let si2ter = "01 06 03 60 00 00 00 00 00 04 15 50 10 00 00 00 00 0a a8 2b 2b 2b 2b"
    static let si2quater = "05 06 07 20 00 46 24 40 00 03 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b"
    static let pagingNone = "15 06 21 00 01 f0 8b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b"
    static let pagingTMSI = "25 06 21 20 05 f4 01 4f af 9a 81 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b"
    static let notificationNCH = "05 06 20 8b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b 2b"
    /// SI1 of the reference carrier (ref_c0_clean): same cell configuration, made by libosmocore.
    static let si1 = "55 06 19 8f 6a 80 00 00 00 00 00 00 00 00 00 00 00 00 00 b9 00 00 83"

    static func decode(_ hex: String) throws -> RRMessage { try RRMessageDecoder.decode(l2Block: T.octets(hex)) }

    @Test func si3GivesTheCellIdentityAndItsParameters() throws {
        guard case .systemInformation3(let m) = try Self.decode(Self.si3) else { Issue.record("not SI3"); return }
        #expect(m.locationArea == LocationAreaIdentification(mcc: "262", mnc: "02", lac: 318))
        #expect(m.cellIdentity == 11225)
        let cc = m.controlChannel
        #expect(cc.mscr && cc.att && cc.bsAgBlksRes == 1 && cc.ccchConf == 0 && cc.cbq3 == 0)
        #expect(cc.bsPaMfrms == 9)
        #expect(cc.t3212 == 10 && cc.t3212Minutes == 60)
        #expect(!m.cellOptions.pwrc && m.cellOptions.dtx == 1 && m.cellOptions.radioLinkTimeout == 24)
        #expect(m.cellSelection.cellReselectHysteresisDB == 6 && m.cellSelection.msTxpwrMaxCch == 0)
        #expect(!m.cellSelection.acs && !m.cellSelection.neci && m.cellSelection.rxlevAccessMin == 9)
        #expect(m.rachControl.maxRetrans == 4 && m.rachControl.txInteger == 32)
        #expect(!m.rachControl.cellBarAccess && !m.rachControl.callReestablishmentAllowed)
        #expect(m.rachControl.barredAccessClasses.isEmpty && !m.rachControl.emergencyCallRestricted)
        let r = m.restOctets
        #expect(r.selectionParameters == SelectionParameters(cbq: 1, cellReselectOffset: 40, temporaryOffset: 0, penaltyTime: 31))
        #expect(r.selectionParameters?.cellReselectOffsetDB == 80 && r.selectionParameters?.penaltyTimeSeconds == nil)
        #expect(r.powerOffset == nil && r.si2terIndicator && r.earlyClassmarkSending && r.schedulingWhere == nil)
        #expect(r.gprsIndicator == GPRSIndicator(raColour: 6, si13Position: 0))
        #expect(!r.threeGEarlyClassmarkSendingRestriction)
        #expect(r.si2quaterPosition == 1)  // SI2quater on BCCH Ext: the capture has it in CCCH block 0
        #expect(r.si13altPosition == nil && r.si21Position == nil)
        let json = try Self.decode(Self.si3).json.text
        #expect(json.hasPrefix(#"{"message":"SI3","mcc":"262","mnc":"02","lac":318,"cell_id":11225,"#))
        #expect(json.contains(#""t3212":10,"t3212_minutes":60"#))
        #expect(json.contains(#""cell_reselect_offset":40"#))
    }

    @Test func si2ListsTheFiveNeighbours() throws {
        guard case .systemInformation2(let m) = try Self.decode(Self.si2) else { Issue.record("not SI2"); return }
        #expect(m.neighbourCells.frequencies == FrequencyList(format: .variableBitMap, arfcns: [730, 733, 734, 741, 746].map(ARFCN.init)))
        #expect(!m.neighbourCells.extInd && m.neighbourCells.baInd == 0)
        #expect(m.nccPermitted == [3, 4, 5, 6])  // 0x78; the cell's own NCC is 6 (BSIC 48)
        #expect(m.rachControl.maxRetrans == 4)
    }

    @Test func si4RepeatsTheLocationAreaAndSelectionParameters() throws {
        guard case .systemInformation4(let m) = try Self.decode(Self.si4) else { Issue.record("not SI4"); return }
        #expect(m.locationArea == LocationAreaIdentification(mcc: "262", mnc: "02", lac: 318))
        #expect(m.cellSelection.rxlevAccessMin == 9 && m.cbchChannelDescription == nil && m.cbchMobileAllocation == nil)
        #expect(m.restOctets.selectionParameters?.cellReselectOffset == 40)
        #expect(m.restOctets.gprsIndicator == GPRSIndicator(raColour: 6, si13Position: 0))
        #expect(!m.restOctets.restOctetsS && !m.restOctets.breakIndicator)
    }

    @Test func si13GivesTheGPRSParameters() throws {
        guard case .systemInformation13(let s) = try Self.decode(Self.si13), let m = s.restOctets else { Issue.record("not SI13"); return }
        #expect(m.bcchChangeMark == 4 && m.siChangeField == 0 && m.si13ChangeMark == nil && !m.pbcchPresent)
        #expect(m.rac == 1 && m.spgcCcchSup == false && m.priorityAccessThr == 6 && m.networkControlOrder == 0)
        let o = try #require(m.gprsCellOptions)
        #expect(o.nmo == 1 && o.t3168Milliseconds == 500 && o.t3192Milliseconds == 200 && o.drxTimerMax == 7)
        #expect(o.accessBurstType == 0 && o.controlAckType == 1 && o.bsCvMax == 6)
        #expect(o.panDec == 1 && o.panInc == 2 && o.panMax == 4 && o.extensionLength == 9)
        #expect(o.egprsSupported == false && o.ccnActive == true && o.nwExtUTBF == true)
        #expect(m.gprsPowerControl?.tAvgW == 12 && m.gprsPowerControl?.tAvgT == 10 && m.gprsPowerControl?.nAvgI == 2)
        #expect(m.sgsnr == 1 && m.siStatusInd == 1 && m.si2nSupport == nil)
    }

    @Test func si2terListsTheGSM900Neighbours() throws {
        guard case .systemInformation2ter(let m) = try Self.decode(Self.si2ter) else { Issue.record("not SI2ter"); return }
        let n = m.extendedNeighbourCells
        #expect(n.multibandReporting == 3 && n.baInd == 0)
        #expect(n.frequencies == FrequencyList(format: .bitMap0, arfcns: [4, 6, 8, 10, 12, 53, 61, 63, 65, 67, 69, 75].map(ARFCN.init)))
        #expect(m.restOctets == nil)
    }

    @Test func si2quaterHasOnlyCCNSupport() throws {
        guard case .systemInformation2quater(let s) = try Self.decode(Self.si2quater) else { Issue.record("not SI2quater"); return }
        let m = s.restOctets
        #expect(m.baInd == 0 && m.threeGBAInd == 0 && m.mpChangeMark == 1 && m.index == 0 && m.count == 0)
        #expect(m.ccnSupported == Array(repeating: false, count: 17))
        #expect(m.utranFDDNeighbours.isEmpty && m.eutran == nil && m.servingCellPriority == nil && m.notKept.isEmpty)
    }

    @Test func pagingCountsIdentitiesWithoutKeepingThem() throws {
        guard case .pagingRequest1(let empty) = try Self.decode(Self.pagingNone) else { Issue.record("not PR1"); return }
        #expect(empty.identities == MobileIdentityCounts(none: 1) && empty.pageMode == .normalPaging)
        guard case .pagingRequest1(let m) = try Self.decode(Self.pagingTMSI) else { Issue.record("not PR1"); return }
        #expect(m.identities == MobileIdentityCounts(tmsi: 1))
        #expect(m.channelNeeded == [.tchF, .any])
        #expect(m.restOctets.nln == 0 && m.restOctets.priorities == [1, nil] && m.restOctets.packetPageIndications == [false, false])
        // The TMSI 0x014faf9a appears nowhere in what the decoder keeps or prints.
        let text = RRMessage.pagingRequest1(m).json.text + String(describing: m)
        for needle in ["014faf9a", "21999514", "4faf9a", "1 79 175 154"] { #expect(!text.lowercased().contains(needle)) }
        #expect(RRMessage.pagingRequest1(m).json.text.contains(#""tmsi_count":1"#))
    }

    @Test func notificationNCHIsNamedNotDecoded() throws {
        let m = try Self.decode(Self.notificationNCH)
        #expect(m == .other(messageType: 0x20))
        #expect(m.name == "Notification/NCH")
    }

    @Test func si1OfTheReferenceCarrier() throws {
        guard case .systemInformation1(let m) = try Self.decode(Self.si1) else { Issue.record("not SI1"); return }
        #expect(m.cellChannelDescription == FrequencyList(format: .variableBitMap, arfcns: [ARFCN(725)]))
        #expect(m.nchPosition == 0 && m.bandIndicator == .dcs1800)
        #expect(RRMessage.systemInformation1(m).name == "System Information Type 1")
    }

    /// Every block gr-gsm decoded from the two shared recordings decodes to a message, none an error.
    @Test func everyBlockOfTheSharedRecordingsDecodes() throws {
        for file in ["gsm/vf_call6_arfcn725.grgsm_bcch_expected.txt", "gsm/ref_c0_clean.grgsm_bcch_expected.txt"] {
            guard let blocks = try ProtocolExpectedFile.blocks(file) else { return }
            #expect(blocks.count > 40)
            for b in blocks { #expect(throws: Never.self) { try RRMessageDecoder.decode(l2Block: b.octets) } }
        }
    }
}
