import CellwatchModel

/// The decoded fields of an RR message as one JSON object, snake_case keys in the spec's words, coded
/// values as sent plus the derived value where the spec gives a unit (e.g. `t3212` in deci-hours and
/// `t3212_minutes`). Fields that were not sent are left out rather than written as null.
extension RRMessage {
    public var json: JSONLine {
        var j = JSONLine()
        j.add("message", tag)
        switch self {
        case .systemInformation1(let m): m.addFields(to: &j)
        case .systemInformation2(let m): m.addFields(to: &j)
        case .systemInformation2bis(let m): m.addFields(to: &j)
        case .systemInformation2ter(let m): m.addFields(to: &j)
        case .systemInformation2quater(let m): m.restOctets.addFields(to: &j)
        case .systemInformation3(let m): m.addFields(to: &j)
        case .systemInformation4(let m): m.addFields(to: &j)
        case .systemInformation13(let m): m.addFields(to: &j)
        case .pagingRequest1(let m):
            addPaging(to: &j, m.pageMode, m.channelNeeded, m.identities, m.restOctets)
        case .pagingRequest2(let m):
            addPaging(to: &j, m.pageMode, m.channelNeeded, m.identities, m.restOctets)
        case .pagingRequest3(let m):
            addPaging(to: &j, m.pageMode, m.channelNeeded, m.identities, m.restOctets)
        case .immediateAssignment(let m): m.addFields(to: &j)
        case .immediateAssignmentExtended(let m): m.addFields(to: &j)
        case .immediateAssignmentReject(let m): m.addFields(to: &j)
        case .other(let type):
            j.add("message_type", Int(type))
            j.add("name", name)
        }
        return j
    }

    private func addPaging(to j: inout JSONLine, _ pageMode: PageMode, _ channels: [ChannelNeeded],
                           _ ids: MobileIdentityCounts, _ rest: PagingRestOctets) {
        j.add("page_mode", pageMode.name)
        var needed = channels
        if let c = rest.channelNeeded3 { needed.append(c) }
        if let c = rest.channelNeeded4 { needed.append(c) }
        j.add("channel_needed", .array(needed.map { .string($0.name) }))
        j.add("imsi_count", ids.imsi)
        j.add("tmsi_count", ids.tmsi)
        j.add("imei_count", ids.imei)
        j.add("no_identity_count", ids.none)
        if ids.other > 0 { j.add("other_identity_count", ids.other) }
        if let nln = rest.nln { j.add("nln", nln) }
        if let s = rest.nlnStatus { j.add("nln_status", s) }
        if rest.priorities.contains(where: { $0 != nil }) {
            j.add("priorities", .array(rest.priorities.map { $0.map { .integer(Int64($0)) } ?? .null }))
        }
        if !rest.packetPageIndications.isEmpty {
            j.add("packet_page_indications", .array(rest.packetPageIndications.map { .bool($0) }))
        }
        if rest.groupCallInformation { j.add("group_call_information", true) }
        if rest.furtherContent { j.add("rest_octets_further_content", true) }
    }
}

extension JSONLine {
    mutating func addIfPresent(_ key: String, _ value: Int?) { if let value { add(key, value) } }
    mutating func addIfPresent(_ key: String, _ value: Bool?) { if let value { add(key, value) } }

    mutating func add(_ key: String, arfcns: [ARFCN]) {
        add(key, .array(arfcns.map { .integer(Int64($0.value)) }))
    }
}

extension FrequencyList {
    func addFields(to j: inout JSONLine, prefix: String) {
        j.add("\(prefix)_format", format.rawValue)
        j.add(prefix, arfcns: arfcns)
    }
}

extension RACHControlParameters {
    func addFields(to j: inout JSONLine) {
        j.add("max_retrans", maxRetrans)
        j.add("tx_integer", txInteger)
        j.add("cell_bar_access", cellBarAccess)
        j.add("call_reestablishment_allowed", callReestablishmentAllowed)
        j.add("emergency_call_restricted", emergencyCallRestricted)
        j.add("barred_access_classes", .array(barredAccessClasses.map { .integer(Int64($0)) }))
    }
}

