import CellwatchModel
import Foundation
import Yams

/// Reads a scenario file (YAML; format in docs/scenarios.md). Yams composes the document into nodes
/// that keep their line numbers; this reader maps them to `Scenario` itself, so each error names the
/// file, the line and the problem, and fills in defaults and the fake profiles' typical values.
public enum ScenarioReader {
    /// Reads the scenario at `path`.
    public static func read(path: String) throws(ScenarioError) -> Scenario {
        let name = (path as NSString).lastPathComponent
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let exists = FileManager.default.fileExists(atPath: path)
            throw ScenarioError(file: path, line: nil, problem: exists ? "cannot be read as UTF-8 text" : "no such file")
        }
        return try parse(text, file: name)
    }

    /// Parses scenario text; `file` names it in messages.
    public static func parse(_ text: String, file: String) throws(ScenarioError) -> Scenario {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            throw yamlError(e, file: file)
        } catch {
            throw ScenarioError(file: file, line: nil, problem: "is not valid YAML (\(error))")
        }
        guard let root else { throw ScenarioError(file: file, line: nil, problem: "is empty: a scenario needs at least name, operators, cells and sensors") }
        do {
            var builder = Builder(file: file)
            return try builder.scenario(root)
        } catch let e as ScenarioError {
            throw e
        } catch {
            throw ScenarioError(file: file, line: nil, problem: "\(error)")
        }
    }

    static func yamlError(_ e: YamlError, file: String) -> ScenarioError {
        switch e {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ScenarioError(file: file, line: mark.line, problem: "is not valid YAML: \(problem)")
        case .duplicatedKeysInMapping(let dups, let context):
            return ScenarioError(file: file, line: context.mark.line, problem: "repeats the key \(dups.map { "'\($0)'" }.joined(separator: ", ")) in one mapping")
        case .reader(let problem, _, _, _):
            return ScenarioError(file: file, line: nil, problem: "is not valid YAML text: \(problem)")
        default:
            return ScenarioError(file: file, line: nil, problem: "is not valid YAML: \(e)")
        }
    }
}

/// The mapping from nodes to the model, one scenario at a time.
private struct Builder {
    let file: String
    var frame = LocalFrame(origin: GeoPoint(latitude: 0, longitude: 0))

    init(file: String) { self.file = file }

    static let topKeys = ["name", "seed", "start", "duration", "area", "propagation", "operators", "cells", "fakes", "sensors"]

