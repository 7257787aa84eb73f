import CellwatchModel
import Foundation

/// Learns the real network from our own observations over time. A cell heard for the first time is a
/// candidate, not yet known: it joins the baseline only after it has been observed `minimumObservations`
/// times over at least `minimumSpan` — so a fake base station that appears for ten minutes is not
/// learned as part of the network. Candidates not heard for `candidateLifetime` are forgotten.
///
/// The caller decides what to feed it: observations of cells the detector holds as suspects should not
/// be learned. Every observation fed also enters the operator's parameter norms (`Baseline.norms`).
public struct BaselineLearner: Sendable {
    public struct Policy: Sendable {
        public var minimumObservations: Int = 3
        public var minimumSpan: TimeInterval = 30 * 60
        public var candidateLifetime: TimeInterval = 24 * 3600
        /// Smallest range given to a learned cell, metres: a few fixes close together say little about
        /// how far the cell carries (a 900 MHz urban macro cell is heard 1–3 km away).
        public var minimumRangeMeters: Double = 2000
        public init() {}
    }

    public private(set) var baseline: Baseline
    public private(set) var candidates: [CellKey: KnownCell] = [:]
    public var policy: Policy
    private let clock: @Sendable () -> Date
    /// Running sums of fix positions per cell (for the centroid) and the fixes' spread.
    private var fixSums: [CellKey: (lat: Double, lon: Double, n: Int)] = [:]
    private var fixes: [CellKey: [GeoFix]] = [:]

    public init(baseline: Baseline = Baseline(), policy: Policy = Policy(), clock: @escaping @Sendable () -> Date) {
        self.baseline = baseline
        self.policy = policy
        self.clock = clock
    }

    /// Takes one observation into account; returns true when it made the cell known.
    @discardableResult
    public mutating func learn(_ o: CellObservation) -> Bool {
        forgetStaleCandidates()
        guard let key = CellKey(o) else { return false }
        baseline.norms.record(o)
        var entry = baseline[key] ?? candidates[key] ?? KnownCell(key: key, firstSeen: o.time, lastSeen: o.time,
                                                                   samples: 0, sources: [.learned])
        entry.channels.insert(o.channel)
        if let code = o.identity.bsic ?? o.identity.pci { entry.physicalCodes.insert(code) }
        entry.firstSeen = min(entry.firstSeen, o.time)
        entry.lastSeen = max(entry.lastSeen, o.time)
        entry.samples += 1
        entry.sources.insert(.learned)
        if let fix = o.position, !(entry.sources.contains(.openCellID) || entry.sources.contains(.operatorList)) {
            updatePosition(&entry, with: fix)
        }
        if baseline[key] != nil {
            baseline.replace(entry)
            return false
        }
        if entry.samples >= policy.minimumObservations, entry.lastSeen.timeIntervalSince(entry.firstSeen) >= policy.minimumSpan {
            candidates[key] = nil
            baseline.replace(entry)
            return true
        }
        candidates[key] = entry
        return false
    }

    private mutating func updatePosition(_ entry: inout KnownCell, with fix: GeoFix) {
        let key = entry.key
        var s = fixSums[key] ?? (0, 0, 0)
        s = (s.lat + fix.latitudeDegrees, s.lon + fix.longitudeDegrees, s.n + 1)
        fixSums[key] = s
        // Keep a bounded sample of fixes for the spread; the first ones and the latest ones.
        var list = fixes[key] ?? []
        if list.count >= 64 { list.remove(at: 32) }
        list.append(fix)
        fixes[key] = list
        let lat = s.lat / Double(s.n), lon = s.lon / Double(s.n)
        entry.latitudeDegrees = lat
        entry.longitudeDegrees = lon
        let spread = list.map { $0.distanceMeters(toLatitude: lat, longitude: lon) + $0.horizontalAccuracyMeters }.max() ?? 0
        entry.rangeMeters = max(policy.minimumRangeMeters, spread)
    }

    private mutating func forgetStaleCandidates() {
        let now = clock()
        for (key, c) in candidates where now.timeIntervalSince(c.lastSeen) > policy.candidateLifetime {
            candidates[key] = nil
            fixSums[key] = nil
            fixes[key] = nil
        }
    }
}
