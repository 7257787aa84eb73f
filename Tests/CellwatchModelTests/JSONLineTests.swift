import CellwatchModel
import Foundation
import Testing

@Suite struct JSONLineTests {
    @Test func keepsKeyOrderAndEscapes() throws {
        var j = JSONLine()
        j.add("type", "carrier")
        j.add("name", "a \"quoted\"\\ line\nwith\u{1} control")
        j.add("n", 947e6)
        j.add("x", 1.25)
        j.add("missing", Double?.none)
        j.add("inf", -Double.infinity)
        j.add("ok", true)
        #expect(j.text.hasPrefix("{\"type\":\"carrier\","))
        let parsed = try #require(JSONSerialization.jsonObject(with: Data(j.text.utf8)) as? [String: Any])
        #expect(parsed["name"] as? String == "a \"quoted\"\\ line\nwith\u{1} control")
        #expect((parsed["n"] as? NSNumber)?.doubleValue == 947e6)
        #expect((parsed["x"] as? NSNumber)?.doubleValue == 1.25)
        #expect(parsed["missing"] is NSNull)
        #expect(parsed["inf"] is NSNull)
    }
}
