import CellwatchModel

/// A carrier in the survey's carrier map: its RAT and its channel (ARFCN or downlink EARFCN) in a band.
public struct CarrierKey: Hashable, Sendable, CustomStringConvertible {
    public var rat: RAT
    public var band: Band
    public var channel: Int

    public init(rat: RAT, band: Band, channel: Int) {
        self.rat = rat
        self.band = band
        self.channel = channel
    }

    /// The channel's nominal downlink frequency.
    public var frequency: Hertz? {
        switch band {
        case .gsm(let g): g.downlink(ARFCN(channel))
        case .lte(let l): l.downlink(EARFCN(channel))
        }
    }

    public var description: String { "\(rat.rawValue) \(band.name) \(rat == .lte ? "EARFCN" : "ARFCN") \(channel)" }
}

/// What a look (a short PSD of one tuning step) saw of one carrier.
public struct SeenCarrier: Sendable, Equatable {
    public var key: CarrierKey
    /// Distance of the carrier from the step's centre; the carrier belongs to the step where it is smallest.
    public var offset: Hertz
    public var powerDBFS: Decibels

    public init(key: CarrierKey, offset: Hertz, powerDBFS: Decibels) {
        self.key = key
        self.offset = offset
        self.powerDBFS = powerDBFS
    }
}

/// Decides, step after step, what the survey does next: a short PSD-only **look** at one tuning step
/// (tens of milliseconds: enough for carrier detection), or a **decode** dwell (a second or more: the
/// receivers need the BCCH/SIB cycle) at the step holding chosen carriers.
///
/// The looks sweep the plan round and round and keep a map of the carriers they find. Decode dwells go,
/// in this order, to:
/// 1. **new or changed** carriers — one not in the map (or back after `forgetSeconds` of silence), or
///    whose power rose `powerJumpDB` over its level (another transmitter on a known channel) — right
///    after the look that found them, oldest first;
/// 2. an **evidence** dwell (`suspectDwellSeconds`) for a suspect just raised, then at most every
///    `evidenceDwellIntervalSeconds`;
/// 3. once per full look pass, a **revisit**: a suspect not decoded for `suspectRevisitSeconds`, else the
///    known carrier decoded least recently (round-robin).
///
/// So a carrier that appears is decoded within about one look pass (plan size × `lookSeconds`) plus a
/// dwell or two, however long the plan; the old sweep needed up to plan size × dwell.
/// With `lookSeconds` 0 the scheduler is the old sweep: a full dwell at every step in turn, decoding
/// every carrier found (`carriers` empty), and a raised suspect's step revisited once with the suspect dwell.
///
/// Pure logic: time comes from the injected clock (seconds on any monotonic scale, e.g. scene time).
public struct SurveyScheduler: Sendable {
    public struct Settings: Sendable, Equatable {
        /// Seconds of a look; 0 turns looks off (the old sweep of full dwells).
        public var lookSeconds: Double = 0.02
        public var dwellSeconds: Double = 1
        public var suspectDwellSeconds: Double = 4
        /// A rise of a carrier's look power over its level by this much makes it "changed".
        public var powerJumpDB: Double = 10
        /// A carrier not seen for this long is forgotten; heard again, it is new.
        public var forgetSeconds: Double = 30
        /// A suspect gets a revisit decode at most this often.
        public var suspectRevisitSeconds: Double = 5
        /// A raised suspect gets an evidence dwell at most this often.
        public var evidenceDwellIntervalSeconds: Double = 60
        /// A new carrier that gave no identity is tried this many times before it waits for its round-robin turn.
        public var newCarrierAttempts = 2

        public init() {}

        public init(lookSeconds: Double, dwellSeconds: Double, suspectDwellSeconds: Double, powerJumpDB: Double = 10,
                    forgetSeconds: Double = 30, suspectRevisitSeconds: Double = 5) {
            self.lookSeconds = lookSeconds
            self.dwellSeconds = dwellSeconds
            self.suspectDwellSeconds = suspectDwellSeconds
            self.powerJumpDB = powerJumpDB
            self.forgetSeconds = forgetSeconds
            self.suspectRevisitSeconds = suspectRevisitSeconds
        }
    }

