import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import SwiftASN1

/// How sensors prove who they are (ECOSYSTEM §9: per-sensor client certificate, CN = sensor id).
///
/// In `certificate` and `either` mode a request that carries both a verified client certificate and a
/// bearer token is accepted only when both name the same sensor; a disabled sensor is refused either way.
public enum SensorAuthentication: String, Sendable, Codable, CaseIterable {
    /// Bearer token only (the default without a client CA); client certificates are not consulted.
    case token
    /// A client certificate issued by the configured client CA, whose subject CN is the sensor id.
    case certificate
    /// Either of the two (the default when a client CA is configured).
    case either
}

/// The `tls` object of the collector's config file.
///
///     "tls": { "certificateFile": "/etc/cellwatch/collector.pem", "keyFile": "/etc/cellwatch/collector.key",
///              "clientCAFile": "/etc/cellwatch/sensor-ca.pem", "sensorAuthentication": "either" }
public struct TLSConfigFile: Codable, Sendable, Equatable {
    /// PEM: the server certificate, then any intermediates.
    public var certificateFile: String
    /// PEM: the server's private key.
    public var keyFile: String
    /// PEM: the CA(s) that issue sensor certificates. Without it no client certificate is asked for.
    public var clientCAFile: String?
    public var sensorAuthentication: SensorAuthentication?

    public init(certificateFile: String, keyFile: String, clientCAFile: String? = nil,
                sensorAuthentication: SensorAuthentication? = nil) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.clientCAFile = clientCAFile
        self.sensorAuthentication = sensorAuthentication
    }

    /// The mode in force: the one given, else `either` with a client CA and `token` without.
    public var effectiveSensorAuthentication: SensorAuthentication {
        sensorAuthentication ?? (clientCAFile == nil ? .token : .either)
    }

    /// Checks the combination (not the files: `serverConfiguration()` reads those).
    func validate() throws(ConfigError) {
        guard !certificateFile.isEmpty else { throw ConfigError("tls.certificateFile: must not be empty") }
        guard !keyFile.isEmpty else { throw ConfigError("tls.keyFile: must not be empty") }
        if clientCAFile == nil, let mode = sensorAuthentication, mode != .token {
            throw ConfigError("tls.sensorAuthentication: \"\(mode.rawValue)\" needs tls.clientCAFile (the CA that issues sensor certificates)")
        }
    }

    /// Reads the PEM files into a server configuration: TLS 1.2 or newer; with a client CA, a client
    /// certificate is asked for and, when presented, must chain to that CA (browsers without one still
    /// reach the dashboard; `certificate` mode then refuses such clients at the API, with a clear message).
    public func serverConfiguration() throws(ConfigError) -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(certificateFile) } catch {
            throw ConfigError("\(certificateFile): not a readable PEM certificate (\(error))")
        }
        guard !chain.isEmpty else { throw ConfigError("\(certificateFile): holds no certificate") }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(file: keyFile, format: .pem) } catch {
            throw ConfigError("\(keyFile): not a readable PEM private key (\(error))")
        }
        var config = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) },
                                                              privateKey: .privateKey(key))
        config.minimumTLSVersion = .tlsv12
        if let clientCAFile {
            let roots: [NIOSSLCertificate]
            do { roots = try NIOSSLCertificate.fromPEMFile(clientCAFile) } catch {
                throw ConfigError("\(clientCAFile): not a readable PEM certificate (\(error))")
            }
            guard !roots.isEmpty else { throw ConfigError("\(clientCAFile): holds no CA certificate") }
            config.trustRoots = .certificates(roots)
            config.certificateVerification = .optionalVerification
        }
        return config
    }
}

/// The verified client certificate of a TLS connection, if any.
enum ClientCertificate {
    /// The peer certificate the connection's TLS handler verified (nil on plain HTTP or when the client
    /// sent none). Read on the channel's event loop, where the handler lives.
    static func peer(of channel: any Channel) async -> NIOSSLCertificate? {
        try? await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self).peerCertificate
        }.get()
    }

    /// The last commonName (OID 2.5.4.3) of a DER certificate's subject (RFC 5280 §4.1.2.6), or nil
    /// when the certificate has none or cannot be parsed.
    static func subjectCommonName(der: [UInt8]) -> String? {
        guard let cert = try? DER.parse(der), let tbs = children(cert).first else { return nil }
        var fields = children(tbs)
        // TBSCertificate: [0] version (optional), serialNumber, signature, issuer, validity, subject, …
        if let first = fields.first, first.identifier.tagClass == .contextSpecific, first.identifier.tagNumber == 0 {
            fields.removeFirst()
        }
        guard fields.count > 4 else { return nil }
        var commonName: String?
        for rdn in children(fields[4]) {
            for attribute in children(rdn) {
                let pair = children(attribute)
                guard pair.count == 2,
                      pair[0].identifier == .objectIdentifier, case .primitive(let oid) = pair[0].content,
                      Array(oid) == [0x55, 0x04, 0x03], case .primitive(let value) = pair[1].content
                else { continue }
                switch pair[1].identifier {
                case .utf8String, .printableString, .ia5String:
                    commonName = String(decoding: value, as: UTF8.self)
                default:
                    continue
                }
            }
        }
        return commonName
    }

    /// A constructed node's children; none for a primitive node (so malformed input reads as empty).
    private static func children(_ node: ASN1Node) -> [ASN1Node] {
        if case .constructed(let c) = node.content { return Array(c) }
        return []
    }
}

extension CollectorAPI {
    /// The server for this API: HTTPS with `tls` (client certificates as its `clientCAFile` says), plain
    /// HTTP without. Reads the PEM files now, so a bad file stops start-up with its name.
    public func application(host: String, port: Int, tls: TLSConfigFile?, logger: Logger,
                            onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in })
        throws -> Application<RouterResponder<CollectorContext>> {
        let server: HTTPServerBuilder = if let tls { try .tls(.http1(), tlsConfiguration: try tls.serverConfiguration()) } else { .http1() }
        return Application(router: router(), server: server,
                           configuration: .init(address: .hostname(host, port: port), serverName: "cellwatch-collector"),
                           onServerRunning: onServerRunning, logger: logger)
    }
}
