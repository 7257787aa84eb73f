import CellwatchModel
import Foundation
@testable import Simulation
import Testing
import TestSupport

@Suite struct ScenarioReaderTests {
    @Test func readsTheFixture() throws {
        let s = try ScenarioFixture.scenario()
        #expect(s.name == "Test district")
        #expect(s.seed == 42)
        #expect(s.duration == 60)
        #expect(s.cells.count == 2 && s.fakes.count == 1 && s.sensors.count == 1)
        let cm1 = s.cells[0]
        #expect(cm1.band == .egsm900 && cm1.arfcn == ARFCN(10) && cm1.bsic == 23 && cm1.mcc == "460" && cm1.mnc == "00")
        #expect(cm1.neighbours == [ARFCN(14)])
        #expect(s.cells[1].neighbours == [ARFCN(10), ARFCN(20)])
        #expect(abs(s.frame.enu(s.cells[1].position).east - 800) < 0.01)
        #expect(s.sensors[0].receiver.tuning == [GSMBand.egsm900.downlink(ARFCN(12))!])
        #expect(s.sensors[0].receiver.adc == .cf32)
    }

    @Test func smsBlasterProfileFillsItsTypicalValues() throws {
        let s = try ScenarioFixture.scenario()
        let b = s.fakes[0]
        #expect(b.profile == .smsBlaster)
        #expect(b.mcc == "460" && b.mnc == "00")
        #expect(![22001, 22002].contains(b.lac), "an SMS blaster's LAC lies outside the operator's plan")
        #expect(b.gsm.cellReselectOffset >= 60)
        #expect(b.gsm.t3212 == 1)
        #expect(b.neighbours.isEmpty)
        let hz = b.frequencyErrorPPM * 1e-6 * GSMBand.egsm900.downlink(ARFCN(12))!.value
        #expect(hz > 200 && hz < 1000, "several hundred hertz off: \(hz)")
        #expect(b.gsm.pagingRate >= 20)
        #expect(b.activeIntervals == [10...50])
        // Route + speed: 1000 m at 10 m/s.
        #expect(abs(b.trajectory.times.last! - 100) < 0.01)
    }

    @Test func identityCloneCopiesItsVictim() throws {
        let text = ScenarioFixture.text.replacingOccurrences(of: """
              - id: BLASTER
                profile: sms_blaster
            """, with: """
              - id: CLONE
                profile: identity_clone
                clone_of: CM-2
            """)
        let s = try ScenarioReader.parse(text, file: "clone.yaml")
        let c = s.fakes[0]
        #expect(c.lac == 22001 && c.cellIdentity == 1002 && c.bsic == 17 && c.arfcn == ARFCN(12))
        #expect(c.neighbours == s.cells[1].neighbours)
        // On the victim's own ARFCN it is refused.
        let same = text.replacingOccurrences(of: "    arfcn: 12", with: "    arfcn: 14")
        #expect(throws: ScenarioError.self) { try ScenarioReader.parse(same, file: "clone.yaml") }
    }

    @Test func lteDowngradeIsAcceptedAndRendered() throws {
        let text = ScenarioFixture.text.replacingOccurrences(of: """
                profile: sms_blaster
                operator: China Mobile
                arfcn: 12
            """, with: """
                profile: lte_downgrade
                operator: China Mobile
                earfcn: 1300
            """)
        let s = try ScenarioReader.parse(text, file: "lte.yaml")
        let tx = s.transmitters.first { $0.id == "BLASTER" }!
        #expect(tx.rat == .lte && tx.rendered)
        #expect(abs(tx.frequency.megahertz - 1815) < 0.01) // B3: 1805 + 0.1 × (1300 − 1200)
        // The standard factory gives it an eNodeB waveform with its PCI.
        let p = try #require(tx.lteCellParameters(seed: 5))
        #expect(p.pci == tx.pci && p.prb == Transmitter.lteResourceBlocks)
        #expect(WaveformFactory.standard.make(tx, 5) is LTECellWaveform)
    }

