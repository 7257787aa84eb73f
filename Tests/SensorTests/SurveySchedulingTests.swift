import CellwatchModel
import Detection
import DSP
import Foundation
import LTE
import Logging
import Radio
import Simulation
import Survey
import Testing
import TestSupport
@testable import Sensor

/// The survey loop with the carrier-detection pass, on real DSP: a small simulated district (GSM450 and
/// GSM480 swept at 1 MS/s: 18 tuning steps) where a fake comes on late in the sweep, and the LTE
/// hand-off on the shared LTE recordings.
@Suite("Survey scheduling and LTE hand-off", .serialized)
struct SurveySchedulingTests {
    static let quiet = Logger(label: "survey-test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func loop(device: any RadioDevice, bands: [Band], dwell: Double, look: Double, dir: URL,
                     clock: @escaping @Sendable () -> Date) throws -> (SurveyLoop, Spool) {
        let spool = try Spool(path: dir.appendingPathComponent("spool.sqlite").path, maxBytes: 1 << 30)
        let key = try SensorKey.loadOrCreate(path: dir.appendingPathComponent("key").path)
        let random = SharedRandom(seed: 9)
        var settings = SurveyLoop.Settings(sensorID: "roof-9", bands: bands, dwellSeconds: dwell, suspectDwellSeconds: dwell,
                                           lookSeconds: look)
        settings.suspectRevisitSeconds = 5
        let loop = try SurveyLoop(settings: settings, device: device, spool: spool, signer: EvidenceSigner(key: key),
                                  position: FixedPositionProvider(latitude: 26.08, longitude: 119.3, altitude: nil, accuracy: 5),
                                  detector: Detector(baseline: Baseline(), clock: clock), metrics: SensorMetrics(),
                                  clock: clock, monotonic: { ProcessInfo.processInfo.systemUptime },
                                  ids: UUIDv7Generator(clock: clock, random: { random.next() }), logger: quiet)
        return (loop, spool)
    }

    static let district = """
        name: Survey scheduling block
        seed: 11
        start: 2026-11-29T10:00:00+08:00
        duration: 10m
        area:
          origin: {lat: 26.0820, lon: 119.2960}
        propagation: {path_loss_exponent: 3.0, shadowing_sigma_db: 0, multipath_taps: 1, delay_spread_us: 0, doppler: false}
        operators:
          - {name: Test Mobile, mcc: "460", mnc: "00", bands: [GSM450], lacs: [22801], gsm: {t3212: 20, paging_rate: 3, assignment_rate: 0.3}}
        cells:
          - {id: TM-1, operator: Test Mobile, position: {x_m: 400, y_m: 100}, arfcn: 259, bsic: 20, lac: 22801, ci: 10011, power_dbm: 50}
        fakes:
          - {id: FAKE, profile: sms_blaster, operator: Test Mobile, band: GSM450, arfcn: 291, power_dbm: 40,
             position: {x_m: -150, y_m: 50}, on: 6, off: 600}
        sensors:
          - id: ROOF
            kind: fixed
            position: {x_m: 0, y_m: 0}
            receiver: {sample_rate: 1e6, band: GSM450, centre_arfcn: 260, noise_figure_db: 8, gain_db: 55, adc: cs8}
        """

    /// Scene seconds from the fake coming on to the first decode dwell on its channel.
    static func timeToFirstDecode(look: Double) throws -> (latency: Double?, loop: SurveyLoop) {
        let dir = TestSupport.temporaryDirectory("sched-\(look)")
        let path = dir.appendingPathComponent("block.yaml")
        try Self.district.write(to: path, atomically: true, encoding: .utf8)
        let device = try SimulatedDevice(scenario: try ScenarioReader.read(path: path.path), sensorID: "ROOF",
                                         pacing: .asFastAsPossible, stopsAtEnd: false)
        let scene = SimulatedPosition(device: device)
        let (loop, _) = try Self.loop(device: device, bands: [.gsm(.gsm450), .gsm(.gsm480)], dwell: 0.3, look: look, dir: dir,
                                      clock: { scene.now })
        #expect(loop.plan.count == 18)
        let fake = CarrierKey(rat: .gsm, band: .gsm(.gsm450), channel: 291)
        while device.scenarioTime < 40 {
            try loop.step()
            if case .decode(_, let keys, _, _)? = loop.lastAction, device.scenarioTime > 6,
               keys.contains(fake) || loop.lastResults.contains(where: { $0.arfcn == 291 }) {
                return (device.scenarioTime - 6, loop)
            }
        }
        return (nil, loop)
    }

    @Test func aFakeLateInTheSweepIsDecodedWithinAPassOfLooks() throws {
        let (latency, loop) = try Self.timeToFirstDecode(look: 0.02)
        // 18 looks of ≈33 ms (two 16384-sample blocks at 1 MS/s), the dwell in progress and its own dwell.
        let l = try #require(latency, "the fake was never decoded")
        #expect(l <= 18 * 0.035 + 2 * 0.3 + 0.3, "first decode \(l) s after it came on")
        #expect(loop.stats.looks > loop.stats.dwells)
        #expect(loop.scheduler.map[CarrierKey(rat: .gsm, band: .gsm(.gsm450), channel: 259)] != nil)
        // With looks off (the old sweep) the same fake waits for the dwells to come round to its step.
        let (old, oldLoop) = try Self.timeToFirstDecode(look: 0)
        #expect(oldLoop.stats.looks == 0)
        #expect((old ?? 99) > l)
        print("survey scheduling: fake decoded \(l) s after it came on with 20 ms looks, \(old.map { String($0) } ?? "never") s with the old sweep")
    }

