import CellwatchModel
import Testing

/// TS 36.101 Table 5.7.3-1: F_DL = F_DL_low + 0.1 (N_DL − N_Offs-DL). Expected values are the table's
/// band edges and offsets, and carriers of real cells whose EARFCN and frequency are both published.
@Suite struct LTEBandTests {
    static let downlinkPoints: [(Int, Int, Double)] = [
        (1, 0, 2110.0), (1, 599, 2169.9), (2, 600, 1930.0), (3, 1200, 1805.0), (3, 1575, 1842.5),
        (4, 1950, 2110.0), (5, 2400, 869.0), (5, 2525, 881.5), (7, 2750, 2620.0), (7, 3100, 2655.0),
        (8, 3450, 925.0), (8, 3799, 959.9), (12, 5010, 729.0), (12, 5110, 739.0), (13, 5230, 751.0),
        (20, 6300, 806.0), (25, 8040, 1930.0), (26, 8690, 859.0), (28, 9210, 758.0),
        (34, 36200, 2010.0), (38, 37900, 2585.0), (39, 38250, 1880.0), (40, 38650, 2300.0), (40, 39250, 2360.0),
        (41, 39650, 2496.0), (41, 40936, 2624.6), (66, 66436, 2110.0), (66, 67335, 2199.9), (71, 68586, 617.0),
    ]

    @Test(arguments: downlinkPoints)
    func downlinkEARFCN(band number: Int, earfcn: Int, megahertz: Double) throws {
        let band = try #require(LTEBand.band(number))
        let f = try #require(band.downlink(EARFCN(earfcn)))
        #expect(abs(f.megahertz - megahertz) < 1e-6)
        #expect(band.earfcn(downlink: f) == EARFCN(earfcn))
        #expect(LTEBand.band(downlink: EARFCN(earfcn))?.number == number)
    }

    static let uplinkPoints: [(Int, Int, Double)] = [
        (1, 18000, 1920.0), (3, 19200, 1710.0), (5, 20400, 824.0), (8, 21450, 880.0), (12, 23010, 699.0),
        (13, 23180, 777.0), (20, 24150, 832.0), (28, 27210, 703.0), (66, 131972, 1710.0), (71, 133122, 663.0),
        (40, 38650, 2300.0),
    ]

    @Test(arguments: uplinkPoints)
    func uplinkEARFCN(band number: Int, earfcn: Int, megahertz: Double) throws {
        let band = try #require(LTEBand.band(number))
        let f = try #require(band.uplink(EARFCN(earfcn)))
        #expect(abs(f.megahertz - megahertz) < 1e-6)
        #expect(band.earfcn(uplink: f) == EARFCN(earfcn))
    }

    @Test func tddBandsShareUplinkAndDownlink() throws {
        for n in [34, 38, 39, 40, 41] {
            let b = try #require(LTEBand.band(n))
            #expect(b.duplex == .tdd)
            #expect(b.uplinkEARFCNs == b.downlinkEARFCNs)
        }
        #expect(LTEBand.band(3)?.duplex == .fdd)
    }

    @Test func everyBandTheIssueNamesIsThere() {
        for n in [1, 3, 5, 8, 34, 38, 39, 40, 41, 2, 4, 7, 12, 13, 20, 25, 26, 28, 66, 71] {
            #expect(LTEBand.band(n) != nil, "band \(n)")
        }
        #expect(LTEBand.band(6) == nil)
    }

    @Test func earfcnOffTheRasterOrOutsideIsNil() throws {
        let b3 = try #require(LTEBand.band(3))
        #expect(b3.downlink(EARFCN(1199)) == nil)
        #expect(b3.earfcn(downlink: .megahertz(1900)) == nil)
        #expect(b3.earfcn(downlink: .megahertz(1842.53), tolerance: .kilohertz(10)) == nil)
    }

    @Test func bandNamesParse() {
        #expect(Band(name: "LTE-B3") == .lte(LTEBand.band(3)!))
        #expect(Band(name: "b40") == .lte(LTEBand.band(40)!))
        #expect(Band(name: "Band41") == .lte(LTEBand.band(41)!))
        #expect(Band(name: "DCS1800") == .gsm(.dcs1800))
        #expect(Band(name: "gsm900") == .gsm(.egsm900))
        #expect(Band(name: "P-GSM900") == .gsm(.pgsm900))
        #expect(Band(name: "LTE-B6") == nil)
        #expect(Band(name: "wifi") == nil)
        for name in Band.allNames { #expect(Band(name: name)?.name == name) }
    }
}
