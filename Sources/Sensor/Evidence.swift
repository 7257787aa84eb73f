import CellwatchModel
import Crypto
import DSP
import Foundation

public struct KeyError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// The sensor's Ed25519 signing key, kept as its 32 raw private bytes in a file only the daemon's user
/// can read (0600), generated on first start. The admin registers `publicKeyBase64` at the collector.
public struct SensorKey: Sendable {
    /// The 32 raw private bytes (kept as bytes: swift-crypto's key type is not Sendable).
    private let raw: Data
    public var privateKey: Curve25519.Signing.PrivateKey {
        // The bytes were validated when the key was made or loaded.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: raw)
    }
    public var publicKey: Data { privateKey.publicKey.rawRepresentation }
    public var publicKeyBase64: String { publicKey.base64EncodedString() }
    public var publicKeyHex: String { publicKey.map { String(format: "%02x", $0) }.joined() }

    public init(privateKey: Curve25519.Signing.PrivateKey) { raw = privateKey.rawRepresentation }

    /// Loads the key at `path`, or creates it (and its directory, 0700) when absent. Refuses a key
    /// file that others can read.
    public static func loadOrCreate(path: String) throws(KeyError) -> SensorKey {
        let fm = FileManager.default
        if fm.fileExists(atPath: path) {
            guard let attrs = try? fm.attributesOfItem(atPath: path),
                  let perms = (attrs[.posixPermissions] as? NSNumber)?.intValue else {
                throw KeyError(description: "\(path): cannot read the key file's permissions")
            }
            if perms & 0o077 != 0 {
                throw KeyError(description: "\(path): key file is readable by others (mode \(String(perms, radix: 8))); chmod 600 it")
            }
            guard let data = fm.contents(atPath: path) else { throw KeyError(description: "\(path): cannot be read") }
            do {
                return SensorKey(privateKey: try Curve25519.Signing.PrivateKey(rawRepresentation: data))
            } catch {
                throw KeyError(description: "\(path): not a 32-byte Ed25519 private key (\(data.count) bytes)")
            }
        }
        let key = Curve25519.Signing.PrivateKey()
        let dir = (path as NSString).deletingLastPathComponent
        do {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw KeyError(description: "\(dir): cannot create the key directory: \(error.localizedDescription)")
        }
        // Created 0600 with O_EXCL, written, fsynced, then renamed into place: no window where the key
        // is readable by others or half-written.
        let tmp = path + ".tmp"
        unlink(tmp)
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw KeyError(description: "\(tmp): cannot be created: \(String(cString: strerror(errno)))") }
        let raw = [UInt8](key.rawRepresentation)
        let written = raw.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == raw.count, synced == 0, rename(tmp, path) == 0 else {
            unlink(tmp)
            throw KeyError(description: "\(path): cannot be written: \(String(cString: strerror(errno)))")
        }
        return SensorKey(privateKey: key)
    }
}

/// Encodes, hashes and signs evidence: payload = `ReportCoding` JSON of the `Evidence`, sha256 = its
/// SHA-256, signature = Ed25519 over the 32 digest bytes (what `SignedEvidence` documents).
public struct EvidenceSigner: Sendable {
    public let key: SensorKey
    public init(key: SensorKey) { self.key = key }

    public func sign(_ evidence: Evidence) throws -> SignedEvidence {
        let payload = try ReportCoding.encoder().encode(evidence)
        let digest = SHA256.hash(data: payload)
        let digestBytes = Data(digest)
        let signature = try key.privateKey.signature(for: digestBytes)
        return SignedEvidence(id: evidence.id, payload: payload, sha256: hex(digestBytes), signature: signature,
                              publicKey: key.publicKey)
    }

    /// What the collector does: recompute the digest and check the signature with the embedded key.
    public static func verify(_ s: SignedEvidence) -> Bool {
        let digest = Data(SHA256.hash(data: s.payload))
        guard hex(digest) == s.sha256, let pk = try? Curve25519.Signing.PublicKey(rawRepresentation: s.publicKey) else {
            return false
        }
        return pk.isValidSignature(s.signature, for: digest)
    }
}

func hex(_ d: Data) -> String { d.map { String(format: "%02x", $0) }.joined() }

/// A SigMF (v1.2) recording of a short IQ window, carried inside evidence: cf32_le samples and the
/// metadata naming the sample rate, centre frequency, capture time and sensor position.
public enum SigMFSnippet {
    public static func make(samples: UnsafeBufferPointer<ComplexFloat>, sampleRate: Double, centreFrequency: Hertz?,
                            captureTime: Date, sensorID: String, position: GeoFix?, description: String) -> IQSnippet {
        var data = Data(count: samples.count * 8)
        data.withUnsafeMutableBytes { raw in
            let out = raw.bindMemory(to: Float.self)
            for (i, s) in samples.enumerated() {
                out[2 * i] = s.real.littleEndianFloat
                out[2 * i + 1] = s.imag.littleEndianFloat
            }
        }
        var global: [String: Any] = [
            "core:datatype": "cf32_le",
            "core:sample_rate": sampleRate,
            "core:version": "1.2.0",
            "core:description": description,
            "core:recorder": "cellwatch sensor \(sensorID)",
            "core:sha512": hexSHA512(data),
        ]
        if let position {
            var geo: [String: Any] = ["type": "Point",
                                      "coordinates": [position.longitudeDegrees, position.latitudeDegrees]
                                        + (position.altitudeMeters.map { [$0] } ?? [])]
            geo["bbox"] = nil
            global["core:geolocation"] = geo
        }
        var capture: [String: Any] = ["core:sample_start": 0, "core:datetime": ReportCoding.formatDate(captureTime)]
        if let f = centreFrequency { capture["core:frequency"] = f.value }
        let meta: [String: Any] = ["global": global, "captures": [capture], "annotations": []]
        let json = (try? JSONSerialization.data(withJSONObject: meta, options: [.sortedKeys, .prettyPrinted])) ?? Data()
        return IQSnippet(sigmfMeta: String(decoding: json, as: UTF8.self), data: data,
                         dataSHA256: hex(Data(SHA256.hash(data: data))))
    }

    static func hexSHA512(_ d: Data) -> String { hex(Data(SHA512.hash(data: d))) }
}

extension Float {
    /// The value whose in-memory bytes are this float's little-endian encoding.
    var littleEndianFloat: Float { Float(bitPattern: bitPattern.littleEndian) }
}
