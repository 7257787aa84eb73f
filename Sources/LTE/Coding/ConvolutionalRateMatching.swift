/// Rate matching for convolutionally coded transport channels, TS 36.212 §5.1.4.2: sub-block
/// interleaving of each of the three streams (32 columns, inter-column permutation of Table
/// 5.1.4-2), bit collection into a circular buffer and bit selection. `recover` is the inverse for
/// soft bits: every received LLR is added onto the coded bit it repeats.
public struct ConvolutionalRateMatcher: Sendable {
    /// TS 36.212 Table 5.1.4-2.
    public static let columnPermutation: [Int] = [1, 17, 9, 25, 5, 21, 13, 29, 3, 19, 11, 27, 7, 23, 15, 31,
                                                  0, 16, 8, 24, 4, 20, 12, 28, 2, 18, 10, 26, 6, 22, 14, 30]
    public let streamLength: Int
    /// For each position of the circular buffer w (length 3·K_Π): the (stream, index) it carries, or nil for <NULL>.
    private let bufferMap: [(Int, Int)?]

    public init(streamLength: Int) {
        let d = max(0, streamLength)
        self.streamLength = d
        let rows = max(1, (d + 31) / 32), kPi = rows * 32, dummies = kPi - d
        var perStream = [Int?](repeating: nil, count: kPi)
        for j in 0..<32 {
            for r in 0..<rows {
                let y = r * 32 + Self.columnPermutation[j]
                perStream[j * rows + r] = y < dummies ? nil : y - dummies
            }
        }
        var map: [(Int, Int)?] = []
        map.reserveCapacity(3 * kPi)
        for s in 0..<3 { map += perStream.map { $0.map { (s, $0) } } }
        bufferMap = map
    }

    /// e_0 … e_(E-1) from the three streams.
    public func match(_ streams: [[UInt8]], outputLength e: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(e)
        var j = 0
        while out.count < e && d > 0 {
            if let (s, i) = bufferMap[j % bufferMap.count] { out.append(streams[s][i]) }
            j += 1
        }
        return out
    }

    private var d: Int { streamLength }

    /// Soft inverse: three streams of summed LLRs.
    public func recover(_ llr: [Float]) -> [[Float]] {
        var streams = [[Float]](repeating: [Float](repeating: 0, count: d), count: 3)
        guard d > 0 else { return streams }
        var j = 0
        for v in llr {
            while bufferMap[j % bufferMap.count] == nil { j += 1 }
            let (s, i) = bufferMap[j % bufferMap.count]!
            streams[s][i] += v
            j += 1
        }
        return streams
    }
}
