import CellwatchModel
import DSP
import Foundation
import GSM
import Simulation
import Testing
import TestSupport

/// gr-gsm (an independent receiver) decodes our carrier block for block: frame number and 23 octets
/// as sent. Skipped, and says so, where gr-gsm is not installed.
@Suite struct GSMGrgsmCrossCheckTests {
    static let oracle = TestSupport.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/oracles/grgsm_decode.sh").path

    static var grgsmAvailable: Bool {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        let installed = dirs.contains { FileManager.default.isExecutableFile(atPath: $0 + "/grgsm_decode") }
        if !installed || !FileManager.default.fileExists(atPath: oracle) {
            print("skipped: gr-gsm cross-check (grgsm_decode \(installed ? "installed" : "not installed"), \(oracle) \(FileManager.default.fileExists(atPath: oracle) ? "present" : "absent"))")
        }
        return installed && FileManager.default.fileExists(atPath: oracle)
    }

    @Test(.enabled(if: grgsmAvailable, "gr-gsm (grgsm_decode) or shared/oracles/grgsm_decode.sh is not there"))
    func grgsmDecodesOurCarrierBlockForBlock() throws {
        var cell = GSMCellParameters.defaults(arfcn: ARFCN(38), mcc: "460", mnc: "00", lac: 0x1F40, cellId: 12_345,
                                              ncc: 5, bcc: 1, neighbourARFCNs: [ARFCN(10), ARFCN(22), ARFCN(90)],
                                              firstFrameNumber: 2_000_017)
        // An SMS blaster's profile: high CRO, short T3212, constant paging and assignments.
        cell.cellReselectOffset = 60
        cell.t3212 = 1
        cell.pagingRequestsPerSecond = 25
        cell.immediateAssignmentsPerSecond = 8
        cell.multibandNeighbourARFCNs = [ARFCN(520)]
        cell.sendsSI2quater = true
        var waveform = GSMCarrierWaveform(parameters: cell, seed: 2024)
        let rate = 1_083_333.3333333333
        let seconds = 4.0
        let n = Int(seconds * rate)
        var samples = [ComplexFloat](repeating: .zero, count: n)
        samples.withUnsafeMutableBufferPointer { buffer in
            var i = 0
            while i < n {
                let end = min(n, i + 32_768)
                waveform.render(into: UnsafeMutableBufferPointer(rebasing: buffer[i..<end]), startTime: Double(i) / rate,
                                sampleRate: rate, frequencyOffset: 0, amplitude: 0.5)
                i = end
            }
        }
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("sim_c0.cfile")
        try samples.withUnsafeBytes { try Data($0).write(to: file) }  // cf32 little-endian, I then Q

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Self.oracle, "-c", file.path, "-s", "1083333.3333333333", "-a", "38", "-m", "BCCH", "-t", "0", "-v"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "grgsm_decode failed: \(stderr.suffix(2000))")

        // gr-gsm -v prints "FN FN-mod-42432?: 23 hex octets" per block.
        var decoded: [UInt32: [UInt8]] = [:]
        for line in stdout.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let fn = parts[0].split(separator: " ").first.flatMap({ UInt32($0) }) else { continue }
            let octets = parts[1].split(separator: " ").compactMap { UInt8($0, radix: 16) }
            if octets.count == 23 { decoded[fn] = octets }
        }
        let sent = waveform.transmittedBlocks(from: 0, to: seconds - 4 * GSMCarrierWaveform.frameDuration)
        try #require(!decoded.isEmpty, "gr-gsm decoded nothing:\n\(stdout.prefix(2000))\n\(stderr.suffix(2000))")
        let firstDecoded = decoded.keys.min()!
        let sentByFN = Dictionary(sent.map { ($0.frameNumber.value, $0.l2) }, uniquingKeysWith: { a, _ in a })
        var missing: [UInt32] = [], wrong: [UInt32] = []
        for s in sent where s.frameNumber.value >= firstDecoded {
            guard let d = decoded[s.frameNumber.value] else { missing.append(s.frameNumber.value); continue }
            if d != s.l2 { wrong.append(s.frameNumber.value) }
        }
        let unknown = decoded.keys.filter { sentByFN[$0] == nil }
        let skippedAtStart = sent.filter { $0.frameNumber.value < firstDecoded }.count
        print("gr-gsm decoded \(decoded.count) of \(sent.count) blocks sent (\(skippedAtStart) before it synchronised)")
        #expect(skippedAtStart <= 10, "gr-gsm took \(skippedAtStart) blocks to synchronise")
        #expect(missing.isEmpty, "gr-gsm missed FN \(missing.prefix(20))")
        #expect(wrong.isEmpty, "gr-gsm decoded other bytes at FN \(wrong.prefix(20))")
        #expect(unknown.isEmpty, "gr-gsm printed blocks at FN \(unknown.sorted().prefix(20)) that were not sent")
        #expect(decoded.count > 150)
    }
}
