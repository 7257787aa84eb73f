import AsyncHTTPClient
import CellwatchModel
@testable import Collector
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import Testing
import TestSupport

/// Sensors authenticated by client certificate (issue 7: "mutual TLS as an option"): the collector
/// served over HTTPS on loopback, certificates made by the `openssl` command, requests sent by
/// AsyncHTTPClient — the client the sensor uses.
@Suite("Mutual TLS", .serialized, .enabled(if: TestPKI.opensslAvailable, "openssl not installed"))
struct MutualTLSTests {
    /// The collector over HTTPS on an ephemeral loopback port, until `stop()`.
    struct Server {
        let port: Int
        let group: ServiceGroup
        let task: Task<Void, any Error>

        static func start(_ f: Fixture, tls: TLSConfigFile) async throws -> Server {
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            var logger = Logger(label: "test.collector.tls")
            logger.logLevel = .warning
            let app = try CollectorAPI(service: f.service).application(
                host: "127.0.0.1", port: 0, tls: tls, logger: logger,
                onServerRunning: { channel in
                    continuation.yield(channel.localAddress?.port ?? 0)
                    continuation.finish()
                })
            let group = ServiceGroup(services: [app], gracefulShutdownSignals: [], logger: logger)
            let task = Task { try await group.run() }
            var it = ports.makeAsyncIterator()
            let port = try #require(await it.next())
            try #require(port > 0)
            return Server(port: port, group: group, task: task)
        }

        func stop() async {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
        }
    }

    enum Outcome: Equatable {
        case status(Int, String)
        case refused(String)   // the TLS handshake or the connection failed
    }