extension LocationAreaIdentification {
    func addFields(to j: inout JSONLine) {
        j.add("mcc", mcc)
        j.add("mnc", mnc)
        j.add("lac", lac)
    }
}

extension CellSelectionParameters {
    func addFields(to j: inout JSONLine) {
        j.add("cell_reselect_hysteresis_db", cellReselectHysteresisDB)
        j.add("ms_txpwr_max_cch", msTxpwrMaxCch)
        j.add("acs", acs)
        j.add("neci", neci)
        j.add("rxlev_access_min", rxlevAccessMin)
        j.add("rxlev_access_min_dbm", rxlevAccessMinDBm)
    }
}

extension SelectionParameters {
    func addFields(to j: inout JSONLine) {
        j.add("cbq", cbq)
        j.add("cell_reselect_offset", cellReselectOffset)
        j.add("cell_reselect_offset_db", cellReselectOffsetDB)
        j.add("temporary_offset", temporaryOffset)
        j.add("penalty_time", penaltyTime)
    }
}

extension SystemInformationType1 {
    func addFields(to j: inout JSONLine) {
        cellChannelDescription.addFields(to: &j, prefix: "cell_allocation")
        rachControl.addFields(to: &j)
        j.addIfPresent("nch_position", nchPosition)
        j.add("band_indicator", bandIndicator.rawValue)
    }
}

extension SystemInformationType2 {
    func addFields(to j: inout JSONLine) {
        neighbourCells.frequencies.addFields(to: &j, prefix: "neighbours")
        j.add("ba_ind", neighbourCells.baInd)
        j.add("ext_ind", neighbourCells.extInd)
        j.add("ncc_permitted", .array(nccPermitted.map { .integer(Int64($0)) }))
        rachControl.addFields(to: &j)
    }
}

extension SystemInformationType2bis {
    func addFields(to j: inout JSONLine) {
        extendedNeighbourCells.frequencies.addFields(to: &j, prefix: "neighbours")
        j.add("ba_ind", extendedNeighbourCells.baInd)
        j.add("ext_ind", extendedNeighbourCells.extInd)
        rachControl.addFields(to: &j)
    }
}

extension SystemInformationType2ter {
    func addFields(to j: inout JSONLine) {
        extendedNeighbourCells.frequencies.addFields(to: &j, prefix: "neighbours")
        j.add("ba_ind", extendedNeighbourCells.baInd)
        j.add("multiband_reporting", extendedNeighbourCells.multibandReporting)
        guard let r = restOctets else { return }
        j.add("si2ter_index", r.index)
        j.add("si2ter_count", r.count)
        j.add("mp_change_mark", r.mpChangeMark)
        j.add("3g_change_mark", r.threeGChangeMark)
        j.addIfPresent("fdd_arfcn", r.fddARFCN)
        j.addIfPresent("fdd_bandwidth", r.fddBandwidth)
        j.addIfPresent("tdd_arfcn", r.tddARFCN)
        j.addIfPresent("tdd_bandwidth", r.tddBandwidth)
        j.addIfPresent("qsearch_i", r.qsearchI)
        j.addIfPresent("fdd_qoffset", r.fddQoffset)
        j.addIfPresent("fdd_qmin", r.fddQmin)
        j.addIfPresent("tdd_qoffset", r.tddQoffset)
        j.addIfPresent("fdd_qmin_offset", r.fddQminOffset)
        j.addIfPresent("fdd_rscpmin", r.fddRSCPmin)
    }
}

