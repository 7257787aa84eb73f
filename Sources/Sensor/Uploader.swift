import AsyncHTTPClient
import CellwatchModel
import Foundation
import Logging

/// Exponential backoff with full jitter: the n-th retry (n from 0) waits a uniform random time in
/// [0, min(cap, base·2ⁿ)); a server's Retry-After, when given, is waited instead (capped at `maxRetryAfter`).
/// Randomness comes from the injected generator, so a schedule is repeatable.
public struct Backoff: Sendable {
    public var base: Double
    public var cap: Double
    public var maxRetryAfter: Double
    private let random: SharedRandom

    public init(base: Double = 1, cap: Double = 300, maxRetryAfter: Double = 3600, random: SharedRandom) {
        self.base = base
        self.cap = cap
        self.maxRetryAfter = maxRetryAfter
        self.random = random
    }

    /// The ceiling of the n-th delay (before jitter).
    public func ceiling(attempt: Int) -> Double {
        min(cap, base * pow(2, Double(min(attempt, 62))))
    }

    public func delay(attempt: Int, retryAfter: Double? = nil) -> Double {
        if let retryAfter { return min(max(0, retryAfter), maxRetryAfter) }
        return random.unit() * ceiling(attempt: attempt)
    }
}

/// What to do with a batch after the collector answered.
public enum UploadDecision: Equatable, Sendable {
    /// 200 with a receipt: the records are stored (or were already); delete them from the spool.
    case acknowledged(ReportReceipt)
    /// Transient (network error, 408, 429, 5xx): keep the batch and retry later; `retryAfter` from the header.
    case retry(reason: String, retryAfter: Double?)
    /// 413: the batch is too large for the collector; retry with fewer records.
    case shrink(reason: String)
    /// Any other 4xx: the batch will never be accepted as it is; set it aside (never loop on it).
    case quarantine(reason: String)

    /// Classifies a response. `body` is the response body (APIError JSON or a receipt).
    public static func classify(status: Int, retryAfterHeader: String?, body: Data, now: Date) -> UploadDecision {
        let message = (try? JSONDecoder().decode(APIError.self, from: body))?.error
            ?? String(decoding: body.prefix(200), as: UTF8.self)
        switch status {
        case 200...299:
            guard let receipt = try? ReportCoding.decoder().decode(ReportReceipt.self, from: body) else {
                // A 2xx without a receipt is not proof of storage: retry (idempotent).
                return .retry(reason: "HTTP \(status) without a receipt", retryAfter: nil)
            }
            return .acknowledged(receipt)
        case 413:
            return .shrink(reason: "HTTP 413: \(message)")
        case 408, 425, 429:
            return .retry(reason: "HTTP \(status): \(message)", retryAfter: parseRetryAfter(retryAfterHeader, now: now))
        case 400...499:
            return .quarantine(reason: "HTTP \(status): \(message)")
        default:
            return .retry(reason: "HTTP \(status): \(message)", retryAfter: parseRetryAfter(retryAfterHeader, now: now))
        }
    }

    /// Retry-After is delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
    public static func parseRetryAfter(_ h: String?, now: Date) -> Double? {
        guard let h = h?.trimmingCharacters(in: .whitespaces), !h.isEmpty else { return nil }
        if let s = Int(h), s >= 0 { return Double(s) }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let d = f.date(from: h) else { return nil }
        return max(0, d.timeIntervalSince(now))
    }
}

/// Builds the POST body of a batch: records decoded from the spool into one `SensorReport`, JSON,
/// gzipped.
public struct ReportRequestBuilder: Sendable {
    public var sensorID: String
    public var url: URL
    /// Bearer token; nil when the sensor authenticates by client certificate alone.
    public var token: String?
    public var gzip: Bool

    public init(sensorID: String, collectorURL: URL, token: String?, gzip: Bool = true) {
        self.sensorID = sensorID
        self.url = collectorURL.appendingPathComponent("api/v1/reports")
        self.token = token
        self.gzip = gzip
    }

    public func report(_ batch: [SpoolRecord], sentAt: Date, health: SensorHealth?) throws -> SensorReport {
        let d = ReportCoding.decoder()
        var r = SensorReport(sensorID: sensorID, sentAt: sentAt, health: health)
        for rec in batch {
            switch rec.kind {
            case .observation: r.observations.append(try d.decode(ObservationRecord.self, from: rec.payload))
            case .suspect: r.suspects.append(try d.decode(SuspectRecord.self, from: rec.payload))
            case .evidence: r.evidence.append(try d.decode(SignedEvidence.self, from: rec.payload))
            }
        }
        return r
    }

    public func headers() -> [(name: String, value: String)] {
        var h = [("Content-Type", "application/json"),
                 ("Accept", "application/json"), ("User-Agent", "cellwatch-sensor/1 (\(sensorID))")]
        if let token { h.insert(("Authorization", "Bearer \(token)"), at: 0) }
        if gzip { h.append(("Content-Encoding", "gzip")) }
        return h.map { (name: $0.0, value: $0.1) }
    }

    public func body(_ report: SensorReport) throws -> Data {
        let json = try ReportCoding.encoder().encode(report)
        return gzip ? Gzip.compress(json) : json
    }

    public func request(_ report: SensorReport) throws -> HTTPClientRequest {
        var req = HTTPClientRequest(url: url.absoluteString)
        req.method = .POST
        for (name, value) in headers() { req.headers.add(name: name, value: value) }
        req.body = .bytes(try body(report))
        return req
    }
}

