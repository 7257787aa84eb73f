import CellwatchModel

/// CCCH load of an SMS blaster: it pages and assigns channels to every phone it captures, far more
/// than a real cell of its size.
public struct BlasterTrafficRule: Rule {
    public let id = "CCCH_LOAD_LIKE_SMS_BLASTER"
    public let reason = "Channel assignment rates (with or without paging) are as high as an SMS blaster's."
    public let inputs = ["pagingRequestCount", "immediateAssignmentCount", "countWindowSeconds",
                         "history.ccchCounts (the same sensor's earlier dwells on the cell)",
                         "configuration.ccchCountWindowSeconds", "configuration.minimumCountWindowSeconds",
                         "configuration.pagingPerSecondLimit", "configuration.immediateAssignmentsPerSecondLimit"]
    public let weight = 0.40
    /// Assignments alone: weaker. Paging alone never fires (see the false-positive causes).
    public let singleRateWeight = 0.25
    public let knownFalsePositiveCauses = [
        "Busy real cells at stations, stadiums and events (paging and assignments both high).",
        "Paging alone: a busy real cell puts a paging message in nearly every CCCH block (up to ~38/s on a non-combined CCCH); the real Vodafone cell in shared/testdata (vf_call6) pages at 31.9/s. So paging never fires without assignments.",
        "Paging or location update storms after a core network or neighbour cell outage.",
        "Short windows: counts over less than minimumCountWindowSeconds are ignored; a sensor's short dwells on the same cell within ccchCountWindowSeconds are added up first (a rate over several dwells).",
    ]
    public init() {}

    public func evaluate(_ o: CellObservation, in context: RuleContext) -> Finding? {
        let c = context.configuration
        var pagingCount = o.pagingRequestCount
        var assignmentCount = o.immediateAssignmentCount
        var window = o.countWindowSeconds ?? 0
        var dwells = 1
        // One dwell is often shorter than the minimum: add up this sensor's dwells on the cell in the
        // last ccchCountWindowSeconds (the history holds this observation already).
        if window < c.minimumCountWindowSeconds, let sum = context.history.ccchLoad(of: o, window: c.ccchCountWindowSeconds),
           sum.windowSeconds > window {
            pagingCount = sum.paging
            assignmentCount = sum.assignments
            window = sum.windowSeconds
            dwells = sum.observations
        }
        guard window >= c.minimumCountWindowSeconds else { return nil }
        let paging = pagingCount.map { Double($0) / window }
        let assignments = assignmentCount.map { Double($0) / window }
        let pagingHigh = (paging ?? 0) > c.pagingPerSecondLimit
        let assignmentsHigh = (assignments ?? 0) > c.immediateAssignmentsPerSecondLimit
        guard assignmentsHigh else { return nil }
        var parts: [String] = []
        if let paging { parts.append("paging \(paging.fixed(1))/s (limit \(c.pagingPerSecondLimit.fixed(1)))") }
        if let assignments { parts.append("immediate assignment \(assignments.fixed(1))/s (limit \(c.immediateAssignmentsPerSecondLimit.fixed(1)))") }
        return finding(parts.joined(separator: " and ") + " over \(window.fixed(0)) s" + (dwells > 1 ? " in \(dwells) observations" : ""),
                       weight: pagingHigh && assignmentsHigh ? weight : singleRateWeight)
    }
}