extension SI2quaterRestOctets {
    func addFields(to j: inout JSONLine) {
        j.add("ba_ind", baInd)
        j.add("3g_ba_ind", threeGBAInd)
        j.add("mp_change_mark", mpChangeMark)
        j.add("si2quater_index", index)
        j.add("si2quater_count", count)
        j.addIfPresent("report_type", reportType)
        j.addIfPresent("serving_band_reporting", servingBandReporting)
        if let ccn = ccnSupported { j.add("ccn_supported", .array(ccn.map { .bool($0) })) }
        j.addIfPresent("index_start_3g", indexStart3G)
        j.addIfPresent("absolute_index_start_emr", absoluteIndexStartEMR)
        j.addIfPresent("utran_fdd_bandwidth", utranFDDBandwidth)
        if !utranFDDNeighbours.isEmpty {
            j.add("utran_fdd", .array(utranFDDNeighbours.map { f in
                var o = JSONLine()
                o.add("uarfcn", f.uarfcn)
                o.add("scrambling_codes", .array(f.cells.map { .integer(Int64($0.scramblingCode)) }))
                o.add("diversity", .array(f.cells.map { .bool($0.diversity) }))
                return .object(o)
            }))
        }
        if !utranTDDFrequencies.isEmpty {
            j.add("utran_tdd_uarfcns", .array(utranTDDFrequencies.map { .integer(Int64($0)) }))
        }
        j.addIfPresent("qsearch_i", qsearchI)
        j.addIfPresent("qsearch_c_initial", qsearchCInitial)
        j.addIfPresent("fdd_qoffset", fddQoffset)
        j.addIfPresent("fdd_qmin", fddQmin)
        j.addIfPresent("3g_ccn_active", threeGCCNActive)
        if let s = servingCellPriority {
            j.add("geran_priority", s.geranPriority)
            j.add("thresh_priority_search", s.threshPrioritySearch)
            j.add("thresh_gsm_low", s.threshGSMLow)
            j.add("h_prio", s.hPrio)
            j.add("t_reselection", s.tReselection)
        }
        if let u = utranPriority {
            var o = JSONLine()
            o.add("utran_start", u.utranStart)
            o.add("utran_stop", u.utranStop)
            o.addIfPresent("default_priority", u.defaultPriority)
            o.addIfPresent("default_thresh", u.defaultThresh)
            o.addIfPresent("default_qrxlevmin", u.defaultQRxLevMin)
            o.add("repeated", .array(u.repeated.map { p in
                var e = JSONLine()
                e.add("frequency_indices", .array(p.frequencyIndices.map { .integer(Int64($0)) }))
                e.addIfPresent("priority", p.priority)
                e.add("thresh_high", p.threshHigh)
                e.addIfPresent("thresh_low", p.threshLow)
                e.addIfPresent("qrxlevmin", p.qRxLevMin)
                return .object(e)
            }))
            j.add("utran_priority", .object(o))
        }
        if let e = eutran {
            var o = JSONLine()
            o.add("ccn_active", e.ccnActive)
            o.add("start", e.start)
            o.add("stop", e.stop)
            o.addIfPresent("qsearch_c_initial", e.qsearchCInitial)
            o.add("neighbours", .array(e.neighbourFrequencies.map { n in
                var f = JSONLine()
                f.add("earfcns", .array(n.earfcns.map { .integer(Int64($0.earfcn)) }))
                if n.earfcns.contains(where: { $0.measurementBandwidth != nil }) {
                    f.add("measurement_bandwidths", .array(n.earfcns.map { $0.measurementBandwidth.map { .integer(Int64($0)) } ?? .null }))
                }
                f.addIfPresent("priority", n.priority)
                f.add("thresh_high", n.threshHigh)
                f.addIfPresent("thresh_low", n.threshLow)
                f.addIfPresent("qrxlevmin", n.qRxLevMin)
                return .object(f)
            }))
            if e.notAllowedCellGroups > 0 { o.add("not_allowed_cell_groups", e.notAllowedCellGroups) }
            if e.pcidToTAMappings > 0 { o.add("pcid_to_ta_mappings", e.pcidToTAMappings) }
            j.add("eutran", .object(o))
        }
        if !notKept.isEmpty { j.add("not_kept", .array(notKept.map { .string($0) })) }
    }
}

