import CellwatchModel

/// Real base stations hold their carrier within 0.05 ppm (GSM: TS 45.010 §5.1, TS 45.005 §6.1; LTE
/// wide area: TS 36.104 §6.5.1). Fake ones built on SDRs or cheap oscillators are often off by
/// tenths of a ppm or more.
///
/// With a calibrated sensor the measured offset is the cell's own error, and the limit is the
/// specification plus the sensor's residual and the Doppler shift of its own motion. An uncalibrated
/// sensor's crystal may be tens of ppm off, so there the offset is compared with the median offset of
/// known cells the same sensor hears (its own error); without enough of those the rule stays silent.
public struct CarrierFrequencyErrorRule: Rule {
    public let id = "CARRIER_FREQUENCY_ERROR"
    public let reason = "The carrier frequency is further off than a real base station's oscillator allows."
    public let inputs = ["carrierOffset", "carrierOffsetPPM", "frequencyCalibrated", "position.speedMetersPerSecond",
                         "history.referencePPM"]
    public let weight = 0.35
    public let knownFalsePositiveCauses = [
        "The sensor's own crystal error (uncalibrated or drifted with temperature): uncalibrated sensors are compared with known cells instead.",
        "Doppler shift of a moving sensor (120 km/h at 950 MHz is 106 Hz, 0.11 ppm): the speed of the fix, or 120 km/h when unknown, is allowed for.",
        "Home eNBs and local-area LTE cells hold only 0.25/0.1 ppm (TS 36.104 §6.5.1): the LTE limit is 0.1 ppm.",
    ]
    public init() {}

    public func evaluate(_ o: CellObservation, in context: RuleContext) -> Finding? {
        guard let ppm = o.carrierErrorPPM, let key = CellKey(o) else { return nil }
        let c = context.configuration
        let spec = o.rat == .lte ? c.lteFrequencyTolerancePPM : c.gsmFrequencyTolerancePPM
        let speed = o.position?.speedMetersPerSecond ?? c.assumedSpeedMetersPerSecond
        let doppler = speed / 299_792_458 * 1e6
        let carrier = o.channel.downlinkFrequency.map { " at \($0)" } ?? ""
        let hz = o.carrierOffset.map { "\(Text.signed($0.value, 0)) Hz, " } ?? ""
        if o.frequencyCalibrated {
            let limit = spec + c.calibratedSensorResidualPPM + doppler
            guard abs(ppm) > limit else { return nil }
            return finding("carrier \(hz)\(Text.signed(ppm, 2)) ppm\(carrier), beyond the \(spec.fixed(2)) ppm real base stations hold (limit with sensor residual and Doppler \(limit.fixed(2)) ppm)")
        }
        guard let sensor = context.history.sensorOffsetPPM(o.sensorID, excluding: key, minimumCells: c.minimumReferenceCells)
        else { return nil }
        let relative = ppm - sensor
        let limit = spec + c.referenceResidualPPM + 2 * doppler
        guard abs(relative) > limit else { return nil }
        return finding("carrier \(Text.signed(relative, 2)) ppm\(carrier) relative to known cells heard by the uncalibrated sensor \(o.sensorID) (its own error \(Text.signed(sensor, 2)) ppm; limit \(limit.fixed(2)) ppm)")
    }
}
