/// Why a radio source could not deliver samples. Each case reads as one sentence naming the file or
/// device and the problem, fit for a field technician's terminal.
public enum RadioError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The path does not exist or cannot be opened.
    case unreadable(path: String, reason: String)
    /// The SigMF metadata is missing, not JSON, or violates the specification.
    case badMetadata(path: String, problem: String)
    /// The sample data does not fit its description.
    case badData(path: String, problem: String)
    /// The caller described a raw file incompletely or inconsistently.
    case badArguments(String)
    case notSupported(String)
    /// Reading failed part way (I/O error, device gone).
    case io(path: String, reason: String)
    /// A USB radio went away (unplugged, reset, or refused further requests). The stream may resume
    /// when the same device is back.
    case deviceGone(device: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): \(reason)"
        case .badMetadata(let path, let problem): "\(path): \(problem)"
        case .badData(let path, let problem): "\(path): \(problem)"
        case .badArguments(let what): what
        case .notSupported(let what): what
        case .io(let path, let reason): "\(path): read failed: \(reason)"
        case .deviceGone(let device, let reason): "\(device): \(reason)"
        }
    }
}
