import Foundation
import Logging
import Testing
import TestSupport
@testable import Sensor

@Suite("Logs and metrics")
struct OperationsTests {
    let date = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func logFormats() throws {
        #expect(SensorLogHandler.render(format: .journald, label: "cellwatch.sensor", level: .warning, message: "upload failed",
                                        metadata: ["reason": "HTTP 503", "records": "12"], date: date)
                == "<4>upload failed reason=HTTP 503 records=12")
        #expect(SensorLogHandler.render(format: .journald, label: "x", level: .critical, message: "m", metadata: [:], date: date) == "<2>m")
        #expect(SensorLogHandler.render(format: .plain, label: "cellwatch.sensor", level: .info, message: "started", metadata: [:], date: date)
                == "2027-01-15T08:00:00.000Z INFO cellwatch.sensor: started")
        let json = SensorLogHandler.render(format: .json, label: "cellwatch.sensor", level: .error, message: "x \"y\"",
                                           metadata: ["k": "v"], date: date)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(obj["ts"] as? String == "2027-01-15T08:00:00.000Z")
        #expect(obj["level"] as? String == "error")
        #expect(obj["message"] as? String == "x \"y\"")
        #expect((obj["metadata"] as? [String: String])?["k"] == "v")
        #expect(SensorLogHandler.format(requested: nil, environment: ["JOURNAL_STREAM": "8:1234"]) == .journald)
        #expect(SensorLogHandler.format(requested: nil, environment: [:]) == .plain)
        #expect(SensorLogHandler.format(requested: .json, environment: ["JOURNAL_STREAM": "8:1234"]) == .json)
    }

    @Test func metricsTextfileIsWrittenAtomically() throws {
        let m = SensorMetrics()
        m.recordSamples(2_000_000, overflow: true)
        m.recordCellsDecoded(3)
        var d = SpoolDepth()
        d.observations = 5
        d.suspects = 1
        d.oldest = date.addingTimeInterval(-90)
        m.update(spool: d, evicted: 2, now: date)
        let path = TestSupport.temporaryDirectory().appendingPathComponent("cellwatch.prom").path
        try m.writeTextfile(path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("# TYPE cellwatch_sensor_samples_total counter"))
        #expect(text.contains("cellwatch_sensor_samples_total 2000000"))
        #expect(text.contains("cellwatch_sensor_overflows_total 1"))
        #expect(text.contains("cellwatch_sensor_cells_decoded_total 3"))
        #expect(text.contains(#"cellwatch_sensor_spool_depth{kind="observation"} 5"#))
        #expect(text.contains(#"cellwatch_sensor_spool_depth{kind="suspect"} 1"#))
        #expect(text.contains("cellwatch_sensor_upload_lag_seconds 90"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent)
        #expect(leftovers == ["cellwatch.prom"])
        let h = m.health(position: nil, now: date)
        #expect(h.spoolDepth == 6 && h.overflows == 1 && h.cellsDecoded == 3 && h.uploadLagSeconds == 90)
        #expect(h.radioConnected == true && h.radioDownSince == nil && h.radioDisconnects == 0 && h.radioGapSeconds == 0)
    }

    /// What the collector is told about an unplugged radio: connected false and since when while it is
    /// gone (the gap growing with the clock), then the outage counted and its length added.
    @Test func healthCarriesRadioOutages() {
        let m = SensorMetrics()
        m.setSamplesPerSecond(2e6)
        let gone = date.addingTimeInterval(-30)
        m.radioGone(at: gone)
        let during = m.health(position: nil, now: date)
        #expect(during.radioConnected == false && during.radioDownSince == gone)
        #expect(during.radioDisconnects == 1 && during.radioGapSeconds == 30 && during.samplesPerSecond == 0)
        #expect(m.health(position: nil, now: date.addingTimeInterval(10)).radioGapSeconds == 40)
        m.radioBack(gapSeconds: 42.5)
        let after = m.health(position: nil, now: date.addingTimeInterval(60))
        #expect(after.radioConnected == true && after.radioDownSince == nil)
        #expect(after.radioDisconnects == 1 && after.radioGapSeconds == 42.5 && after.samplesPerSecond == 2e6)
        m.radioGone(at: date.addingTimeInterval(100))
        let second = m.health(position: nil, now: date.addingTimeInterval(105))
        #expect(second.radioDisconnects == 2 && second.radioGapSeconds == 47.5)
        #expect(m.exposition().contains("cellwatch_sensor_radio_disconnects_total 2"))
    }
}