    /// POSTs `report` with the given client certificate and/or bearer token.
    static func post(_ report: SensorReport, port: Int, pki: TestPKI, certificate: (certificate: String, key: String)?,
                     token: String?) async throws -> Outcome {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(pki.serverCA))
        if let certificate {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate.certificate).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: certificate.key, format: .pem))
        }
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                                configuration: .init(tlsConfiguration: tls, timeout: .init(connect: .seconds(60), read: .seconds(120))))
        var request = HTTPClientRequest(url: "https://127.0.0.1:\(port)/api/v1/reports")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(try Fixture.encode(report))
        let outcome: Outcome
        do {
            let response = try await client.execute(request, timeout: .seconds(180))
            let body = try await response.body.collect(upTo: 1 << 20)
            let message = response.status == .ok ? String(buffer: body)
                : ((try? ReportCoding.decoder().decode(APIError.self, from: Data(body.readableBytesView)).error) ?? String(buffer: body))
            outcome = .status(Int(response.status.code), message)
        } catch {
            outcome = .refused("\(error)")
        }
        try await client.shutdown()
        return outcome
    }

    func withServer(_ mode: SensorAuthentication?, clientCA: Bool = true,
                    _ body: (Fixture, TestPKI, Int) async throws -> Void) async throws {
        var settings = Fixture.settings()
        let expectedMode = mode ?? (clientCA ? .either : .token)
        settings.sensorAuthentication = expectedMode
        let f = try await Fixture(settings: settings)
        defer { f.cleanup() }
        let pki = try TestPKI(directory: f.dir.appendingPathComponent("pki"))
        let tls = TLSConfigFile(certificateFile: pki.serverCertificate, keyFile: pki.serverKey,
                                clientCAFile: clientCA ? pki.sensorCA : nil, sensorAuthentication: mode)
        #expect(tls.effectiveSensorAuthentication == expectedMode)
        let server = try await Server.start(f, tls: tls)
        do {
            try await body(f, pki, server.port)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func aSensorCertificateAloneAuthenticatesTheSensorItNames() async throws {
        try await withServer(nil) { f, pki, port in
            let s1 = try pki.clientCertificate("s1", commonName: "s1")
            let r = try await Self.post(try f.report(idPrefix: "cert"), port: port, pki: pki, certificate: s1, token: nil)
            guard case .status(200, let body) = r else { Issue.record("expected 200, got \(r)"); return }
            let receipt = try ReportCoding.decoder().decode(ReportReceipt.self, from: Data(body.utf8))
            #expect(receipt.accepted == 5)   // 3 observations, 1 suspect, 1 evidence
            #expect(try await f.store.sensor(id: "s1")?.lastSeen != nil)

            // A certificate is no licence to speak for another sensor.
            let forS2 = try await Self.post(try f.report(idPrefix: "as-s2", sensor: "s2"), port: port, pki: pki,
                                            certificate: s1, token: nil)
            guard case .status(let code, _) = forS2 else { Issue.record("expected a status, got \(forS2)"); return }
            #expect((400...403).contains(code))
        }
    }

    @Test func inEitherModeATokenStillWorksAndBothMustAgree() async throws {
        try await withServer(.either) { f, pki, port in
            let byToken = try await Self.post(try f.report(idPrefix: "tok"), port: port, pki: pki, certificate: nil, token: f.token)
            guard case .status(200, _) = byToken else { Issue.record("token over TLS: \(byToken)"); return }

            let s1 = try pki.clientCertificate("s1", commonName: "s1")
            let mismatch = try await Self.post(try f.report(idPrefix: "mix"), port: port, pki: pki, certificate: s1, token: f.otherToken)
            #expect(mismatch == .status(401, "the client certificate names sensor s1 but the token belongs to s2"))

            let neither = try await Self.post(try f.report(idPrefix: "none"), port: port, pki: pki, certificate: nil, token: nil)
            #expect(neither == .status(401, "a sensor client certificate or Authorization: Bearer <sensor token> is required"))
        }
    }

    @Test func certificateModeRefusesTokensAlone() async throws {
        try await withServer(.certificate) { f, pki, port in
            let byToken = try await Self.post(try f.report(idPrefix: "tok"), port: port, pki: pki, certificate: nil, token: f.token)
            #expect(byToken == .status(401, "this collector accepts sensors by client certificate only; present the sensor's certificate"))
            let neither = try await Self.post(try f.report(idPrefix: "none"), port: port, pki: pki, certificate: nil, token: nil)
            #expect(neither == .status(401, "a sensor client certificate is required (mutual TLS)"))
            let s1 = try pki.clientCertificate("s1", commonName: "s1")
            let both = try await Self.post(try f.report(idPrefix: "both"), port: port, pki: pki, certificate: s1, token: f.token)
            guard case .status(200, _) = both else { Issue.record("certificate and matching token: \(both)"); return }
        }
    }

    @Test func foreignUnknownNamelessAndRevokedCertificatesAreRefused() async throws {
        try await withServer(.certificate) { f, pki, port in
            // Signed by a CA the collector does not trust: the handshake fails, no HTTP exchange at all.
            let rogue = try pki.clientCertificate("rogue-s1", commonName: "s1", rogue: true)
            let r1 = try await Self.post(try f.report(idPrefix: "rogue"), port: port, pki: pki, certificate: rogue, token: nil)
            guard case .refused = r1 else { Issue.record("a certificate from a foreign CA was not refused: \(r1)"); return }

            let ghost = try pki.clientCertificate("ghost", commonName: "ghost-7")
            let r2 = try await Self.post(try f.report(idPrefix: "ghost"), port: port, pki: pki, certificate: ghost, token: nil)
            #expect(r2 == .status(401, "the client certificate names sensor \"ghost-7\", which is not registered"))

            let nameless = try pki.clientCertificate("nameless", commonName: nil)
            let r3 = try await Self.post(try f.report(idPrefix: "nameless"), port: port, pki: pki, certificate: nameless, token: nil)
            #expect(r3 == .status(401, "the client certificate has no subject common name (it must be the sensor id)"))

            try await f.store.setSensorEnabled(id: "s1", enabled: false)
            let s1 = try pki.clientCertificate("s1", commonName: "s1")
            let r4 = try await Self.post(try f.report(idPrefix: "revoked"), port: port, pki: pki, certificate: s1, token: nil)
            #expect(r4 == .status(403, "sensor s1 is disabled"))
        }
    }

    @Test func withoutAClientCAOnlyTokensCount() async throws {
        try await withServer(nil, clientCA: false) { f, pki, port in
            let s1 = try pki.clientCertificate("s1", commonName: "s1")
            let r = try await Self.post(try f.report(idPrefix: "x"), port: port, pki: pki, certificate: s1, token: nil)
            #expect(r == .status(401, "Authorization: Bearer <sensor token> is required"))
            let t = try await Self.post(try f.report(idPrefix: "t"), port: port, pki: pki, certificate: nil, token: f.token)
            guard case .status(200, _) = t else { Issue.record("token over HTTPS: \(t)"); return }
        }
    }

    @Test func subjectCommonNameReadsRealCertificatesAndSurvivesGarbage() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pki = try TestPKI(directory: dir)
        let cert = try pki.clientCertificate("s1", commonName: "PATROL-1")
        let der = try #require(NIOSSLCertificate.fromPEMFile(cert.certificate).first).toDERBytes()
        #expect(ClientCertificate.subjectCommonName(der: der) == "PATROL-1")
        let nameless = try pki.clientCertificate("n", commonName: nil)
        #expect(ClientCertificate.subjectCommonName(der: try #require(NIOSSLCertificate.fromPEMFile(nameless.certificate).first).toDERBytes()) == nil)
        var g = SeededGenerator(seed: 7)
        for n in [0, 1, 2, 16, 300] {
            let junk = (0..<n).map { _ in UInt8.random(in: 0...255, using: &g) }
            #expect(ClientCertificate.subjectCommonName(der: junk) == nil)
        }
        // Every truncation of a real certificate: nil or the name, never a crash.
        for cut in stride(from: 0, to: der.count, by: 7) {
            let name = ClientCertificate.subjectCommonName(der: Array(der.prefix(cut)))
            #expect(name == nil || name == "PATROL-1")
        }
    }

    @Test func configErrorsNameTheKeyOrFile() throws {
        var file = CollectorConfigFile()
        file.tls = TLSConfigFile(certificateFile: "/etc/x.pem", keyFile: "/etc/x.key", sensorAuthentication: .certificate)
        #expect(throws: ConfigError("tls.sensorAuthentication: \"certificate\" needs tls.clientCAFile (the CA that issues sensor certificates)")) {
            _ = try CollectorConfig(file: file, listen: nil, database: nil)
        }
        let missing = TLSConfigFile(certificateFile: "/nonexistent/collector.pem", keyFile: "/nonexistent/collector.key")
        #expect {
            _ = try missing.serverConfiguration()
        } throws: { error in
            "\(error)".hasPrefix("/nonexistent/collector.pem: not a readable PEM certificate")
        }
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pki = try TestPKI(directory: dir)
        let swapped = TLSConfigFile(certificateFile: pki.serverCertificate, keyFile: pki.serverCertificate)
        #expect {
            _ = try swapped.serverConfiguration()
        } throws: { error in
            "\(error)".hasPrefix("\(pki.serverCertificate): not a readable PEM private key")
        }
        file.tls = TLSConfigFile(certificateFile: pki.serverCertificate, keyFile: pki.serverKey, clientCAFile: pki.sensorCA)
        #expect(try CollectorConfig(file: file, listen: nil, database: nil).settings.sensorAuthentication == .either)
    }
}
