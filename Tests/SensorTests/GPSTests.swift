import CellwatchModel
import Foundation
import Testing
import TestSupport
@testable import Sensor

@Suite("GPS")
struct GPSTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func tpvWithAFixBecomesAGeoFix() throws {
        let line = #"{"class":"TPV","device":"/dev/pts/1","mode":3,"time":"2027-01-15T08:00:00.000Z","lat":52.5006,"lon":13.4012,"altHAE":78.6,"altMSL":34.5,"eph":12.3,"speed":5.4,"newfield":[1,2]}"#
        guard case .tpv(let fix?, let mode) = try GPSDMessage.parse(Substring(line), receivedAt: now) else {
            Issue.record("no fix"); return
        }
        #expect(mode == 3)
        #expect(fix.latitudeDegrees == 52.5006 && fix.longitudeDegrees == 13.4012)
        #expect(fix.altitudeMeters == 78.6)
        #expect(fix.horizontalAccuracyMeters == 12.3)
        #expect(fix.speedMetersPerSecond == 5.4)
        #expect(fix.time == now)
    }

    @Test func noFixZeroZeroAndGarbageAreNotPositions() throws {
        #expect(try GPSDMessage.parse(#"{"class":"TPV","mode":1,"lat":52.5,"lon":13.4}"#, receivedAt: now) == .tpv(nil, mode: 1))
        #expect(try GPSDMessage.parse(#"{"class":"TPV","mode":3,"lat":0,"lon":0}"#, receivedAt: now) == .tpv(nil, mode: 3))
        #expect(try GPSDMessage.parse(#"{"class":"TPV","mode":2}"#, receivedAt: now) == .tpv(nil, mode: 2))
        #expect(try GPSDMessage.parse(#"{"class":"TPV","mode":2,"lat":"52","lon":13}"#, receivedAt: now) == .tpv(nil, mode: 2))
        #expect(try GPSDMessage.parse(#"{"class":"TPV","mode":2,"lat":1,"lon":1}"#, receivedAt: now) != .tpv(nil, mode: 2))
        #expect(try GPSDMessage.parse(#"{"class":"SKY","uSat":7,"hdop":0.9}"#, receivedAt: now) == .sky(satellitesUsed: 7, hdop: 0.9))
        #expect(try GPSDMessage.parse(#"{"class":"SKY","satellites":[{"PRN":1,"used":true},{"PRN":2,"used":false}]}"#, receivedAt: now)
                == .sky(satellitesUsed: 1, hdop: nil))
        #expect(try GPSDMessage.parse(#"{"class":"PPS","real_sec":1}"#, receivedAt: now) == .other("PPS"))
        #expect(throws: GPSDMessage.ParseError.self) { try GPSDMessage.parse("{\"class\":", receivedAt: now) }
        #expect(throws: GPSDMessage.ParseError.noClass) { try GPSDMessage.parse(#"{"mode":3}"#, receivedAt: now) }
    }

    @Test func fixGoesStale() {
        let clock = TestClock(now)
        let c = GPSDClient(host: "127.0.0.1", port: 1, staleAfter: 3, clock: { clock.now })
        c.handle(#"{"class":"TPV","mode":2,"lat":52.5,"lon":13.4,"time":"2027-01-15T08:00:00Z"}"#)
        #expect(c.current(now: now.addingTimeInterval(2))?.fix.latitudeDegrees == 52.5)
        #expect(c.current(now: now.addingTimeInterval(2))?.age(now: now.addingTimeInterval(2)) == 2)
        #expect(c.current(now: now.addingTimeInterval(4)) == nil)
    }

    @Test func fixedSiteIsAlwaysThere() {
        let p = FixedPositionProvider(latitude: 52.52, longitude: 13.405, altitude: 40, accuracy: 5)
        let r = p.current(now: now)
        #expect(r?.fix.latitudeDegrees == 52.52 && r?.fix.time == now && r?.quality.mode == 3)
    }

    /// gpsd itself, fed by gpsfake from the committed NMEA log: the client's positions are the log's.
    @Test func realGpsdThroughGpsfake() throws {
        guard GPSFake.available else {
            print("skipped: gpsfake not installed (Debian gpsd + gpsd-clients; scripts/install-deps)")
            return
        }
        let port = 29500 + Int(getpid() % 400)
        let fake = try GPSFake(port: port)
        defer { fake.stop() }
        let client = GPSDClient(host: "127.0.0.1", port: port, staleAfter: 5)
        client.start()
        defer { client.stop() }
        var seen: [PositionReading] = []
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && seen.count < 4 {
            if let r = client.current(now: Date()), seen.last?.fix != r.fix { seen.append(r) }
            usleep(50_000)
        }
        try #require(seen.count >= 2, "no fixes from gpsd on port \(port) (connections: \(client.stats.connections))")
        for r in seen {
            // The log drives from 52.5000 N 13.4000 E, +0.0001° lat and +0.0002° lon per second.
            let i = ((r.fix.latitudeDegrees - 52.5) / 0.0001).rounded()
            #expect(i >= 0 && i < 20)
            #expect(abs(r.fix.latitudeDegrees - (52.5 + 0.0001 * i)) < 1e-6)
            #expect(abs(r.fix.longitudeDegrees - (13.4 + 0.0002 * i)) < 1e-6)
            #expect(r.quality.mode >= 2)
            if let v = r.fix.speedMetersPerSecond { #expect(abs(v - 10.5 * 1852 / 3600) < 0.01) }   // RMC: 10.5 knots
        }
        #expect(seen.contains { $0.fix.speedMetersPerSecond != nil })
        #expect(seen.contains { $0.quality.mode == 3 && $0.fix.altitudeMeters != nil })
    }
}

final class TestClock: @unchecked Sendable {
    var now: Date
    init(_ now: Date) { self.now = now }
}
