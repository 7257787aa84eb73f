import CellwatchModel
import Detection
import Foundation
import Testing

@Suite struct BaselineTests {
    @Test func aCellIsLearnedOnlyAfterEnoughObservationsOverTime() {
        let clock = ManualClock()
        var learner = BaselineLearner(clock: clock.closure)
        // Three observations within a minute: still a candidate (a fake cell lasting minutes is not learned).
        for i in 0..<3 {
            let learned = learner.learn(Fixture.gsm(time: Fixture.t0 + Double(i) * 20))
            #expect(!learned)
        }
        #expect(learner.baseline.isEmpty)
        #expect(learner.candidates.count == 1)
        clock.advance(31 * 60)
        let learned = learner.learn(Fixture.gsm(position: Fixture.fix(22.55, 114.06), time: Fixture.t0 + 31 * 60))
        #expect(learned)
        let key = CellKey(rat: .gsm, mcc: 460, mnc: 0, areaCode: 9345, cellId: 10001)
        let cell = learner.baseline[key]
        #expect(cell?.channels == [.arfcn(ARFCN(60))])
        #expect(cell?.physicalCodes == [21])
        #expect(cell?.samples == 4)
        #expect(cell?.sources == [.learned])
        #expect(cell?.firstSeen == Fixture.t0)
        #expect((cell?.rangeMeters ?? 0) >= 2000)
        #expect(learner.candidates.isEmpty)
    }

    @Test func staleCandidatesAreForgotten() {
        let clock = ManualClock()
        var learner = BaselineLearner(clock: clock.closure)
        learner.learn(Fixture.gsm())
        clock.advance(25 * 3600)
        learner.learn(Fixture.gsm(ci: 10002, time: clock.now))
        #expect(learner.candidates.keys.map(\.cellId) == [10002])
    }

    @Test func mergingKeepsTheOperatorPositionOverALearnedOne() {
        let key = CellKey(rat: .gsm, mcc: 460, mnc: 0, areaCode: 1, cellId: 2)
        var b = Baseline()
        b.merge(KnownCell(key: key, channels: [.arfcn(ARFCN(60))], latitudeDegrees: 1, longitudeDegrees: 1,
                          rangeMeters: 500, firstSeen: Fixture.t0, lastSeen: Fixture.t0, sources: [.operatorList]))
        b.merge(KnownCell(key: key, channels: [.arfcn(ARFCN(61))], latitudeDegrees: 2, longitudeDegrees: 2,
                          rangeMeters: 900, firstSeen: Fixture.t0 - 10, lastSeen: Fixture.t0 + 10, sources: [.learned]))
        let c = b[key]
        #expect(c?.latitudeDegrees == 1)
        #expect(c?.channels.count == 2)
        #expect(c?.sources == [.operatorList, .learned])
        #expect(c?.firstSeen == Fixture.t0 - 10)
        #expect(b.covers(.init(rat: .gsm, mcc: 460, mnc: 0)))
        #expect(!b.covers(.init(rat: .gsm, mcc: 460, mnc: 1)))
    }

    @Test func persistenceRoundTripsThroughAFile() throws {
        var b = Baseline()
        var importer = OpenCellIDImporter()
        importer.importText(OpenCellIDImporterTests.fixture, into: &b)
        b.merge(KnownCell(key: CellKey(rat: .gsm, mcc: 460, mnc: 0, areaCode: 9, cellId: 9),
                          channels: [.arfcn(ARFCN(60))], physicalCodes: [21],
                          firstSeen: Fixture.t0, lastSeen: Fixture.t0, sources: [.learned]))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cellwatch-baseline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("baseline.json").path
        try BaselineStore.save(b, to: path)
        try BaselineStore.save(b, to: path)  // overwriting an existing file goes through the rename too
        let loaded = try BaselineStore.load(from: path)
        #expect(loaded == b)
        #expect(loaded.cells(sameCellIdAs: CellKey(rat: .gsm, mcc: 460, mnc: 0, areaCode: 0, cellId: 9)).count == 1)
        // Only the target is left in the folder: no temporary file.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["baseline.json"])
    }

    @Test func loadingGarbageIsAClearError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).json").path
        try Data("{\"version\":7,\"cells\":[]}".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: BaselineStore.Error.self) { try BaselineStore.load(from: path) }
        #expect(throws: BaselineStore.Error.self) { try BaselineStore.load(from: path + ".missing") }
    }
}
