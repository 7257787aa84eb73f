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

    @Test(arguments: Backend.allCases) func tokensAreRandomAndOnlyTheirHashIsStored(_ backend: Backend) async throws {
        let f = try await Fixture(backend)
        defer { f.cleanup() }
        #expect(f.token.count == 43)
        #expect(f.token != f.otherToken)
        let s = try #require(try await f.store.sensor(id: "s1"))
        #expect(s.tokenSHA256 == Tokens.hash(f.token))
        #expect(s.tokenSHA256.count == 64)
        // Nowhere in the stored bytes: the SQLite file, or every sensors row as PostgreSQL text.
        switch f.backend {
        case .sqlite:
            let file = f.dir.appendingPathComponent("collector.sqlite")
            let raw = try Data(contentsOf: file) + ((try? Data(contentsOf: URL(fileURLWithPath: file.path + "-wal"))) ?? Data())
            #expect(raw.range(of: Data(f.token.utf8)) == nil)
            #expect(raw.range(of: Data(s.tokenSHA256.utf8)) != nil)   // the check can see what is there
        case .postgres:
            let text = try await #require(f.postgres).withRawClient { c in
                var all = ""
                for try await t in try await c.query("SELECT string_agg(t::text, ' ') FROM sensors t").decode(String.self) { all += t }
                return all
            }
            #expect(!text.contains(f.token))
            #expect(text.contains(s.tokenSHA256))
        }
        #expect(Tokens.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")   // FIPS 180-2 B.1
    }

    @Test(arguments: Backend.allCases) func newestSuspectSnapshotWinsAndDatabaseReopens(_ backend: Backend) async throws {
        let f = try await Fixture(backend)
        defer { f.cleanup() }
        let s1 = try #require(try await f.store.sensor(id: "s1"))
        var newer = f.suspect(score: 90)
        newer.lastSeen = f.clock.date
        var older = f.suspect(score: 60)
        older.lastSeen = f.clock.date.addingTimeInterval(-100)
        _ = try await f.service.ingest(try f.report(observations: 0, suspects: [SuspectRecord(id: "n", suspect: newer)], evidence: []), from: s1)
        _ = try await f.service.ingest(try f.report(observations: 0, suspects: [SuspectRecord(id: "o", suspect: older)], evidence: []), from: s1)
        #expect(try await f.store.suspects().map(\.suspect.score) == [90])
        // Reopen the same database: migrations are idempotent and the data is there.
        let again = try await f.reopen()
        defer { (again as? PostgresStore)?.close() }
        #expect(try await again.suspects().count == 1)
        #expect(try await again.sensors().map(\.id) == ["s1", "s2"])
    }

    @Test(arguments: Backend.allCases) func sightingsAreTheEmittersPowerObservations(_ backend: Backend) async throws {
        let f = try await Fixture(backend)
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

    @Test func postgresURLsAndPasswords() throws {
        let p = try PostgresSettings(url: "postgres://cw%40x:s%2Fecret@db.example:6543/cellwatch?sslmode=require&pool=8")
        #expect(p.username == "cw@x" && p.password == "s/ecret" && p.host == "db.example" && p.port == 6543)
        #expect(p.database == "cellwatch" && p.tls == .require && p.maxConnections == 8 && p.unixSocketPath == nil)
        // No password in the URL: the one from the file or environment is used.
        let q = try PostgresSettings(url: "postgresql://cellwatch@/fleet?host=/run/postgresql&sslmode=disable", password: "pw")
        #expect(q.unixSocketPath == "/run/postgresql/.s.PGSQL.5432" && q.password == "pw" && q.database == "fleet")
        #expect(PostgresSettings.redacted("postgres://u:hunter2@h/db") == "postgres://u:***@h/db")
        for (bad, word) in [("postgres://h/db", "user"), ("postgres://u@h", "database"), ("postgres://u@h/db?sslmode=maybe", "sslmode"),
                            ("postgres://u@h/db?pool=1", "pool"), ("postgres://u@h/db?sslcert=x", "sslcert"),
                            ("postgres://u@/db", "host"), ("postgres://u@h/db?host=relative", "absolute")] {
            let error = #expect(throws: ConfigError.self) { try PostgresSettings(url: bad) }
            #expect(error?.description.contains(word) == true, "\(bad): \(error?.description ?? "")")
        }
        // The config checks the URL up front; the log form hides the password.
        let c = try CollectorConfig(file: nil, listen: nil, database: "postgres://u:hunter2@h/db")
        #expect(c.database == .postgres(url: "postgres://u:hunter2@h/db"))
        #expect(!c.database.redacted.contains("hunter2"))
        #expect(throws: ConfigError.self) { try CollectorConfig(file: nil, listen: nil, database: "postgres://h/db") }

        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("pw").path
        try Data("from-file\nignored\n".utf8).write(to: URL(fileURLWithPath: file))
        #expect(try databasePassword(file: file, environment: ["PGPASSWORD": "env"]) == "from-file")
        #expect(try databasePassword(file: nil, environment: ["PGPASSWORD": "env"]) == "env")
        #expect(try databasePassword(file: nil, environment: ["CELLWATCH_DATABASE_PASSWORD": "cw", "PGPASSWORD": "env"]) == "cw")
        #expect(try databasePassword(file: nil, environment: [:]) == nil)
        let missing = #expect(throws: ConfigError.self) { try databasePassword(file: dir.appendingPathComponent("nope").path, environment: [:]) }
        #expect(missing?.description.contains("databasePasswordFile") == true)
        let json = try JSONDecoder().decode(CollectorConfigFile.self, from: Data(contentsOf: TestSupport.packageRoot
            .appendingPathComponent("deploy/collector.postgres.example.json")))
        let example = try CollectorConfig(file: json, listen: nil, database: nil)
        #expect(example.databasePasswordFile == "/etc/cellwatch/collector-db-password")
        guard case .postgres(let url) = example.database else { Issue.record("example is not PostgreSQL"); return }
        #expect(try PostgresSettings(url: url).tls == .require)
    }
}
