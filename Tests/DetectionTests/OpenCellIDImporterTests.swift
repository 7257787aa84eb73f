import CellwatchModel
import Detection
import Foundation
import Testing

/// The fixture is synthetic (written for this test, not copied from OpenCellID) in the export's real
/// column layout; it mixes valid rows of each RAT with the kinds of damage seen in the dumps.
@Suite struct OpenCellIDImporterTests {
    static let fixture = """
    radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal
    GSM,460,0,9345,10001,,114.0579,22.5431,1200,35,1,1459813001,1717000000,0
    GSM,460,01,9346,20002,,114.0600,22.5500,800,12,1,1459813001,1717000000,0
    LTE,460,0,25002,123456789,301,114.0700,22.5400,1500,100,0,1500000000,1717000000,-95
    UMTS,460,1,41000,5505024,12,114.0800,22.5300,1000,5,1,1500000000,1717000000,0
    GSM,460,0,9345
    GSM,460,zero,9345,10003,,114.0,22.5,1000,1,1,1459813001,1717000000,0
    GSM,460,0,9345,10004,,194.0,22.5,1000,1,1,1459813001,1717000000,0
    WIMAX,460,0,9345,10005,,114.0,22.5,1000,1,1,1459813001,1717000000,0
    "GSM",460,0,9345,10006,,114.0,22.5,1000,1,1,1459813001,1717000000,0
    GSM,454,0,100,200,,114.17,22.30,1000,3,1,1459813001,1717000000,0

    """

    @Test func importsGSMAndLTERowsAndReportsEachBadLineByNumber() {
        var b = Baseline()
        var importer = OpenCellIDImporter()
        importer.importText(Self.fixture, into: &b)
        let r = importer.report
        #expect(r.imported == 4)
        #expect(r.skipped == 1)
        #expect(r.badLineCount == 5)
        #expect(r.badLines.map(\.lineNumber) == [6, 7, 8, 9, 10])
        #expect(r.badLines[0].problem == "4 fields, expected 14")
        #expect(r.badLines[1].problem.hasPrefix("net \"zero\""))
        #expect(r.badLines[2].problem.hasPrefix("lon"))

        // "01" and "1" are the same network.
        let cu = b[CellKey(rat: .gsm, mcc: 460, mnc: 1, areaCode: 9346, cellId: 20002)]
        #expect(cu?.rangeMeters == 800)
        #expect(cu?.sources == [.openCellID])
        let lte = b[CellKey(rat: .lte, mcc: 460, mnc: 0, areaCode: 25002, cellId: 123456789)]
        #expect(lte?.physicalCodes == [301])
        #expect(lte?.lastSeen == Date(timeIntervalSince1970: 1_717_000_000))
        #expect(lte?.latitudeDegrees == 22.54)
    }

    @Test func theHeaderIsOptionalAndTheMCCFilterSkipsOtherCountries() {
        var b = Baseline()
        var importer = OpenCellIDImporter(mccFilter: [460])
        importer.importText("GSM,460,0,1,2,,114,22,1000,1,1,0,0,0\r\nGSM,454,0,1,2,,114,22,1000,1,1,0,0,0", into: &b)
        #expect(importer.report.imported == 1)
        #expect(importer.report.skipped == 1)
        #expect(importer.report.badLineCount == 0)
    }

    @Test func streamsAFileAndSurvivesAnOverlongLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ocid-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var text = Self.fixture
        text += String(repeating: "9", count: 100_000) + "\n"
        // Enough rows to cross several read buffers.
        for i in 0..<3000 { text += "GSM,460,0,7000,\(i),,114.1,22.6,1000,2,1,1459813001,1717000000,0\n" }
        text += "GSM,460,0,7001,1,,114.1,22.6,1000,2,1,1459813001,1717000000,0"  // no final newline
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        var b = Baseline()
        var importer = OpenCellIDImporter()
        try importer.importFile(atPath: path, into: &b)
        #expect(importer.report.imported == 4 + 3001)
        #expect(importer.report.badLineCount == 6)
        #expect(importer.report.badLines.last?.lineNumber == 12)
        #expect(importer.report.badLines.last?.problem == "line longer than 4096 bytes")
        #expect(b[CellKey(rat: .gsm, mcc: 460, mnc: 0, areaCode: 7001, cellId: 1)] != nil)
    }

    @Test(arguments: ["", ",,,,,,,,,,,,,", "GSM,-1,0,1,2,,0,0,0,0,0,0,0,0", "LTE,460,0,1,999999999,,0,0,0,0,0,0,0,0",
                      "GSM,460,0,1,2,,nan,0,0,0,0,0,0,0", "GSM,460,0,1,2,,0,0,-5,0,0,0,0,0", "\u{FEFF}\u{0}ä,,,"])
    func damagedLinesNeverCrash(line: String) {
        var b = Baseline()
        var importer = OpenCellIDImporter()
        importer.importText(line, into: &b)
        #expect(importer.report.imported == 0)
        #expect(b.isEmpty)
    }
}
