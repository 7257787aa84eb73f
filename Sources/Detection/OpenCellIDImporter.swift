import CellwatchModel
import Foundation

/// Reads OpenCellID's `cell_towers.csv` export into a baseline, one line at a time (the full export is
/// gigabytes; nothing holds more than one read buffer and one line).
///
/// Layout (ECOSYSTEM.md §5, opencellid.org wiki "Database format"), header optional:
/// `radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal`.
/// `net` is the MNC as a number ("01" ≡ "1"); `area` the LAC/TAC; `cell` the CI or 28-bit ECI; `unit`
/// the LTE PCI (empty for GSM); `range` metres; `created`/`updated` Unix seconds. Lines are unquoted.
/// GSM and LTE rows are imported; UMTS, CDMA and NR rows are skipped (counted, not errors). A line
/// that does not parse is counted and reported with its number; it never stops the import.
public struct OpenCellIDImporter: Sendable {
    public struct BadLine: Hashable, Sendable {
        public var lineNumber: Int
        public var problem: String
    }

    public struct Report: Sendable {
        public var imported = 0
        /// Rows of a RAT we do not handle, or outside the MCC filter.
        public var skipped = 0
        /// Total malformed lines; `badLines` keeps the first `maximumReportedBadLines` of them.
        public var badLineCount = 0
        public var badLines: [BadLine] = []
        public var linesRead = 0
    }

    public static let columns = ["radio", "mcc", "net", "area", "cell", "unit", "lon", "lat", "range",
                                 "samples", "changeable", "created", "updated", "averageSignal"]
    public var maximumReportedBadLines = 100
    /// Import only these MCCs (nil: all). A country's sensors need only their own country's rows.
    public var mccFilter: Set<Int>?
    public private(set) var report = Report()

    public init(mccFilter: Set<Int>? = nil) { self.mccFilter = mccFilter }

    public enum LineResult: Equatable {
        case cell(KnownCell)
        case skipped
        case header
        case blank
        case bad(String)
    }

    /// Parses one line without touching any state.
    public static func parse(_ line: Substring) -> LineResult {
        var text = line
        if text.last == "\r" { text = text.dropLast() }
        if text.allSatisfy({ $0 == " " }) { return .blank }
        let f = text.split(separator: ",", omittingEmptySubsequences: false)
        if f.first == "radio" { return .header }
        guard f.count == columns.count else {
            return .bad("\(f.count) fields, expected \(columns.count)")
        }
        let rat: RAT
        switch f[0] {
        case "GSM": rat = .gsm
        case "LTE": rat = .lte
        case "UMTS", "CDMA", "NR": return .skipped
        default: return .bad("unknown radio \"\(f[0].prefix(16))\"")
        }
        func int(_ i: Int, _ range: ClosedRange<Int>) -> Int? {
            guard let v = Int(f[i]), range.contains(v) else { return nil }
            return v
        }
        func double(_ i: Int, _ range: ClosedRange<Double>) -> Double? {
            guard let v = Double(f[i]), v.isFinite, range.contains(v) else { return nil }
            return v
        }
        guard let mcc = int(1, 0...999) else { return .bad("mcc \"\(f[1].prefix(16))\" is not 0–999") }
        guard let mnc = int(2, 0...999) else { return .bad("net \"\(f[2].prefix(16))\" is not 0–999") }
        guard let area = int(3, 0...65535) else { return .bad("area \"\(f[3].prefix(16))\" is not 0–65535") }
        let cellMax = rat == .lte ? (1 << 28) - 1 : 65535
        guard let cell = int(4, 0...cellMax) else { return .bad("cell \"\(f[4].prefix(16))\" is not 0–\(cellMax)") }
        var unit: Int?
        if !f[5].isEmpty {
            guard let u = Int(f[5]) else { return .bad("unit \"\(f[5].prefix(16))\" is not a number") }
            unit = u
        }
        guard let lon = double(6, -180...180) else { return .bad("lon \"\(f[6].prefix(16))\" is not -180–180") }
        guard let lat = double(7, -90...90) else { return .bad("lat \"\(f[7].prefix(16))\" is not -90–90") }
        guard let range = double(8, 0...1e7) else { return .bad("range \"\(f[8].prefix(16))\" is not a distance") }
        guard let samples = int(9, 0...Int.max) else { return .bad("samples \"\(f[9].prefix(16))\" is not a count") }
        guard let created = int(11, 0...Int(Int32.max) * 2) else { return .bad("created \"\(f[11].prefix(16))\" is not a Unix time") }
        guard let updated = int(12, 0...Int(Int32.max) * 2) else { return .bad("updated \"\(f[12].prefix(16))\" is not a Unix time") }
        // LTE PCI is 0–503 (TS 36.211 §6.11); OpenCellID sometimes holds -1 or garbage there: drop it.
        let codes: Set<Int> = rat == .lte ? Set([unit].compactMap { $0 }.filter { (0...503).contains($0) }) : []
        return .cell(KnownCell(key: CellKey(rat: rat, mcc: mcc, mnc: mnc, areaCode: area, cellId: cell),
                               physicalCodes: codes, latitudeDegrees: lat, longitudeDegrees: lon, rangeMeters: range,
                               firstSeen: Date(timeIntervalSince1970: TimeInterval(created)),
                               lastSeen: Date(timeIntervalSince1970: TimeInterval(max(created, updated))),
                               samples: samples, sources: [.openCellID]))
    }