    mutating func scenario(_ root: Node) throws -> Scenario {
        let f = try YAMLFields(root, file: file, context: "the scenario", allowed: Self.topKeys)
        let name = try f.string("name") ?? (file as NSString).deletingPathExtension
        let seed: UInt64
        if let s = try f.string("seed") {
            guard let v = UInt64(s) ?? UInt64(s.replacingOccurrences(of: "_", with: "")) else {
                throw f.error("seed", "'seed' must be a whole number ≥ 0, not '\(s)'")
            }
            seed = v
        } else {
            seed = 1
        }
        var start = Date(timeIntervalSince1970: 1_796_000_000) // 2026-11-30T… a fixed default, never "now"
        if let s = try f.string("start") {
            let iso = ISO8601DateFormatter()
            iso.formatOptions = [.withInternetDateTime]
            let isoFrac = ISO8601DateFormatter()
            isoFrac.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            guard let d = iso.date(from: s) ?? isoFrac.date(from: s) else {
                throw f.error("start", "'start' must be an ISO 8601 time with zone, e.g. 2026-11-29T08:00:00Z, not '\(s)'")
            }
            start = d
        }
        let duration = try f.seconds("duration", in: 1...86_400) ?? 600

        guard let areaNode = f.node("area") else { throw f.missing("area", "its origin: lat and lon") }
        let area = try YAMLFields(areaNode, file: file, context: "area", allowed: ["origin"])
        guard let originNode = area.node("origin") else { throw area.missing("origin") }
        let origin = try point(originNode, fields: area, name: "origin of the area", allowLocal: false).point
        frame = LocalFrame(origin: origin)

        var propagation = PropagationSettings()
        if let p = f.node("propagation") { propagation = try self.propagation(p) }

        guard let opNodes = try f.list("operators"), !opNodes.isEmpty else { throw f.missing("operators", "at least one") }
        var operators: [Operator] = []
        for n in opNodes {
            let op = try self.operatorSpec(n)
            if operators.contains(where: { $0.name == op.name }) {
                throw ScenarioError(file: file, line: n.mark?.line, problem: "operator '\(op.name)' is defined twice")
            }
            operators.append(op)
        }

        // Cells in two passes: identities first, then neighbour lists (which may name later cells).
        var cells: [LegitimateCell] = []
        var neighbourNodes: [(Int, YAMLFields)] = []
        for n in try f.list("cells") ?? [] {
            let (cell, fields) = try self.cell(n, operators: operators)
            if cells.contains(where: { $0.id == cell.id }) {
                throw ScenarioError(file: file, line: n.mark?.line, problem: "cell id '\(cell.id)' is used twice")
            }
            cells.append(cell)
            neighbourNodes.append((cells.count - 1, fields))
        }
        for (i, fields) in neighbourNodes {
            cells[i].neighbours = try neighbours(fields, cells: cells)
        }

        var fakes: [FakeBaseStation] = []
        for n in try f.list("fakes") ?? [] {
            let fake = try self.fake(n, operators: operators, cells: cells, duration: duration, seed: seed &+ UInt64(fakes.count))
            if fakes.contains(where: { $0.id == fake.id }) || cells.contains(where: { $0.id == fake.id }) {
                throw ScenarioError(file: file, line: n.mark?.line, problem: "transmitter id '\(fake.id)' is used twice")
            }
            fakes.append(fake)
        }
        if cells.isEmpty && fakes.isEmpty { throw f.missing("cells", "a scenario needs at least one transmitter") }

        guard let sensorNodes = try f.list("sensors"), !sensorNodes.isEmpty else { throw f.missing("sensors", "at least one") }
        var sensors: [SensorSpec] = []
        for n in sensorNodes {
            let s = try sensor(n, cells: cells)
            if sensors.contains(where: { $0.id == s.id }) {
                throw ScenarioError(file: file, line: n.mark?.line, problem: "sensor id '\(s.id)' is used twice")
            }
            sensors.append(s)
        }
        return Scenario(name: name, source: file, seed: seed, startTime: start, duration: duration, origin: origin,
                        propagation: propagation, operators: operators, cells: cells, fakes: fakes, sensors: sensors)
    }

    func propagation(_ n: Node) throws -> PropagationSettings {
        let f = try YAMLFields(n, file: file, context: "propagation",
                               allowed: ["path_loss_exponent", "reference_distance_m", "reference_loss_db", "shadowing_sigma_db",
                                         "shadowing_correlation_m", "multipath_taps", "delay_spread_us", "doppler"])
        var p = PropagationSettings()
        p.pathLossExponent = try f.double("path_loss_exponent", in: 1.5...6) ?? p.pathLossExponent
        if let d = try f.double("reference_distance_m", unit: "m") {
            guard d == 1 || d == 1000 else { throw f.error("reference_distance_m", "'reference_distance_m' of propagation must be 1 or 1000 (metres), not \(d)") }
            p.referenceDistance = d
        }
        p.referenceLoss = try f.double("reference_loss_db", in: 0...200, unit: "dB")
        p.shadowingSigma = try f.double("shadowing_sigma_db", in: 0...20, unit: "dB") ?? p.shadowingSigma
        p.shadowingCorrelationDistance = try f.double("shadowing_correlation_m", in: 1...10_000, unit: "m") ?? p.shadowingCorrelationDistance
        p.multipathTaps = try f.int("multipath_taps", in: 1...8) ?? p.multipathTaps
        if let us = try f.double("delay_spread_us", in: 0...20, unit: "µs") { p.delaySpread = us * 1e-6 }
        p.doppler = try f.bool("doppler") ?? p.doppler
        return p
    }

    /// The name or id of a list entry, read before its other fields so their errors can name it.
    func identifier(_ n: Node, _ key: String, what: String) throws -> String {
        guard case .mapping(let m) = n else {
            throw ScenarioError(file: file, line: n.mark?.line, problem: "\(what) must be a mapping of fields (key: value), not \(YAMLFields.kind(n))")
        }
        guard let v = m[key], case .scalar(let sc) = v, !sc.string.isEmpty else {
            throw ScenarioError(file: file, line: n.mark?.line, problem: "\(what) has no '\(key)'")
        }
        return sc.string
    }

    // MARK: Operators and cells

