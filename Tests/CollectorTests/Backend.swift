import Collector
import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing
import TestSupport

/// The storage backends the store, ingest and alert suites run against: every test that takes a
/// `Backend` runs once on SQLite and once on PostgreSQL.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

/// Fresh databases on the process's private PostgreSQL server (`PostgresTestServer`): one per
/// fixture, so tests running in parallel never see each other's rows or notifications.
enum PostgresTestDatabases {
    private struct State {
        var client: PostgresClient?
        var next = 0
        var toDrop: [String] = []
    }
    private static let state = Mutex(State())

    /// Settings of a new empty database, or the test is cancelled (skipped, with the reason) when
    /// this machine has no PostgreSQL, unless CI=1 / CELLWATCH_REQUIRE_POSTGRES=1 make that a failure.
    static func create() async throws -> PostgresSettings {
        let server: PostgresTestServer
        do {
            server = try PostgresTestServer.shared()
        } catch {
            if PostgresTestServer.unavailableReason != nil && !PostgresTestServer.required {
                try Test.cancel("PostgreSQL variant skipped: \(error.description)")
            }
            throw error
        }
        let (client, name, drops) = state.withLock { s -> (PostgresClient, String, [String]) in
            if s.client == nil {
                let c = PostgresClient(configuration: admin(server, database: "postgres").rawClientConfiguration(),
                                       backgroundLogger: Logger(label: "tests.postgres.admin"))
                Task.detached { await c.run() }
                s.client = c
            }
            s.next += 1
            let drops = s.toDrop
            s.toDrop = []
            return (s.client!, "cw_\(getpid())_\(s.next)", drops)
        }
        for old in drops {
            _ = try? await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(old) WITH (FORCE)"))
        }
        try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        return admin(server, database: name)
    }

    /// The database goes with the next `create` (its store's connections are closing now).
    static func dropLater(_ name: String) {
        state.withLock { $0.toDrop.append(name) }
    }

    private static func admin(_ server: PostgresTestServer, database: String) -> PostgresSettings {
        PostgresSettings(unixSocketPath: server.socketDirectory + "/.s.PGSQL.\(server.port)", username: server.user,
                         database: database, tls: .disable, maxConnections: 4)
    }
}

extension PostgresSettings {
    /// A raw client on the same database, for tests that look at rows the store API does not show.
    func withRawClient<T: Sendable>(_ body: (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: rawClientConfiguration(), backgroundLogger: Logger(label: "tests.postgres.raw"))
        let task = Task { await client.run() }
        defer { task.cancel() }
        return try await body(client)
    }

    func rawClientConfiguration() -> PostgresClient.Configuration {
        var c = PostgresClient.Configuration(unixSocketPath: unixSocketPath ?? "", username: username, password: password,
                                             database: database)
        c.options.maximumConnections = 2
        return c
    }
}