    /// Each wrong line yields file:line and a message that says what is wrong.
    @Test(arguments: [
        ("power_dbm: 50", "powr: 50", "unknown field 'powr' in cell 'CM-1'"),
        ("power_dbm: 50", "power_dbm: -3", "impossible"),
        ("origin: {lat: 26.08, lon: 119.30}", "origin: {lat: 91, lon: 119.30}", "latitude"),
        ("arfcn: 10", "arfcn: 300", "ARFCN 300 of cell 'CM-1' is in none of the bands"),
        ("bands: [E-GSM900, DCS1800]", "bands: [E-GSM900, GSM1700]", "unknown GSM band 'GSM1700'"),
        ("bsic: 23", "bsic: 64", "outside 0–63"),
        ("lac: 22001", "lac: 30000", "not in the LAC plan"),
        ("profile: sms_blaster", "profile: sms_blastr", "unknown profile 'sms_blastr'"),
        ("adc: cf32", "adc: cu16", "unknown ADC format 'cu16'"),
        ("neighbours: [CM-2]", "neighbours: [CM-9]", "neighbour 'CM-9'"),
        ("operator: China Mobile", "operator: China Mobil", "operator 'China Mobil', which is not defined"),
        ("mcc: \"460\"", "mcc: 46", "must be 3 digits"),
        ("duration: 60", "duration: ten", "must be a time"),
        ("shadowing_sigma_db: 0", "shadowing_sigma_db: -1", "impossible"),
    ])
    func errorsNameFileLineAndProblem(old: String, new: String, problem: String) throws {
        let text = ScenarioFixture.replacing(old, with: new)
        let line = ScenarioFixture.line(of: new, in: text)
        do {
            _ = try ScenarioReader.parse(text, file: "fuzhou.yaml")
            Issue.record("no error for \(new)")
        } catch {
            #expect(error.file == "fuzhou.yaml")
            #expect(error.line == line, "\(error)")
            #expect(error.description.hasPrefix("fuzhou.yaml:\(line): "), "\(error)")
            #expect(error.problem.contains(problem), "\(error)")
        }
    }

    @Test func unknownFieldListsTheExpectedOnes() throws {
        let text = ScenarioFixture.replacing("power_dbm: 50", with: "powr: 50")
        #expect(throws: ScenarioError.self) { try ScenarioReader.parse(text, file: "f.yaml") }
        do { _ = try ScenarioReader.parse(text, file: "f.yaml") } catch {
            #expect(error.problem.contains("expected one of: id, operator, position"))
            #expect(error.problem.contains("did you mean 'power_dbm'"))
        }
    }

    @Test func invalidYAMLAndMissingParts() throws {
        do { _ = try ScenarioReader.parse("name: [unclosed\n", file: "bad.yaml"); Issue.record("accepted") } catch {
            #expect(error.description.hasPrefix("bad.yaml:"))
            #expect(error.problem.contains("not valid YAML"))
        }
        do { _ = try ScenarioReader.parse("name: x\n", file: "empty.yaml"); Issue.record("accepted") } catch {
            #expect(error.problem.contains("has no 'area'"), "\(error)")
        }
        do { _ = try ScenarioReader.read(path: "/nonexistent/x.yaml"); Issue.record("accepted") } catch {
            #expect(error.description == "/nonexistent/x.yaml: no such file")
        }
        let dup = ScenarioFixture.text.replacingOccurrences(of: "id: CM-2", with: "id: CM-1")
        do { _ = try ScenarioReader.parse(dup, file: "dup.yaml"); Issue.record("accepted") } catch {
            #expect(error.problem.contains("'CM-1' is used twice"), "\(error)")
        }
    }

    /// The example in docs/scenarios.md is a valid scenario.
    @Test func documentedExampleParses() throws {
        let doc = try String(contentsOf: TestSupport.packageRoot.appendingPathComponent("docs/scenarios.md"), encoding: .utf8)
        let blocks = doc.components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        let example = try #require(blocks.last)
        let s = try ScenarioReader.parse(example, file: "scenarios.md")
        #expect(s.cells.count == 2 && s.fakes.count == 1 && s.sensors.count == 1)
    }

    @Test func bundledScenariosLoad() throws {
        #expect(Scenario.bundledNames.contains("fuzhou-gulou") && Scenario.bundledNames.contains("legit-only"))
        let f = try Scenario.bundled(named: "fuzhou-gulou")
        #expect(f.cells.count >= 12 && f.cells.count <= 18)
        #expect(Set(f.cells.map(\.mnc)) == ["00", "01", "11"] || Set(f.cells.map(\.mnc)) == ["00", "01"])
        #expect(f.fakes.contains { $0.profile == .smsBlaster && !$0.trajectory.isFixed })
        #expect(f.sensors.filter { $0.kind == .vehicle }.count == 2 && f.sensors.filter { $0.kind == .fixed }.count == 1)
        #expect(f.sensors.allSatisfy { $0.receiver.sampleRate == 2e6 })
        #expect(abs(f.origin.latitude - 26.08) < 0.05 && abs(f.origin.longitude - 119.30) < 0.05)
        let l = try Scenario.bundled(named: "legit-only")
        #expect(l.fakes.isEmpty && !l.cells.isEmpty)
        // `sim:NAME` and a path both resolve.
        #expect(try Scenario.load("sim:legit-only").name == l.name)
        #expect(throws: ScenarioError.self) { try Scenario.bundled(named: "atlantis") }
    }
}
