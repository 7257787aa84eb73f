import Foundation
import Testing
import TestSupport

/// `cellwatch calibrate` as a technician runs it: a real recording gives a plausible crystal error and
/// the file the sensor reads; wrong arguments and impossible measurements give one clear sentence.
@Suite struct CalibrateCLITests {
    let dir = TestSupport.temporaryDirectory()

    /// The 2007 over-the-air captures at 953.6 MHz (1 MS/s, 80 ms) and 941 MHz (4 MS/s, 20 ms), both
    /// made by the GSM Scanner Project with a USRP1 + DBSRX: nothing is known about their cells but that
    /// they are real GSM downlink carriers (testdata/README.md), so the crystal error must be plausible
    /// for that receiver (well inside ±20 ppm), the cells of one capture must agree, and the two captures,
    /// on different cells and frequencies, must agree with each other to within 1 ppm (the same kind of
    /// receiver; a crystal drifts a little between sessions). Figures are printed.
    @Test func realRecordingsGiveAPlausibleCrystalError() throws {
        var found: [Double] = []
        for name in ["gsmsp2007_953.6MHz_1Msps", "gsmsp2007_941MHz_4Msps"] {
            guard let meta = TestSupport.recording("gsm/\(name).sigmf-meta") else {
                print("skipped: ../shared/testdata is not there")
                return
            }
            let out = dir.appendingPathComponent("cal").path
            let r = try CLIRun.run(["calibrate", "--device", "file:\(meta)", "--band", "GSM900", "--out", out])
            print("calibrate \(name):\n\(r.stdout)")
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.contains("one is accepted (--min-fcch)"), "\(r.stderr)")
            let path = (out as NSString).appendingPathComponent("file-\(name).json")
            #expect(r.stdout.contains("written \(path)"), "\(r.stdout)")
            let data = try #require(FileManager.default.contents(atPath: path))
            let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let ppm = try #require(json["ppm"] as? Double)
            #expect(abs(ppm) < 20, "\(ppm) ppm")
            found.append(ppm)
            let cells = try #require(json["cells"] as? [[String: Any]])
            let used = cells.filter { $0["used"] as? Bool == true }
            #expect(used.count >= 1)
            // Real GSM cells: their SCH decoded.
            #expect(used.allSatisfy { $0["bsic"] is Int }, "\(used)")
            #expect(json["gain_offset_db"] == nil, "no power reference in a recording")
            #expect((json["device"] as? [String: String]) == ["driver": "file", "serial": name])
        }
        #expect(abs(found[0] - found[1]) < 1, "\(found)")
    }

    /// The LTE capture at 739 MHz (an RTL-SDR, LTE-Cell-Scanner's test file; its documentation puts the
    /// carrier offset at about +35 kHz): with its band named, the two cells' PSS/SSS give the dongle's
    /// crystal error, about −47.7 ppm, and agree.
    @Test func lteRecordingGivesTheDonglesCrystalError() throws {
        guard let meta = TestSupport.recording("lte/ltecellscanner_739MHz_1.92Msps.sigmf-meta") else {
            print("skipped: ../shared/testdata is not there")
            return
        }
        let r = try CLIRun.run(["calibrate", "--device", "file:\(meta)", "--band", "LTE-B12", "--no-save", "--json"])
        print("calibrate LTE: \(r.stdout)")
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let ppm = try #require(json["ppm"] as? Double)
        // +35 kHz at 739 MHz.
        #expect(abs(ppm - -35e3 / 739e6 * 1e6) < 2, "\(ppm)")
        let cells = try #require(json["cells"] as? [[String: Any]])
        #expect(Set(cells.compactMap { $0["pci"] as? Int }).isSuperset(of: [277, 271]), "\(cells)")
        #expect(cells.allSatisfy { $0["rat"] as? String == "LTE" && $0["used"] as? Bool == true })
    }

    func expectFailure(_ args: [String], status: Int32 = 1, says problem: String) throws {
        let r = try CLIRun.run(["calibrate"] + args)
        #expect(r.status == status, "\(args): \(r.stderr)")
        #expect(r.stdout.isEmpty, "\(r.stdout)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.contains(problem), "\(r.stderr)")
    }

    @Test func badArgumentsAreNamed() throws {
        try expectFailure(["--device", "toaster"], status: 64, says: "--device: \"toaster\" is not a device")
        try expectFailure(["--device", "sim:legit-only", "--earfcn", "99999"], status: 64,
                          says: "--earfcn 99999 is not a downlink EARFCN of a known LTE band")
        try expectFailure(["--device", "sim:legit-only", "--reference-dbm=-50", "--arfcn", "11", "--arfcn", "13"], status: 64,
                          says: "--reference-dbm needs --reference-arfcn N")
        try expectFailure(["--device", "sim:legit-only", "--arfcn", "400"], status: 64,
                          says: "--arfcn 400 is not a channel of E-GSM900, DCS1800")
        try expectFailure(["--device", "file:/nonexistent/x.sigmf-meta"], says: "/nonexistent/x.sigmf-")
    }

    /// A recording with no GSM carrier (the LTE capture at 739 MHz) has no cell to calibrate on.
    @Test func noGSMCellIsAClearError() throws {
        guard let meta = TestSupport.recording("lte/ltecellscanner_739MHz_1.92Msps.sigmf-meta") else {
            print("skipped: ../shared/testdata is not there")
            return
        }
        try expectFailure(["--device", "file:\(meta)", "--no-save", "--min-fcch", "1"],
                          says: "no strong GSM or LTE cell to calibrate on: the recording spans 738.04–739.96 MHz, outside the bands asked for (GSM450")
    }
}
