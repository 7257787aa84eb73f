import CellwatchModel
import Foundation

/// A simulated district: who transmits what from where, who listens with what receiver, over which
/// stretch of time, and the seed that makes every random draw (shadowing, multipath, noise, paging
/// identities) repeatable. Read from a YAML file (`ScenarioReader`, format in docs/scenarios.md).
public struct Scenario: Sendable {
    public var name: String
    /// The file it was read from ("fuzhou-gulou.yaml"), for messages.
    public var source: String
    public var seed: UInt64
    /// Wall-clock time of scenario time 0.
    public var startTime: Date
    /// Length of the scenario in seconds.
    public var duration: Double
    /// Origin of the local east/north frame, metres.
    public var origin: GeoPoint
    public var propagation: PropagationSettings
    public var operators: [Operator]
    public var cells: [LegitimateCell]
    public var fakes: [FakeBaseStation]
    public var sensors: [SensorSpec]

    public init(name: String, source: String, seed: UInt64, startTime: Date, duration: Double, origin: GeoPoint,
                propagation: PropagationSettings, operators: [Operator], cells: [LegitimateCell],
                fakes: [FakeBaseStation], sensors: [SensorSpec]) {
        self.name = name
        self.source = source
        self.seed = seed
        self.startTime = startTime
        self.duration = duration
        self.origin = origin
        self.propagation = propagation
        self.operators = operators
        self.cells = cells
        self.fakes = fakes
        self.sensors = sensors
    }

    /// The local frame whose origin is the scenario's area origin.
    public var frame: LocalFrame { LocalFrame(origin: origin) }

    public func sensor(_ id: String) -> SensorSpec? { sensors.first { $0.id == id } }
    public func operatorNamed(_ name: String) -> Operator? { operators.first { $0.name == name } }

    /// Every transmitter of the scene, legitimate cells first, each resolved to what it radiates.
    public var transmitters: [Transmitter] {
        cells.map(Transmitter.init(cell:)) + fakes.map(Transmitter.init(fake:))
    }
}

/// A point on the WGS 84 ellipsoid, degrees.
public struct GeoPoint: Hashable, Sendable, Codable {
    public var latitude: Double
    public var longitude: Double
    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }
}

/// Log-distance path loss, shadowing and small-scale channel of the whole area.
public struct PropagationSettings: Sendable, Equatable {
    /// n in PL(d) = PL(d0) + 10·n·log10(d/d0).
    public var pathLossExponent: Double = 3.5
    /// d0 in metres (1 m or 1000 m in the file).
    public var referenceDistance: Double = 1
    /// PL(d0) in dB; nil means free-space loss at d0 for each carrier's own frequency (20·log10(4π·d0/λ)).
    public var referenceLoss: Double?
    /// Standard deviation of the log-normal shadowing, dB.
    public var shadowingSigma: Double = 8
    /// Distance over which the shadowing decorrelates, metres.
    public var shadowingCorrelationDistance: Double = 50
    /// Number of multipath taps (1 = none).
    public var multipathTaps: Int = 3
    /// RMS delay spread of the taps, seconds.
    public var delaySpread: Double = 1e-6
    /// Whether relative motion shifts each carrier (Doppler).
    public var doppler: Bool = true
    public init() {}

    /// PL(d) in dB at `distance` metres for a carrier at `frequency` hertz; distances under 1 m count as 1 m.
    public func pathLoss(distance: Double, frequency: Double) -> Double {
        let d = max(distance, 1)
        let pl0 = referenceLoss ?? 20 * log10(4 * Double.pi * referenceDistance * frequency / PropagationSettings.speedOfLight)
        return pl0 + 10 * pathLossExponent * log10(d / referenceDistance)
    }

    public static let speedOfLight = 299_792_458.0
}

/// A network operator: identity, bands, location areas and the broadcast parameters its cells share.
public struct Operator: Sendable, Equatable {
    public var name: String
    /// Three digits, as a string ("460").
    public var mcc: String
    /// Two or three digits, as a string ("00").
    public var mnc: String
    public var bands: [GSMBand]
    /// Location area codes in use (the LAC plan).
    public var lacs: [Int]
    /// Parameters every cell of the operator broadcasts unless the cell says otherwise.
    public var gsm: GSMBroadcastSettings
    public init(name: String, mcc: String, mnc: String, bands: [GSMBand], lacs: [Int], gsm: GSMBroadcastSettings) {
        self.name = name
        self.mcc = mcc
        self.mnc = mnc
        self.bands = bands
        self.lacs = lacs
        self.gsm = gsm
    }
}

