import CellwatchModel
import Testing

/// Expected values are TS 45.005 §2's formulas evaluated at the ends of each band's ARFCN ranges,
/// the same figures the spec's band tables give (uplink Fl(n), downlink Fu(n), MHz).
@Suite struct GSMBandTests {
    static let specPoints: [(GSMBand, Int, Double, Double)] = [
        (.gsm450, 259, 450.6, 460.6), (.gsm450, 293, 457.4, 467.4),
        (.gsm480, 306, 479.0, 489.0), (.gsm480, 340, 485.8, 495.8),
        (.gsm850, 128, 824.2, 869.2), (.gsm850, 251, 848.8, 893.8),
        (.pgsm900, 1, 890.2, 935.2), (.pgsm900, 124, 914.8, 959.8),
        (.egsm900, 0, 890.0, 935.0), (.egsm900, 975, 880.2, 925.2), (.egsm900, 1023, 889.8, 934.8),
        (.rgsm900, 955, 876.2, 921.2),
        (.dcs1800, 512, 1710.2, 1805.2), (.dcs1800, 885, 1784.8, 1879.8),
        (.pcs1900, 512, 1850.2, 1930.2), (.pcs1900, 810, 1909.8, 1989.8),
        // The reference carrier in shared/testdata: ARFCN 60 at 947.0 MHz.
        (.egsm900, 60, 902.0, 947.0),
    ]

    @Test(arguments: specPoints)
    func channelToFrequency(band: GSMBand, arfcn: Int, uplinkMHz: Double, downlinkMHz: Double) throws {
        let up = try #require(band.uplink(ARFCN(arfcn)))
        let down = try #require(band.downlink(ARFCN(arfcn)))
        #expect(abs(up.megahertz - uplinkMHz) < 1e-9)
        #expect(abs(down.megahertz - downlinkMHz) < 1e-9)
        #expect(band.arfcn(downlink: down) == ARFCN(arfcn))
        #expect(band.arfcn(uplink: up) == ARFCN(arfcn))
    }

    @Test(arguments: GSMBand.allCases)
    func everyChannelRoundTripsWithinAFewKilohertz(band: GSMBand) throws {
        for a in band.channels {
            let f = try #require(band.downlink(a))
            #expect(band.arfcn(downlink: f + .kilohertz(30)) == a)
            #expect(band.arfcn(downlink: f - .kilohertz(30)) == a)
        }
        #expect(band.channels.count == band.arfcnRanges.reduce(0) { $0 + $1.count })
    }

    @Test func channelsOutsideTheBandHaveNoFrequency() {
        #expect(GSMBand.pgsm900.downlink(ARFCN(0)) == nil)
        #expect(GSMBand.pgsm900.downlink(ARFCN(975)) == nil)
        #expect(GSMBand.egsm900.downlink(ARFCN(955)) == nil)
        #expect(GSMBand.pcs1900.downlink(ARFCN(811)) == nil)
        #expect(GSMBand.dcs1800.arfcn(downlink: .megahertz(1900)) == nil)
        #expect(GSMBand.egsm900.arfcn(downlink: .megahertz(947.15), tolerance: .kilohertz(20)) == nil)
    }
}