extension SystemInformationType3 {
    func addFields(to j: inout JSONLine) {
        locationArea.addFields(to: &j)
        j.add("cell_id", cellIdentity)
        let cc = controlChannel
        j.add("mscr", cc.mscr)
        j.add("att", cc.att)
        j.add("bs_ag_blks_res", cc.bsAgBlksRes)
        j.add("ccch_conf", cc.ccchConf)
        j.add("cbq3", cc.cbq3)
        j.add("bs_pa_mfrms", cc.bsPaMfrms)
        j.add("t3212", cc.t3212)
        j.add("t3212_minutes", cc.t3212Minutes)
        j.add("dn_ind", cellOptions.dnInd)
        j.add("pwrc", cellOptions.pwrc)
        j.add("dtx", cellOptions.dtx)
        j.add("radio_link_timeout", cellOptions.radioLinkTimeout)
        cellSelection.addFields(to: &j)
        rachControl.addFields(to: &j)
        let r = restOctets
        r.selectionParameters?.addFields(to: &j)
        j.addIfPresent("power_offset", r.powerOffset)
        j.add("si2ter_indicator", r.si2terIndicator)
        j.add("early_classmark_sending", r.earlyClassmarkSending)
        j.addIfPresent("scheduling_where", r.schedulingWhere)
        if let g = r.gprsIndicator {
            j.add("ra_colour", g.raColour)
            j.add("si13_position", g.si13Position)
        }
        j.add("3g_early_classmark_sending_restriction", r.threeGEarlyClassmarkSendingRestriction)
        j.addIfPresent("si2quater_position", r.si2quaterPosition)
        j.addIfPresent("si13alt_position", r.si13altPosition)
        j.addIfPresent("si21_position", r.si21Position)
    }
}

extension SystemInformationType4 {
    func addFields(to j: inout JSONLine) {
        locationArea.addFields(to: &j)
        cellSelection.addFields(to: &j)
        rachControl.addFields(to: &j)
        if let cbch = cbchChannelDescription {
            j.add("cbch", .object(cbch.json))
        }
        if let ma = cbchMobileAllocation {
            j.add("cbch_mobile_allocation", .array(ma.cellAllocationIndices.map { .integer(Int64($0)) }))
        }
        let r = restOctets
        r.selectionParameters?.addFields(to: &j)
        j.addIfPresent("power_offset", r.powerOffset)
        if let g = r.gprsIndicator {
            j.add("ra_colour", g.raColour)
            j.add("si13_position", g.si13Position)
        }
        if r.restOctetsS {
            j.addIfPresent("prio_thr", r.lsaPriorityThreshold)
            j.addIfPresent("lsa_offset", r.lsaOffset)
            j.addIfPresent("cell_id", r.cellIdentity)
            if r.lsaIDInformation { j.add("lsa_id_information", true) }
            j.addIfPresent("cbq3", r.cbq3)
            j.addIfPresent("si13alt_position", r.si13altPosition)
        } else {
            j.add("break_indicator", r.breakIndicator)
        }
    }
}

extension SystemInformationType13 {
    func addFields(to j: inout JSONLine) {
        guard let r = restOctets else { return }
        j.add("bcch_change_mark", r.bcchChangeMark)
        j.add("si_change_field", r.siChangeField)
        j.addIfPresent("si13_change_mark", r.si13ChangeMark)
        j.addIfPresent("gprs_ma_hsn", r.gprsMobileAllocationHSN)
        j.add("pbcch", r.pbcchPresent)
        j.addIfPresent("psi1_repeat_period", r.psi1RepeatPeriod)
        j.addIfPresent("rac", r.rac)
        j.addIfPresent("spgc_ccch_sup", r.spgcCcchSup)
        j.addIfPresent("priority_access_thr", r.priorityAccessThr)
        j.addIfPresent("network_control_order", r.networkControlOrder)
        if let o = r.gprsCellOptions {
            j.add("nmo", o.nmo)
            j.add("t3168", o.t3168)
            j.add("t3168_ms", o.t3168Milliseconds)
            j.add("t3192", o.t3192)
            j.add("t3192_ms", o.t3192Milliseconds)
            j.add("drx_timer_max", o.drxTimerMax)
            j.add("access_burst_type", o.accessBurstType)
            j.add("control_ack_type", o.controlAckType)
            j.add("bs_cv_max", o.bsCvMax)
            j.addIfPresent("pan_dec", o.panDec)
            j.addIfPresent("pan_inc", o.panInc)
            j.addIfPresent("pan_max", o.panMax)
            j.addIfPresent("egprs", o.egprsSupported)
            j.addIfPresent("pfc_feature_mode", o.pfcFeatureMode)
            j.addIfPresent("dtm_support", o.dtmSupport)
            j.addIfPresent("bss_paging_coordination", o.bssPagingCoordination)
            j.addIfPresent("ccn_active", o.ccnActive)
            j.addIfPresent("nw_ext_utbf", o.nwExtUTBF)
        }
        if let p = r.gprsPowerControl {
            j.add("alpha", p.alpha)
            j.add("t_avg_w", p.tAvgW)
            j.add("t_avg_t", p.tAvgT)
            j.add("pc_meas_chan", p.pcMeasChan)
            j.add("n_avg_i", p.nAvgI)
        }
        j.addIfPresent("sgsnr", r.sgsnr)
        j.addIfPresent("si_status_ind", r.siStatusInd)
        j.addIfPresent("lb_ms_txpwr_max_cch", r.lbMsTxpwrMaxCch)
        j.addIfPresent("si2n_support", r.si2nSupport)
    }
}

