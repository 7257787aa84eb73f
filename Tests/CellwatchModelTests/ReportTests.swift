import Foundation
import Testing
@testable import CellwatchModel

@Suite("Report wire format")
struct ReportTests {
    static let time = Date(timeIntervalSince1970: 1_795_000_000.123)

    static func observation() -> CellObservation {
        CellObservation(rat: .gsm, channel: .arfcn(ARFCN(60)),
                        identity: CellIdentity(mcc: "460", mnc: "00", areaCode: 9345, cellId: 10001, bsic: 12),
                        cellReselectOffset: 63, t3212DeciHours: 1, neighbourARFCNs: [],
                        powerDBFS: Decibels(-31.5), carrierOffset: Hertz(412.5), sensorID: "car-1",
                        position: GeoFix(latitudeDegrees: 26.08, longitudeDegrees: 119.3,
                                         horizontalAccuracyMeters: 4, time: time),
                        time: time)
    }

    @Test func roundTripKeepsMilliseconds() throws {
        let report = SensorReport(sensorID: "car-1", sentAt: Self.time,
                                  observations: [ObservationRecord(id: "3f1c", observation: Self.observation())])
        let bytes = try ReportCoding.encoder().encode(report)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("\"sentAt\":\"2026-11-18T"))
        #expect(text.contains(".123Z\""))
        let back = try ReportCoding.decoder().decode(SensorReport.self, from: bytes)
        #expect(back.observations == report.observations.map { r in
            var r = r
            r.observation.time = back.observations[0].observation.time
            r.observation.position?.time = back.observations[0].observation.position!.time
            return r
        })
        #expect(abs(back.sentAt.timeIntervalSince1970 - 1_795_000_000.123) < 0.0005)
    }

    @Test func encodingIsStable() throws {
        let e = Evidence(id: "e1", sensorID: "car-1", suspectID: "GSM:460-00-9345-10001@ARFCN 60",
                         capturedAt: Self.time, observations: [Self.observation()], messages: [], iq: nil)
        #expect(try ReportCoding.encoder().encode(e) == ReportCoding.encoder().encode(e))
    }

    @Test func badDatesAreNamed() {
        let json = #"{"version":1,"sensorID":"x","sentAt":"yesterday","observations":[],"suspects":[],"evidence":[]}"#
        #expect(throws: DecodingError.self) {
            try ReportCoding.decoder().decode(SensorReport.self, from: Data(json.utf8))
        }
        #expect(ReportCoding.parseDate("2026-11-29T03:44:07Z") != nil)
        #expect(ReportCoding.formatDate(Date(timeIntervalSince1970: 0.9996)) == "1970-01-01T00:00:01.000Z")
        #expect(ReportCoding.formatDate(Date(timeIntervalSince1970: 5.05)) == "1970-01-01T00:00:05.050Z")
        #expect(ReportCoding.parseDate("2026-11-29 03:44") == nil)
    }
}
