import CellwatchModel
import Foundation

/// What the detector remembers between observations, for the rules that need more than one:
/// where each emitter was heard, which cells each area has shown, and each uncalibrated sensor's
/// frequency offsets on known cells.
public struct ObservationHistory: Sendable {
    public struct Sighting: Sendable, Hashable {
        public var sensorID: String
        public var fix: GeoFix
        public var time: Date
    }

    public struct AreaKey: Hashable, Sendable {
        public var rat: RAT
        public var mcc: Int
        public var mnc: Int
        public var areaCode: Int
    }

    public private(set) var sightings: [EmitterKey: [Sighting]] = [:]
    public private(set) var areaCells: [AreaKey: Set<Int>] = [:]
    public private(set) var areaObservations: [AreaKey: Int] = [:]
    /// Per sensor, the last carrier error (ppm) of each known cell it heard.
    public private(set) var referencePPM: [String: [CellKey: Double]] = [:]
    public var maximumSightingsPerEmitter = 32

    /// The latest observation of each emitter by each sensor, for the rules that compare a cell with the
    /// cells heard around it at the same time. Entries older than `recentRetention` are dropped.
    public private(set) var recent: [RecentKey: CellObservation] = [:]
    public var recentRetention: TimeInterval = 3600
    /// Each emitter's received power over time, per sensor (bounded), for the power-jump check.
    public private(set) var powerHistory: [EmitterKey: [PowerSample]] = [:]
    public var maximumPowerSamplesPerEmitter = 64
    /// When each emitter was first heard, by whom, and how long that sensor had watched the place
    /// before without hearing it.
    public private(set) var appearances: [EmitterKey: Appearance] = [:]
    /// Per sensor and map tile: when the sensor first and last decoded any cell there.
    public private(set) var watch: [WatchKey: (first: Date, last: Date)] = [:]
    /// Channel measurements (energy per channel) per sensor and channel, bounded.
    public private(set) var channelMeasurements: [ChannelKey: [ChannelMeasurement]] = [:]
    public var maximumMeasurementsPerChannel = 128
    /// Each emitter's CCCH counts (paging, assignments and the window they were counted over), per
    /// sensor, newest last (bounded): a sensor hears a channel in dwells of a second or two, too short
    /// for a rate on their own, so the CCCH-load check adds up the dwells of the last few minutes.
    public private(set) var ccchCounts: [RecentKey: [CCCHCount]] = [:]
    public var maximumCCCHCountsPerEmitter = 64
    private var recordsSincePrune = 0

    public struct CCCHCount: Sendable, Hashable {
        public var time: Date
        public var paging: Int
        public var assignments: Int
        public var windowSeconds: Double
        /// Observations added up (1 for one dwell).
        public var observations = 1
    }

    /// Paging and assignment counts of `o`'s emitter heard by `o`'s sensor within `window` seconds before
    /// `o` (itself included, once recorded), summed with the seconds they were counted over; nil when none.
    public func ccchLoad(of o: CellObservation, window: TimeInterval) -> CCCHCount? {
        guard let key = CellKey(o) else { return nil }
        let list = ccchCounts[RecentKey(emitter: EmitterKey(key, o.channel), sensorID: o.sensorID)] ?? []
        var sum = CCCHCount(time: o.time, paging: 0, assignments: 0, windowSeconds: 0, observations: 0)
        for c in list where c.time <= o.time && o.time.timeIntervalSince(c.time) <= window {
            sum.paging += c.paging
            sum.assignments += c.assignments
            sum.windowSeconds += c.windowSeconds
            sum.observations += 1
        }
        return sum.observations > 0 ? sum : nil
    }

    public struct RecentKey: Hashable, Sendable {
        public var emitter: EmitterKey
        public var sensorID: String
    }

    public struct PowerSample: Sendable, Hashable {
        public var sensorID: String
        public var time: Date
        public var fix: GeoFix?
        /// dBm when calibrated, else dBFS; `calibrated` says which.
        public var power: Double
        public var calibrated: Bool
    }

    public struct Appearance: Sendable, Hashable {
        public var firstSeen: Date
        public var sensorID: String
        /// How long the sensor had been decoding cells in this tile before the emitter's first sighting.
        public var watchedBefore: TimeInterval
        /// Seconds between the sensor's last decode in this tile before the sighting and the sighting
        /// (nil when it had never been there): small means it was listening right up to the appearance.
        public var gapBefore: TimeInterval?
    }

    /// A tile of about 1.1 km (0.01°) of one sensor.
    public struct WatchKey: Hashable, Sendable {
        public var sensorID: String
        public var tileLatitude: Int
        public var tileLongitude: Int
        public init(sensorID: String, fix: GeoFix) {
            self.sensorID = sensorID
            tileLatitude = Int((fix.latitudeDegrees * 100).rounded(.down))
            tileLongitude = Int((fix.longitudeDegrees * 100).rounded(.down))
        }
    }

    public struct ChannelKey: Hashable, Sendable {
        public var sensorID: String
        public var channel: RadioChannel
    }

    public init() {}

