import Foundation

/// Energy measured on one channel by a sensor's sweep, whether or not a cell identity was decoded there.
/// Two detection checks need it: a rise of the noise on LTE channels (a jammer pushing phones down to a
/// fake GSM cell) and a strong carrier on which no cell decodes.
public struct ChannelMeasurement: Hashable, Sendable, Codable {
    public var channel: RadioChannel
    /// Power in the channel's bandwidth relative to the ADC's full scale.
    public var bandPowerDBFS: Decibels
    /// The sweep's noise floor at this frequency (same gain), when estimated.
    public var noiseFloorDBFS: Decibels?
    /// True when a cell identity was decoded on the channel during the measurement.
    public var decoded: Bool
    /// True when the carrier's envelope stayed on through the measurement (every timeslot of a GSM
    /// carrier filled, as a BCCH carrier is); nil when not measured.
    public var continuous: Bool?
    public var sensorID: String
    public var position: GeoFix?
    public var time: Date

    public init(channel: RadioChannel, bandPowerDBFS: Decibels, noiseFloorDBFS: Decibels? = nil, decoded: Bool,
                continuous: Bool? = nil, sensorID: String, position: GeoFix? = nil, time: Date) {
        self.channel = channel
        self.bandPowerDBFS = bandPowerDBFS
        self.noiseFloorDBFS = noiseFloorDBFS
        self.decoded = decoded
        self.continuous = continuous
        self.sensorID = sensorID
        self.position = position
        self.time = time
    }

    /// Band power above the noise floor, when the floor is known.
    public var snrDB: Double? { noiseFloorDBFS.map { bandPowerDBFS.value - $0.value } }
}
