import CellwatchModel
import Foundation

/// Where a baseline entry came from. Learned entries are our own sensors' observations; OpenCellID
/// entries are crowd-sourced and may be stale or wrongly placed; operator entries are authoritative.
public enum BaselineSource: String, Hashable, Sendable, Codable, CaseIterable {
    case learned
    case openCellID
    case operatorList
}

/// A cell of the real network as the baseline knows it.
public struct KnownCell: Hashable, Sendable, Codable {
    public var key: CellKey
    /// Channels the cell has been seen on (empty when the source does not say, as OpenCellID does not).
    public var channels: Set<RadioChannel>
    /// BSICs (GSM) or PCIs (LTE) the cell has been seen with (empty when unknown).
    public var physicalCodes: Set<Int>
    /// Estimated position of the cell: for OpenCellID its computed position, for learned cells the
    /// centroid of the sensor fixes that heard it (where it is heard, not where the mast stands).
    public var latitudeDegrees: Double?
    public var longitudeDegrees: Double?
    /// Radius around the position within which the cell is heard, metres.
    public var rangeMeters: Double?
    public var firstSeen: Date
    public var lastSeen: Date
    /// Number of observations (learned) or OpenCellID `samples`.
    public var samples: Int
    public var sources: Set<BaselineSource>

    public init(key: CellKey, channels: Set<RadioChannel> = [], physicalCodes: Set<Int> = [],
                latitudeDegrees: Double? = nil, longitudeDegrees: Double? = nil, rangeMeters: Double? = nil,
                firstSeen: Date, lastSeen: Date, samples: Int = 1, sources: Set<BaselineSource>) {
        self.key = key
        self.channels = channels
        self.physicalCodes = physicalCodes
        self.latitudeDegrees = latitudeDegrees
        self.longitudeDegrees = longitudeDegrees
        self.rangeMeters = rangeMeters
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.samples = samples
        self.sources = sources
    }

    /// Distance in metres from the cell's estimated position to a fix, when the position is known.
    public func distanceMeters(to fix: GeoFix) -> Double? {
        guard let latitudeDegrees, let longitudeDegrees else { return nil }
        return fix.distanceMeters(toLatitude: latitudeDegrees, longitude: longitudeDegrees)
    }
}
