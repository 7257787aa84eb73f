import Foundation
import Radio
import Testing
import TestSupport

/// Every way a recording can be wrong gets one sentence naming the file and the problem.
@Suite struct RecordingErrorTests {
    let dir = TestSupport.temporaryDirectory()
    static let goodMeta = #"{"global":{"core:datatype":"ci16_le","core:sample_rate":1e6,"core:version":"1.2.5"},"captures":[{"core:sample_start":0,"core:frequency":947e6}],"annotations":[]}"#

    func message(_ path: String, raw: Recording.RawParameters = .init()) -> String? {
        do {
            _ = try FileDevice(path: path, raw: raw)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func missingFile() throws {
        let m = try #require(message(dir.appendingPathComponent("nothing.sigmf-meta").path))
        #expect(m.contains("nothing.sigmf-meta") && m.contains("no such file"))
        let raw = try #require(message(dir.appendingPathComponent("nothing.cu8").path, raw: .init(sampleRate: 1e6)))
        #expect(raw.contains("nothing.cu8: no such file"))
    }

    @Test func directoryInsteadOfFile() throws {
        let m = try #require(message(dir.path, raw: .init(format: .cu8, sampleRate: 1e6)))
        #expect(m.contains("is a directory"))
    }

    @Test func missingDataHalf() throws {
        let path = dir.appendingPathComponent("lonely.sigmf-meta").path
        try Data(Self.goodMeta.utf8).write(to: URL(fileURLWithPath: path))
        let m = try #require(message(path))
        #expect(m.contains("lonely.sigmf-meta") && m.contains("data half lonely.sigmf-data is missing"))
    }

    @Test func missingMetaHalf() throws {
        let path = dir.appendingPathComponent("lonely.sigmf-data").path
        try Data([0, 0, 0, 0]).write(to: URL(fileURLWithPath: path))
        let m = try #require(message(path))
        #expect(m.contains("lonely.sigmf-data") && m.contains("metadata half lonely.sigmf-meta is missing"))
    }

    @Test(arguments: ["rf32_le", "ci16_be", "cu16_le", "ci32_le"])
    func unknownDatatype(datatype: String) throws {
        let meta = Self.goodMeta.replacingOccurrences(of: "ci16_le", with: datatype)
        let path = TestSupport.writeSigMF(in: dir, name: "odd", meta: meta, data: [0, 0, 0, 0])
        let m = try #require(message(path))
        #expect(m.contains("odd.sigmf-meta") && m.contains("core:datatype \"\(datatype)\" is not supported"))
    }

    @Test func byteCountNotWholeSamples() throws {
        let path = TestSupport.writeSigMF(in: dir, name: "cut", meta: Self.goodMeta, data: [0, 0, 0, 0, 1, 2, 3])
        let m = try #require(message(path))
        #expect(m.contains("cut.sigmf-data") && m.contains("7 bytes is not a whole number of ci16_le samples (4 bytes each)"))
        let raw = dir.appendingPathComponent("cut.cf32").path
        try Data([1, 2, 3, 4, 5, 6, 7, 8, 9]).write(to: URL(fileURLWithPath: raw))
        #expect(message(raw, raw: .init(sampleRate: 1e6))?.contains("9 bytes is not a whole number of cf32_le samples") == true)
    }

    @Test func noSampleRate() throws {
        let meta = #"{"global":{"core:datatype":"cu8","core:version":"1.2.5"},"captures":[{"core:sample_start":0}]}"#
        let path = TestSupport.writeSigMF(in: dir, name: "norate", meta: meta, data: [1, 2])
        let m = try #require(message(path))
        #expect(m.contains("norate.sigmf-meta") && m.contains("no core:sample_rate"))
        let raw = dir.appendingPathComponent("x.cu8").path
        try Data([1, 2]).write(to: URL(fileURLWithPath: raw))
        #expect(message(raw)?.contains("x.cu8 is a raw cu8 file and carries no sample rate: pass --rate") == true)
    }

    @Test func rawFileWithUnknownFormat() throws {
        let raw = dir.appendingPathComponent("capture.dat").path
        try Data([1, 2]).write(to: URL(fileURLWithPath: raw))
        let m = try #require(message(raw, raw: .init(sampleRate: 1e6)))
        #expect(m.contains("capture.dat") && m.contains("pass --format"))
    }

    @Test(arguments: [
        ("{not json", "is not valid JSON"),
        ("[1,2]", "is not a SigMF metadata object"),
        (#"{"captures":[]}"#, "has no \"global\" object"),
        (#"{"global":{"core:sample_rate":1}}"#, "has no core:datatype"),
        (#"{"global":{"core:datatype":"cu8","core:sample_rate":-5}}"#, "core:sample_rate -5 is not a positive number"),
        (#"{"global":{"core:datatype":"cu8","core:sample_rate":1e6,"core:num_channels":2}}"#, "only single-channel"),
        (#"{"global":{"core:datatype":"cu8","core:sample_rate":1e6},"captures":[{"core:frequency":9e8}]}"#, "captures[0] has no valid core:sample_start"),
        (#"{"global":{"core:datatype":"cu8","core:sample_rate":1e6},"captures":[{"core:sample_start":0,"core:frequency":"high"}]}"#, "core:frequency \"high\" is not a positive number"),
        (#"{"global":{"core:datatype":"cu8","core:sample_rate":1e6},"captures":[{"core:sample_start":0},{"core:sample_start":99}]}"#, "starts at sample 99; the file is truncated"),
        (#"{"global":{"core:datatype":"cu8","core:sample_rate":true}}"#, "core:sample_rate true is not a positive number"),
    ])
    func malformedMetadata(meta: String, expected: String) throws {
        let path = TestSupport.writeSigMF(in: dir, name: "bad", meta: meta, data: [1, 2, 3, 4])
        let m = try #require(message(path))
        #expect(m.contains("bad.sigmf-"), "\(m)")
        #expect(m.contains(expected), "\(m)")
    }

    @Test func emptyData() throws {
        let path = TestSupport.writeSigMF(in: dir, name: "empty", meta: Self.goodMeta, data: [])
        #expect(message(path)?.contains("empty.sigmf-data: the file is empty") == true)
    }

    @Test func rawParametersOnASigMFFileAreRefused() throws {
        let path = TestSupport.writeSigMF(in: dir, name: "ok", meta: Self.goodMeta, data: [0, 0, 0, 0])
        #expect(message(path, raw: .init(sampleRate: 2e6))?.contains("--format and --rate are only for raw files") == true)
        #expect(message(path, raw: .init(frequency: .megahertz(950))) == nil)
    }
}
