import CellwatchModel

/// The same emitter heard at places too far apart for one fixed cell within a short time: it moves
/// (a vehicle-borne IMSI catcher or SMS blaster), or it is a clone of a cell elsewhere.
public struct CellMovesRule: Rule {
    public let id = "CELL_MOVES"
    public let reason = "The same cell is heard at places too far apart for a fixed base station."
    public let inputs = ["identity", "channel", "position", "time", "history.sightings", "baseline range"]
    public let weight = 0.45
    public let knownFalsePositiveCauses = [
        "Two real cells configured with the same identity and channel (an operator error, or GSM CI reuse across distant LACs with the same LAC).",
        "Unusual propagation; bounded by using twice the known range, or twice the 35 km GSM limit when the range is unknown.",
        "Wrong sensor positions (GPS jamming or spoofing, a stale fix): fix accuracies are added to the allowance.",
    ]
    public init() {}

    public func evaluate(_ o: CellObservation, in context: RuleContext) -> Finding? {
        guard let key = CellKey(o), let fix = o.position else { return nil }
        let c = context.configuration
        let radius = context.baseline[key]?.rangeMeters.map { $0 + c.areaMarginMeters } ?? c.maximumAudibleRangeMeters
        var worst: (distance: Double, allowed: Double, seconds: Double)?
        for s in context.history.sightings[EmitterKey(key, o.channel)] ?? [] {
            let dt = abs(o.time.timeIntervalSince(s.time))
            guard dt <= c.movementWindow else { continue }
            let d = fix.distanceMeters(to: s.fix)
            let allowed = 2 * radius + fix.horizontalAccuracyMeters + s.fix.horizontalAccuracyMeters
            if d > allowed, d - allowed > (worst.map { $0.distance - $0.allowed } ?? 0) { worst = (d, allowed, dt) }
        }
        guard let worst else { return nil }
        return finding("cell \(o.identity) heard at places \(Text.km(worst.distance)) apart within \((worst.seconds / 60).fixed(0)) min (a fixed cell: at most \(Text.km(worst.allowed)))")
    }
}