    // MARK: LTE hand-off

    /// A copy of a shared recording's metadata with a centre frequency, so its carrier has an EARFCN.
    static func tuned(_ relative: String, frequency: Double, dir: URL) throws -> String? {
        guard let meta = TestSupport.recording(relative) else { return nil }
        let data = String(meta.dropLast("meta".count)) + "data"
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: meta))) as! [String: Any]
        var captures = json["captures"] as! [[String: Any]]
        captures[0]["core:frequency"] = frequency
        json["captures"] = captures
        let name = (relative as NSString).lastPathComponent.replacingOccurrences(of: ".sigmf-meta", with: "")
        let out = dir.appendingPathComponent(name + ".sigmf-meta")
        try JSONSerialization.data(withJSONObject: json).write(to: out)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent(name + ".sigmf-data").path, withDestinationPath: data)
        return out.path
    }

    static func observations(_ spool: Spool) throws -> [CellObservation] {
        try spool.nextBatch(limit: 1000).filter { $0.kind == .observation }.map {
            try ReportCoding.decoder().decode(ObservationRecord.self, from: $0.payload).observation
        }
    }

    @Test(.enabled(if: TestSupport.recording("lte/srsran_1_92M_amar.sigmf-meta") != nil, "shared LTE recordings absent"))
    func anLTECarrierIsHandedToTheLTEReceiverAndItsSIB1BecomesAnObservation() throws {
        let dir = TestSupport.temporaryDirectory()
        // The Amarisoft vector has no centre frequency: give it LTE band 3's EARFCN 1300 (1815 MHz).
        let path = try #require(try Self.tuned("lte/srsran_1_92M_amar.sigmf-meta", frequency: 1815e6, dir: dir))
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let (loop, spool) = try Self.loop(device: try FileDevice(path: path), bands: [Band(name: "LTE-B3")!], dwell: 1, look: 0.02,
                                          dir: dir, clock: { t0 })
        #expect(loop.plan == [nil] && !loop.scheduler.looksEnabled)   // a recording streams: looks off
        while try loop.step() {}
        let cell = try #require(loop.lastLTEResults.first)
        #expect(cell.key == CarrierKey(rat: .lte, band: Band(name: "LTE-B3")!, channel: 1300))
        #expect(cell.report.pci == 1)
        // The same samples through the LTE receiver directly give the SIB1 the observation must carry.
        let direct = try #require(try LTEReceiver().decode(Self.samples(path), sampleRate: 1.92e6).first?.sib1)
        let o = try #require(try Self.observations(spool).first)
        #expect(o.rat == .lte && o.channel == .earfcn(EARFCN(1300)))
        #expect(o.identity.pci == 1)
        #expect(o.identity.mcc == direct.mcc && o.identity.mnc == direct.mnc)
        #expect(o.identity.areaCode == direct.trackingAreaCode && o.identity.cellId == direct.cellIdentity)
        #expect(o.cellBarred == direct.cellBarred)
        #expect(o.sensorID == "roof-9" && o.position != nil)
        #expect(loop.stats.lteCellsIdentified >= 1 && loop.stats.observations >= 1)
        // The detector judged it (an LTE cell: LTE rules and the identity checks ran).
        #expect(loop.detector.suspect(EmitterKey(CellKey(o)!, o.channel)) != nil)
    }

    @Test(.enabled(if: TestSupport.recording("lte/ltecellscanner_739MHz_1.92Msps.sigmf-meta") != nil, "shared LTE recordings absent"))
    func aRealLTECellWithoutSIB1IsFoundButGivesNoObservation() throws {
        let dir = TestSupport.temporaryDirectory()
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let path = TestSupport.recording("lte/ltecellscanner_739MHz_1.92Msps.sigmf-meta")!
        let (loop, spool) = try Self.loop(device: try FileDevice(path: path), bands: [Band(name: "LTE-B12")!], dwell: 1,
                                          look: 0.02, dir: dir, clock: { t0 })
        while try loop.step() {}
        let pcis = loop.lastLTEResults.map(\.report.pci)
        #expect(pcis.contains(277), "cells found: \(pcis)")
        #expect(loop.lastLTEResults.first?.key.channel == 5110)
        // No SIB1 in an 80 ms RTL-SDR capture of a loaded cell: no identity, so no observation is made up.
        let identified = loop.lastLTEResults.filter { $0.report.sib1 != nil }.count
        #expect(try Self.observations(spool).count == identified)
    }

    static func samples(_ path: String) throws -> [ComplexFloat] {
        let device = try FileDevice(path: path)
        let block = SampleBlock(capacity: 1 << 14)
        var out: [ComplexFloat] = []
        while try device.read(into: block) { block.withSamples { out += $0 } }
        return out
    }
}
