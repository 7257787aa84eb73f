import CellwatchModel
import Collector
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

@Suite("Collector alerts and users")
struct AlertAPITests {
    @Test(arguments: Backend.allCases) func loginAndRoles(_ backend: Backend) async throws {
        let f = try await Fixture(backend)
        defer { f.cleanup() }
        _ = try await f.service.ingest(try f.report(), from: try #require(try await f.store.sensor(id: "s1")))
        try await f.app().test(.router) { client in
            let wrong = try await client.execute(uri: "/api/v1/login", method: .post, headers: [.contentType: "application/json"],
                                                 body: ByteBuffer(string: #"{"name":"viewer1","password":"guess"}"#))
            #expect(wrong.status == .unauthorized)
            let nobody = try await client.execute(uri: "/api/v1/login", method: .post, headers: [.contentType: "application/json"],
                                                  body: ByteBuffer(string: #"{"name":"ghost","password":"guess"}"#))
            #expect(nobody.status == .unauthorized)
            let noAuth = try await client.execute(uri: "/api/v1/alerts", method: .get)
            #expect(noAuth.status == .unauthorized)

            let viewer = try await Fixture.login(client, .viewer)
            let list = try await client.execute(uri: "/api/v1/alerts", method: .get, headers: Fixture.bearer(viewer, json: false))
            #expect(list.status == .ok)
            let alerts = try decodeBody([AlertRecord].self, list)
            let id = try #require(alerts.first?.id)
            let ack = try await client.execute(uri: "/api/v1/alerts/\(id)/acknowledge", method: .post,
                                               headers: Fixture.bearer(viewer, json: false))
            #expect(ack.status == .forbidden)
            #expect(errorMessage(ack).contains("operator"))
            // Viewer cannot manage sensors or users either.
            let addSensor = try await client.execute(uri: "/api/v1/sensors", method: .post, headers: Fixture.bearer(viewer),
                                                     body: ByteBuffer(string: #"{"id":"s9","publicKey":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}"#))
            #expect(addSensor.status == .forbidden)

            let op = try await Fixture.login(client, .operator)
            let ok = try await client.execute(uri: "/api/v1/alerts/\(id)/acknowledge", method: .post, headers: Fixture.bearer(op, json: false))
            #expect(ok.status == .ok)
            #expect(try decodeBody(AlertRecord.self, ok).state == .acknowledged)
            let users = try await client.execute(uri: "/api/v1/users", method: .get, headers: Fixture.bearer(op, json: false))
            #expect(users.status == .forbidden)

            let admin = try await Fixture.login(client, .admin)
            let created = try await client.execute(uri: "/api/v1/sensors", method: .post, headers: Fixture.bearer(admin),
                                                   body: ByteBuffer(string: #"{"id":"s9","publicKey":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}"#))
            #expect(created.status == .created, "\(errorMessage(created))")
            let token = try decodeBody(NewSensorResponse.self, created).token
            #expect(try await f.store.sensor(tokenSHA256: Tokens.hash(token))?.id == "s9")
            let dup = try await client.execute(uri: "/api/v1/sensors", method: .post, headers: Fixture.bearer(admin),
                                               body: ByteBuffer(string: #"{"id":"s9","publicKey":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}"#))
            #expect(dup.status == .conflict)

            // Logout ends the session.
            let out = try await client.execute(uri: "/api/v1/logout", method: .post, headers: Fixture.bearer(viewer, json: false))
            #expect(out.status == .noContent)
            let after = try await client.execute(uri: "/api/v1/alerts", method: .get, headers: Fixture.bearer(viewer, json: false))
            #expect(after.status == .unauthorized)
        }
        // Sessions expire.
        f.clock.advance(13 * 3600)
        try await f.app().test(.router) { client in
            let op = try await Fixture.login(client, .operator)
            f.clock.advance(13 * 3600)
            let r = try await client.execute(uri: "/api/v1/alerts", method: .get, headers: Fixture.bearer(op, json: false))
            #expect(r.status == .unauthorized)
        }
        let audit = try await f.store.audit(limit: 100).map(\.action)
        #expect(audit.contains("login"))
        #expect(audit.contains("login.failed"))
        #expect(audit.contains("alert.acknowledge"))
        #expect(audit.contains("sensor.add"))
    }

    @Test(arguments: Backend.allCases) func alertLifecycleAndOneAlertPerEmitter(_ backend: Backend) async throws {
        let f = try await Fixture(backend)
        defer { f.cleanup() }
        let s1 = try #require(try await f.store.sensor(id: "s1"))
        let s2 = try #require(try await f.store.sensor(id: "s2"))
        // Low severity, not raised: no alert.
        _ = try await f.service.ingest(try f.report(observations: 1, suspects: [SuspectRecord(id: "q0", suspect: f.suspect(severity: .low, raised: false, score: 20))], evidence: []), from: s1)
        #expect(try await f.store.alerts(includeResolved: true).isEmpty)
        _ = try await f.service.ingest(try f.report(idPrefix: "a", suspects: [SuspectRecord(id: "q1", suspect: f.suspect(severity: .medium, raised: false, score: 50))]), from: s1)
        // Another sensor hears the same emitter: same alert, two sensors.
        _ = try await f.service.ingest(try f.report(idPrefix: "b", suspects: [SuspectRecord(id: "q2", suspect: f.suspect(sensor: "s2"))], evidence: [], sensor: "s2"), from: s2)
        let alerts = try await f.store.alerts(includeResolved: true)
        #expect(alerts.count == 1)
        let alert = try #require(alerts.first)
        #expect(alert.sensors == ["s1", "s2"])
        #expect(alert.severity == .high)
        #expect(alert.revision == 2)

        try await f.app().test(.router) { client in
            let op = try await Fixture.login(client, .operator)
            let h = Fixture.bearer(op, json: false)
            let detail = try await client.execute(uri: "/api/v1/alerts/\(alert.id)", method: .get, headers: h)
            #expect(detail.status == .ok)
            let d = try decodeBody(AlertDetail.self, detail)
            #expect(d.evidence.count == 1)
            #expect(d.evidence.first?.verification == "valid")
            #expect(d.evidence.first?.evidence?.messages.first?.name == "System Information Type 3")

            for (verb, state) in [("acknowledge", AlertState.acknowledged), ("dispatch", .dispatched), ("resolve", .resolved)] {
                let r = try await client.execute(uri: "/api/v1/alerts/\(alert.id)/\(verb)", method: .post, headers: h)
                #expect(r.status == .ok)
                #expect(try decodeBody(AlertRecord.self, r).state == state)
            }
            let back = try await client.execute(uri: "/api/v1/alerts/\(alert.id)/acknowledge", method: .post, headers: h)
            #expect(back.status == .conflict)
            let missing = try await client.execute(uri: "/api/v1/alerts/999/resolve", method: .post, headers: h)
            #expect(missing.status == .notFound)
            let bad = try await client.execute(uri: "/api/v1/alerts/abc", method: .get, headers: h)
            #expect(bad.status == .badRequest)
            let open = try await client.execute(uri: "/api/v1/alerts", method: .get, headers: h)
            #expect(try decodeBody([AlertRecord].self, open).isEmpty)
            let all = try await client.execute(uri: "/api/v1/alerts?all=true", method: .get, headers: h)
            #expect(try decodeBody([AlertRecord].self, all).map(\.state) == [.resolved])
            let sensors = try await client.execute(uri: "/api/v1/sensors", method: .get, headers: h)
            let views = try decodeBody([SensorView].self, sensors)
            #expect(views.map(\.id) == ["s1", "s2"])
            #expect(views.allSatisfy { !$0.stale })
            let suspects = try await client.execute(uri: "/api/v1/suspects", method: .get, headers: h)
            #expect(try decodeBody([SuspectSnapshot].self, suspects).count == 2)
        }
        // Raised again after it was resolved: the same alert comes back as new.
        f.clock.advance(600)
        _ = try await f.service.ingest(try f.report(idPrefix: "c", suspects: [SuspectRecord(id: "q3", suspect: f.suspect())], evidence: []), from: s1)
        let reopened = try await f.store.alerts(includeResolved: true)
        #expect(reopened.count == 1)
        #expect(reopened.first?.state == .new)
        let audit = try await f.store.audit(limit: 100).map(\.action)
        #expect(audit.filter { $0 == "alert.view" }.count == 1)
        #expect(audit.contains("alert.resolve"))
    }

    @Test(arguments: Backend.allCases) func streamDeliversAlertUpdates(_ backend: Backend) async throws {
        let f = try await Fixture(backend)
        defer { f.cleanup() }
        try await f.app().test(.router) { client in
            let viewer = try await Fixture.login(client, .viewer)
            async let streamed = client.execute(uri: "/api/v1/alerts/stream?limit=2", method: .get,
                                                headers: Fixture.bearer(viewer, json: false))
            // Wait until the stream is subscribed.
            for _ in 0..<200 where f.service.hub.subscriberCount == 0 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(f.service.hub.subscriberCount == 1)
            let r = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.token),
                                             body: try Fixture.encode(try f.report()))
            #expect(r.status == .ok)
            let op = try await Fixture.login(client, .operator)
            let alertID = try #require(try await f.store.alerts(includeResolved: true).first?.id)
            _ = try await client.execute(uri: "/api/v1/alerts/\(alertID)/acknowledge", method: .post,
                                         headers: Fixture.bearer(op, json: false))
            let response = try await streamed
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/event-stream")
            let text = String(buffer: response.body)
            let events = text.components(separatedBy: "\n\n").filter { $0.contains("event: alert") }
            #expect(events.count == 2)
            #expect(events.first?.contains("id: 1\n") == true)
            #expect(events.first?.contains(Fixture.suspectKey) == true)
            #expect(events.first?.contains("\"kind\":\"created\"") == true)
            #expect(events.last?.contains("\"kind\":\"acknowledged\"") == true)

            // Reconnecting with Last-Event-ID replays what came after it.
            var h = Fixture.bearer(viewer, json: false)
            h[HTTPField.Name("Last-Event-ID")!] = "1"
            let replay = try await client.execute(uri: "/api/v1/alerts/stream?limit=1", method: .get, headers: h)
            #expect(String(buffer: replay.body).contains("id: 2\n"))
        }
        #expect(f.service.hub.subscriberCount == 0)
    }

    @Test(arguments: Backend.allCases) func streamSendsHeartbeats(_ backend: Backend) async throws {
        let f = try await Fixture(backend)
        defer { f.cleanup() }
        try await f.app().test(.router) { client in
            let viewer = try await Fixture.login(client, .viewer)
            async let streamed = client.execute(uri: "/api/v1/alerts/stream?limit=1", method: .get,
                                                headers: Fixture.bearer(viewer, json: false))
            for _ in 0..<200 where f.service.hub.subscriberCount == 0 { try await Task.sleep(for: .milliseconds(10)) }
            try await Task.sleep(for: .milliseconds(700))   // heartbeat every 0.2 s in the fixture
            _ = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.token),
                                         body: try Fixture.encode(try f.report()))
            let text = String(buffer: try await streamed.body)
            #expect(text.components(separatedBy: ": heartbeat").count - 1 >= 2)
        }
    }

    static let capSchema = TestSupport.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/schemas/CAP-v1.2.xsd").path
    static var canValidateCAP: Bool {
        FileManager.default.fileExists(atPath: capSchema) && FileManager.default.isExecutableFile(atPath: "/usr/bin/xmllint")
    }

    @Test(.enabled(if: AlertAPITests.canValidateCAP, "needs ../shared/schemas/CAP-v1.2.xsd and xmllint (libxml2-utils)"), arguments: Backend.allCases)
    func capValidatesAgainstTheOASISSchema(_ backend: Backend) async throws {
        let f = try await Fixture(backend)
        defer { f.cleanup() }
        _ = try await f.service.ingest(try f.report(), from: try #require(try await f.store.sensor(id: "s1")))
        let alert = try #require(try await f.store.alerts(includeResolved: true).first)
        let store = f.store
        let now = f.clock.date
        let documents = try await f.app().test(.router) { client in
            var documents: [String] = []
            let op = try await Fixture.login(client, .operator)
            let h = Fixture.bearer(op, json: false)
            for step in ["first", "moved", "acknowledge", "resolve"] {
                if step == "moved" {
                    _ = try await store.updateAlertPosition(
                        id: alert.id, fix: EmitterFix(latitudeDegrees: 52.5201, longitudeDegrees: 13.4049, ellipseMajorMeters: 80,
                                                      ellipseMinorMeters: 30, ellipseBearingDegrees: 45, headingDegrees: 90,
                                                      speedMetersPerSecond: 3, method: "test", observationCount: 3, time: now),
                        trackLimit: 10, at: now)
                } else if step != "first" {
                    _ = try await client.execute(uri: "/api/v1/alerts/\(alert.id)/\(step)", method: .post, headers: h)
                }
                let r = try await client.execute(uri: "/api/v1/alerts/\(alert.id)/cap", method: .get, headers: h)
                #expect(r.status == .ok)
                #expect(r.headers[.contentType]?.hasPrefix("application/cap+xml") == true)
                documents.append(String(buffer: r.body))
            }
            return documents
        }
        #expect(documents[0].contains("<msgType>Alert</msgType>"))
        #expect(!documents[0].contains("<references>"))
        #expect(documents[1].contains("<msgType>Update</msgType>"))
        #expect(documents[1].contains("<references>cellwatch-collector,cellwatch-alert-\(alert.id)-r1,"))
        #expect(documents[2].contains("<msgType>Update</msgType>"))
        #expect(documents[3].contains("<msgType>Cancel</msgType>"))
        #expect(documents[1].contains("<circle>52.520100,13.404900 0.080</circle>"))
        #expect(documents[0].contains("&lt;unknown&gt; &amp; not in baseline"))
        #expect(documents[0].contains("<sent>2026-11-29T03:00:00-00:00</sent>"))
        for (i, doc) in documents.enumerated() {
            let file = f.dir.appendingPathComponent("cap-\(i).xml")
            try Data(doc.utf8).write(to: file)
            let (status, output) = try runXmllint(file.path)
            #expect(status == 0, "xmllint: \(output)\n\(doc)")
        }
        // The check can fail: a message missing a required element does not validate.
        let broken = documents[0].replacingOccurrences(of: "<status>Actual</status>", with: "")
        let file = f.dir.appendingPathComponent("broken.xml")
        try Data(broken.utf8).write(to: file)
        #expect(try runXmllint(file.path).0 != 0)
    }

    func runXmllint(_ path: String) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
        p.arguments = ["--noout", "--schema", Self.capSchema, path]
        let pipe = Pipe()
        p.standardError = pipe
        p.standardOutput = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self))
    }

    @Test(arguments: Backend.allCases) func geoJSONExportParses(_ backend: Backend) async throws {
        let f = try await Fixture(backend)
        defer { f.cleanup() }
        _ = try await f.service.ingest(try f.report(), from: try #require(try await f.store.sensor(id: "s1")))
        let alert = try #require(try await f.store.alerts(includeResolved: true).first)
        for (i, lat) in [52.5201, 52.5211].enumerated() {
            _ = try await f.store.updateAlertPosition(
                id: alert.id, fix: EmitterFix(latitudeDegrees: lat, longitudeDegrees: 13.4049, ellipseMajorMeters: 80,
                                              ellipseMinorMeters: 30, ellipseBearingDegrees: 45, method: "test",
                                              observationCount: 3, time: f.clock.date.addingTimeInterval(Double(i))),
                trackLimit: 10, at: f.clock.date)
        }
        try await f.app().test(.router) { client in
            let viewer = try await Fixture.login(client, .viewer)
            let r = try await client.execute(uri: "/api/v1/export/alerts.geojson", method: .get, headers: Fixture.bearer(viewer, json: false))
            #expect(r.status == .ok)
            #expect(r.headers[.contentType] == "application/geo+json")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(r.body.readableBytesView)) as? [String: Any])
            #expect(json["type"] as? String == "FeatureCollection")
            let features = try #require(json["features"] as? [[String: Any]])
            #expect(features.count == 2)
            let point = try #require(features.first { ($0["geometry"] as? [String: Any])?["type"] as? String == "Point" })
            let coords = try #require((point["geometry"] as? [String: Any])?["coordinates"] as? [Double])
            #expect(coords == [13.4049, 52.5211])   // RFC 7946: [lon, lat]
            #expect((point["properties"] as? [String: Any])?["suspectKey"] as? String == Fixture.suspectKey)
            let line = try #require(features.first { ($0["geometry"] as? [String: Any])?["type"] as? String == "LineString" })
            #expect(((line["geometry"] as? [String: Any])?["coordinates"] as? [[Double]])?.count == 2)
        }
    }

    @Test(arguments: Backend.allCases) func metricsAndHealth(_ backend: Backend) async throws {
        let f = try await Fixture(backend)
        defer { f.cleanup() }
        try await f.app().test(.router) { client in
            _ = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.token),
                                         body: try Fixture.encode(try f.report(observations: 4)))
            _ = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer("bad"),
                                         body: try Fixture.encode(try f.report(observations: 4)))
            let h = try await client.execute(uri: "/healthz", method: .get)
            #expect(h.status == .ok)
            let m = try await client.execute(uri: "/metrics", method: .get)
            let text = String(buffer: m.body)
            #expect(text.contains("cellwatch_records_total{kind=\"observation\"} 4\n"))
            #expect(text.contains("cellwatch_reports_rejected_total{status=\"401\"} 1\n"))
            #expect(text.contains("# TYPE cellwatch_open_alerts gauge\ncellwatch_open_alerts 1\n"))
            let unknown = try await client.execute(uri: "/api/v1/nothing", method: .get)
            #expect(unknown.status == .notFound)
            #expect(errorMessage(unknown).contains("no route"))
        }
    }
}
