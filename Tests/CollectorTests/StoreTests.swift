import CellwatchModel
import Collector
import Foundation
import Testing
import TestSupport

@Suite("Collector storage and credentials")
struct StoreTests {
    @Test func passwordsAreSaltedSlowAndChecked() throws {
        let h = PasswordHasher(rounds: 1000)   // raised to the minimum
        #expect(h.rounds == PasswordHasher.minimumRounds)
        let a = try h.hash("correct horse")
        let b = try h.hash("correct horse")
        #expect(a != b)                        // per-user salt
        #expect(a.hasPrefix("pbkdf2-sha256$100000$"))
        #expect(h.verify("correct horse", against: a))
        #expect(!h.verify("correct horsE", against: a))
        #expect(!h.verify("correct horse", against: "pbkdf2-sha256$10$AAAA$AAAA"))   // too few rounds
        #expect(!h.verify("correct horse", against: "garbage"))
        // Stored hash of another password with the same salt differs.
        var parts = a.split(separator: "$").map(String.init)
        parts[3] = Data(repeating: 0, count: 32).base64EncodedString()
        #expect(!h.verify("correct horse", against: parts.joined(separator: "$")))
    }

    @Test func tokensAreRandomAndOnlyTheirHashIsStored() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        #expect(f.token.count == 43)
        #expect(f.token != f.otherToken)
        let s = try #require(try await f.store.sensor(id: "s1"))
        #expect(s.tokenSHA256 == Tokens.hash(f.token))
        #expect(s.tokenSHA256.count == 64)
        let raw = try Data(contentsOf: URL(fileURLWithPath: f.store.path))
        #expect(raw.range(of: Data(f.token.utf8)) == nil)
        #expect(Tokens.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")   // FIPS 180-2 B.1
    }

    @Test func newestSuspectSnapshotWinsAndDatabaseReopens() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        let s1 = try #require(try await f.store.sensor(id: "s1"))
        var newer = f.suspect(score: 90)
        newer.lastSeen = f.clock.date
        var older = f.suspect(score: 60)
        older.lastSeen = f.clock.date.addingTimeInterval(-100)
        _ = try await f.service.ingest(try f.report(observations: 0, suspects: [SuspectRecord(id: "n", suspect: newer)], evidence: []), from: s1)
        _ = try await f.service.ingest(try f.report(observations: 0, suspects: [SuspectRecord(id: "o", suspect: older)], evidence: []), from: s1)
        #expect(try await f.store.suspects().map(\.suspect.score) == [90])
        // Reopen the same file: migrations are idempotent and the data is there.
        let again = try SQLiteStore(path: f.store.path)
        #expect(try await again.suspects().count == 1)
        #expect(try await again.sensors().map(\.id) == ["s1", "s2"])
    }

    @Test func sightingsAreTheEmittersPowerObservations() async throws {
        let f = try await Fixture()
        defer { f.cleanup() }
        let s1 = try #require(try await f.store.sensor(id: "s1"))
        var report = try f.report(observations: 4, suspects: [], evidence: [])
        report.observations[3].observation.position = nil                  // no position: not a sighting
        report.observations[2].observation.identity.cellId = 4             // another emitter
        _ = try await f.service.ingest(report, from: s1)
        let sightings = try await f.store.sightings(emitterKey: Fixture.suspectKey, limit: 100)
        #expect(sightings.count == 2)
        #expect(sightings.map(\.time) == sightings.map(\.time).sorted())
        #expect(sightings.first?.powerDBm == -70)
        #expect(try await f.store.sightings(emitterKey: Fixture.suspectKey, limit: 1).count == 1)
    }

    @Test func configParsing() throws {
        let c = try CollectorConfig(file: nil, listen: nil, database: nil)
        #expect(c.host == "127.0.0.1" && c.port == 8080)
        #expect(c.database == .sqlite(path: "/var/lib/cellwatch/collector.sqlite"))
        var file = CollectorConfigFile()
        file.listen = "0.0.0.0:9000"
        file.sensorBurst = 3
        let d = try CollectorConfig(file: file, listen: "[::1]:8443", database: "sqlite:///tmp/x.sqlite")
        #expect(d.host == "::1" && d.port == 8443)
        #expect(d.database == .sqlite(path: "/tmp/x.sqlite"))
        #expect(d.collectorSettings.sensorBurst == 3)
        #expect(throws: ConfigError.self) { try CollectorConfig(file: nil, listen: "localhost", database: nil) }
        #expect(throws: ConfigError.self) { try CollectorConfig(file: nil, listen: nil, database: "mysql://x") }
        file.sensorBurst = 0
        #expect(throws: ConfigError.self) { try CollectorConfig(file: file, listen: nil, database: nil) }
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("c.json").path
        try Data(#"{"listen": 8080}"#.utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: ConfigError.self) { try CollectorConfigFile.load(path: path) }
        #expect(error?.description.contains("listen") == true)
    }
}
