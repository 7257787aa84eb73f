import CellwatchModel
import Collector
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

/// Two collector instances on one PostgreSQL database, as a fleet runs them behind a load balancer:
/// alert changes made through one reach the live streams of the other, and concurrent uploads
/// through both store every record once and keep one alert per emitter.
@Suite("Collector fleet on PostgreSQL")
struct FleetTests {
    /// Instance B of a fixture's database: its own connection pool, alert hub, fan-out listener
    /// and HTTP router, sharing nothing in memory with instance A.
    struct SecondInstance {
        let store: PostgresStore
        let service: CollectorService
        let fanOut: Task<Void, Never>
        init(of a: Fixture, settings: CollectorSettings = Fixture.settings()) async throws {
            store = try await PostgresStore.open(try #require(a.postgres))
            let hub = makeAlertHub(for: store)
            let clock = a.clock
            service = CollectorService(store: store, settings: settings, hub: hub, clock: { clock.date })
            let s = store
            fanOut = Task { await s.deliverAlerts(to: hub) }
        }
        func app() -> some ApplicationProtocol { Application(router: CollectorAPI(service: service).router()) }
        func close() {
            fanOut.cancel()
            store.close()
        }
    }

    static func waitUntilListening(_ stores: [PostgresStore]) async throws {
        for _ in 0..<1000 where !stores.allSatisfy(\.isListening) { try await Task.sleep(for: .milliseconds(10)) }
        let ready = stores.allSatisfy(\.isListening)
        #expect(ready, "alert listeners did not start")
    }

    struct Timeout: Error, CustomStringConvertible {
        var description: String
    }

