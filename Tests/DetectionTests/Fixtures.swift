import CellwatchModel
import Detection
import Foundation

/// Builders for observations in the tests: a legitimate-looking China Mobile GSM 900 cell unless told
/// otherwise, heard by a calibrated sensor in Shenzhen.
enum Fixture {
    static let t0 = Date(timeIntervalSince1970: 1_780_000_000)

    static func fix(_ lat: Double = 22.5431, _ lon: Double = 114.0579, at time: Date = t0, accuracy: Double = 5) -> GeoFix {
        GeoFix(latitudeDegrees: lat, longitudeDegrees: lon, horizontalAccuracyMeters: accuracy, time: time)
    }

    static func gsm(mcc: String = "460", mnc: String = "00", lac: Int = 9345, ci: Int = 10001, bsic: Int = 21,
                    arfcn: Int = 60, cro: Int? = 0, temporaryOffset: Int? = 0, penaltyTime: Int? = 0,
                    t3212: Int? = 30, neighbours: [Int]? = [62, 65, 70, 74, 81], paging: Int? = 40,
                    assignments: Int? = 6, window: Double? = 10, offsetHz: Double? = 8, calibrated: Bool = true,
                    sensor: String = "car-1", position: GeoFix? = fix(), time: Date = t0) -> CellObservation {
        CellObservation(rat: .gsm, channel: .arfcn(ARFCN(arfcn)),
                        identity: CellIdentity(mcc: mcc, mnc: mnc, areaCode: lac, cellId: ci, bsic: bsic),
                        cellReselectOffset: cro, temporaryOffset: temporaryOffset, penaltyTime: penaltyTime,
                        t3212DeciHours: t3212, ccchConf: 0, bsPaMfrms: 3, neighbourARFCNs: neighbours.map { $0.map(ARFCN.init) },
                        pagingRequestCount: paging, immediateAssignmentCount: assignments, countWindowSeconds: window,
                        powerDBFS: Decibels(-40), snrDB: Decibels(25),
                        carrierOffset: offsetHz.map(Hertz.init), frequencyCalibrated: calibrated,
                        sensorID: sensor, position: position, time: time)
    }
}

/// A clock the tests move by hand.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    init(_ start: Date = Fixture.t0) { current = start }
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
    func set(_ date: Date) { lock.withLock { current = date } }
    var closure: @Sendable () -> Date { { [self] in now } }
}
