import CellwatchModel
import Foundation
import Radio
@testable import Simulation
import Survey
import Testing
import TestSupport

/// End to end: a scene of real GSM carriers, rendered through path loss, shadowing, multipath, noise
/// and an 8-bit ADC, recorded, and decoded by our own receiver — which must find exactly the cells the
/// ground truth calls decodable.
@Suite struct SceneGSMDecodeTests {
    static let text = """
        name: Three cells
        seed: 5
        duration: 10
        area:
          origin: {lat: 26.08, lon: 119.30}
        propagation:
          path_loss_exponent: 3.5
          shadowing_sigma_db: 6
          multipath_taps: 3
          delay_spread_us: 0.5
        operators:
          - name: China Mobile
            mcc: "460"
            mnc: "00"
            bands: [E-GSM900]
            lacs: [22801, 22802]
        cells:
          - {id: NEAR, operator: China Mobile, position: {x_m: 300, y_m: 100}, arfcn: 10, bsic: 20, lac: 22801, ci: 101, power_dbm: 52, neighbours: [MID, FAR]}
          - {id: MID, operator: China Mobile, position: {x_m: -900, y_m: 600}, arfcn: 13, bsic: 21, lac: 22801, ci: 102, power_dbm: 52}
          - {id: FAR, operator: China Mobile, position: {x_m: 5000, y_m: -4000}, arfcn: 15, bsic: 22, lac: 22802, ci: 103, power_dbm: 45}
        sensors:
          - id: ROOF
            kind: fixed
            position: {x_m: 0, y_m: 0}
            receiver: {sample_rate: 2e6, centre_arfcn: 12, noise_figure_db: 6, gain_db: 55, adc: cu8}
        """

    @Test func decodedCellsAreExactlyTheDecodableOnes() throws {
        let s = try ScenarioReader.parse(Self.text, file: "three.yaml")
        let truth = ScenarioTimeline(scenario: s)
        let seen = truth.visibility(sensor: "ROOF", at: 1.5)
        // The scene is built so no cell sits near the threshold: the test asks a clear question.
        for v in seen {
            #expect(abs(v.snrDB - truth.decodableSNR) > 5, "\(v.transmitterID) at \(v.snrDB) dB is too close to the threshold")
            #expect(!v.clipping)
        }
        let expected = Set(seen.filter(\.decodable).map(\.transmitterID))
        #expect(expected == ["NEAR", "MID"], "\(seen.map { ($0.transmitterID, $0.snrDB) })")

        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var recorder = ScenarioRecorder(scenario: s, outputDirectory: dir.path)
        recorder.duration = 2.2
        let result = try recorder.run()
        let device = try FileDevice(path: result.recordings[0])
        let decodes = try GSMRecordingDecoder().decode(device, source: "ROOF", bands: [.egsm900])

        var decoded: Set<String> = []
        for d in decodes {
            guard let ci = d.summary.cellIdentity else { continue }
            guard let tx = s.transmitters.first(where: { $0.cellIdentity == ci && $0.arfcn?.value == d.arfcn }) else {
                Issue.record("decoded a cell that does not exist: ARFCN \(d.arfcn ?? -1) CI \(ci)")
                continue
            }
            #expect(d.summary.mcc == "460" && d.summary.mnc == "00" && d.summary.lac == tx.lac)
            #expect(d.summary.bsic?.value == UInt8(tx.bsic))
            decoded.insert(tx.id)
        }
        #expect(decoded == expected, "decoded \(decoded.sorted()), truth \(expected.sorted())")
        // The neighbour list the strong cell broadcasts is the one in the scenario (CI 101 = NEAR).
        if let near = decodes.first(where: { $0.summary.cellIdentity == 101 }) {
            #expect(near.summary.neighbours.map(Set.init) == [13, 15])
        }
    }

    /// The bundled Fuzhou scenario, at the rooftop sensor while the SMS blaster drives by: every cell
    /// the truth calls decodable decodes (the blaster with its profile's parameters), and none it calls
    /// undecodable does. Cells within 3 dB of the threshold are left out of the question.
    @Test func fuzhouRooftopSeesWhatTheTruthSays() throws {
        let s = try Scenario.bundled(named: "fuzhou-gulou")
        let start = 150.0, seconds = 2.2
        let truth = ScenarioTimeline(scenario: s)
        let seen = truth.visibility(sensor: "ROOF-1", at: start + seconds / 2).filter { $0.inTunedWindow && $0.active }
        let expected = Set(seen.filter { $0.decodable && $0.snrDB > truth.decodableSNR + 3 }.map(\.transmitterID))
        let forbidden = Set(seen.filter { $0.snrDB < truth.decodableSNR - 3 }.map(\.transmitterID))
        #expect(expected.contains("BLASTER-1"), "\(seen.map { ($0.transmitterID, $0.snrDB) })")

        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let device = try SimulatedDevice(scenario: s, sensorID: "ROOF-1", startTime: start)
        let base = dir.appendingPathComponent("roof").path
        let writer = try SigMFWriter(basePath: base, format: .cs8, sampleRate: device.sampleRate)
        writer.beginCapture(frequency: device.centreFrequency, datetime: device.currentDate, geolocation: device.truePosition)
        let block = SampleBlock(capacity: 1 << 15)
        var left = Int(seconds * device.sampleRate)
        while left > 0, try device.read(into: block, count: min(left, block.capacity)) {
            try writer.write(UnsafeBufferPointer(rebasing: block.unsafeSamples[0..<block.count]))
            left -= block.count
        }
        try writer.finish(description: "test", hardware: "simulated HackRF")
        let decodes = try GSMRecordingDecoder().decode(try FileDevice(path: base + ".sigmf-meta"), source: "roof", bands: [.egsm900])
        var decoded: Set<String> = []
        for d in decodes {
            guard let ci = d.summary.cellIdentity,
                  let tx = s.transmitters.first(where: { $0.cellIdentity == ci && $0.arfcn?.value == d.arfcn }) else { continue }
            decoded.insert(tx.id)
            if tx.id == "BLASTER-1" {
                #expect(d.summary.cellReselectOffset == 62 && d.summary.t3212 == 1 && d.summary.neighbours == [])
                #expect(d.summary.mcc == "460" && d.summary.mnc == "00")
                #expect(![22801, 22802].contains(d.summary.lac ?? 22801))
            }
        }
        #expect(expected.isSubset(of: decoded), "missing \(expected.subtracting(decoded).sorted())")
        #expect(decoded.isDisjoint(with: forbidden), "decoded although the truth says not: \(decoded.intersection(forbidden).sorted())")
    }
}
