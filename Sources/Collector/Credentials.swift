import CellwatchModel
import Crypto
import _CryptoExtras
import Foundation

/// Bearer tokens (sensors and user sessions): 32 random bytes, base64url. Only their SHA-256 is stored,
/// so a leaked database does not leak usable tokens.
public enum Tokens {
    public static func generate<G: RandomNumberGenerator>(using generator: inout G) -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in bytes.indices { bytes[i] = UInt8.random(in: .min ... .max, using: &generator) }
        return base64URL(Data(bytes))
    }

    public static func generate() -> String {
        var g = SystemRandomNumberGenerator()
        return generate(using: &g)
    }

    /// Lowercase hex SHA-256 of the token's UTF-8 bytes.
    public static func hash(_ token: String) -> String { sha256Hex(Data(token.utf8)) }

    public static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

/// Lowercase hex SHA-256.
public func sha256Hex(_ data: some DataProtocol) -> String {
    SHA256.hash(data: data).map { byte in
        let s = String(byte, radix: 16)
        return s.count == 1 ? "0" + s : s
    }.joined()
}

/// Constant-time comparison of two byte strings of equal length (unequal lengths compare false).
func constantTimeEqual(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    var diff: UInt8 = 0
    for (x, y) in zip(a, b) { diff |= x ^ y }
    return diff == 0
}

/// Password storage: PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) with a per-user 16-byte random salt, stored as
/// "pbkdf2-sha256$<rounds>$<salt base64>$<key base64>". 210,000 rounds by default (OWASP 2023 figure
/// for PBKDF2-HMAC-SHA256); never fewer than 100,000.
public struct PasswordHasher: Sendable {
    public static let minimumRounds = 100_000
    public var rounds: Int

    public init(rounds: Int = 210_000) {
        self.rounds = max(rounds, Self.minimumRounds)
    }

    public func hash<G: RandomNumberGenerator>(_ password: String, using generator: inout G) throws -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        for i in salt.indices { salt[i] = UInt8.random(in: .min ... .max, using: &generator) }
        let key = try derive(password, salt: salt, rounds: rounds)
        return "pbkdf2-sha256$\(rounds)$\(Data(salt).base64EncodedString())$\(Data(key).base64EncodedString())"
    }

    public func hash(_ password: String) throws -> String {
        var g = SystemRandomNumberGenerator()
        return try hash(password, using: &g)
    }

    /// True when `password` matches the stored string; false for a wrong password or a malformed string.
    public func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let rounds = Int(parts[1]),
              rounds >= Self.minimumRounds, rounds <= 10_000_000,
              let salt = Data(base64Encoded: String(parts[2])), let expected = Data(base64Encoded: String(parts[3])),
              !expected.isEmpty,
              let key = try? derive(password, salt: Array(salt), rounds: rounds, length: expected.count)
        else { return false }
        return constantTimeEqual(key, Array(expected))
    }

    private func derive(_ password: String, salt: [UInt8], rounds: Int, length: Int = 32) throws -> [UInt8] {
        let key = try KDF.Insecure.PBKDF2.deriveKey(from: Array(password.utf8), salt: salt, using: .sha256,
                                                    outputByteCount: length, unsafeUncheckedRounds: rounds)
        return key.withUnsafeBytes { Array($0) }
    }
}

/// Ed25519 evidence check: the digest is SHA-256 of the payload, the signature is over the 32 raw
/// digest bytes, and the key must be the one registered for the sensor.
public enum EvidenceVerifier {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case digestMismatch(claimed: String, actual: String)
        case keyNotRegistered
        case badRegisteredKey
        case badSignature

        public var description: String {
            switch self {
            case .digestMismatch(let claimed, let actual):
                "sha256 \(claimed.prefix(16))… does not match the payload (SHA-256 \(actual.prefix(16))…)"
            case .keyNotRegistered: "publicKey is not the key registered for this sensor"
            case .badRegisteredKey: "the sensor's registered public key is not a valid Ed25519 key"
            case .badSignature: "Ed25519 signature does not verify over the payload digest with the sensor's registered key"
            }
        }
    }

    public static func verify(_ e: SignedEvidence, registeredKey: Data) throws(Failure) {
        let actual = sha256Hex(e.payload)
        guard constantTimeEqual(Array(actual.utf8), Array(e.sha256.lowercased().utf8)) else {
            throw .digestMismatch(claimed: e.sha256, actual: actual)
        }
        guard constantTimeEqual(Array(e.publicKey), Array(registeredKey)) else { throw .keyNotRegistered }
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: registeredKey) else {
            throw .badRegisteredKey
        }
        let digest = Data(SHA256.hash(data: e.payload))
        guard key.isValidSignature(e.signature, for: digest) else { throw .badSignature }
    }
}
