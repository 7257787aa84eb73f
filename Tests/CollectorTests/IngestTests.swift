import CellwatchModel
import Collector
import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

@Suite("Collector ingest")
struct IngestTests {
    @Test(arguments: Backend.allCases) func happyPathStoresEverythingAndRaisesOneAlert(_ backend: Backend) async throws {
        let f = try await Fixture(backend)
        defer { f.cleanup() }
        try await f.app().test(.router) { client in
            let r = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.token),
                                             body: try Fixture.encode(try f.report(observations: 5)))
            #expect(r.status == .ok, "\(errorMessage(r))")
            let receipt = try decodeBody(ReportReceipt.self, r)
            #expect(receipt == ReportReceipt(accepted: 7, duplicates: 0))
        }
        #expect(try await f.store.observationCount() == 5)
        let alerts = try await f.store.alerts(includeResolved: true)
        #expect(alerts.count == 1)
        #expect(alerts.first?.suspectKey == Fixture.suspectKey)
        #expect(alerts.first?.state == .new)
        #expect(alerts.first?.severity == .high)
        let evidence = try await f.store.evidence(suspectKey: Fixture.suspectKey)
        #expect(evidence.count == 1 && evidence[0].verified)
        // What was stored is what the sensor signed: the digest matches and the signature checks.
        let row = try #require(evidence.first)
        #expect(SHA256.hash(data: row.payload).map { String(format: "%02x", $0) }.joined() == row.sha256)
        let key = try Curve25519.Signing.PublicKey(rawRepresentation: row.publicKey)
        #expect(key.isValidSignature(row.signature, for: Data(SHA256.hash(data: row.payload))))
        let sensor = try #require(try await f.store.sensor(id: "s1"))
        #expect(sensor.lastSeen == Fixture.start)
        #expect(sensor.health?.cellsDecoded == 12)
        #expect(sensor.recordsAccepted == 7)
        #expect(try await f.store.suspects().map(\.suspect.id) == [Fixture.suspectKey])
    }

    @Test(arguments: Backend.allCases) func gzipBodyIsInflated(_ backend: Backend) async throws {
        let f = try await Fixture(backend)
        defer { f.cleanup() }
        let json = try ReportCoding.encoder().encode(try f.report(observations: 4))
        var gzipHeaders = Fixture.bearer(f.token)
        gzipHeaders[.contentEncoding] = "gzip"
        let headers = gzipHeaders
        try await f.app().test(.router) { client in
            let r = try await client.execute(uri: "/api/v1/reports", method: .post, headers: headers,
                                             body: ByteBuffer(bytes: Gzip.compress(json)))
            #expect(r.status == .ok, "\(errorMessage(r))")
            #expect(try decodeBody(ReportReceipt.self, r).accepted == 6)
            // Not gzip at all.
            let bad = try await client.execute(uri: "/api/v1/reports", method: .post, headers: headers,
                                               body: ByteBuffer(bytes: json))
            #expect(bad.status == .badRequest)
            #expect(errorMessage(bad).contains("gzip"))
            // Unknown encoding.
            var br = Fixture.bearer(f.token)
            br[.contentEncoding] = "br"
            let unsupported = try await client.execute(uri: "/api/v1/reports", method: .post, headers: br,
                                                       body: ByteBuffer(bytes: json))
            #expect(unsupported.status == .unsupportedMediaType)
        }
    }

    @Test(arguments: Backend.allCases) func gzipBombIsRefused(_ backend: Backend) async throws {
        var limits = IngestLimits()
        limits.maxDecompressedBytes = 1 << 20
        let f = try await Fixture(backend, settings: Fixture.settings(limits: limits))
        defer { f.cleanup() }
        let bomb = Gzip.compress(Data(repeating: 0x20, count: 8 << 20))
        #expect(bomb.count < 64 << 10)
        var gzipHeaders = Fixture.bearer(f.token)
        gzipHeaders[.contentEncoding] = "gzip"
        let headers = gzipHeaders
        try await f.app().test(.router) { client in
            let r = try await client.execute(uri: "/api/v1/reports", method: .post, headers: headers,
                                             body: ByteBuffer(bytes: bomb))
            #expect(r.status == .contentTooLarge, "\(errorMessage(r))")
        }
    }

    @Test(arguments: Backend.allCases) func retriedBatchIsStoredOnce(_ backend: Backend) async throws {
        let f = try await Fixture(backend)
        defer { f.cleanup() }
        let body = try Fixture.encode(try f.report(observations: 10))
        try await f.app().test(.router) { client in
            let first = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.token), body: body)
            #expect(try decodeBody(ReportReceipt.self, first) == ReportReceipt(accepted: 12, duplicates: 0))
            let again = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.token), body: body)
            #expect(again.status == .ok)
            #expect(try decodeBody(ReportReceipt.self, again) == ReportReceipt(accepted: 0, duplicates: 12))
            // A batch that overlaps: 5 old, 5 new observations.
            var overlap = try f.report(observations: 10, suspects: [], evidence: [])
            overlap.observations = Array(overlap.observations[5...]) + (0..<5).map {
                ObservationRecord(id: "new-\($0)", observation: f.observation($0))
            }
            let mixed = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.token),
                                                 body: try Fixture.encode(overlap))
            #expect(try decodeBody(ReportReceipt.self, mixed) == ReportReceipt(accepted: 5, duplicates: 5))
        }
        #expect(try await f.store.observationCount() == 15)
        #expect(try await f.store.evidence(suspectKey: Fixture.suspectKey).count == 1)
        // The same record id from another sensor is another record.
        let alerts = try await f.store.alerts(includeResolved: true)
        #expect(alerts.count == 1)
    }

    @Test(arguments: Backend.allCases) func forgedEvidenceIsRejectedAndNothingIsStored(_ backend: Backend) async throws {
        let f = try await Fixture(backend)
        defer { f.cleanup() }
        var seeded = SeededGenerator(seed: 99)
        let forger = try Curve25519.Signing.PrivateKey(rawRepresentation: (0..<32).map { _ in UInt8.random(in: 0...255, using: &seeded) })
        var tampered = try f.signedEvidence()
        tampered.payload[tampered.payload.startIndex + 10] ^= 0x01
        var wrongKey = try f.signedEvidence(signer: forger)
        wrongKey.publicKey = forger.publicKey.rawRepresentation
        let cases: [(SignedEvidence, String)] = [
            (try f.signedEvidence(signer: forger), "signature"),   // signed by another key, claims ours
            (tampered, "sha256"),                                  // payload changed after signing
            (wrongKey, "registered"),                              // brings its own key
        ]
        try await f.app().test(.router) { client in
            for (evidence, word) in cases {
                let r = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.token),
                                                 body: try Fixture.encode(try f.report(evidence: [evidence])))
                #expect(r.status == .badRequest)
                #expect(errorMessage(r).contains(word), "\(errorMessage(r))")
            }
        }
        // The whole batch was refused: no observations, suspects or alerts from it.
        #expect(try await f.store.observationCount() == 0)
        #expect(try await f.store.alerts(includeResolved: true).isEmpty)
        #expect(try await f.store.suspects().isEmpty)
    }

    @Test(arguments: Backend.allCases) func missingOrWrongTokenIs401(_ backend: Backend) async throws {
        let f = try await Fixture(backend)
        defer { f.cleanup() }
        let body = try Fixture.encode(try f.report())
        try await f.app().test(.router) { client in
            let none = try await client.execute(uri: "/api/v1/reports", method: .post,
                                                headers: [.contentType: "application/json"], body: body)
            #expect(none.status == .unauthorized)
            #expect(none.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            let wrong = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer("nope"), body: body)
            #expect(wrong.status == .unauthorized)
            #expect(errorMessage(wrong).contains("token"))
            // A session token is not a sensor token.
            let session = try await Fixture.login(client, .admin)
            let user = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(session), body: body)
            #expect(user.status == .unauthorized)
        }
        #expect(try await f.store.observationCount() == 0)
    }

    @Test(arguments: Backend.allCases) func tokenOfAnotherSensorIs403(_ backend: Backend) async throws {
        let f = try await Fixture(backend)
        defer { f.cleanup() }
        try await f.app().test(.router) { client in
            // s2's token, s1's report.
            let r = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.otherToken),
                                             body: try Fixture.encode(try f.report()))
            #expect(r.status == .forbidden)
            #expect(errorMessage(r).contains("s1"))
        }
        try await f.store.setSensorEnabled(id: "s1", enabled: false)
        try await f.app().test(.router) { client in
            let r = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.token),
                                             body: try Fixture.encode(try f.report()))
            #expect(r.status == .forbidden)
            #expect(errorMessage(r).contains("disabled"))
        }
        #expect(try await f.store.observationCount() == 0)
    }

    @Test(arguments: Backend.allCases) func malformedBodiesAre400WithTheirPath(_ backend: Backend) async throws {
        let f = try await Fixture(backend)
        defer { f.cleanup() }
        let good = try f.report(observations: 2)
        let goodJSON = try JSONSerialization.jsonObject(with: try ReportCoding.encoder().encode(good)) as! [String: Any]
        func mutated(_ change: (inout [String: Any]) -> Void) throws -> ByteBuffer {
            var j = goodJSON
            change(&j)
            return ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: j))
        }
        func setObs(_ j: inout [String: Any], _ path: [String], _ value: Any) {
            var obs = j["observations"] as! [[String: Any]]
            var o = obs[1]["observation"] as! [String: Any]
            if path.count == 1 { o[path[0]] = value } else {
                var inner = o[path[0]] as! [String: Any]
                inner[path[1]] = value
                o[path[0]] = inner
            }
            obs[1]["observation"] = o
            j["observations"] = obs
        }
        let cases: [(String, ByteBuffer, String)] = [
            ("not JSON", ByteBuffer(string: "{\"version\": 1, "), "not valid JSON"),
            ("wrong type", try mutated { $0["version"] = "one" }, "version"),
            ("missing key", try mutated { $0.removeValue(forKey: "sensorID") }, "sensorID"),
            ("version", try mutated { $0["version"] = 7 }, "version"),
            ("latitude", try mutated { setObs(&$0, ["position", "latitudeDegrees"], 91.5) }, "observations[1].observation.position.latitudeDegrees"),
            ("longitude", try mutated { setObs(&$0, ["position", "longitudeDegrees"], -181) }, "longitudeDegrees"),
            ("MCC", try mutated { setObs(&$0, ["identity", "mcc"], "26") }, "identity.mcc"),
            ("MNC", try mutated { setObs(&$0, ["identity", "mnc"], "1x") }, "identity.mnc"),
            ("LAC", try mutated { setObs(&$0, ["identity", "areaCode"], 70000) }, "identity.areaCode"),
            ("ARFCN", try mutated { setObs(&$0, ["channel", "arfcn"], 5000) }, "channel.arfcn"),
            ("power", try mutated { setObs(&$0, ["powerDBm"], 55.0) }, "powerDBm"),
            ("future", try mutated { setObs(&$0, ["time"], "2027-06-01T00:00:00.000Z") }, "ahead"),
            ("past", try mutated { setObs(&$0, ["time"], "1970-01-01T00:00:00.000Z") }, "before"),
            ("bad date", try mutated { setObs(&$0, ["time"], "yesterday") }, "RFC 3339"),
            ("sensor of record", try mutated { setObs(&$0, ["sensorID"], "s2") }, "observations[1].observation.sensorID"),
            ("record id", try mutated {
                var obs = $0["observations"] as! [[String: Any]]
                obs[1]["id"] = ""
                $0["observations"] = obs
            }, "observations[1].id"),
            ("duplicate id", try mutated {
                var obs = $0["observations"] as! [[String: Any]]
                obs[1]["id"] = obs[0]["id"]
                $0["observations"] = obs
            }, "twice"),
            ("null", ByteBuffer(string: "null"), "body"),
            ("array", ByteBuffer(string: "[]"), "body"),
        ]
        try await f.app().test(.router) { client in
            for (name, body, word) in cases {
                let r = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.token), body: body)
                #expect(r.status == .badRequest, "\(name): \(r.status)")
                #expect(errorMessage(r).contains(word), "\(name): \(errorMessage(r))")
            }
            // Wrong media type.
            var h = Fixture.bearer(f.token)
            h[.contentType] = "text/plain"
            let r = try await client.execute(uri: "/api/v1/reports", method: .post, headers: h, body: try Fixture.encode(good))
            #expect(r.status == .unsupportedMediaType)
        }
        #expect(try await f.store.observationCount() == 0)
    }

    @Test(arguments: Backend.allCases) func tooManyRecordsAndOversizedBodies(_ backend: Backend) async throws {
        var limits = IngestLimits()
        limits.maxBodyBytes = 64 << 10
        limits.maxRecords = 50
        let f = try await Fixture(backend, settings: Fixture.settings(limits: limits))
        defer { f.cleanup() }
        try await f.app().test(.router) { client in
            let many = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.token),
                                                body: try Fixture.encode(try f.report(observations: 60, suspects: [], evidence: [])))
            #expect(many.status == .badRequest)
            #expect(errorMessage(many).contains("at most 50"))
            let huge = ByteBuffer(bytes: [UInt8](repeating: 0x20, count: 200 << 10))
            let r = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.token), body: huge)
            #expect(r.status == .contentTooLarge, "\(errorMessage(r))")
        }
    }

    @Test(arguments: Backend.allCases) func rateLimitAnswers429WithRetryAfter(_ backend: Backend) async throws {
        let f = try await Fixture(backend, settings: Fixture.settings(burst: 2, rate: 0.5))
        defer { f.cleanup() }
        try await f.app().test(.router) { client in
            for i in 0..<2 {
                let r = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.token),
                                                 body: try Fixture.encode(try f.report(idPrefix: "b\(i)")))
                #expect(r.status == .ok)
            }
            let limited = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.token),
                                                   body: try Fixture.encode(try f.report(idPrefix: "b2")))
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] == "2")
            // Another sensor has its own bucket.
            let other = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.otherToken),
                                                 body: try Fixture.encode(try f.report(sensor: "s2")))
            #expect(other.status != .tooManyRequests)
            f.clock.advance(2)
            let later = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.token),
                                                 body: try Fixture.encode(try f.report(idPrefix: "b3")))
            #expect(later.status == .ok)
        }
    }

    /// Random bytes and mutated reports: the endpoint answers 2xx/4xx, never 5xx, never crashes.
    @Test(arguments: Backend.allCases) func garbageFuzzNever5xx(_ backend: Backend) async throws {
        let f = try await Fixture(backend)
        defer { f.cleanup() }
        let base = Array(try ReportCoding.encoder().encode(try f.report(observations: 3)))
        let statuses = try await f.app().test(.router) { client in
            var g = SeededGenerator(seed: 2026)
            var statuses: [Int: Int] = [:]
            for i in 0..<400 {
                var bytes: [UInt8]
                switch i % 4 {
                case 0:
                    bytes = (0..<Int.random(in: 0...300, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
                case 1:
                    bytes = base
                    for _ in 0..<Int.random(in: 1...8, using: &g) {
                        bytes[Int.random(in: 0..<bytes.count, using: &g)] = UInt8.random(in: 0...255, using: &g)
                    }
                case 2:
                    bytes = Array(base.prefix(Int.random(in: 0..<base.count, using: &g)))
                default:
                    // Swap in JSON tokens at random places.
                    let tokens = ["null", "-1e400", "\"\"", "[]", "{}", "1e308", "-0", "\"\\u0000\"", "true", "99999999999999999999"]
                    bytes = base
                    let at = Int.random(in: 0..<bytes.count, using: &g)
                    let len = Int.random(in: 0...12, using: &g)
                    bytes.replaceSubrange(at..<min(bytes.count, at + len), with: Array(tokens.randomElement(using: &g)!.utf8))
                }
                var h = Fixture.bearer(f.token)
                if i % 7 == 0 {
                    h[.contentEncoding] = "gzip"
                    if i % 14 == 0 { bytes = Array(Gzip.compress(Data(bytes))) }
                }
                let r = try await client.execute(uri: "/api/v1/reports", method: .post, headers: h, body: ByteBuffer(bytes: bytes))
                statuses[Int(r.status.code), default: 0] += 1
                #expect(r.status.code < 500, "input \(i) → \(r.status): \(errorMessage(r))")
            }
            return statuses
        }
        #expect(statuses[400, default: 0] > 200)
    }
}