    /// The power of an observation as the history stores it: dBm when calibrated, else dBFS.
    static func power(_ o: CellObservation) -> (Double, Bool)? {
        if let p = o.powerDBm, p.value.isFinite { return (p.value, true) }
        if let p = o.powerDBFS, p.value.isFinite { return (p.value, false) }
        return nil
    }

    /// Records energy measured on a channel (decoded or not).
    public mutating func record(_ m: ChannelMeasurement) {
        let key = ChannelKey(sensorID: m.sensorID, channel: m.channel)
        var list = channelMeasurements[key, default: []]
        if list.count >= maximumMeasurementsPerChannel { list.removeFirst(list.count - maximumMeasurementsPerChannel + 1) }
        list.append(m)
        channelMeasurements[key] = list
    }

    /// Observations of other emitters heard around `o` at about the same time: by the same sensor, or by
    /// another within `radiusMeters` when both have positions, within `window` seconds.
    public func cellsAround(_ o: CellObservation, window: TimeInterval, radiusMeters: Double) -> [CellObservation] {
        let own = CellKey(o).map { EmitterKey($0, o.channel) }
        return recent.compactMap { entry -> CellObservation? in
            let r = entry.value
            guard entry.key.emitter != own, abs(r.time.timeIntervalSince(o.time)) <= window else { return nil }
            if r.sensorID == o.sensorID { return r }
            guard let a = r.position, let b = o.position, a.distanceMeters(to: b) <= radiusMeters else { return nil }
            return r
        }
    }

    public mutating func record(_ o: CellObservation, baseline: Baseline) {
        guard let key = CellKey(o) else { return }
        let emitter = EmitterKey(key, o.channel)
        recent[RecentKey(emitter: emitter, sensorID: o.sensorID)] = o
        if let paging = o.pagingRequestCount, let assignments = o.immediateAssignmentCount,
           let window = o.countWindowSeconds, window > 0 {
            var list = ccchCounts[RecentKey(emitter: emitter, sensorID: o.sensorID), default: []]
            if list.count >= maximumCCCHCountsPerEmitter { list.removeFirst() }
            list.append(CCCHCount(time: o.time, paging: paging, assignments: assignments, windowSeconds: window))
            ccchCounts[RecentKey(emitter: emitter, sensorID: o.sensorID)] = list
        }
        if let (p, calibrated) = Self.power(o) {
            var list = powerHistory[emitter, default: []]
            if list.count >= maximumPowerSamplesPerEmitter { list.removeFirst() }
            list.append(PowerSample(sensorID: o.sensorID, time: o.time, fix: o.position, power: p, calibrated: calibrated))
            powerHistory[emitter] = list
        }
        if let fix = o.position {
            let w = WatchKey(sensorID: o.sensorID, fix: fix)
            let before = watch[w]
            if appearances[emitter] == nil {
                appearances[emitter] = Appearance(firstSeen: o.time, sensorID: o.sensorID,
                                                  watchedBefore: before.map { max(0, o.time.timeIntervalSince($0.first)) } ?? 0,
                                                  gapBefore: before.map { max(0, o.time.timeIntervalSince($0.last)) })
            }
            watch[w] = (min(before?.first ?? o.time, o.time), max(before?.last ?? o.time, o.time))
        } else if appearances[emitter] == nil {
            appearances[emitter] = Appearance(firstSeen: o.time, sensorID: o.sensorID, watchedBefore: 0, gapBefore: nil)
        }
        recordsSincePrune += 1
        if recordsSincePrune >= 1024 {
            recordsSincePrune = 0
            let newest = o.time
            recent = recent.filter { newest.timeIntervalSince($0.value.time) <= recentRetention }
            ccchCounts = ccchCounts.filter { newest.timeIntervalSince($0.value.last?.time ?? .distantPast) <= recentRetention }
        }
        if let fix = o.position {
            var list = sightings[EmitterKey(key, o.channel), default: []]
            if list.count >= maximumSightingsPerEmitter { list.removeFirst() }
            list.append(Sighting(sensorID: o.sensorID, fix: fix, time: o.time))
            sightings[EmitterKey(key, o.channel)] = list
        }
        let area = AreaKey(rat: key.rat, mcc: key.mcc, mnc: key.mnc, areaCode: key.areaCode)
        areaCells[area, default: []].insert(key.cellId)
        areaObservations[area, default: 0] += 1
        if let ppm = o.carrierErrorPPM, baseline[key] != nil {
            referencePPM[o.sensorID, default: [:]][key] = ppm
        }
    }

    /// The median carrier error of known cells this sensor heard, excluding `excluded`: the sensor's
    /// own crystal error as far as it can be told.
    public func sensorOffsetPPM(_ sensorID: String, excluding excluded: CellKey, minimumCells: Int) -> Double? {
        let values = (referencePPM[sensorID] ?? [:]).filter { $0.key != excluded }.map(\.value).sorted()
        guard values.count >= minimumCells, !values.isEmpty else { return nil }
        let mid = values.count / 2
        return values.count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2
    }
}
