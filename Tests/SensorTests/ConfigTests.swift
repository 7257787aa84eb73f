import CellwatchModel
import Foundation
import Testing
import TestSupport
@testable import Sensor

@Suite("Sensor config")
struct ConfigTests {
    static let minimal = """
        sensor:
          id: van-07
          device: file:/tmp/x.sigmf-meta
        collector:
          url: http://127.0.0.1:8080
          token_file: token
        """

    func parse(_ yaml: String, device: String? = nil) throws(SensorConfigError) -> SensorConfig {
        try SensorConfig.parse(yaml: yaml, fileName: "sensor.yaml", deviceOverride: device, baseDirectory: "/etc/cellwatch")
    }

    func error(_ yaml: String, device: String? = nil) -> String? {
        do { _ = try parse(yaml, device: device); return nil } catch { return error.description }
    }

    @Test func minimalConfigTakesDefaults() throws {
        let c = try parse(Self.minimal)
        #expect(c.sensorID == "van-07")
        #expect(c.device == .file(path: "/tmp/x.sigmf-meta"))
        #expect(c.tokenFile == "/etc/cellwatch/token")
        #expect(c.dwellSeconds == 1)
        #expect(c.gps == .none)
        #expect(c.stateDirectory == "/var/lib/cellwatch")
        #expect(c.keyFile == "/var/lib/cellwatch/sensor-ed25519.key")
        #expect(c.bands == Band.surveyDefaults)
        #expect(c.uploadBatchSize == 200)
        #expect(c.uploadTimeoutSeconds == 30)
    }

    @Test func exampleFileLoadsThroughFileProvider() async throws {
        let path = TestSupport.packageRoot.appendingPathComponent("deploy/sensor.example.yaml").path
        let c = try await SensorConfig.load(path: path)
        #expect(c.sensorID == "van-07")
        #expect(c.device == .hackrf(serial: nil))
        #expect(c.bands == [.gsm(.egsm900), .gsm(.dcs1800)])
        #expect(c.dwellSeconds == 2)
        #expect(c.gps == .gpsd(host: "127.0.0.1", port: 2947, staleAfter: 5))
        #expect(c.metricsTextfile == "/var/lib/prometheus/node-exporter/cellwatch.prom")
        #expect(c.collectorURL.absoluteString == "https://collector.example.net")
    }

    @Test func surveySchedulingKeys() throws {
        let d = try parse(Self.minimal)
        #expect(d.lookSeconds == 0.02 && d.powerJumpDB == 10 && d.carrierForgetSeconds == 30 && d.suspectRevisitSeconds == 5)
        let keys = "  look_seconds: 0.05\n  power_jump_db: 12\n  carrier_forget_seconds: 45\n  suspect_revisit_seconds: 8\ncollector:"
        let c = try parse(Self.minimal.replacingOccurrences(of: "collector:", with: keys))
        #expect(c.lookSeconds == 0.05 && c.powerJumpDB == 12 && c.carrierForgetSeconds == 45 && c.suspectRevisitSeconds == 8)
        #expect(try parse(Self.minimal.replacingOccurrences(of: "collector:", with: "  look_seconds: 0\ncollector:")).lookSeconds == 0)
        func with(_ line: String) -> String? { error(Self.minimal.replacingOccurrences(of: "collector:", with: line + "\ncollector:")) }
        #expect(with("  look_seconds: 0.001")?.hasPrefix("sensor.yaml: sensor.look_seconds: 0.001 seconds is too short") == true)
        #expect(with("  look_seconds: 2") == "sensor.yaml: sensor.look_seconds: 2.0 seconds is out of range (0.0…1.0)")
        #expect(with("  look_seconds: 0.5\n  dwell_seconds: 0.2")?.hasPrefix("sensor.yaml: sensor.look_seconds: 0.5 seconds is not shorter than sensor.dwell_seconds") == true)
        #expect(with("  power_jump_db: 1") == "sensor.yaml: sensor.power_jump_db: 1.0 dB is out of range (3.0…60.0)")
        #expect(with("  carrier_forget_seconds: soon") == "sensor.yaml: sensor.carrier_forget_seconds: \"soon\" is not a number")
        #expect(with("  suspect_revisit_seconds: 0") == "sensor.yaml: sensor.suspect_revisit_seconds: 0.0 seconds is out of range (0.5…3600.0)")
    }

