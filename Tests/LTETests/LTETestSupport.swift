import DSP
import Foundation
import Radio
import TestSupport

/// Reads a whole shared LTE recording into memory at its own rate.
enum LTEFixtures {
    static func samples(_ relative: String) throws -> (samples: [ComplexFloat], rate: Double)? {
        guard let path = TestSupport.recording(relative) else { return nil }
        let device = try FileDevice(path: path)
        let block = SampleBlock(capacity: 1 << 16)
        var out: [ComplexFloat] = []
        while try device.read(into: block) { block.withSamples { out += $0 } }
        return (out, device.sampleRate)
    }
}