    /// Why a decode dwell was scheduled.
    public enum Reason: String, Sendable, Equatable {
        case new, changed, evidence, suspect, revisit
        /// The old sweep (looks off): every step in turn.
        case sweep
    }

    public enum Action: Sendable, Equatable {
        case look(step: Int, seconds: Double)
        /// `carriers` empty: decode every carrier the dwell finds (the old sweep).
        case decode(step: Int, carriers: [CarrierKey], seconds: Double, reason: Reason)

        public var step: Int {
            switch self {
            case .look(let s, _), .decode(let s, _, _, _): s
            }
        }
        public var seconds: Double {
            switch self {
            case .look(_, let t), .decode(_, _, let t, _): t
            }
        }
    }

    /// One carrier of the map.
    public struct Entry: Sendable, Equatable {
        public var key: CarrierKey
        public var step: Int
        public var offset: Hertz
        /// Smoothed look power (dBFS) the next look is compared with.
        public var levelDBFS: Double
        public var firstSeen: Double
        public var lastSeen: Double
        public var lastDecoded: Double?
        public var decodes = 0
        /// A decode gave the cell's identity at least once.
        public var identified = false
        /// New or changed, waiting for its decode.
        public var pending: Reason?
        public var pendingSince: Double?
        public var suspect = false
        public var raised = false
        public var lastEvidence: Double?
    }

    public let settings: Settings
    public let planCount: Int
    private let clock: @Sendable () -> Double
    public private(set) var map: [CarrierKey: Entry] = [:]
    private var cursor = 0
    private var looksSinceRevisit = 0
    private var evidenceRequest: CarrierKey?
    /// The old sweep's revisit: a raised suspect's step, once, with the suspect dwell.
    private var sweepRevisit: Int?
    private var lastActionWasSweepRevisit = false

    public init(planCount: Int, settings: Settings, clock: @escaping @Sendable () -> Double) {
        self.planCount = max(1, planCount)
        self.settings = settings
        self.clock = clock
    }

    public var looksEnabled: Bool { settings.lookSeconds > 0 }

    /// Carriers waiting for their first (or changed) decode.
    public var pending: [Entry] {
        map.values.filter { $0.pending != nil }.sorted { ($0.pendingSince ?? 0, $0.key.channel) < ($1.pendingSince ?? 0, $1.key.channel) }
    }

    // MARK: deciding

    /// The next action. The caller reports every decode dwell with `recordDecode` (every carrier it was
    /// given, decoded or not), else the same carriers come first again.
    public mutating func next() -> Action {
        guard looksEnabled else { return nextSweep() }
        // 1. New or changed carriers, right away.
        if let first = pending.first {
            let together = carriers(inStep: first.step) { $0.pending != nil || $0.suspect }
            return .decode(step: first.step, carriers: ordered(first.key, together), seconds: settings.dwellSeconds,
                           reason: first.pending ?? .new)
        }
        // 2. Evidence for a suspect just raised.
        if let k = evidenceRequest {
            evidenceRequest = nil
            if let e = map[k] {
                return .decode(step: e.step, carriers: [k], seconds: settings.suspectDwellSeconds, reason: .evidence)
            }
        }
        // 3. Once per look pass: a suspect, else the known carrier decoded least recently.
        if looksSinceRevisit >= planCount, let (entry, reason) = revisitCandidate() {
            looksSinceRevisit = 0
            let together = carriers(inStep: entry.step) { $0.suspect && $0.key != entry.key }
            return .decode(step: entry.step, carriers: ordered(entry.key, together), seconds: settings.dwellSeconds, reason: reason)
        }
        let step = cursor
        cursor = (cursor + 1) % planCount
        looksSinceRevisit += 1
        return .look(step: step, seconds: settings.lookSeconds)
    }

    private mutating func nextSweep() -> Action {
        if let s = sweepRevisit {
            sweepRevisit = nil
            lastActionWasSweepRevisit = true
            return .decode(step: s, carriers: [], seconds: settings.suspectDwellSeconds, reason: .evidence)
        }
        lastActionWasSweepRevisit = false
        let step = cursor
        cursor = (cursor + 1) % planCount
        return .decode(step: step, carriers: [], seconds: settings.dwellSeconds, reason: .sweep)
    }