/// The GSM broadcast parameters a scenario can set, as the raw field values of TS 44.018 §10.5.2
/// (what a receiver decodes), plus the CCCH load. Names follow the specification's field names.
public struct GSMBroadcastSettings: Sendable, Equatable {
    /// CELL_RESELECT_OFFSET, 0–63 (×2 dB), TS 44.018 §10.5.2.35.
    public var cellReselectOffset = 0
    /// TEMPORARY_OFFSET, 0–7 (×10 dB).
    public var temporaryOffset = 0
    /// PENALTY_TIME, 0–31 (20 s + 20 s × value).
    public var penaltyTime = 0
    /// CELL-RESELECT-HYSTERESIS, 0–7 (×2 dB), §10.5.2.4.
    public var cellReselectHysteresis = 2
    /// RXLEV-ACCESS-MIN, 0–63.
    public var rxlevAccessMin = 8
    /// MS-TXPWR-MAX-CCH, 0–31.
    public var msTxpwrMaxCCH = 5
    /// T3212, 0–255 deci-hours (0 = no periodic location update), §10.5.2.11.
    public var t3212 = 40
    /// BS-PA-MFRMS as multiframes, 2–9.
    public var bsPaMfrms = 4
    /// BS-AG-BLKS-RES, 0–7.
    public var bsAgBlksRes = 1
    /// CCCH-CONF: 0, one non-combined CCCH (the only configuration the transmitter sends).
    public var ccchConf = 0
    /// ATT: IMSI attach/detach allowed.
    public var att = true
    /// CELL_BAR_ACCESS, §10.5.2.29.
    public var cellBarAccess = false
    /// MAX RETRANS as retransmissions: 1, 2, 4 or 7.
    public var maxRetrans = 4
    /// TX-INTEGER, 0–15.
    public var txInteger = 12
    /// GPRS offered: SI13 broadcast and the GPRS indicator in SI3/SI4 rest octets.
    public var gprs = true
    /// Paging requests per second on the PCH (an SMS blaster pages constantly).
    public var pagingRate = 2.0
    /// Immediate assignments per second on the AGCH.
    public var assignmentRate = 0.2
    public init() {}
}

/// Time-resolved position of a transmitter or sensor: waypoints with times, linearly interpolated in
/// the local frame; before the first time it stands at the first point, after the last at the last
/// (or starts over when the route loops).
public struct Trajectory: Sendable, Equatable {
    public var points: [GeoPoint]
    /// Scenario seconds at each point, ascending.
    public var times: [Double]
    /// When set, the motion repeats with this period (seconds).
    public var loopPeriod: Double?

    public init(points: [GeoPoint], times: [Double], loopPeriod: Double? = nil) {
        precondition(!points.isEmpty && points.count == times.count)
        self.points = points
        self.times = times
        self.loopPeriod = loopPeriod
    }

    public static func fixed(_ p: GeoPoint) -> Trajectory { Trajectory(points: [p], times: [0]) }

    public var isFixed: Bool { points.allSatisfy { $0 == points[0] } }

    /// Position at scenario time `t` in the local frame.
    public func position(at t: Double, in frame: LocalFrame) -> ENU {
        frame.enu(point(at: t, in: frame))
    }

    /// Position at scenario time `t`.
    public func point(at t: Double, in frame: LocalFrame) -> GeoPoint {
        if points.count == 1 { return points[0] }
        var time = t
        if let period = loopPeriod, period > 0, time > times[0] {
            time = times[0] + (time - times[0]).truncatingRemainder(dividingBy: period)
        }
        if time <= times[0] { return points[0] }
        if time >= times[times.count - 1] { return points[points.count - 1] }
        var lo = 0, hi = times.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if times[mid] <= time { lo = mid } else { hi = mid }
        }
        let span = times[hi] - times[lo]
        let f = span > 0 ? (time - times[lo]) / span : 0
        let a = frame.enu(points[lo]), b = frame.enu(points[hi])
        return frame.geo(ENU(east: a.east + (b.east - a.east) * f, north: a.north + (b.north - a.north) * f))
    }

    /// Speed in metres per second at time `t` (from the segment it is on).
    public func speed(at t: Double, in frame: LocalFrame) -> Double {
        let a = position(at: t - 0.5, in: frame), b = position(at: t + 0.5, in: frame)
        return a.distance(to: b)
    }
}

