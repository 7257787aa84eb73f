import Foundation
import TestSupport

/// gpsfake (Debian gpsd-clients) replaying the committed NMEA log through a private gpsd on `port`.
/// It runs in its own process group (setsid, started in the background of a shell so setsid need not
/// fork and the pid the shell prints is the group's); `stop()` kills the whole group, gpsd included — gpsfake ignores SIGTERM.
final class GPSFake {
    static let executable = ["/usr/bin/gpsfake", "/usr/local/bin/gpsfake"].first(where: FileManager.default.isExecutableFile)
    static var available: Bool { executable != nil }
    static let nmea = TestSupport.packageRoot.appendingPathComponent("Tests/SensorTests/Fixtures/drive.nmea").path

    let port: Int
    private let shell = Process()
    private(set) var groupID: Int32 = 0

    /// `cycle`: seconds between sentences; `once`: play the log once (-1) or loop.
    init(port: Int, cycle: Double = 0.2, once: Bool = false) throws {
        self.port = port
        let exe = Self.executable ?? "/usr/bin/gpsfake"
        let args = ["-q"] + (once ? ["-1"] : []) + ["-P", String(port), "-c", String(cycle), Self.nmea]
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "setsid \(exe) \(args.joined(separator: " ")) >/dev/null 2>&1 & echo $!"]
        let out = Pipe()
        shell.standardOutput = out
        shell.standardError = FileHandle.nullDevice
        try shell.run()
        var text = ""
        while !text.contains("\n") {
            let d = out.fileHandleForReading.availableData
            if d.isEmpty { break }
            text += String(decoding: d, as: UTF8.self)
        }
        groupID = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        // The shell leaves at once; gpsfake lives on in its own group. Not waited for: Foundation's
        // Process notices the exit only when every inheritor of its pipes has gone, gpsfake included.
    }

    func stop() {
        if groupID > 1 { kill(-groupID, SIGKILL) }
        groupID = 0
    }

    deinit { if groupID > 1 { kill(-groupID, SIGKILL) } }
}
