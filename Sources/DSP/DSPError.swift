/// Errors of DSP set-up. Processing never throws: sizes are checked once, when an object is made.
public enum DSPError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidParameter(String)
    case outOfMemory(String)
    case planningFailed(Int)

    public var description: String {
        switch self {
        case .invalidParameter(let what): what
        case .outOfMemory(let what): "out of memory allocating \(what)"
        case .planningFailed(let n): "FFTW could not plan a transform of \(n) points"
        }
    }
}
