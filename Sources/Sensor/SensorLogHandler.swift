import Foundation
import Logging

/// One log line per record on standard error, in the format the environment wants:
/// - `journald`: `<N>` syslog priority prefix (journald turns it into PRIORITY), message, `key=value`
///   metadata, no timestamp (the journal stamps it). Chosen when `$JOURNAL_STREAM` is set.
/// - `json`: one JSON object per line (ts RFC 3339 UTC, level, label, message, metadata) for log shippers.
/// - `plain`: timestamp, level, label, message, metadata, for a terminal.
/// Never given subscriber identities: the sensor never has them past the decoder's counters.
public struct SensorLogHandler: LogHandler {
    public enum Format: String, Sendable, CaseIterable {
        case plain, json, journald
    }

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public let label: String
    public let format: Format
    private let write: @Sendable (String) -> Void

    public init(label: String, format: Format, level: Logger.Level = .info,
                write: @escaping @Sendable (String) -> Void = { line in
                    FileHandle.standardError.write(Data((line + "\n").utf8))
                }) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.write = write
    }

    /// The format for this process: `json` when asked, journald under systemd's journal, plain otherwise.
    public static func format(requested: Format?, environment: [String: String] = ProcessInfo.processInfo.environment) -> Format {
        if let requested { return requested }
        return environment["JOURNAL_STREAM"]?.isEmpty == false ? .journald : .plain
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// syslog priority (RFC 5424 §6.2.1) of a swift-log level.
    public static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .critical: 2
        case .error: 3
        case .warning: 4
        case .notice: 5
        case .info: 6
        case .debug, .trace: 7
        }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        write(Self.render(format: format, label: label, level: event.level, message: "\(event.message)",
                          metadata: all, date: Date()))
    }

    public static func render(format: Format, label: String, level: Logger.Level, message: String,
                              metadata: Logger.Metadata, date: Date) -> String {
        let keys = metadata.keys.sorted()
        switch format {
        case .journald:
            let meta = keys.map { "\($0)=\(metadata[$0]!)" }.joined(separator: " ")
            return "<\(syslogPriority(level))>\(message)\(meta.isEmpty ? "" : " " + meta)"
        case .plain:
            let meta = keys.map { "\($0)=\(metadata[$0]!)" }.joined(separator: " ")
            return "\(ReportCoding.formatDate(date)) \(level.rawValue.uppercased()) \(label): \(message)\(meta.isEmpty ? "" : " " + meta)"
        case .json:
            var obj: [String: Any] = ["ts": ReportCoding.formatDate(date), "level": level.rawValue, "label": label,
                                      "message": message]
            if !metadata.isEmpty {
                obj["metadata"] = Dictionary(uniqueKeysWithValues: keys.map { ($0, "\(metadata[$0]!)") })
            }
            let data = (try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }
}

import CellwatchModel
