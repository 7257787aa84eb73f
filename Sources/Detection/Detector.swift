import CellwatchModel
import Foundation

/// Runs the rules on each observation and keeps one suspect per emitter (cell identity + channel),
/// whichever sensor the observation came from. Evidence from each rule is kept for
/// `evidenceLifetime` after the observation that produced it, so what one sensor can judge (a
/// calibrated frequency error) and what another can (its position) add up; the score and the
/// raised/cleared state follow the `Scorer`.
///
/// Time: observation times date the evidence; "now" for expiry comes from the injected clock only.
public struct Detector: Sendable {
    public var baseline: Baseline
    public var configuration: DetectionConfiguration
    public var rules: [any Rule]
    public var scorer: Scorer
    /// How long a finding counts after the observation that produced it.
    public var evidenceLifetime: TimeInterval = 600
    /// Emitters not heard for this long are forgotten (a raised suspect included: the collector keeps
    /// the alert; the sensor need not).
    public var emitterLifetime: TimeInterval = 3600
    public private(set) var history = ObservationHistory()
    private var emitters: [EmitterKey: EmitterState] = [:]
    private let clock: @Sendable () -> Date

    struct EmitterState: Sendable {
        var rat: RAT
        var identity: CellIdentity
        var channel: RadioChannel
        var evidence: [String: (finding: Finding, time: Date)] = [:]
        var firstSeen: Date
        var lastSeen: Date
        var sensors: Set<String> = []
        var lastPositions: [String: GeoFix] = [:]
        var raised = false
        var score = 0.0
    }

    public init(baseline: Baseline, configuration: DetectionConfiguration = DetectionConfiguration(),
                rules: [any Rule] = StandardRules.all, scorer: Scorer = Scorer(),
                clock: @escaping @Sendable () -> Date) {
        self.baseline = baseline
        self.configuration = configuration
        self.rules = rules
        self.scorer = scorer
        self.clock = clock
    }

    /// Evaluates one observation and returns the emitter's suspect state after it.
    @discardableResult
    public mutating func process(_ o: CellObservation) -> Suspect {
        let now = clock()
        forgetSilentEmitters(now: now)
        history.record(o, baseline: baseline)
        let context = RuleContext(baseline: baseline, configuration: configuration, history: history)
        let findings = rules.compactMap { $0.evaluate(o, in: context) }

        return update(EmitterKey(o), rat: o.rat, identity: o.identity, sensorID: o.sensorID,
                      position: o.position, time: o.time, findings: findings, now: now)
    }

    /// The checks run on channel measurements; `StandardRules.channelRules` by default.
    public var channelRules: [any ChannelRule] = StandardRules.channelRules

    /// Records energy measured on a channel (the jam-and-downgrade check reads LTE channels' history) and
    /// runs the channel rules. A carrier with evidence becomes a suspect without an identity (MCC/MNC/LAC/CI
    /// −1, keyed by its channel); returns that suspect when there is evidence or one is already held, else nil.
    @discardableResult
    public mutating func process(_ m: ChannelMeasurement) -> Suspect? {
        let now = clock()
        forgetSilentEmitters(now: now)
        history.record(m)
        let context = RuleContext(baseline: baseline, configuration: configuration, history: history)
        let findings = channelRules.compactMap { $0.evaluate(m, in: context) }
        let key = EmitterKey(CellKey(rat: m.channel.rat, mcc: -1, mnc: -1, areaCode: -1, cellId: -1), m.channel)
        guard !findings.isEmpty || emitters[key] != nil else { return nil }
        return update(key, rat: m.channel.rat, identity: CellIdentity(mcc: "", mnc: "", areaCode: -1, cellId: -1),
                      sensorID: m.sensorID, position: m.position, time: m.time, findings: findings, now: now)
    }

    private mutating func update(_ key: EmitterKey, rat: RAT, identity: CellIdentity, sensorID: String, position: GeoFix?,
                                 time: Date, findings: [Finding], now: Date) -> Suspect {
        var state = emitters[key] ?? EmitterState(rat: rat, identity: identity, channel: key.channel,
                                                  firstSeen: time, lastSeen: time)
        state.identity = identity
        state.firstSeen = min(state.firstSeen, time)
        state.lastSeen = max(state.lastSeen, time)
        state.sensors.insert(sensorID)
        if let fix = position { state.lastPositions[sensorID] = fix }
        for f in findings {
            if let old = state.evidence[f.ruleID], old.time > time { continue }
            state.evidence[f.ruleID] = (f, time)
        }
        state.evidence = state.evidence.filter { now.timeIntervalSince($0.value.time) <= evidenceLifetime }
        state.score = scorer.score(state.evidence.values.map(\.finding))
        state.raised = scorer.raised(score: state.score, wasRaised: state.raised)
        emitters[key] = state
        return Self.suspect(key, state, scorer)
    }

    /// Every emitter currently holding an alert, highest score first.
    public var raisedSuspects: [Suspect] {
        emitters.filter { $0.value.raised }.map { Self.suspect($0.key, $0.value, scorer) }
            .sorted { ($0.score, $0.id) > ($1.score, $1.id) }
    }

    /// The state of one emitter, if it has been heard.
    public func suspect(_ key: EmitterKey) -> Suspect? {
        emitters[key].map { Self.suspect(key, $0, scorer) }
    }

    private mutating func forgetSilentEmitters(now: Date) {
        emitters = emitters.filter { now.timeIntervalSince($0.value.lastSeen) <= emitterLifetime }
    }

    private static func suspect(_ key: EmitterKey, _ s: EmitterState, _ scorer: Scorer) -> Suspect {
        let reasons = s.evidence.values.map(\.finding).sorted { ($0.weight, $1.ruleID) > ($1.weight, $0.ruleID) }
        return Suspect(id: key.description, rat: s.rat, identity: s.identity, channel: s.channel,
                       score: (s.score * 10).rounded() / 10, severity: scorer.severity(score: s.score, raised: s.raised),
                       alertRaised: s.raised, reasons: reasons, firstSeen: s.firstSeen, lastSeen: s.lastSeen,
                       sensors: s.sensors.sorted(), lastPositions: s.lastPositions)
    }
}