extension ChannelDescription {
    var json: JSONLine {
        var o = JSONLine()
        o.add("channel_type", channelType.name)
        o.addIfPresent("subchannel", channelType.subchannel)
        o.add("timeslot", timeslot)
        o.add("tsc", tsc)
        switch hopping {
        case .single(let arfcn): o.add("arfcn", arfcn)
        case .hopping(let maio, let hsn):
            o.add("maio", maio)
            o.add("hsn", hsn)
        }
        return o
    }
}

extension PacketChannelDescription {
    var json: JSONLine {
        var o = JSONLine()
        o.add("channel_type", "PDCH")
        o.add("channel_type_code", channelType)
        o.add("timeslot", timeslot)
        o.add("tsc", tsc)
        switch hopping {
        case .single(let arfcn): o.add("arfcn", arfcn)
        case .indirect(let maio, let maNumberInd, let changeMark1):
            o.add("maio", maio)
            o.add("ma_number_ind", maNumberInd)
            o.addIfPresent("change_mark_1", changeMark1)
        case .direct(let maio, let hsn):
            o.add("maio", maio)
            o.add("hsn", hsn)
        }
        return o
    }
}

extension RequestReference {
    var json: JSONLine {
        var o = JSONLine()
        o.add("ra", ra)
        o.add("t1_prime", t1Prime)
        o.add("t3", t3)
        o.add("t2", t2)
        o.add("fn_mod_42432", frameNumberModulo42432)
        return o
    }
}

extension ImmediateAssignment {
    func addFields(to j: inout JSONLine) {
        j.add("page_mode", pageMode.name)
        j.add("assignment", dedicatedModeOrTBF.tbf ? (dedicatedModeOrTBF.downlink ? "downlink_tbf" : "uplink_tbf") : "dedicated")
        if dedicatedModeOrTBF.twoMessageAssignment { j.add("two_message_assignment", true) }
        switch channel {
        case .dedicated(let c): j.add("channel", .object(c.json))
        case .packet(let c): j.add("channel", .object(c.json))
        }
        j.add("request_reference", .object(requestReference.json))
        j.add("timing_advance", timingAdvance)
        j.add("mobile_allocation_length", mobileAllocation.length)
        if let t = startingTime {
            var o = JSONLine()
            o.add("t1_prime", t.t1Prime)
            o.add("t3", t.t3)
            o.add("t2", t.t2)
            j.add("starting_time", .object(o))
        }
        j.add("rest_octets", restOctets.rawValue)
    }
}

extension ImmediateAssignmentExtended {
    func addFields(to j: inout JSONLine) {
        j.add("page_mode", pageMode.name)
        j.add("assignments", .array(assignments.map { a in
            var o = JSONLine()
            o.add("channel", .object(a.channel.json))
            o.add("request_reference", .object(a.requestReference.json))
            o.add("timing_advance", a.timingAdvance)
            return .object(o)
        }))
        j.add("mobile_allocation_length", mobileAllocation.length)
    }
}

extension ImmediateAssignmentReject {
    func addFields(to j: inout JSONLine) {
        j.add("page_mode", pageMode.name)
        j.add("rejections", .array(rejections.map { r in
            var o = JSONLine()
            o.add("request_reference", .object(r.requestReference.json))
            o.add("wait_indication_s", r.waitIndication)
            return .object(o)
        }))
    }
}
