import Foundation
import Synchronization

/// A private, throwaway PostgreSQL server for the tests that run against PostgreSQL: `initdb` in a
/// fresh temporary folder, `postgres` listening only on a Unix socket in that folder (no TCP port,
/// so nothing on the machine can collide with it or reach it), fsync off. Started at most once per
/// test process and shared by every suite; a small watcher stops it and deletes the folder when
/// the test process ends, however it ends.
///
/// PostgreSQL refuses to run as root, so when the tests run as root (CI) `initdb` and `postgres`
/// run as the `postgres` system user of Debian's package through `runuser`, in a folder it owns.
public final class PostgresTestServer: Sendable {
    /// Folder holding the socket `.s.PGSQL.<port>`.
    public let socketDirectory: String
    public let port: Int
    /// Superuser, trusted on the socket.
    public let user = "cellwatch"
    let root: String

    /// When set (CI=1 or CELLWATCH_REQUIRE_POSTGRES=1), missing PostgreSQL binaries fail the
    /// PostgreSQL variants instead of skipping them.
    public static var required: Bool {
        let env = ProcessInfo.processInfo.environment
        return env["CI"] == "1" || env["CI"] == "true" || env["CELLWATCH_REQUIRE_POSTGRES"] == "1"
    }

    /// Folder with `initdb` and `postgres`: `$CELLWATCH_PG_BIN`, else Debian's newest
    /// `/usr/lib/postgresql/N/bin`; nil when there is none.
    public static let binDirectory: String? = {
        let fm = FileManager.default
        if let dir = ProcessInfo.processInfo.environment["CELLWATCH_PG_BIN"] {
            return fm.isExecutableFile(atPath: dir + "/postgres") ? dir : nil
        }
        let versions = ((try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).compactMap(Int.init).sorted()
        for v in versions.reversed() {
            let dir = "/usr/lib/postgresql/\(v)/bin"
            if fm.isExecutableFile(atPath: dir + "/initdb") && fm.isExecutableFile(atPath: dir + "/postgres") { return dir }
        }
        return nil
    }()

    /// Why the PostgreSQL variants cannot run here, or nil when they can.
    public static var unavailableReason: String? {
        binDirectory == nil
            ? "PostgreSQL server binaries not found (/usr/lib/postgresql/N/bin or $CELLWATCH_PG_BIN); `apt-get install postgresql` (scripts/install-deps) to run the PostgreSQL variants"
            : nil
    }

    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    private static let sharedServer = Mutex<Result<PostgresTestServer, StartError>?>(nil)

    /// The process's server, started on first use (a start failure is remembered, not retried).
    public static func shared() throws(StartError) -> PostgresTestServer {
        let result = sharedServer.withLock { s -> Result<PostgresTestServer, StartError> in
            if let s { return s }
            let r: Result<PostgresTestServer, StartError>
            do throws(StartError) { r = .success(try PostgresTestServer()) } catch { r = .failure(error) }
            s = r
            return r
        }
        return try result.get()
    }

    private init() throws(StartError) {
        guard let bin = Self.binDirectory else { throw StartError(description: Self.unavailableReason ?? "no PostgreSQL") }
        let asRoot = getuid() == 0
        root = FileManager.default.temporaryDirectory.appendingPathComponent("cwpg-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        socketDirectory = root
        port = 5432
        let data = root + "/data"
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw StartError(description: "cannot create \(root): \(error)")
        }
        var prefix: [String] = []
        if asRoot {
            guard let pw = getpwnam("postgres") else {
                throw StartError(description: "running as root, and there is no `postgres` user to run PostgreSQL as (Debian's postgresql package creates it)")
            }
            guard chown(root, pw.pointee.pw_uid, pw.pointee.pw_gid) == 0 else {
                throw StartError(description: "cannot chown \(root) to postgres: errno \(errno)")
            }
            prefix = ["/usr/sbin/runuser", "-u", "postgres", "--"]
        }
        let log = root + "/server.log"
        try Self.run(prefix + [bin + "/initdb", "-D", data, "-U", user, "--auth=trust", "--no-sync",
                               "-E", "UTF8", "--locale=C", "--no-instructions"], what: "initdb")
        // The server and its watcher: the watcher stops the server and removes the folder as soon
        // as this test process is gone (it polls /proc; `kill -0` would fail across users).
        let script = """
            "$1/postgres" -D "$2" -k "$3" -p \(port) -c listen_addresses= -c fsync=off -c synchronous_commit=off \
                -c full_page_writes=off -c max_connections=300 -c shared_buffers=32MB >>"$3/server.log" 2>&1 &
            server=$!
            while [ -d /proc/\(getpid()) ] && kill -0 $server 2>/dev/null; do sleep 0.5; done
            kill -QUIT $server 2>/dev/null
            wait $server
            rm -rf "$3"
            """
        let watcher = Process()
        watcher.executableURL = URL(fileURLWithPath: prefix.first ?? "/bin/sh")
        watcher.arguments = Array(prefix.dropFirst()) + (prefix.isEmpty ? [] : ["/bin/sh"]) + ["-c", script, "sh", bin, data, root]
        watcher.standardInput = FileHandle.nullDevice
        watcher.standardOutput = FileHandle.nullDevice
        watcher.standardError = FileHandle.nullDevice
        do { try watcher.run() } catch { throw StartError(description: "cannot start postgres: \(error)") }
        // Ready when pg_isready says so (the socket alone appears before recovery ends).
        let deadline = Date().addingTimeInterval(60)
        while true {
            if (try? Self.run([bin + "/pg_isready", "-q", "-h", root, "-p", String(port), "-U", user], what: "pg_isready")) != nil { break }
            guard watcher.isRunning, Date() < deadline else {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw StartError(description: "postgres did not become ready in \(root): \(text.suffix(2000))")
            }
            usleep(50_000)
        }
    }

    /// Runs a command to completion; throws with its output when it fails.
    @discardableResult
    static func run(_ argv: [String], what: String) throws(StartError) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { throw StartError(description: "\(what): cannot run \(argv[0]): \(error)") }
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw StartError(description: "\(what) failed (status \(p.terminationStatus)): \(out.suffix(2000))")
        }
        return out
    }
}
