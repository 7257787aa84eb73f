import CellwatchModel
@testable import Simulation

/// A small scenario used across the tests; `replacing` edits one line to make it wrong.
enum ScenarioFixture {
    static let text = """
        name: Test district
        seed: 42
        start: 2026-11-29T08:00:00Z
        duration: 60
        area:
          origin: {lat: 26.08, lon: 119.30}
        propagation:
          path_loss_exponent: 3.5
          shadowing_sigma_db: 0
          multipath_taps: 1
          doppler: false
        operators:
          - name: China Mobile
            mcc: "460"
            mnc: "00"
            bands: [E-GSM900, DCS1800]
            lacs: [22001, 22002]
            gsm: {t3212: 40, cell_reselect_offset: 0}
        cells:
          - id: CM-1
            operator: China Mobile
            position: {x_m: 0, y_m: 0}
            arfcn: 10
            bsic: 23
            lac: 22001
            ci: 1001
            power_dbm: 50
            neighbours: [CM-2]
          - id: CM-2
            operator: China Mobile
            position: {x_m: 800, y_m: 300}
            arfcn: 14
            bsic: 17
            lac: 22001
            ci: 1002
            power_dbm: 50
            neighbours: [CM-1, 20]
        fakes:
          - id: BLASTER
            profile: sms_blaster
            operator: China Mobile
            arfcn: 12
            path:
              route: [{x_m: -500, y_m: 0}, {x_m: 500, y_m: 0}]
              speed_kmh: 36
            on: 10
            off: 50
        sensors:
          - id: CAR
            kind: vehicle
            path:
              waypoints: [{x_m: 0, y_m: 100, t: 0}, {x_m: 0, y_m: 700, t: 60}]
            receiver:
              sample_rate: 2e6
              centre_arfcn: 12
              noise_figure_db: 6
              gain_db: 50
              adc: cf32
        """

    static func scenario() throws -> Scenario { try ScenarioReader.parse(text, file: "test.yaml") }

    /// The fixture with the first line containing `old` replaced by `new` (whole line).
    static func replacing(_ old: String, with new: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let i = lines.firstIndex { $0.contains(old) }!
        let indent = lines[i].prefix { $0 == " " }
        lines[i] = indent + new
        return lines.joined(separator: "\n")
    }

    /// 1-based line number of the first line containing `s`.
    static func line(of s: String, in text: String = text) -> Int {
        text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(s) }! + 1
    }
}
