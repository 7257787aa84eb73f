import DSP
import Foundation
import Radio
import Testing
import TestSupport

@Suite struct FileDeviceTests {
    /// Sample i of the synthetic recordings: I = i, Q = −i, so any misplaced byte shows.
    static func ramp(_ range: Range<Int>) -> [(Float, Float)] { range.map { (Float($0), Float(-$0)) } }

    func readAll(_ device: FileDevice, blockSize: Int) throws -> [(start: Int64, values: [ComplexFloat], freq: Double?, segment: Int)] {
        let block = SampleBlock(capacity: blockSize)
        var out: [(Int64, [ComplexFloat], Double?, Int)] = []
        while try device.read(into: block) {
            out.append((block.startSample, block.withSamples { Array($0) }, block.centreFrequency?.value, block.segment))
        }
        return out
    }

    @Test func streamsCapturesWithHeaderBytesInBlocksThatNeverStraddleThem() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Capture 0: samples 0..<10 at 935.2 MHz, 4 header bytes first; capture 1: 10..<25 at 1805.2 MHz,
        // 8 header bytes before it.
        var data: [UInt8] = [0xDE, 0xAD, 0xBE, 0xEF]
        data += TestSupport.cf32Bytes(Self.ramp(0..<10))
        data += [UInt8](repeating: 0xAA, count: 8)
        data += TestSupport.cf32Bytes(Self.ramp(10..<25))
        let meta = """
            {"global":{"core:datatype":"cf32_le","core:sample_rate":1000000,"core:version":"1.2.5"},
             "captures":[{"core:sample_start":10,"core:frequency":1805200000,"core:header_bytes":8},
                         {"core:sample_start":0,"core:frequency":935200000,"core:header_bytes":4}],
             "annotations":[]}
            """
        let path = TestSupport.writeSigMF(in: dir, name: "two", meta: meta, data: data)
        let device = try FileDevice(path: path)
        #expect(device.recording.totalSamples == 25)
        #expect(device.recording.segments.map(\.sampleCount) == [10, 15])
        let blocks = try readAll(device, blockSize: 4)
        #expect(blocks.map(\.start) == [0, 4, 8, 10, 14, 18, 22])
        #expect(blocks.map(\.segment) == [0, 0, 0, 1, 1, 1, 1])
        #expect(blocks.first?.freq == 935.2e6 && blocks.last?.freq == 1805.2e6)
        let all = blocks.flatMap(\.values)
        #expect(all == Self.ramp(0..<25).map { ComplexFloat($0.0, $0.1) })

        // The data half named directly, and the base name, open the same recording.
        #expect(try FileDevice(path: dir.appendingPathComponent("two.sigmf-data").path).recording.totalSamples == 25)
        #expect(try FileDevice(path: dir.appendingPathComponent("two").path).recording.totalSamples == 25)
    }

    @Test func rawFileWithParameters() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("cap.bin").path
        try Data([0, 255, 128, 127, 10, 20]).write(to: URL(fileURLWithPath: path))
        let device = try FileDevice(path: path, raw: .init(format: .cu8, sampleRate: 2.048e6, frequency: .megahertz(947)))
        let blocks = try readAll(device, blockSize: 1024)
        #expect(blocks.count == 1 && blocks[0].values.count == 3)
        #expect(blocks[0].freq == 947e6)
        #expect(device.sampleRate == 2.048e6)
        // The extension is enough to know the format.
        let cs8 = dir.appendingPathComponent("cap.cs8").path
        try Data([1, 2, 3, 4]).write(to: URL(fileURLWithPath: cs8))
        #expect(try FileDevice(path: cs8, raw: .init(sampleRate: 1e6)).recording.format == .ci8)
    }

    @Test func fileTruncatedWhileReadingIsAnErrorNotAShortRead() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("cap.cf32").path
        try Data(TestSupport.cf32Bytes(Self.ramp(0..<1000))).write(to: URL(fileURLWithPath: path))
        let device = try FileDevice(path: path, raw: .init(sampleRate: 1e6), maxBlockSamples: 100)
        let block = SampleBlock(capacity: 100)
        #expect(try device.read(into: block))
        truncate(path, 8 * 150)
        // Samples 100..<200 are only half there: the read fails rather than returning a short block.
        do {
            _ = try device.read(into: block)
            Issue.record("reading past the truncation should fail")
        } catch {
            #expect(error.description.contains("cap.cf32"))
            #expect(error.description.contains("truncated"))
        }
    }

    @Test func sharedRecordingsOpen() throws {
        guard let path = TestSupport.recording("lte/ltecellscanner_739MHz_1.92Msps.sigmf-meta") else { return }
        let device = try FileDevice(path: path)
        #expect(device.recording.format == .cu8)
        #expect(device.recording.totalSamples == 153_600)
        #expect(device.recording.segments.first?.frequency?.value == 739e6)
        let block = SampleBlock(capacity: 1 << 16)
        var n = 0
        var energy = 0.0
        while try device.read(into: block) {
            n += block.count
            block.withSamples { for s in $0 { energy += Double(s.magnitudeSquared) } }
        }
        #expect(n == 153_600)
        #expect(energy / Double(n) > 0.01 && energy / Double(n) < 1)
    }
}