/// Sends the spool to the collector: oldest batch first, one batch in flight, deleting records only
/// after a 200 receipt. Back-to-back while there is a backlog (catch-up), every `interval` otherwise.
public final class Uploader: @unchecked Sendable {
    let spool: Spool
    let builder: ReportRequestBuilder
    let backoff: Backoff
    let batchSize: Int
    let interval: Double
    let metrics: SensorMetrics
    let logger: Logger
    let clock: @Sendable () -> Date
    /// The clock spooled records are stamped with (the survey's: the scene's under simulation); the
    /// upload lag is measured on it.
    let recordClock: @Sendable () -> Date
    let position: @Sendable () -> GeoFix?
    let client: HTTPClient
    let requestTimeout: Double

    /// Counters for tests and status lines.
    public private(set) var batchesSent = 0
    public private(set) var recordsAcknowledged = 0
    public private(set) var batchesQuarantined = 0

    public init(spool: Spool, builder: ReportRequestBuilder, backoff: Backoff, batchSize: Int, interval: Double,
                metrics: SensorMetrics, logger: Logger, clock: @escaping @Sendable () -> Date,
                position: @escaping @Sendable () -> GeoFix? = { nil }, client: HTTPClient = .shared,
                requestTimeout: Double = 60, recordClock: (@Sendable () -> Date)? = nil) {
        self.spool = spool
        self.builder = builder
        self.backoff = backoff
        self.batchSize = batchSize
        self.interval = interval
        self.metrics = metrics
        self.logger = logger
        self.clock = clock
        self.recordClock = recordClock ?? clock
        self.position = position
        self.client = client
        self.requestTimeout = requestTimeout
    }

    /// Runs until cancelled. Sleeps are cancellable, so shutdown is prompt; a batch in flight when
    /// cancelled stays in the spool and is resent (idempotently) next start.
    public func run() async {
        var attempt = 0
        var limit = batchSize
        while !Task.isCancelled {
            let outcome = await uploadOnce(limit: limit)
            switch outcome {
            case .idle:
                attempt = 0
                try? await Task.sleep(for: .seconds(interval))
            case .sent:
                attempt = 0
                limit = min(batchSize, limit * 2)
            case .retry(let after):
                let wait = backoff.delay(attempt: attempt, retryAfter: after)
                attempt += 1
                try? await Task.sleep(for: .seconds(wait))
            case .shrunk:
                limit = max(1, limit / 2)
            case .quarantined:
                attempt = 0
            }
        }
    }

    public enum Outcome: Equatable, Sendable {
        case idle, sent, shrunk, quarantined
        case retry(after: Double?)
    }

    /// One step: sends the oldest batch (if any) and acts on the answer.
    public func uploadOnce(limit: Int? = nil) async -> Outcome {
        let batch: [SpoolRecord]
        do {
            // The depth gauges are refreshed after each acknowledgement and by the metrics service; a full
            // depth scan before every send would scan the whole spool several times a second in catch-up.
            batch = try spool.nextBatch(limit: limit ?? batchSize)
        } catch {
            logger.error("spool read failed", metadata: ["error": "\(error)"])
            return .retry(after: nil)
        }
        guard !batch.isEmpty else { return .idle }
        let ids = batch.map(\.id)
        let request: HTTPClientRequest
        do {
            request = try builder.request(try builder.report(batch, sentAt: clock(), health: metrics.health(position: position(), now: clock())))
        } catch {
            // A record that no longer decodes can never be sent: set it aside rather than block the queue.
            logger.error("spooled batch cannot be encoded; quarantined", metadata: ["error": "\(error)", "records": "\(ids.count)"])
            try? spool.quarantine(ids)
            batchesQuarantined += 1
            return .quarantined
        }
        let decision: UploadDecision
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(requestTimeout * 1000)))
            let body = try await response.body.collect(upTo: 1 << 20)
            decision = UploadDecision.classify(status: Int(response.status.code),
                                               retryAfterHeader: response.headers.first(name: "Retry-After"),
                                               body: Data(body.readableBytesView), now: clock())
        } catch {
            decision = .retry(reason: "collector unreachable: \(error)", retryAfter: nil)
        }
        switch decision {
        case .acknowledged(let receipt):
            do {
                try spool.markUploaded(ids)
            } catch {
                logger.error("spool delete failed (records will be resent, the collector deduplicates)",
                             metadata: ["error": "\(error)"])
            }
            batchesSent += 1
            recordsAcknowledged += ids.count
            metrics.uploadsOK.increment()
            metrics.recordsUploaded.increment(by: ids.count)
            if let d = try? spool.depth() { metrics.update(spool: d, evicted: spool.evicted, now: recordClock()) }
            logger.debug("batch uploaded", metadata: ["records": "\(ids.count)", "accepted": "\(receipt.accepted)",
                                                      "duplicates": "\(receipt.duplicates)"])
            return .sent
        case .retry(let reason, let after):
            metrics.uploadsRetried.increment()
            logger.warning("upload failed; will retry", metadata: ["reason": "\(reason)", "records": "\(ids.count)"])
            return .retry(after: after)
        case .shrink(let reason):
            if batch.count == 1 {
                try? spool.quarantine(ids)
                batchesQuarantined += 1
                metrics.uploadsRejected.increment()
                logger.error("single record too large for the collector; quarantined", metadata: ["reason": "\(reason)", "id": "\(ids[0])"])
                return .quarantined
            }
            logger.warning("batch too large; halving", metadata: ["reason": "\(reason)", "records": "\(ids.count)"])
            return .shrunk
        case .quarantine(let reason):
            try? spool.quarantine(ids)
            batchesQuarantined += 1
            metrics.uploadsRejected.increment()
            logger.error("collector rejected the batch; quarantined (not retried)",
                         metadata: ["reason": "\(reason)", "records": "\(ids.count)", "first": "\(ids[0])"])
            return .quarantined
        }
    }
}
