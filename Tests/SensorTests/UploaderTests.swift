import AsyncHTTPClient
import CellwatchModel
import Foundation
import Logging
import Testing
import TestSupport
@testable import Sensor

@Suite("Uploader")
struct UploaderTests {
    @Test func backoffIsExponentialWithFullJitterAndRepeatable() {
        let a = Backoff(base: 1, cap: 300, random: SharedRandom(seed: 42))
        let b = Backoff(base: 1, cap: 300, random: SharedRandom(seed: 42))
        #expect((0..<12).map { a.ceiling(attempt: $0) } == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300])
        var delays: [Double] = []
        for attempt in 0..<2000 {
            let d = a.delay(attempt: attempt % 12)
            #expect(d >= 0 && d < a.ceiling(attempt: attempt % 12))
            #expect(d == b.delay(attempt: attempt % 12))      // same seed, same schedule
            delays.append(d / a.ceiling(attempt: attempt % 12))
        }
        // Full jitter: the fraction of the ceiling is uniform, mean ≈ 0.5, spread over [0, 1).
        let mean = delays.reduce(0, +) / Double(delays.count)
        #expect(abs(mean - 0.5) < 0.03)
        #expect(delays.min()! < 0.01 && delays.max()! > 0.99)
        // A server's Retry-After replaces the jittered delay (capped).
        #expect(a.delay(attempt: 3, retryAfter: 120) == 120)
        #expect(a.delay(attempt: 3, retryAfter: 100_000) == 3600)
        #expect(a.ceiling(attempt: 1000) == 300)
    }

    @Test func responsesAreClassified() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let receipt = try ReportCoding.encoder().encode(ReportReceipt(accepted: 3, duplicates: 1))
        #expect(UploadDecision.classify(status: 200, retryAfterHeader: nil, body: receipt, now: now)
                == .acknowledged(ReportReceipt(accepted: 3, duplicates: 1)))
        if case .retry = UploadDecision.classify(status: 200, retryAfterHeader: nil, body: Data("ok".utf8), now: now) {} else {
            Issue.record("a 200 without a receipt must not delete anything")
        }
        let busy = try JSONEncoder().encode(APIError(error: "slow down"))
        #expect(UploadDecision.classify(status: 429, retryAfterHeader: "30", body: busy, now: now)
                == .retry(reason: "HTTP 429: slow down", retryAfter: 30))
        #expect(UploadDecision.classify(status: 503, retryAfterHeader: "Fri, 15 Jan 2027 08:02:00 GMT", body: Data(), now: now)
                == .retry(reason: "HTTP 503: ", retryAfter: 120))
        #expect(UploadDecision.classify(status: 500, retryAfterHeader: nil, body: Data(), now: now) == .retry(reason: "HTTP 500: ", retryAfter: nil))
        let bad = try JSONEncoder().encode(APIError(error: "version 9 is not supported"))
        #expect(UploadDecision.classify(status: 400, retryAfterHeader: nil, body: bad, now: now)
                == .quarantine(reason: "HTTP 400: version 9 is not supported"))
        #expect(UploadDecision.classify(status: 401, retryAfterHeader: nil, body: Data(), now: now) == .quarantine(reason: "HTTP 401: "))
        #expect(UploadDecision.classify(status: 413, retryAfterHeader: nil, body: Data(), now: now) == .shrink(reason: "HTTP 413: "))
    }

    @Test func requestCarriesTokenAndGzippedReportWithSpoolIDs() throws {
        let builder = ReportRequestBuilder(sensorID: "van-07", collectorURL: URL(string: "http://127.0.0.1:8080")!, token: "t0k")
        #expect(builder.url.absoluteString == "http://127.0.0.1:8080/api/v1/reports")
        let o = CellObservation(rat: .gsm, channel: .arfcn(ARFCN(60)),
                                identity: CellIdentity(mcc: "460", mnc: "00", areaCode: 1, cellId: 2, bsic: nil),
                                sensorID: "van-07", time: Date(timeIntervalSince1970: 1_800_000_000))
        let rec = try SpoolRecord.observation(ObservationRecord(id: "obs-1", observation: o), at: Date())
        let report = try builder.report([rec], sentAt: Date(timeIntervalSince1970: 1_800_000_100), health: SensorHealth(spoolDepth: 1))
        #expect(report.observations.map(\.id) == ["obs-1"])
        #expect(report.version == SensorReport.currentVersion)
        let body = try builder.body(report)
        let json = try Gzip.decompress(body, limit: 1 << 20)
        let back = try ReportCoding.decoder().decode(SensorReport.self, from: json)
        #expect(back == report)
        let headers = Dictionary(uniqueKeysWithValues: builder.headers().map { ($0.name, $0.value) })
        #expect(headers["Authorization"] == "Bearer t0k")
        #expect(headers["Content-Encoding"] == "gzip")
        #expect(headers["Content-Type"] == "application/json")
    }

    /// A real connection refusal (nothing listens on the port): the batch stays spooled.
    @Test func unreachableCollectorKeepsTheBatch() async throws {
        let dir = TestSupport.temporaryDirectory()
        let spool = try Spool(path: dir.appendingPathComponent("spool.sqlite").path, maxBytes: 1 << 30)
        let o = CellObservation(rat: .gsm, channel: .arfcn(ARFCN(60)),
                                identity: CellIdentity(mcc: "460", mnc: "00", areaCode: 1, cellId: 2, bsic: nil),
                                sensorID: "van-07", time: Date(timeIntervalSince1970: 1_800_000_000))
        try spool.append(try SpoolRecord.observation(ObservationRecord(id: "obs-1", observation: o), at: Date()))
        let uploader = Uploader(spool: spool,
                                builder: ReportRequestBuilder(sensorID: "van-07", collectorURL: URL(string: "http://127.0.0.1:9")!, token: "t"),
                                backoff: Backoff(random: SharedRandom(seed: 1)), batchSize: 10, interval: 1,
                                metrics: SensorMetrics(), logger: Logger(label: "test"), clock: Date.init,
                                requestTimeout: 5)
        #expect(await uploader.uploadOnce() == .retry(after: nil))
        #expect(try spool.allIDs() == ["obs-1"])
        #expect(uploader.recordsAcknowledged == 0)
    }
}
