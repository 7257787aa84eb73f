import Foundation

/// A throw-away public-key infrastructure for the mutual-TLS tests, made with the `openssl` command
/// (an independent tool, so our certificate handling is checked against real X.509 files):
/// a sensor CA, a server certificate for 127.0.0.1/localhost signed by a separate server CA, client
/// certificates signed by the sensor CA, and a rogue CA whose certificates must be refused.
/// EC P-256 keys; everything PEM, in `directory`.
public struct TestPKI: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let directory: URL
    public var serverCA: String { path("server-ca.pem") }
    public var serverCertificate: String { path("server.pem") }
    public var serverKey: String { path("server.key") }
    public var sensorCA: String { path("sensor-ca.pem") }

    public static var opensslAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") }

    public init(directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try makeCA("server-ca", subject: "/O=Cellwatch test/CN=Collector test CA")
        try makeCA("sensor-ca", subject: "/O=Cellwatch test/CN=Sensor test CA")
        try makeCA("rogue-ca", subject: "/O=Somebody else/CN=Rogue CA")
        try issue("server", commonName: "localhost", by: "server-ca",
                  extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    }

    /// A client certificate with subject CN `commonName` (nil: no CN at all), signed by the sensor CA,
    /// or by the rogue CA when `rogue`. Returns (certificate, key) paths.
    @discardableResult
    public func clientCertificate(_ name: String, commonName: String?, rogue: Bool = false) throws -> (certificate: String, key: String) {
        try issue(name, commonName: commonName, by: rogue ? "rogue-ca" : "sensor-ca", extensions: "extendedKeyUsage=clientAuth\n")
        return (path(name + ".pem"), path(name + ".key"))
    }

    public func path(_ file: String) -> String { directory.appendingPathComponent(file).path }

    private func makeCA(_ name: String, subject: String) throws {
        try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-keyout", path(name + ".key"), "-out", path(name + ".pem"), "-days", "3", "-subj", subject,
                     "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    }

    private func issue(_ name: String, commonName: String?, by ca: String, extensions: String) throws {
        let subject = "/O=Cellwatch test" + (commonName.map { "/CN=" + $0 } ?? "")
        try openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-keyout", path(name + ".key"), "-out", path(name + ".csr"), "-subj", subject])
        try extensions.write(toFile: path(name + ".ext"), atomically: true, encoding: .utf8)
        try openssl(["x509", "-req", "-in", path(name + ".csr"), "-CA", path(ca + ".pem"), "-CAkey", path(ca + ".key"),
                     "-CAcreateserial", "-out", path(name + ".pem"), "-days", "2", "-sha256", "-extfile", path(name + ".ext")])
    }

    private func openssl(_ arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw Failure(description: "openssl \(arguments.prefix(2).joined(separator: " ")) failed (status \(p.terminationStatus)): \(out.suffix(1500))")
        }
    }
}
