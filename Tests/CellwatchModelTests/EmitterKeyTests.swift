import CellwatchModel
import Foundation
import Testing

@Suite("Emitter key")
struct EmitterKeyTests {
    static let t = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func keyIsRATPLMNAreaCellAndChannel() {
        let id = CellIdentity(mcc: "460", mnc: "00", areaCode: 9345, cellId: 10001, bsic: 12)
        let o = CellObservation(rat: .gsm, channel: .arfcn(ARFCN(60)), identity: id, sensorID: "van-1", time: Self.t)
        #expect(EmitterKey(o).description == "GSM:460-0-9345-10001@ARFCN 60")
        // BSIC and PCI are not part of it: the same cell re-synchronised is the same emitter.
        var other = id
        other.bsic = 13
        #expect(EmitterKey(rat: .gsm, identity: other, channel: .arfcn(ARFCN(60))) == EmitterKey(o))
        // Another channel is another emitter (a clone of a real cell elsewhere in the band).
        #expect(EmitterKey(rat: .gsm, identity: id, channel: .arfcn(ARFCN(61))) != EmitterKey(o))
        let lte = CellIdentity(mcc: "460", mnc: "011", areaCode: 25002, cellId: 123_456_789, pci: 301)
        #expect(EmitterKey(rat: .lte, identity: lte, channel: .earfcn(EARFCN(1300))).description
                == "LTE:460-11-25002-123456789@EARFCN 1300")
    }

    @Test func aPLMNThatIsNotDecimalStillHasOneStableKey() {
        let odd = CellIdentity(mcc: "46A", mnc: "00", areaCode: 7, cellId: 8)
        let key = EmitterKey(rat: .gsm, identity: odd, channel: .arfcn(ARFCN(5)))
        #expect(key.description == "GSM:-1--1-7-8@ARFCN 5")
        #expect(key.cell == CellKey(rat: .gsm, mcc: -1, mnc: -1, areaCode: 7, cellId: 8))
    }

    @Test func aSuspectsKeyComesFromItsIdentityAndChannelNotItsID() {
        let id = CellIdentity(mcc: "262", mnc: "01", areaCode: 4711, cellId: 31337)
        let s = Suspect(id: "GSM:262-1-1-1@ARFCN 1", rat: .gsm, identity: id, channel: .arfcn(ARFCN(60)), score: 90,
                        severity: .high, alertRaised: true, reasons: [], firstSeen: Self.t, lastSeen: Self.t,
                        sensors: ["s1"], lastPositions: [:])
        #expect(EmitterKey(s).description == "GSM:262-1-4711-31337@ARFCN 60")
        #expect(EmitterKey(s).description != s.id)
    }
}