    @Test func deviceOverrideWins() throws {
        #expect(try parse(Self.minimal, device: "sim:district").device == .sim(scenario: "district"))
        #expect(try parse(Self.minimal, device: "rtlsdr:1").device == .rtlsdr(index: 1))
        #expect(try parse(Self.minimal, device: "hackrf:0000000000000000a06063c8234e925f").device
                == .hackrf(serial: "0000000000000000a06063c8234e925f"))
        #expect(error(Self.minimal, device: "usrp") ==
                "sensor.yaml: --device: \"usrp\" is not a device (hackrf[:SERIAL], rtlsdr[:N], file:PATH, sim:SCENARIO)")
        #expect(error(Self.minimal, device: "rtlsdr:x") == "sensor.yaml: --device: \"rtlsdr:x\": an RTL-SDR index is a number 0–255")
    }

    @Test func errorsNameTheKeyAndProblem() {
        #expect(error(Self.minimal + "\ngps:\n  source: gpsd\n  port: 70000") == "sensor.yaml: gps.port: 70000 is not a TCP port")
        #expect(error(Self.minimal + "\ngps:\n  source: gpsd\n  port: twelve") == "sensor.yaml: gps.port: \"twelve\" is not a whole number")
        #expect(error(Self.minimal + "\ngps:\n  source: glonass") == "sensor.yaml: gps.source: \"glonass\" is not gpsd, fixed or none")
        #expect(error(Self.minimal + "\ngps:\n  source: fixed\n  latitude: 95\n  longitude: 13") == "sensor.yaml: gps.latitude: 95.0 is not a latitude (−90…90)")
        #expect(error(Self.minimal + "\ngps:\n  source: fixed\n  latitude: 0\n  longitude: 0")?.contains("0,0 is the placeholder") == true)
        #expect(error(Self.minimal + "\ngps:\n  source: fixed\n  latitude: 52.5") == "sensor.yaml: gps.longitude: missing (required)")
        #expect(error(Self.minimal.replacingOccurrences(of: "  id: van-07\n", with: "")) == "sensor.yaml: sensor.id: missing (required)")
        #expect(error(Self.minimal.replacingOccurrences(of: "van-07", with: "van 07")) ==
                "sensor.yaml: sensor.id: \"van 07\" is not a sensor ID (1–64 of A–Z a–z 0–9 - _ .)")
        #expect(error(Self.minimal.replacingOccurrences(of: "http://127.0.0.1:8080", with: "ftp://x")) ==
                "sensor.yaml: collector.url: \"ftp://x\" is not an http:// or https:// URL")
        #expect(error(Self.minimal.replacingOccurrences(of: "collector:", with: "  bands: [GSM900, GSM1234]\ncollector:"))?.hasPrefix("sensor.yaml: sensor.bands: \"GSM1234\" is not a band") == true)
        #expect(error(Self.minimal.replacingOccurrences(of: "collector:", with: "  bands: GSM900\ncollector:")) == "sensor.yaml: sensor.bands: must be a list like [GSM900, DCS1800]")
        #expect(error(Self.minimal.replacingOccurrences(of: "collector:", with: "  dwell_seconds: 0\ncollector:")) == "sensor.yaml: sensor.dwell_seconds: 0.0 seconds is out of range (0.05…60.0)")
        #expect(error(Self.minimal + "\nupload:\n  batch_size: [1, 2]") == "sensor.yaml: upload.batch_size: must be a single value, not a list or mapping")
        #expect(error(Self.minimal + "\nmetrics:\n  textfile: /tmp/cellwatch.txt")?.contains("must end in .prom") == true)
        #expect(error(Self.minimal + "\ngsmtap:\n  destination: localhost") == "sensor.yaml: gsmtap.destination: \"localhost\" is not HOST:PORT")
        #expect(error("- a\n- b")?.hasPrefix("sensor.yaml: not valid YAML for a config") == true)
    }

    @Test func missingFileIsNamed() async {
        do {
            _ = try await SensorConfig.load(path: "/nonexistent/sensor.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "/nonexistent/sensor.yaml: no such file")
        }
    }

    @Test func fixedSiteAndTokenFile() throws {
        let dir = TestSupport.temporaryDirectory()
        try "s3cret\n".write(to: dir.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        let c = try SensorConfig.parse(yaml: Self.minimal + "\ngps:\n  source: fixed\n  latitude: 52.52\n  longitude: 13.405\n  altitude: 40",
                                       baseDirectory: dir.path)
        #expect(c.gps == .fixed(latitude: 52.52, longitude: 13.405, altitude: 40, accuracy: 10))
        #expect(try c.readToken() == "s3cret")
    }

    @Test func clientCertificateKeys() throws {
        let https = Self.minimal.replacingOccurrences(of: "http://127.0.0.1:8080", with: "https://collector.example.net")
        let certOnly = https.replacingOccurrences(of: "token_file: token",
                                                  with: "client_certificate: tls/van-07.pem\n  client_key: tls/van-07.key\n  ca_file: /etc/ssl/collector-ca.pem")
        let c = try parse(certOnly)
        #expect(c.tokenFile == nil)
        #expect(try c.readToken() == nil)
        #expect(c.clientCertificateFile == "/etc/cellwatch/tls/van-07.pem" && c.clientKeyFile == "/etc/cellwatch/tls/van-07.key")
        #expect(c.collectorCAFile == "/etc/ssl/collector-ca.pem")
        // Without TLS keys the upload client is the shared one.
        #expect(try parse(https).uploadTLSConfiguration() == nil)
        // The files are read when the daemon starts, and named when they are missing.
        do {
            _ = try c.uploadTLSConfiguration()
            Issue.record("expected an error for the missing certificate file")
        } catch {
            #expect(error.description.hasPrefix("collector.client_certificate: /etc/cellwatch/tls/van-07.pem is not a readable PEM certificate"))
        }

        #expect(error(https.replacingOccurrences(of: "token_file: token", with: "client_certificate: a.pem")) ==
                "sensor.yaml: collector.client_key: missing: a client certificate needs both collector.client_certificate and collector.client_key")
        #expect(error(Self.minimal.replacingOccurrences(of: "token_file: token", with: "client_certificate: a.pem\n  client_key: a.key")) ==
                "sensor.yaml: collector.url: \"http://127.0.0.1:8080\" must be https:// to use a client certificate or collector.ca_file")
        #expect(error(Self.minimal.replacingOccurrences(of: "\n  token_file: token", with: "")) ==
                "sensor.yaml: collector.token_file (or collector.client_certificate and collector.client_key): missing (required)")
    }
}