    private func revisitCandidate() -> (Entry, Reason)? {
        let now = clock()
        let dueSuspects = map.values.filter { $0.suspect && now - ($0.lastDecoded ?? -.infinity) >= settings.suspectRevisitSeconds }
        if let s = dueSuspects.min(by: { Self.staler($0, $1) }) { return (s, .suspect) }
        if let k = map.values.min(by: { Self.staler($0, $1) }) { return (k, .revisit) }
        return nil
    }

    /// Never decoded first, then least recently decoded; ties by channel for a repeatable order.
    private static func staler(_ a: Entry, _ b: Entry) -> Bool {
        let ta = a.lastDecoded ?? -.infinity, tb = b.lastDecoded ?? -.infinity
        return ta != tb ? ta < tb : (a.key.channel, a.key.band.name) < (b.key.channel, b.key.band.name)
    }

    private func carriers(inStep step: Int, where include: (Entry) -> Bool) -> [CarrierKey] {
        map.values.filter { $0.step == step && include($0) }.map(\.key).sorted { ($0.channel, $0.band.name) < ($1.channel, $1.band.name) }
    }

    private func ordered(_ first: CarrierKey, _ rest: [CarrierKey]) -> [CarrierKey] {
        [first] + rest.filter { $0 != first }
    }

    // MARK: learning

    /// What a look (or a decode dwell's own PSD) at `step` saw. Returns the carriers now new or changed
    /// in that step.
    @discardableResult
    public mutating func recordLook(step: Int, carriers seen: [SeenCarrier]) -> [CarrierKey] {
        let now = clock()
        var seenKeys = Set<CarrierKey>()
        for c in seen {
            guard seenKeys.insert(c.key).inserted else { continue }
            let p = c.powerDBFS.value
            if var e = map[c.key], now - e.lastSeen <= settings.forgetSeconds {
                e.lastSeen = now
                if abs(c.offset.value) < abs(e.offset.value) || e.step == step {
                    e.step = step
                    e.offset = c.offset
                }
                if looksEnabled, e.pending == nil, p - e.levelDBFS >= settings.powerJumpDB {
                    e.pending = .changed
                    e.pendingSince = now
                    e.levelDBFS = p
                } else {
                    e.levelDBFS = 0.7 * e.levelDBFS + 0.3 * p
                }
                map[c.key] = e
            } else {
                map[c.key] = Entry(key: c.key, step: step, offset: c.offset, levelDBFS: p, firstSeen: now, lastSeen: now,
                                   pending: looksEnabled ? .new : nil, pendingSince: looksEnabled ? now : nil)
            }
        }
        // Carriers of this step silent for too long are forgotten.
        for (k, e) in map where e.step == step && !seenKeys.contains(k) && now - e.lastSeen > settings.forgetSeconds {
            map[k] = nil
        }
        return carriers(inStep: step) { $0.pending != nil }
    }

    /// A decode dwell ran the receivers on `carriers`; `identified` are those that gave a cell identity.
    public mutating func recordDecode(carriers: [CarrierKey], identified: Set<CarrierKey>) {
        let now = clock()
        for k in carriers {
            guard var e = map[k] else { continue }
            e.lastDecoded = now
            e.decodes += 1
            if identified.contains(k) { e.identified = true }
            if e.pending == .new, !e.identified, e.decodes < settings.newCarrierAttempts {
                // Try a new carrier once more before it waits for its turn (a weak first capture).
            } else {
                e.pending = nil
                e.pendingSince = nil
            }
            map[k] = e
        }
    }

    /// The detector's verdict on a carrier's cell: scored (a suspect) and/or raised. A newly raised suspect
    /// gets an evidence dwell (and with looks off, its step one revisit with the suspect dwell).
    public mutating func recordVerdict(_ key: CarrierKey, scored: Bool, raised: Bool, step: Int) {
        let now = clock()
        if !looksEnabled {
            if raised, !lastActionWasSweepRevisit { sweepRevisit = step }
            return
        }
        guard var e = map[key] else { return }
        e.suspect = scored || raised
        if raised, now - (e.lastEvidence ?? -.infinity) >= settings.evidenceDwellIntervalSeconds {
            e.lastEvidence = now
            evidenceRequest = key
        }
        e.raised = raised
        map[key] = e
    }
}
