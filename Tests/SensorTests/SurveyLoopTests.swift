import CellwatchModel
import Detection
import Foundation
import Logging
import GSM
import Radio
import Survey
import Testing
import TestSupport
@testable import Sensor

@Suite("Survey loop")
struct SurveyLoopTests {
    static let recording = TestSupport.recording("gsm/ref_c0_clean.sigmf-meta")

    @Test func sweepPlanCoversEachBand() {
        let centres = SweepPlan.centres(bands: [.gsm(.egsm900)], sampleRate: 10e6)
        // E-GSM 900 downlink 925.2–959.8 MHz carriers ± 100 kHz: 34.8 MHz in 5 steps of 8 MHz usable.
        #expect(centres.count == 5)
        let r = Band.gsm(.egsm900).downlinkRange
        #expect(centres.first!.value - 4e6 <= r.lowerBound.value)
        #expect(centres.last!.value + 4e6 >= r.upperBound.value)
    }

    /// The survey looks only inside the radio's alias-free span: a recording or the simulator (0.9) as
    /// before (8 MHz steps at 10 MS/s, 5 % edge guards, offsets to 0.45 fs), a HackRF with its survey
    /// filter (0.5) in steps of 0.4 fs with a quarter of the span guarded at each edge, every downlink
    /// frequency still within the trusted offset of some step.
    @Test func sweepFollowsTheRadiosAliasFreeSpan() {
        #expect(SweepPlan.stepFraction(aliasFree: 0.9) == 0.8)
        #expect(SweepPlan.scanConfiguration(bands: [], aliasFree: 0.9).edgeGuard == 0.05)
        #expect(SweepPlan.trustedOffset(sampleRate: 10e6, aliasFree: 0.9) == 4.5e6)

        let rate = 20e6, u = 0.5
        #expect(SweepPlan.scanConfiguration(bands: [.gsm(.egsm900)], aliasFree: u).edgeGuard == 0.25)
        for band in [Band.gsm(.egsm900), .gsm(.dcs1800)] {
            let centres = SweepPlan.centres(bands: [band], sampleRate: rate, usableFraction: SweepPlan.stepFraction(aliasFree: u))
            let trusted = SweepPlan.trustedOffset(sampleRate: rate, aliasFree: u)
            #expect(trusted == 5e6)
            let r = band.downlinkRange
            for f in stride(from: r.lowerBound.value, through: r.upperBound.value, by: 100e3) {
                #expect(centres.contains { abs($0.value - f) <= trusted }, "\(band.name) \(f) Hz is in no step's trusted span")
            }
            // Closer steps than the 0.8 a 0.9 radio uses: E-GSM 900 in 5 steps of 8 MHz, not 3 of 16.
            if band == .gsm(.egsm900) { #expect(centres.count == 5) }
        }
    }

    struct Rig {
        let loop: SurveyLoop
        let spool: Spool
        let dir: URL
    }

    func rig(position: (any PositionProvider)?, dwell: Double = 2) throws -> Rig {
        let dir = TestSupport.temporaryDirectory()
        let device = try FileDevice(path: try #require(Self.recording))
        let spool = try Spool(path: dir.appendingPathComponent("spool.sqlite").path, maxBytes: 1 << 30)
        let key = try SensorKey.loadOrCreate(path: dir.appendingPathComponent("key").path)
        let random = SharedRandom(seed: 3)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let loop = try SurveyLoop(settings: .init(sensorID: "van-07", bands: [.gsm(.egsm900)], dwellSeconds: dwell),
                                  device: device, spool: spool, signer: EvidenceSigner(key: key), position: position,
                                  detector: Detector(baseline: Baseline(), clock: { t0 }), metrics: SensorMetrics(),
                                  clock: { t0 }, monotonic: { ProcessInfo.processInfo.systemUptime },
                                  ids: UUIDv7Generator(clock: { t0 }, random: { random.next() }), logger: Logger(label: "test"))
        return Rig(loop: loop, spool: spool, dir: dir)
    }

    func spooledObservations(_ spool: Spool) throws -> [CellObservation] {
        try spool.nextBatch(limit: 1000).filter { $0.kind == .observation }.map {
            try ReportCoding.decoder().decode(ObservationRecord.self, from: $0.payload).observation
        }
    }

    @Test(.enabled(if: recording != nil, "shared GSM reference recording absent"))
    func recordingIsSurveyedDecodedAndSpooledWithPosition() throws {
        let site = FixedPositionProvider(latitude: 52.52, longitude: 13.405, altitude: 40, accuracy: 5)
        let r = try rig(position: site)
        #expect(r.loop.plan == [nil])          // a recording cannot be tuned: it streams
        while try r.loop.step() {}
        #expect(r.loop.streamEnded)
        let stats = r.loop.stats
        #expect(stats.dwells >= 1)
        #expect(stats.carriersFound >= 1)
        #expect(stats.observations >= 1)
        let obs = try spooledObservations(r.spool)
        #expect(obs.count == stats.observations)
        let o = try #require(obs.first)
        #expect(o.rat == .gsm)
        #expect(o.sensorID == "van-07")
        #expect(o.position?.latitudeDegrees == 52.52 && o.position?.longitudeDegrees == 13.405)
        #expect(o.pagingRequestCount != nil)             // paging is counted
        #expect(o.countWindowSeconds ?? 0 > 1)

        // Evidence for this carrier: a snippet mixed to 0 Hz and decimated, signed, verifiable.
        let suspect = Suspect(id: "GSM:test", rat: .gsm, identity: o.identity, channel: o.channel, score: 80, severity: .high,
                              alertRaised: true, reasons: [], firstSeen: o.time, lastSeen: o.time, sensors: ["van-07"],
                              lastPositions: [:])
        let carrier = try #require(r.loop.lastResults.first)
        let ev = r.loop.evidence(for: suspect, carrier: carrier, centre: nil, now: o.time, position: o.position)
        let iq = try #require(ev.iq)
        // Privacy: no block whose message carries subscriber identities travels with its octets or fields.
        #expect(!ev.messages.isEmpty)
        for m in ev.messages {
            guard let hex = m.l2Hex else { #expect(m.fieldsJSON == nil); continue }
            let bytes = stride(from: 0, to: hex.count, by: 2).map { i -> UInt8 in
                let a = hex.index(hex.startIndex, offsetBy: i)
                return UInt8(hex[a...hex.index(after: a)], radix: 16)!
            }
            #expect(!GSMDecodeFormatter.carriesIdentities(try? RRMessageDecoder.decode(l2Block: bytes)), "FN \(m.frameNumber) \(m.name)")
        }
        let rate = try FileDevice(path: Self.recording!).sampleRate
        #expect(iq.data.count / 8 <= Int(rate * 0.1) + 1)
        #expect(iq.data.count / 8 >= Int(rate * 0.1 / Double(max(1, Int(rate / 500e3)))) - 64)
        #expect(!ev.messages.isEmpty)
        // Blocks carrying subscriber identities keep neither octets nor fields.
        for m in ev.messages {
            guard let hex = m.l2Hex else { continue }
            let bytes = stride(from: 0, to: hex.count, by: 2).map { UInt8(hex.dropFirst($0).prefix(2), radix: 16)! }
            #expect(!GSMDecodeFormatter.carriesIdentities(try? RRMessageDecoder.decode(l2Block: bytes)), "\(m.name) kept its octets")
        }
        #expect(ev.messages.contains { $0.name.hasPrefix("Paging") })
        let key = try SensorKey.loadOrCreate(path: r.dir.appendingPathComponent("key").path)
        #expect(EvidenceSigner.verify(try EvidenceSigner(key: key).sign(ev)))
    }

    @Test(.enabled(if: recording != nil && GPSFake.available,
                   "needs the GSM reference recording and gpsfake"))
    func gpsfakePositionsAreAttachedToObservations() throws {
        let port = 29900 + Int(getpid() % 90)
        let fake = try GPSFake(port: port)   // loops the log, so the fix stays fresh however long the decode takes
        defer { fake.stop() }
        let gps = GPSDClient(host: "127.0.0.1", port: port, staleAfter: 5)
        gps.start()
        defer { gps.stop() }
        let deadline = Date().addingTimeInterval(20)
        while gps.current(now: Date()) == nil && Date() < deadline { usleep(50_000) }
        try #require(gps.current(now: Date()) != nil, "gpsd gave no fix")
        // The survey's clock is real time here so the fix is fresh.
        let dir = TestSupport.temporaryDirectory()
        let spool = try Spool(path: dir.appendingPathComponent("spool.sqlite").path, maxBytes: 1 << 30)
        let random = SharedRandom(seed: 4)
        let loop = try SurveyLoop(settings: .init(sensorID: "van-07", bands: [.gsm(.egsm900)], dwellSeconds: 2),
                                  device: try FileDevice(path: Self.recording!), spool: spool,
                                  signer: EvidenceSigner(key: try SensorKey.loadOrCreate(path: dir.appendingPathComponent("k").path)),
                                  position: gps, detector: Detector(baseline: Baseline(), clock: Date.init), metrics: SensorMetrics(),
                                  clock: Date.init, monotonic: { ProcessInfo.processInfo.systemUptime },
                                  ids: UUIDv7Generator(clock: Date.init, random: { random.next() }), logger: Logger(label: "test"))
        while try loop.step() {}
        let obs = try spooledObservations(spool)
        let o = try #require(obs.first)
        let fix = try #require(o.position)
        let i = ((fix.latitudeDegrees - 52.5) / 0.0001).rounded()
        #expect(i >= 0 && i < 20)
        #expect(abs(fix.longitudeDegrees - (13.4 + 0.0002 * i)) < 1e-6)
    }
}
