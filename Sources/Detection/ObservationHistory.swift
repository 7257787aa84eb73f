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

    public init() {}

    public mutating func record(_ o: CellObservation, baseline: Baseline) {
        guard let key = CellKey(o) else { return }
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