    func operatorSpec(_ n: Node) throws -> Operator {
        let name = try identifier(n, "name", what: "an operator")
        let f = try YAMLFields(n, file: file, context: "operator '\(name)'", allowed: ["name", "mcc", "mnc", "bands", "lacs", "gsm"])
        let mcc = try digits(f, "mcc", counts: [3])
        let mnc = try digits(f, "mnc", counts: [2, 3])
        // An operator may run no GSM at all (China Telecom: CDMA, then LTE only): `bands: []`.
        guard let bandNodes = try f.list("bands") else { throw f.missing("bands", "its GSM bands, e.g. [E-GSM900, DCS1800], or [] for none") }
        var bands: [GSMBand] = []
        for b in bandNodes {
            guard let s = b.scalar?.string, case .gsm(let band)? = Band(name: s) else {
                throw f.error(at: b, "unknown GSM band '\(b.scalar?.string ?? "?")' in operator '\(name)'; expected one of: \(GSMBand.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            bands.append(band)
        }
        var lacs: [Int] = []
        for l in try f.list("lacs") ?? [] {
            lacs.append(try YAMLFields.integer(l, fields: f, name: "a LAC of operator '\(name)'", in: 1...65533))
        }
        var gsm = GSMBroadcastSettings()
        if let g = f.node("gsm") { gsm = try settings(g, base: gsm, context: "gsm parameters of operator '\(name)'") }
        return Operator(name: name, mcc: mcc, mnc: mnc, bands: bands, lacs: lacs, gsm: gsm)
    }

    static let cellKeys = ["id", "operator", "position", "band", "arfcn", "bsic", "lac", "ci", "power_dbm",
                           "frequency_error_ppm", "gsm", "neighbours"]

    func cell(_ n: Node, operators: [Operator]) throws -> (LegitimateCell, YAMLFields) {
        let id = try identifier(n, "id", what: "a cell")
        let f = try YAMLFields(n, file: file, context: "cell '\(id)'", allowed: Self.cellKeys)
        let op = try operatorRef(f, operators: operators, required: true)!
        guard let posNode = f.node("position") else { throw f.missing("position", "lat and lon, or x_m and y_m") }
        let position = try point(posNode, fields: f, name: "position of cell '\(id)'", allowLocal: true).point
        let (band, arfcn) = try channel(f, op: op, required: true)!
        let bsic = try f.int("bsic", in: 0...63)
        guard let bsic else { throw f.missing("bsic", "0–63, NCC·8 + BCC") }
        guard let lac = try f.int("lac", in: 1...65533) else { throw f.missing("lac") }
        if !op.lacs.isEmpty && !op.lacs.contains(lac) {
            throw f.error("lac", "LAC \(lac) of cell '\(id)' is not in the LAC plan of operator '\(op.name)' (\(op.lacs.map(String.init).joined(separator: ", ")))")
        }
        guard let ci = try f.int("ci", in: 0...65535) else { throw f.missing("ci") }
        guard let power = try f.double("power_dbm", in: 0...80, unit: "dBm") else { throw f.missing("power_dbm", "EIRP in dBm") }
        let ppm = try f.double("frequency_error_ppm", in: -100...100, unit: "ppm") ?? 0.02
        var gsm = op.gsm
        if let g = f.node("gsm") { gsm = try settings(g, base: gsm, context: "gsm parameters of cell '\(id)'") }
        let cell = LegitimateCell(id: id, operatorName: op.name, mcc: op.mcc, mnc: op.mnc, position: position, band: band, arfcn: arfcn,
                                  bsic: bsic, lac: lac, cellIdentity: ci, powerDBm: power, frequencyErrorPPM: ppm, gsm: gsm, neighbours: [])
        return (cell, f)
    }

    func neighbours(_ f: YAMLFields, cells: [LegitimateCell]) throws -> [ARFCN] {
        var out: [ARFCN] = []
        for n in try f.list("neighbours") ?? [] {
            guard let s = n.scalar?.string else { throw f.error(at: n, "a neighbour of \(f.context) must be a cell id or an ARFCN") }
            if let c = cells.first(where: { $0.id == s }) {
                out.append(c.arfcn)
            } else if let a = Int(s) {
                guard GSMBand.allCases.contains(where: { $0.contains(ARFCN(a)) }) else {
                    throw f.error(at: n, "neighbour ARFCN \(a) of \(f.context) is in no GSM band")
                }
                out.append(ARFCN(a))
            } else {
                throw f.error(at: n, "neighbour '\(s)' of \(f.context) is not a cell of this scenario (cells: \(cells.map(\.id).joined(separator: ", ")))")
            }
        }
        return out
    }

    func operatorRef(_ f: YAMLFields, operators: [Operator], required: Bool) throws -> Operator? {
        guard let name = try f.string("operator") else {
            if required { throw f.missing("operator") }
            return nil
        }
        guard let op = operators.first(where: { $0.name == name }) else {
            throw f.error("operator", "\(f.context) names operator '\(name)', which is not defined (operators: \(operators.map(\.name).joined(separator: ", ")))")
        }
        return op
    }

    /// Band and ARFCN; the band defaults to the operator's band that holds the ARFCN.
    func channel(_ f: YAMLFields, op: Operator?, required: Bool) throws -> (GSMBand, ARFCN)? {
        guard let a = try f.int("arfcn", in: 0...1023) else {
            if required { throw f.missing("arfcn") }
            return nil
        }
        let arfcn = ARFCN(a)
        if let bandName = try f.string("band") {
            guard case .gsm(let band)? = Band(name: bandName) else {
                throw f.error("band", "unknown GSM band '\(bandName)' in \(f.context); expected one of: \(GSMBand.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard band.contains(arfcn) else {
                throw f.error("arfcn", "ARFCN \(a) of \(f.context) is not in band \(band.rawValue) (\(band.arfcnRanges.map { "\($0.lowerBound)–\($0.upperBound)" }.joined(separator: ", ")))")
            }
            if let op, !op.bands.contains(band) {
                throw f.error("band", "\(f.context) is on band \(band.rawValue), which operator '\(op.name)' does not use (\(op.bands.map(\.rawValue).joined(separator: ", ")))")
            }
            return (band, arfcn)
        }
        let candidates = op?.bands ?? [.egsm900, .dcs1800]
        if let op, candidates.isEmpty {
            throw f.error("arfcn", "\(f.context) is a GSM cell, but operator '\(op.name)' runs no GSM (its bands are [])")
        }
        guard let band = candidates.first(where: { $0.contains(arfcn) }) else {
            throw f.error("arfcn", "ARFCN \(a) of \(f.context) is in none of the bands \(op.map { "of operator '\($0.name)' " } ?? "")(\(candidates.map(\.rawValue).joined(separator: ", ")))")
        }
        return (band, arfcn)
    }

    static let settingKeys = ["cell_reselect_offset", "temporary_offset", "penalty_time", "cell_reselect_hysteresis",
                              "rxlev_access_min", "ms_txpwr_max_cch", "t3212", "bs_pa_mfrms", "bs_ag_blks_res", "ccch_conf",
                              "att", "cell_bar_access", "max_retrans", "tx_integer", "gprs", "paging_rate", "assignment_rate"]

    func settings(_ n: Node, base: GSMBroadcastSettings, context: String) throws -> GSMBroadcastSettings {
        let f = try YAMLFields(n, file: file, context: context, allowed: Self.settingKeys)
        var s = base
        s.cellReselectOffset = try f.int("cell_reselect_offset", in: 0...63) ?? s.cellReselectOffset
        s.temporaryOffset = try f.int("temporary_offset", in: 0...7) ?? s.temporaryOffset
        s.penaltyTime = try f.int("penalty_time", in: 0...31) ?? s.penaltyTime
        s.cellReselectHysteresis = try f.int("cell_reselect_hysteresis", in: 0...7) ?? s.cellReselectHysteresis
        s.rxlevAccessMin = try f.int("rxlev_access_min", in: 0...63) ?? s.rxlevAccessMin
        s.msTxpwrMaxCCH = try f.int("ms_txpwr_max_cch", in: 0...31) ?? s.msTxpwrMaxCCH
        s.t3212 = try f.int("t3212", in: 0...255) ?? s.t3212
        s.bsPaMfrms = try f.int("bs_pa_mfrms", in: 2...9) ?? s.bsPaMfrms
        s.bsAgBlksRes = try f.int("bs_ag_blks_res", in: 0...7) ?? s.bsAgBlksRes
        if let c = try f.int("ccch_conf") {
            guard c == 0 else { throw f.error("ccch_conf", "'ccch_conf' of \(context) is \(c), but the simulated transmitter sends only 0 (one CCCH, not combined with SDCCH; TS 44.018 §10.5.2.11)") }
            s.ccchConf = c
        }
        s.att = try f.bool("att") ?? s.att
        s.cellBarAccess = try f.bool("cell_bar_access") ?? s.cellBarAccess
        if let m = try f.int("max_retrans") {
            guard [1, 2, 4, 7].contains(m) else { throw f.error("max_retrans", "'max_retrans' of \(context) must be 1, 2, 4 or 7 (TS 44.018 §10.5.2.29), not \(m)") }
            s.maxRetrans = m
        }
        s.txInteger = try f.int("tx_integer", in: 0...15) ?? s.txInteger
        s.gprs = try f.bool("gprs") ?? s.gprs
        s.pagingRate = try f.double("paging_rate", in: 0...200, unit: "per second") ?? s.pagingRate
        s.assignmentRate = try f.double("assignment_rate", in: 0...50, unit: "per second") ?? s.assignmentRate
        return s
    }

    func digits(_ f: YAMLFields, _ key: String, counts: [Int]) throws -> String {
        guard let s = try f.string(key) else { throw f.missing(key) }
        guard counts.contains(s.count), s.allSatisfy(\.isNumber) else {
            throw f.error(key, "'\(key)' of \(f.context) must be \(counts.map(String.init).joined(separator: " or ")) digits written as a string (e.g. \"\(key == "mcc" ? "460" : "00")\"), not '\(s)'")
        }
        return s
    }

    // MARK: Fakes

    static let fakeKeys = ["id", "profile", "operator", "mcc", "mnc", "clone_of", "band", "arfcn", "earfcn", "pci", "bsic", "lac", "ci",
                           "power_dbm", "frequency_error_ppm", "frequency_error_hz", "position", "path", "on", "off", "active",
                           "gsm", "neighbours"]

    func fake(_ n: Node, operators: [Operator], cells: [LegitimateCell], duration: Double, seed: UInt64) throws -> FakeBaseStation {
        let id = try identifier(n, "id", what: "a fake base station")
        let f = try YAMLFields(n, file: file, context: "fake base station '\(id)'", allowed: Self.fakeKeys)
        let profileName = try f.requiredString("profile")
        guard let profile = FakeProfile(rawValue: profileName) else {
            throw f.error("profile", "unknown profile '\(profileName)' in \(f.context); expected one of: \(FakeProfile.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var rng = SplitMix64(seed: seed ^ 0xFA4E)
        var op = try operatorRef(f, operators: operators, required: false)
        var clone: LegitimateCell?
        if let c = try f.string("clone_of") {
            guard profile == .identityClone else { throw f.error("clone_of", "'clone_of' is only for profile identity_clone, not \(profile.rawValue)") }
            guard let cell = cells.first(where: { $0.id == c }) else {
                throw f.error("clone_of", "\(f.context) clones cell '\(c)', which is not a cell of this scenario")
            }
            clone = cell
            op = op ?? operators.first { $0.name == cell.operatorName }
        } else if profile == .identityClone {
            throw f.missing("clone_of", "the id of the legitimate cell whose identity it copies")
        }

        var mcc = op?.mcc, mnc = op?.mnc
        if let m = try f.string("mcc") { mcc = try digits(f, "mcc", counts: [3]); _ = m }
        if let m = try f.string("mnc") { mnc = try digits(f, "mnc", counts: [2, 3]); _ = m }
        guard let mcc, let mnc else { throw f.missing("operator", "or mcc and mnc: the network identity it shows") }

        var band: GSMBand?, arfcn: ARFCN?, earfcn: Int?, pci: Int?
        if profile == .lteDowngrade {
            guard let e = try f.int("earfcn", in: 0...262143) else { throw f.missing("earfcn", "the LTE downlink channel") }
            guard LTEDownlink.frequency(earfcn: e) != nil else { throw f.error("earfcn", "EARFCN \(e) of \(f.context) is in no LTE band this project knows") }
            earfcn = e
            pci = try f.int("pci", in: 0...503) ?? Int(rng.next() % 504)
        } else {
            let (b, a) = try channel(f, op: nil, required: true)!
            band = b
            arfcn = a
            if let clone, clone.arfcn == a {
                throw f.error("arfcn", "\(f.context) clones '\(clone.id)' on its own ARFCN \(a.value); an identity clone transmits on another ARFCN")
            }
        }

        // Identity: the clone copies its victim's; the others pick a LAC outside the operator's plan.
        let plan = op?.lacs ?? []
        var defaultLAC = Int(rng.next() % 60000) + 1000
        while plan.contains(defaultLAC) { defaultLAC = Int(rng.next() % 60000) + 1000 }
        let lac = try f.int("lac", in: 1...65533) ?? clone?.lac ?? defaultLAC
        let ci = try f.int("ci", in: 0...65535) ?? clone?.cellIdentity ?? Int(rng.next() % 65535)
        let bsic = try f.int("bsic", in: 0...63) ?? clone?.bsic ?? Int(rng.next() % 64)

        var gsm = op?.gsm ?? GSMBroadcastSettings()
        let defaults = ProfileDefaults(profile)
        defaults.apply(to: &gsm, clone: clone)
        if let g = f.node("gsm") { gsm = try settings(g, base: gsm, context: "gsm parameters of \(f.context)") }
        let power = try f.double("power_dbm", in: 0...80, unit: "dBm") ?? defaults.powerDBm
        let centre = band.flatMap { b in arfcn.flatMap { b.downlink($0) } }?.value ?? LTEDownlink.frequency(earfcn: earfcn ?? 0)?.value ?? 1e9
        var ppm = defaults.frequencyErrorHz / centre * 1e6
        if let p = try f.double("frequency_error_ppm", in: -100...100, unit: "ppm") { ppm = p }
        if let hz = try f.double("frequency_error_hz", in: -100_000...100_000, unit: "Hz") {
            if f.has("frequency_error_ppm") { throw f.error("frequency_error_hz", "\(f.context) gives both frequency_error_ppm and frequency_error_hz; give one") }
            ppm = hz / centre * 1e6
        }

        let trajectory = try motion(f, required: true)!
        if profile == .staticCatcher && !trajectory.isFixed {
            throw f.error("path", "a static_catcher stays at one spot: give it a 'position', not a 'path'")
        }
        let active = try activeIntervals(f, duration: duration)

        var neighbours = clone?.neighbours ?? []
        if profile == .smsBlaster || profile == .staticCatcher { neighbours = [] }
        if f.has("neighbours") { neighbours = try self.neighbours(f, cells: cells) }

        return FakeBaseStation(id: id, profile: profile, operatorName: op?.name, mcc: mcc, mnc: mnc, cloneOf: clone?.id,
                               band: band, arfcn: arfcn, earfcn: earfcn, pci: pci, bsic: bsic, lac: lac, cellIdentity: ci,
                               powerDBm: power, frequencyErrorPPM: ppm, trajectory: trajectory, activeIntervals: active,
                               gsm: gsm, neighbours: neighbours)
    }

    func activeIntervals(_ f: YAMLFields, duration: Double) throws -> [ClosedRange<Double>] {
        if let list = try f.list("active") {
            if f.has("on") || f.has("off") { throw f.error("active", "\(f.context) gives both 'active' and 'on'/'off'; give one") }
            var out: [ClosedRange<Double>] = []
            for item in list {
                guard case .sequence(let pair) = item, pair.count == 2 else {
                    throw f.error(at: item, "each entry of 'active' in \(f.context) must be a pair [on, off] of times")
                }
                let a = try YAMLFields.seconds(pair[0], fields: f, name: "an 'active' start of \(f.context)", in: 0...86_400)
                let b = try YAMLFields.seconds(pair[1], fields: f, name: "an 'active' end of \(f.context)", in: 0...86_400)
                guard b > a else { throw f.error(at: item, "an 'active' interval of \(f.context) ends (\(b) s) before it starts (\(a) s)") }
                out.append(a...b)
            }
            return out
        }
        let on = try f.seconds("on", in: 0...86_400) ?? 0
        let off = try f.seconds("off", in: 0...86_400) ?? max(duration, on + 1)
        guard off > on else { throw f.error("off", "\(f.context) switches off (\(off) s) before it switches on (\(on) s)") }
        return [on...off]
    }

    // MARK: Positions and motion

    /// A point: {lat, lon}, {x_m, y_m} (metres east and north of the origin) or [lat, lon]; with `t` when timed.
    func point(_ n: Node, fields: YAMLFields, name: String, allowLocal: Bool, timed: Bool = false) throws -> (point: GeoPoint, time: Double?) {
        switch n {
        case .sequence(let s):
            guard s.count == 2 || (timed && s.count == 3) else {
                throw fields.error(at: n, "\(name) must be [lat, lon]\(timed ? " or [lat, lon, t]" : "") or a mapping with lat and lon")
            }
            let lat = try YAMLFields.number(s[0], fields: fields, name: "latitude of \(name)", in: -90...90, unit: "degrees")
            let lon = try YAMLFields.number(s[1], fields: fields, name: "longitude of \(name)", in: -180...180, unit: "degrees")
            let t = s.count == 3 ? try YAMLFields.seconds(s[2], fields: fields, name: "time of \(name)", in: 0...86_400) : nil
            return (GeoPoint(latitude: lat, longitude: lon), t)
        case .mapping:
            var keys = ["lat", "lon"]
            if allowLocal { keys += ["x_m", "y_m"] }
            if timed { keys.append("t") }
            let p = try YAMLFields(n, file: file, context: name, allowed: keys)
            let t = timed ? try p.seconds("t", in: 0...86_400) : nil
            if p.has("x_m") || p.has("y_m") {
                if p.has("lat") || p.has("lon") { throw p.error(nil, "\(name) gives both lat/lon and x_m/y_m; give one") }
                let x = try p.requiredDouble("x_m", in: -100_000...100_000, unit: "m")
                let y = try p.requiredDouble("y_m", in: -100_000...100_000, unit: "m")
                return (frame.geo(ENU(east: x, north: y)), t)
            }
            guard let latNode = p.node("lat") else { throw p.missing("lat") }
            guard let lonNode = p.node("lon") else { throw p.missing("lon") }
            let lat = try YAMLFields.number(latNode, fields: p, name: "latitude of \(name)", in: -90...90, unit: "degrees")
            let lon = try YAMLFields.number(lonNode, fields: p, name: "longitude of \(name)", in: -180...180, unit: "degrees")
            let g = GeoPoint(latitude: lat, longitude: lon)
            if allowLocal {
                let d = GeoFix.distanceMeters(frame.origin.latitude, frame.origin.longitude, lat, lon)
                if d > 100_000 {
                    throw p.error(nil, "\(name) is \(Int(d / 1000)) km from the area origin; a scenario covers at most 100 km")
                }
            }
            return (g, t)
        default:
            throw fields.error(at: n, "\(name) must be a mapping with lat and lon (or x_m and y_m), or [lat, lon]")
        }
    }

    static let pathKeys = ["waypoints", "route", "speed_kmh", "speed_mps", "start", "loop"]

    /// `position:` (fixed) or `path:` (waypoints with times, or a route with a speed).
    func motion(_ f: YAMLFields, required: Bool) throws -> Trajectory? {
        if let pos = f.node("position") {
            if f.has("path") { throw f.error("path", "\(f.context) gives both 'position' and 'path'; give one") }
            return .fixed(try point(pos, fields: f, name: "position of \(f.context)", allowLocal: true).point)
        }
        guard let pathNode = f.node("path") else {
            if required { throw f.missing("position", "or 'path'") }
            return nil
        }
        let p = try YAMLFields(pathNode, file: file, context: "path of \(f.context)", allowed: Self.pathKeys)
        let loop = try p.bool("loop") ?? false
        if let wps = try p.list("waypoints") {
            if p.has("route") { throw p.error("route", "path of \(f.context) gives both 'waypoints' and 'route'; give one") }
            guard !wps.isEmpty else { throw p.error("waypoints", "path of \(f.context) has no waypoints") }
            var points: [GeoPoint] = [], times: [Double] = []
            for (i, w) in wps.enumerated() {
                let (pt, t) = try point(w, fields: p, name: "waypoint \(i + 1) of \(f.context)", allowLocal: true, timed: true)
                guard let t else { throw p.error(at: w, "waypoint \(i + 1) of \(f.context) has no time 't' (a route without times takes 'route' and a speed)") }
                if let last = times.last, t <= last {
                    throw p.error(at: w, "waypoint \(i + 1) of \(f.context) is at \(t) s, not after the one before (\(last) s)")
                }
                points.append(pt)
                times.append(t)
            }
            let period = loop ? (times.last! - times[0]) : nil
            return Trajectory(points: points, times: times, loopPeriod: period)
        }
        guard let route = try p.list("route"), route.count >= 2 else {
            throw p.missing("route", "at least two points, with speed_kmh or speed_mps; or 'waypoints' with times")
        }
        var speed: Double
        if let k = try p.double("speed_kmh", in: 0.1...300, unit: "km/h") { speed = k / 3.6 }
        else if let m = try p.double("speed_mps", in: 0.03...85, unit: "m/s") { speed = m }
        else { throw p.missing("speed_kmh", "or speed_mps") }
        let start = try p.seconds("start", in: 0...86_400) ?? 0
        var points: [GeoPoint] = []
        for (i, r) in route.enumerated() {
            points.append(try point(r, fields: p, name: "route point \(i + 1) of \(f.context)", allowLocal: true).point)
        }
        if loop, points.first != points.last { points.append(points[0]) }
        var times = [start]
        for i in 1..<points.count {
            let d = frame.enu(points[i - 1]).distance(to: frame.enu(points[i]))
            times.append(times[i - 1] + max(d / speed, 1e-3))
        }
        return Trajectory(points: points, times: times, loopPeriod: loop ? times.last! - start : nil)
    }

    // MARK: Sensors

    static let sensorKeys = ["id", "kind", "position", "path", "receiver"]
    static let receiverKeys = ["sample_rate", "centre_frequency_hz", "centre_arfcn", "band", "sweep_hz", "sweep_arfcns", "dwell_s",
                               "noise_figure_db", "gain_db", "adc", "clipping", "clock_error_ppm"]

    func sensor(_ n: Node, cells: [LegitimateCell]) throws -> SensorSpec {
        let id = try identifier(n, "id", what: "a sensor")
        let f = try YAMLFields(n, file: file, context: "sensor '\(id)'", allowed: Self.sensorKeys)
        let kindName = try f.string("kind") ?? (f.has("path") ? "vehicle" : "fixed")
        guard let kind = SensorSpec.Kind(rawValue: kindName) else {
            throw f.error("kind", "unknown kind '\(kindName)' of \(f.context); expected vehicle or fixed")
        }
        let trajectory = try motion(f, required: true)!
        if kind == .fixed && !trajectory.isFixed { throw f.error("path", "\(f.context) is a fixed site: give it a 'position', not a 'path'") }
        var r = ReceiverSettings()
        guard let rn = f.node("receiver") else { throw f.missing("receiver", "at least centre_frequency_hz or centre_arfcn") }
        let rf = try YAMLFields(rn, file: file, context: "receiver of sensor '\(id)'", allowed: Self.receiverKeys)
        r.sampleRate = try rf.double("sample_rate", in: 200_000...20_000_000, unit: "samples/s") ?? r.sampleRate
        var band: GSMBand?
        if let b = try rf.string("band") {
            guard case .gsm(let g)? = Band(name: b) else {
                throw rf.error("band", "unknown GSM band '\(b)' in \(rf.context); expected one of: \(GSMBand.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            band = g
        }
        func arfcnFrequency(_ node: Node) throws -> Hertz {
            let a = try YAMLFields.integer(node, fields: rf, name: "an ARFCN of \(rf.context)", in: 0...1023)
            let b = band ?? [GSMBand.egsm900, .dcs1800].first { $0.contains(ARFCN(a)) }
            guard let b, let fr = b.downlink(ARFCN(a)) else {
                throw rf.error(at: node, "ARFCN \(a) of \(rf.context) is not in band \(band?.rawValue ?? "E-GSM900 or DCS1800")")
            }
            return fr
        }
        var tuning: [Hertz] = []
        if let c = try rf.double("centre_frequency_hz", in: 1e6...6e9, unit: "Hz") { tuning.append(Hertz(c)) }
        if let a = rf.node("centre_arfcn") { tuning.append(try arfcnFrequency(a)) }
        for s in try rf.list("sweep_hz") ?? [] {
            tuning.append(Hertz(try YAMLFields.number(s, fields: rf, name: "a sweep frequency of \(rf.context)", in: 1e6...6e9, unit: "Hz")))
        }
        for s in try rf.list("sweep_arfcns") ?? [] { tuning.append(try arfcnFrequency(s)) }
        guard !tuning.isEmpty else { throw rf.missing("centre_frequency_hz", "or centre_arfcn, sweep_hz, sweep_arfcns") }
        r.tuning = tuning
        r.dwell = try rf.seconds("dwell_s", in: 0.01...3600) ?? r.dwell
        r.noiseFigure = try rf.double("noise_figure_db", in: 0...30, unit: "dB") ?? r.noiseFigure
        r.gain = try rf.double("gain_db", in: -20...120, unit: "dB") ?? r.gain
        if let a = try rf.string("adc") {
            guard let adc = ReceiverSettings.ADCFormat(rawValue: a.lowercased()) else {
                throw rf.error("adc", "unknown ADC format '\(a)' of \(rf.context); expected cu8 (RTL-SDR), cs8 (HackRF) or cf32")
            }
            r.adc = adc
        }
        r.clipping = try rf.bool("clipping") ?? r.clipping
        r.clockErrorPPM = try rf.double("clock_error_ppm", in: -200...200, unit: "ppm") ?? r.clockErrorPPM
        return SensorSpec(id: id, kind: kind, trajectory: trajectory, receiver: r)
    }
}
