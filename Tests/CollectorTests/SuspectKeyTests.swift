import CellwatchModel
import Collector
import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

/// The collector derives an emitter's key from the identity and channel a sensor reports, never
/// trusting the id it sends: a sensor cannot fold a snapshot or evidence into another emitter's alert.
@Suite("Collector suspect keys")
struct SuspectKeyTests {
    @Test func aSuspectWhoseIDIsNotItsKeyIsRejectedAndRaisesNothing() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        // First a genuine alert for another emitter (cell 31338), which the forged snapshot aims at.
        var g = f.suspect()
        g.identity.cellId = 31338
        g.id = EmitterKey(g).description
        var x = f.suspect(severity: .high, score: 100)
        x.id = g.id                                 // claims cell 31338, but its identity is cell 31337
        let genuine = g, forged = x
        try await f.app().test(.router) { client in
            let ok = try await client.execute(
                uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.token),
                body: try Fixture.encode(try f.report(observations: 0, suspects: [SuspectRecord(id: "sus-g", suspect: genuine)],
                                                      evidence: [])))
            #expect(ok.status == .ok, "\(errorMessage(ok))")
            let r = try await client.execute(
                uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.token),
                body: try Fixture.encode(try f.report(observations: 2, idPrefix: "x", suspects: [SuspectRecord(id: "sus-f", suspect: forged)],
                                                      evidence: [])))
            #expect(r.status == .badRequest)
            #expect(errorMessage(r).contains("suspects[0].suspect.id"), "\(errorMessage(r))")
            #expect(errorMessage(r).contains(Fixture.suspectKey), "\(errorMessage(r))")
        }
        // Nothing of the rejected batch was stored; the genuine alert kept its severity and score.
        #expect(try await f.store.observationCount() == 0)
        let alerts = try await f.store.alerts(includeResolved: true)
        #expect(alerts.map(\.suspectKey) == [genuine.id])
        #expect(alerts.first?.severity == .high && alerts.first?.score == 85 && alerts.first?.revision == 1)
    }

    @Test func evidenceAboutAnotherEmitterThanItsObservationsIsRejected() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        let other = "GSM:262-1-4711-31338@ARFCN 60"
        let ev = Evidence(id: "ev-x", sensorID: "s1", suspectID: other, capturedAt: f.clock.date.addingTimeInterval(-30),
                          observations: [f.observation(0)], messages: [], iq: nil)
        let payload = try ReportCoding.encoder().encode(ev)
        let signed = SignedEvidence(id: "ev-x", payload: payload, sha256: sha256Hex(payload),
                                    signature: try f.key.signature(for: Data(SHA256.hash(data: payload))),
                                    publicKey: f.key.publicKey.rawRepresentation)
        try await f.app().test(.router) { client in
            let r = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.token),
                                             body: try Fixture.encode(try f.report(observations: 1, suspects: [], evidence: [signed])))
            #expect(r.status == .badRequest)
            #expect(errorMessage(r).contains("evidence[0].payload.observations[0]"), "\(errorMessage(r))")
        }
        #expect(try await f.store.evidence(suspectKey: other).isEmpty)
    }

    @Test func observationsAreKeyedByTheSameDerivation() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        try await f.app().test(.router) { client in
            let r = try await client.execute(uri: "/api/v1/reports", method: .post, headers: Fixture.bearer(f.token),
                                             body: try Fixture.encode(try f.report(observations: 4)))
            #expect(r.status == .ok, "\(errorMessage(r))")
        }
        #expect(try await f.store.sightings(emitterKey: Fixture.suspectKey, limit: 10).count == 4)
        #expect(EmitterKey(f.observation(0)).description == Fixture.suspectKey)
    }
}
