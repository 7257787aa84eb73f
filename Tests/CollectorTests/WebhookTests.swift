import CellwatchModel
import Collector
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
import TestSupport

@Suite("Collector webhooks")
struct WebhookTests {
    struct Received: Sendable {
        var headers: HTTPFields
        var body: Data
    }

    @Test func signatureIsHMACSHA256OverTimestampDotBody() {
        // Expected value from Python's hmac module (an independent implementation).
        let s = WebhookDispatcher.signature(secret: "Jefe", timestamp: 1_764_385_447, body: Data("what do ya want for nothing?".utf8))
        #expect(s == "sha256=17cfdf53243b1ecaba82067a32af483ebbf1dad41956cb06c6eb154ede32b601")
        #expect(s != WebhookDispatcher.signature(secret: "Jefe", timestamp: 1_764_385_448, body: Data("what do ya want for nothing?".utf8)))
    }

    @Test func alertEventsArePostedSignedAndRetried() async throws {
        let received = Mutex<[Received]>([])
        let failuresLeft = Mutex(1)   // the receiver refuses the first delivery: it must be retried
        let router = Router()
        router.post("/hook") { req, _ -> HTTPResponse.Status in
            let body = try await req.body.collect(upTo: 1 << 20)
            let fail = failuresLeft.withLock { n in defer { n -= 1 }; return n > 0 }
            if fail { return .serviceUnavailable }
            received.withLock { $0.append(Received(headers: req.headers, body: Data(body.readableBytesView))) }
            return .noContent
        }
        let receiver = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        let f = try await Fixture()
        defer { f.cleanup() }
        let secret = "a-shared-secret-of-32-characters"
        try await receiver.test(.live) { client in
            let port = try #require(client.port)
            let dispatcher = WebhookDispatcher(targets: [WebhookTarget(url: "http://127.0.0.1:\(port)/hook", secret: secret)],
                                               hub: f.service.hub, firstBackoffSeconds: 0.05, clock: { f.clock.date })
            let task = Task { try await dispatcher.run() }
            for _ in 0..<200 where f.service.hub.subscriberCount == 0 { try await Task.sleep(for: .milliseconds(10)) }
            _ = try await f.service.ingest(try f.report(), from: try #require(try await f.store.sensor(id: "s1")))
            for _ in 0..<300 where received.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(20)) }
            task.cancel()
            let got = try #require(received.withLock { $0.first })
            let timestamp = try #require(got.headers[HTTPField.Name("X-Cellwatch-Timestamp")!].flatMap { Int($0) })
            #expect(timestamp == Int(Fixture.start.timeIntervalSince1970))
            #expect(got.headers[HTTPField.Name("X-Cellwatch-Event-Id")!] == "1")
            #expect(got.headers[HTTPField.Name("X-Cellwatch-Signature")!]
                    == WebhookDispatcher.signature(secret: secret, timestamp: timestamp, body: got.body))
            #expect(got.headers[HTTPField.Name("X-Cellwatch-Signature")!]
                    != WebhookDispatcher.signature(secret: "another-secret-of-32-characters!", timestamp: timestamp, body: got.body))
            let event = try ReportCoding.decoder().decode(WebhookEvent.self, from: got.body)
            #expect(event.kind == "created")
            #expect(event.alert.suspectKey == Fixture.suspectKey)
        }
        #expect(failuresLeft.withLock { $0 } <= 0)   // the refused first attempt happened and was retried
        #expect(received.withLock { $0.count } == 1)
    }

    @Test func webhookConfigIsChecked() throws {
        var file = CollectorConfigFile()
        file.webhooks = [WebhookTarget(url: "ftp://x", secret: "0123456789abcdef")]
        #expect(throws: ConfigError.self) { try CollectorConfig(file: file, listen: nil, database: nil) }
        file.webhooks = [WebhookTarget(url: "https://police.example/hook", secret: "short")]
        #expect(throws: ConfigError.self) { try CollectorConfig(file: file, listen: nil, database: nil) }
        file.webhooks = [WebhookTarget(url: "https://police.example/hook", secret: "0123456789abcdef")]
        #expect(try CollectorConfig(file: file, listen: nil, database: nil).webhooks.count == 1)
    }
}
