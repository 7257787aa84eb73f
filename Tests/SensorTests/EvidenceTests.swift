import CellwatchModel
import Crypto
import DSP
import Foundation
import Testing
import TestSupport
@testable import Sensor

@Suite("Evidence signing")
struct EvidenceTests {
    func sampleEvidence(iq: IQSnippet? = nil) -> Evidence {
        let o = CellObservation(rat: .gsm, channel: .arfcn(ARFCN(60)),
                                identity: CellIdentity(mcc: "460", mnc: "00", areaCode: 9345, cellId: 10001, bsic: 52),
                                pagingRequestCount: 12, countWindowSeconds: 2, sensorID: "van-07",
                                position: GeoFix(latitudeDegrees: 31.23, longitudeDegrees: 121.47, horizontalAccuracyMeters: 5,
                                                 time: Date(timeIntervalSince1970: 1_800_000_000)),
                                time: Date(timeIntervalSince1970: 1_800_000_001))
        return Evidence(id: "0190f0c2-0000-7000-8000-000000000001", sensorID: "van-07", suspectID: "GSM:460-0-9345-10001@ARFCN 60",
                        capturedAt: Date(timeIntervalSince1970: 1_800_000_001.5), observations: [o],
                        messages: [DecodedMessage(frameNumber: 1000034, channel: "BCCH", name: "System Information Type 3",
                                                  l2Hex: "49061b", fieldsJSON: "{\"mcc\":\"460\"}")],
                        iq: iq)
    }

    @Test func signatureVerifiesWithSwiftCryptoAndAFlippedByteFails() throws {
        let dir = TestSupport.temporaryDirectory()
        let key = try SensorKey.loadOrCreate(path: dir.appendingPathComponent("k/sensor.key").path)
        let signed = try EvidenceSigner(key: key).sign(sampleEvidence())

        // Independently of EvidenceSigner.verify: digest, then Ed25519 over the 32 digest bytes.
        let digest = Data(SHA256.hash(data: signed.payload))
        #expect(digest.count == 32)
        #expect(signed.sha256 == digest.map { String(format: "%02x", $0) }.joined())
        let pk = try Curve25519.Signing.PublicKey(rawRepresentation: signed.publicKey)
        #expect(pk.isValidSignature(signed.signature, for: digest))
        #expect(EvidenceSigner.verify(signed))
        #expect(try signed.decodedEvidence() == sampleEvidence())

        var tampered = signed
        tampered.payload[tampered.payload.count / 2] ^= 0x01
        #expect(!pk.isValidSignature(tampered.signature, for: Data(SHA256.hash(data: tampered.payload))))
        #expect(!EvidenceSigner.verify(tampered))

        // The wire form survives a JSON round trip with the signature intact.
        let wire = try ReportCoding.encoder().encode(signed)
        #expect(EvidenceSigner.verify(try ReportCoding.decoder().decode(SignedEvidence.self, from: wire)))
    }

    @Test func keyIsCreatedPrivateAndReloaded() throws {
        let dir = TestSupport.temporaryDirectory()
        let path = dir.appendingPathComponent("state/sensor-ed25519.key").path
        let a = try SensorKey.loadOrCreate(path: path)
        let attrs = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attrs[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect((attrs[.size] as? NSNumber)?.intValue == 32)
        let b = try SensorKey.loadOrCreate(path: path)
        #expect(a.publicKey == b.publicKey)
        #expect(Data(base64Encoded: a.publicKeyBase64)?.count == 32)
        chmod(path, 0o644)
        #expect(throws: KeyError.self) { try SensorKey.loadOrCreate(path: path) }
    }

    @Test func sigmfSnippetDescribesItsSamples() throws {
        let samples = (0..<1000).map { i in ComplexFloat(Float(i), -Float(i)) }
        let snippet = samples.withUnsafeBufferPointer { buf in
            SigMFSnippet.make(samples: buf, sampleRate: 541_666.67, centreFrequency: Hertz(947.2e6),
                              captureTime: Date(timeIntervalSince1970: 1_800_000_000), sensorID: "van-07",
                              position: GeoFix(latitudeDegrees: 52.5, longitudeDegrees: 13.4, horizontalAccuracyMeters: 3,
                                               time: Date(timeIntervalSince1970: 1_800_000_000)),
                              description: "test")
        }
        #expect(snippet.data.count == 8000)
        // cf32_le: sample 3 is (3, -3).
        let re = snippet.data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 24, as: UInt32.self) }
        let im = snippet.data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 28, as: UInt32.self) }
        #expect(Float(bitPattern: UInt32(littleEndian: re)) == 3)
        #expect(Float(bitPattern: UInt32(littleEndian: im)) == -3)
        #expect(snippet.dataSHA256 == Data(SHA256.hash(data: snippet.data)).map { String(format: "%02x", $0) }.joined())
        let meta = try #require(try JSONSerialization.jsonObject(with: Data(snippet.sigmfMeta.utf8)) as? [String: Any])
        let global = try #require(meta["global"] as? [String: Any])
        #expect(global["core:datatype"] as? String == "cf32_le")
        #expect(global["core:sample_rate"] as? Double == 541_666.67)
        let captures = try #require(meta["captures"] as? [[String: Any]])
        #expect(captures.first?["core:frequency"] as? Double == 947.2e6)
        #expect(captures.first?["core:datetime"] as? String == "2027-01-15T08:00:00.000Z")
        let geo = try #require(global["core:geolocation"] as? [String: Any])
        #expect(geo["coordinates"] as? [Double] == [13.4, 52.5])
    }
}