/// East/north offsets in metres from the area origin.
public struct ENU: Hashable, Sendable {
    public var east: Double
    public var north: Double
    public init(east: Double, north: Double) {
        self.east = east
        self.north = north
    }
    public func distance(to o: ENU) -> Double {
        ((east - o.east) * (east - o.east) + (north - o.north) * (north - o.north)).squareRoot()
    }
}

/// Local tangent plane at the area origin (equirectangular: exact to well under a metre across a
/// district; `GeoFix.distanceMeters` is the reference it is checked against).
public struct LocalFrame: Sendable, Equatable {
    public var origin: GeoPoint
    private let metresPerDegreeLat: Double
    private let metresPerDegreeLon: Double

    public init(origin: GeoPoint) {
        self.origin = origin
        let r = 6_371_008.8
        metresPerDegreeLat = r * Double.pi / 180
        metresPerDegreeLon = metresPerDegreeLat * cos(origin.latitude * Double.pi / 180)
    }

    public func enu(_ p: GeoPoint) -> ENU {
        ENU(east: (p.longitude - origin.longitude) * metresPerDegreeLon,
            north: (p.latitude - origin.latitude) * metresPerDegreeLat)
    }

    public func geo(_ e: ENU) -> GeoPoint {
        GeoPoint(latitude: origin.latitude + e.north / metresPerDegreeLat,
                 longitude: origin.longitude + e.east / metresPerDegreeLon)
    }
}

/// A cell of a real operator.
public struct LegitimateCell: Sendable, Equatable {
    public var id: String
    public var operatorName: String
    public var mcc: String
    public var mnc: String
    public var position: GeoPoint
    public var band: GSMBand
    public var arfcn: ARFCN
    /// 6-bit BSIC, NCC·8 + BCC.
    public var bsic: Int
    public var lac: Int
    public var cellIdentity: Int
    /// EIRP in dBm.
    public var powerDBm: Double
    /// Carrier frequency error in parts per million (a real BTS holds 0.05 ppm, TS 45.010 §5.1).
    public var frequencyErrorPPM: Double
    public var gsm: GSMBroadcastSettings
    /// BCCH ARFCNs of the neighbour list (SI2).
    public var neighbours: [ARFCN]
}

/// What kind of fake base station, with the behaviour its profile fills in.
public enum FakeProfile: String, Sendable, CaseIterable {
    /// 2G SMS blaster: strong, cloned MCC/MNC, odd LAC, CELL_RESELECT_OFFSET high, T3212 low, no neighbours,
    /// hundreds of hertz off, pages and assigns constantly.
    case smsBlaster = "sms_blaster"
    /// Copies a real cell's CGI (MCC, MNC, LAC, CI) and BSIC on another ARFCN.
    case identityClone = "identity_clone"
    /// An IMSI catcher at a fixed spot.
    case staticCatcher = "static_catcher"
    /// An eNodeB whose broadcast pushes phones down to GSM. Rendered with PSS/SSS/CRS/PBCH (MIB); the
    /// preference for GSM itself would be in SIBs, which neither transmitter nor receiver carries yet.
    case lteDowngrade = "lte_downgrade"
}

/// A fake base station and where and when it transmits.
public struct FakeBaseStation: Sendable, Equatable {
    public var id: String
    public var profile: FakeProfile
    /// The operator whose identity it shows.
    public var operatorName: String?
    public var mcc: String
    public var mnc: String
    /// For `identity_clone`: the cell it copies.
    public var cloneOf: String?
    public var band: GSMBand?
    public var arfcn: ARFCN?
    /// LTE downgrade lure only.
    public var earfcn: Int?
    public var pci: Int?
    public var bsic: Int
    public var lac: Int
    public var cellIdentity: Int
    public var powerDBm: Double
    public var frequencyErrorPPM: Double
    public var trajectory: Trajectory
    /// Scenario-second intervals during which it transmits.
    public var activeIntervals: [ClosedRange<Double>]
    public var gsm: GSMBroadcastSettings
    public var neighbours: [ARFCN]
}

/// A listening sensor: where it is over time and the receiver it has.
public struct SensorSpec: Sendable, Equatable {
    public enum Kind: String, Sendable { case vehicle, fixed }
    public var id: String
    public var kind: Kind
    public var trajectory: Trajectory
    public var receiver: ReceiverSettings
}

