import CellwatchModel

extension SampleBlock {
    /// Marks samples `0..<count` (already written into `unsafeSamples`) as the block's content and says
    /// where and when they were taken. For devices outside this module (`SimulatedDevice`, USB drivers),
    /// which cannot set the properties directly.
    public func setFilled(count: Int, startSample: Int64, centreFrequency: Hertz?, sampleRate: Double,
                          segment: Int, overflow: Bool = false) {
        precondition(count >= 0 && count <= capacity, "count \(count) outside the block's capacity \(capacity)")
        self.count = count
        self.startSample = startSample
        self.centreFrequency = centreFrequency
        self.sampleRate = sampleRate
        self.segment = segment
        self.overflow = overflow
    }
}