    /// `body`, or a `Timeout` after `seconds` (a missing event must fail the test, not hang it).
    static func within<T: Sendable>(_ seconds: Double, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                throw Timeout(description: "\(what): nothing after \(seconds) s")
            }
            let first = try await group.next()!
            group.cancelAll()
            return first
        }
    }

    @Test func alertRaisedThroughOneInstanceReachesAStreamOnTheOther() async throws {
        let a = try await Fixture(.postgres)
        defer { a.cleanup() }
        let b = try await SecondInstance(of: a)
        defer { b.close() }
        try await Self.waitUntilListening([try #require(a.store as? PostgresStore), b.store])

        try await b.app().test(.router) { clientB in
            // Users, sessions and sensors live in the shared database: log in on B.
            let viewer = try await Fixture.login(clientB, .viewer)
            let streamed = Task {
                try await Self.within(60, "stream on instance B") {
                    try await clientB.execute(uri: "/api/v1/alerts/stream?limit=2", method: .get,
                                              headers: Fixture.bearer(viewer, json: false))
                }
            }
            for _ in 0..<500 where b.service.hub.subscriberCount == 0 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(b.service.hub.subscriberCount == 1)

            // The sensor uploads to A; an operator acknowledges on A.
            try await a.app().test(.router) { clientA in
                let r = try await clientA.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(a.token),
                                                  body: try Fixture.encode(try a.report()))
                #expect(r.status == .ok, "\(errorMessage(r))")
                let op = try await Fixture.login(clientA, .operator)
                let alertID = try #require(try await a.store.alerts(includeResolved: true).first?.id)
                let ack = try await clientA.execute(uri: "/api/v1/alerts/\(alertID)/acknowledge", method: .post,
                                                    headers: Fixture.bearer(op, json: false))
                #expect(ack.status == .ok)
            }

            let response = try await streamed.value
            #expect(response.status == .ok)
            let events = String(buffer: response.body).components(separatedBy: "\n\n").filter { $0.contains("event: alert") }
            #expect(events.count == 2)
            #expect(events.first?.contains("\"kind\":\"created\"") == true)
            #expect(events.first?.contains(Fixture.suspectKey) == true)
            #expect(events.last?.contains("\"kind\":\"acknowledged\"") == true)
            #expect(events.last?.contains("\"stateChangedBy\":\"operator1\"") == true)
        }

        // Nothing echoes back: A published its two changes once, B relayed them once each.
        try await Task.sleep(for: .milliseconds(300))
        let onA = await replayed(a.service.hub)
        let onB = await replayed(b.service.hub)
        #expect(onA.map(\.kind) == ["created", "acknowledged"])
        #expect(onB.map(\.kind) == ["created", "acknowledged"])
        #expect(onA.allSatisfy { !$0.fromOtherInstance })
        #expect(onB.allSatisfy { $0.fromOtherInstance })
    }

    /// Everything a hub still holds for replay.
    func replayed(_ hub: AlertHub) async -> [AlertEvent] {
        let (id, stream) = hub.subscribe(after: 0)
        hub.unsubscribe(id)   // finishes the stream after the replayed events
        var events: [AlertEvent] = []
        for await item in stream { if case .event(let e) = item { events.append(e) } }
        return events
    }

    @Test func sameReportThroughBothInstancesAtOnceIsStoredOnce() async throws {
        let a = try await Fixture(.postgres)
        defer { a.cleanup() }
        let b = try await SecondInstance(of: a)
        defer { b.close() }
        let s1 = try #require(try await a.store.sensor(id: "s1"))
        let s2 = try #require(try await a.store.sensor(id: "s2"))
        var total = ReportReceipt(accepted: 0, duplicates: 0)
        let rounds = 6
        for round in 0..<rounds {
            // The same retried upload lands on both instances at once.
            let report = try a.report(observations: 40, idPrefix: "r\(round)",
                                      evidence: [try a.signedEvidence(id: "ev-\(round)")])
            async let viaA = a.service.ingest(report, from: s1)
            async let viaB = b.service.ingest(report, from: s1)
            let (ra, rb) = try await (viaA, viaB)
            #expect(ra.accepted + rb.accepted == 42 - (round == 0 ? 0 : 1), "round \(round): \(ra) \(rb)")
            total.accepted += ra.accepted + rb.accepted
            total.duplicates += ra.duplicates + rb.duplicates

            // Two sensors raise a new emitter at the same moment, one through each instance.
            // A new emitter: its own identity and channel, and the id the collector derives from them.
            var fromS1 = a.suspect(sensor: "s1")
            fromS1.identity.cellId = 40000 + round
            fromS1.channel = .arfcn(ARFCN(61))
            fromS1.id = "GSM:262-1-4711-\(40000 + round)@ARFCN 61"
            #expect(fromS1.id == EmitterKey(fromS1).description)
            var fromS2 = fromS1
            fromS2.sensors = ["s2"]
            let r1 = try a.report(observations: 0, suspects: [SuspectRecord(id: "n\(round)", suspect: fromS1)], evidence: [])
            let r2 = try a.report(observations: 0, suspects: [SuspectRecord(id: "n\(round)", suspect: fromS2)], evidence: [],
                                  sensor: "s2")
            async let x = a.service.ingest(r1, from: s1)
            async let y = b.service.ingest(r2, from: s2)
            _ = try await (x, y)
            let alert = try #require(try await b.store.alert(suspectKey: fromS1.id))
            #expect(alert.sensors == ["s1", "s2"])
            #expect(alert.revision == 2)
        }
        // Suspect record "sus-1" is the same record id in every round: stored once.
        #expect(try await a.store.observationCount() == 40 * rounds)
        #expect(try await b.store.evidence(suspectKey: Fixture.suspectKey).count == rounds)
        #expect(try await a.store.alerts(includeResolved: true).count == 1 + rounds)
        #expect(total.accepted == 42 + 41 * (rounds - 1))
        #expect(total.duplicates == 42 * rounds + 1 * (rounds - 1))
        #expect(try await a.store.sensor(id: "s1")?.recordsAccepted == total.accepted + rounds)
    }
}