    /// Takes one line (numbered from 1) into `baseline`.
    public mutating func consume(line: Substring, number: Int, into baseline: inout Baseline) {
        report.linesRead += 1
        switch Self.parse(line) {
        case .cell(let c):
            if let mccFilter, !mccFilter.contains(c.key.mcc) {
                report.skipped += 1
            } else {
                baseline.merge(c)
                report.imported += 1
            }
        case .skipped: report.skipped += 1
        case .header, .blank: break
        case .bad(let problem):
            report.badLineCount += 1
            if report.badLines.count < maximumReportedBadLines {
                report.badLines.append(BadLine(lineNumber: number, problem: problem))
            }
        }
    }

    /// Imports text already in memory (tests, small operator extracts).
    public mutating func importText(_ text: String, into baseline: inout Baseline) {
        var number = 0
        // "\r\n" is one Character in Swift: split on both forms of line end.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            consume(line: line, number: number, into: &baseline)
        }
    }

    /// Streams a CSV file (already decompressed: pipe `zcat` into a FIFO or a temporary file).
    public mutating func importFile(atPath path: String, into baseline: inout Baseline) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw BaselineStore.Error(description: "cannot open the OpenCellID file \(path)")
        }
        defer { try? handle.close() }
        var pending: [UInt8] = []
        var number = 0
        // True while skipping the rest of a line already reported as too long.
        var discarding = false
        while true {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: 1 << 16) } catch {
                throw BaselineStore.Error(description: "cannot read the OpenCellID file \(path): \(error.localizedDescription)")
            }
            guard let chunk, !chunk.isEmpty else { break }
            pending.append(contentsOf: chunk)
            var start = 0
            while let nl = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                if discarding {
                    discarding = false
                } else {
                    number += 1
                    consume(line: Substring(decoding: pending[start..<nl], as: UTF8.self), number: number, into: &baseline)
                }
                start = nl + 1
            }
            pending.removeFirst(start)
            // A "line" longer than 4 KiB is not a cell row: report it and skip to its end rather than
            // buffer an unterminated file whole.
            if pending.count > 4096 {
                if !discarding {
                    number += 1
                    report.linesRead += 1
                    report.badLineCount += 1
                    if report.badLines.count < maximumReportedBadLines {
                        report.badLines.append(BadLine(lineNumber: number, problem: "line longer than 4096 bytes"))
                    }
                }
                discarding = true
                pending = []
            }
        }
        if !pending.isEmpty, !discarding {
            number += 1
            consume(line: Substring(decoding: pending, as: UTF8.self), number: number, into: &baseline)
        }
    }
}
