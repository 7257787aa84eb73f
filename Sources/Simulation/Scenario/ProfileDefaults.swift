/// The typical values of each fake profile, applied before the file's own overrides. They describe
/// what seized and reported devices broadcast (public case reports and the detection literature);
/// each is a raw TS 44.018 field value.
struct ProfileDefaults {
    var powerDBm: Double
    /// Carrier error in hertz (turned into ppm at the station's own frequency).
    var frequencyErrorHz: Double
    let profile: FakeProfile

    init(_ profile: FakeProfile) {
        self.profile = profile
        switch profile {
        case .smsBlaster:
            powerDBm = 40          // a 10 W amplifier in a car boot
            frequencyErrorHz = 450 // cheap oscillators: several hundred hertz off
        case .identityClone:
            powerDBm = 33
            frequencyErrorHz = 120
        case .staticCatcher:
            powerDBm = 37
            frequencyErrorHz = 200
        case .lteDowngrade:
            powerDBm = 30
            frequencyErrorHz = 300
        }
    }

    func apply(to s: inout GSMBroadcastSettings, clone: LegitimateCell?) {
        switch profile {
        case .smsBlaster:
            s.cellReselectOffset = 62   // +124 dB C2 bonus: every phone in range reselects at once
            s.temporaryOffset = 0
            s.penaltyTime = 0
            s.t3212 = 1                 // periodic location update every 6 minutes
            s.rxlevAccessMin = 0
            s.pagingRate = 40           // pages constantly to hold phones and push SMS
            s.assignmentRate = 8
            s.cellBarAccess = false
            s.gprs = false              // an SMS-only 2G box offers no data
        case .identityClone:
            if let c = clone { s = c.gsm }
            s.cellReselectOffset = max(s.cellReselectOffset, 20)
            s.pagingRate = max(s.pagingRate, 5)
            s.assignmentRate = max(s.assignmentRate, 1)
        case .staticCatcher:
            s.cellReselectOffset = 30
            s.t3212 = 3
            s.pagingRate = 10
            s.assignmentRate = 3
        case .lteDowngrade:
            break
        }
    }
}