/// The front end of an SDR as the scene models it.
public struct ReceiverSettings: Sendable, Equatable {
    public enum ADCFormat: String, Sendable, CaseIterable {
        /// 8-bit unsigned, offset 127.5 (RTL-SDR).
        case cu8
        /// 8-bit signed (HackRF).
        case cs8
        /// 32-bit float: no quantisation.
        case cf32
    }
    public var sampleRate: Double = 2e6
    /// Frequencies the recording dwells on in turn (one entry: a fixed tuning).
    public var tuning: [Hertz] = []
    /// Seconds per tuning step when there are several.
    public var dwell: Double = 1
    public var noiseFigure: Double = 6
    /// dBFS = dBm + gain.
    public var gain: Double = 50
    public var adc: ADCFormat = .cu8
    /// Whether samples beyond full scale are clipped (always for the 8-bit formats).
    public var clipping = true
    /// Crystal error of the receiver in ppm; shifts both its LO and its sample clock.
    public var clockErrorPPM: Double = 0
    public init() {}

    /// The frequency tuned at scenario time `t` (sweep steps in turn, from time 0).
    public func tuning(at t: Double) -> Hertz {
        guard tuning.count > 1 else { return tuning.first ?? Hertz(0) }
        let step = Int((max(t, 0) / dwell).rounded(.down)) % tuning.count
        return tuning[step]
    }
}

/// One radiating thing of the scene, legitimate or fake, resolved to what it sends.
public struct Transmitter: Sendable, Equatable {
    public enum Role: Sendable, Equatable {
        case legitimate
        case fake(FakeProfile)
        public var name: String {
            switch self {
            case .legitimate: "legitimate"
            case .fake(let p): p.rawValue
            }
        }
    }
    public var id: String
    public var role: Role
    public var rat: RAT
    /// Nominal downlink carrier, hertz.
    public var frequency: Hertz
    public var band: GSMBand?
    public var arfcn: ARFCN?
    public var earfcn: Int?
    public var pci: Int?
    public var mcc: String
    public var mnc: String
    public var lac: Int
    public var cellIdentity: Int
    public var bsic: Int
    public var powerDBm: Double
    public var frequencyErrorPPM: Double
    public var trajectory: Trajectory
    /// nil: always on.
    public var activeIntervals: [ClosedRange<Double>]?
    public var gsm: GSMBroadcastSettings
    public var neighbours: [ARFCN]
    /// Whether the scene renders its waveform (every GSM cell and the LTE lure).
    public var rendered: Bool

    public func isActive(at t: Double) -> Bool {
        guard let activeIntervals else { return true }
        return activeIntervals.contains { $0.contains(t) }
    }

    init(cell c: LegitimateCell) {
        id = c.id
        role = .legitimate
        rat = .gsm
        frequency = c.band.downlink(c.arfcn)!
        band = c.band
        arfcn = c.arfcn
        earfcn = nil
        pci = nil
        mcc = c.mcc
        mnc = c.mnc
        lac = c.lac
        cellIdentity = c.cellIdentity
        bsic = c.bsic
        powerDBm = c.powerDBm
        frequencyErrorPPM = c.frequencyErrorPPM
        trajectory = .fixed(c.position)
        activeIntervals = nil
        gsm = c.gsm
        neighbours = c.neighbours
        rendered = true
    }

    init(fake f: FakeBaseStation) {
        id = f.id
        role = .fake(f.profile)
        band = f.band
        arfcn = f.arfcn
        earfcn = f.earfcn
        pci = f.pci
        if f.profile == .lteDowngrade, let e = f.earfcn {
            rat = .lte
            frequency = LTEDownlink.frequency(earfcn: e) ?? Hertz(0)
            rendered = true
        } else {
            rat = .gsm
            frequency = f.band.flatMap { b in f.arfcn.flatMap { b.downlink($0) } } ?? Hertz(0)
            rendered = true
        }
        mcc = f.mcc
        mnc = f.mnc
        lac = f.lac
        cellIdentity = f.cellIdentity
        bsic = f.bsic
        powerDBm = f.powerDBm
        frequencyErrorPPM = f.frequencyErrorPPM
        trajectory = f.trajectory
        activeIntervals = f.activeIntervals
        gsm = f.gsm
        neighbours = f.neighbours
    }
}

/// EARFCN → downlink frequency for the LTE lure's ground truth (TS 36.101 §5.7.3).
enum LTEDownlink {
    static func frequency(earfcn: Int) -> Hertz? {
        LTEBand.band(downlink: EARFCN(earfcn))?.downlink(EARFCN(earfcn))
    }
}
