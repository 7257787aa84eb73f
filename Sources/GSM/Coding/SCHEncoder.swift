/// TS 45.003 §4.7: channel coding of the synchronization channel (SCH). 25 information bits
/// (`SynchronizationChannelInformation`: BSIC, T1, T2, T3') → 10 parity bits (g(D) = D^10 + D^8 + D^6 +
/// D^5 + D^4 + D^2 + 1, inverted) and 4 tail bits → 78 coded bits by the §4.1.3 convolutional code.
public struct SCHEncoder: Sendable {
    static let parityBitCount = 10
    /// u(0 … 38): d, p, 4 tail bits.
    static let stepCount = SynchronizationChannelInformation.bitCount + parityBitCount + ConvolutionalEncoder.tailBitCount

    public init() {}

    /// The 78 coded bits (0 or 1) c(0 … 77) in burst order: burst bits 3 ..< 42 then 106 ..< 145
    /// (`SynchronizationBurst`). `frameNumber` is that of the SCH burst itself (T3 = 1, 11, 21, 31 or
    /// 41 in a real cell); T3' = (T3 − 1) div 10 is what the SCH carries.
    public func encode(bsic: BSIC, frameNumber: GSMFrameNumber) -> [UInt8] {
        let octets = SynchronizationChannelInformation.octets(
            bsic: bsic, t1: frameNumber.t1, t2: frameNumber.t2, t3Prime: frameNumber.t3Prime)
        return [UInt8](unsafeUninitializedCapacity: SynchronizationBurst.codedBitCount) { c, initialized in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 8 * octets.count + Self.parityBitCount + 4) { u in
                OctetBitOrder.unpack(octets, into: u)  // d(0 … 31); d(25 … 31) are overwritten next
                let k = SynchronizationChannelInformation.bitCount
                CyclicParityCode.synchronizationChannel.appendParity(to: u, informationCount: k)
                for i in (k + Self.parityBitCount)..<Self.stepCount { u[i] = 0 }
                ConvolutionalEncoder.encode(u, count: Self.stepCount, into: c)
            }
            initialized = SynchronizationBurst.codedBitCount
        }
    }
}
