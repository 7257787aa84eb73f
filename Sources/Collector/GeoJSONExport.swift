import CellwatchModel
import Foundation

/// Alerts as an RFC 7946 FeatureCollection: a Point per located emitter (WGS 84, [lon, lat]) and a
/// LineString for the track of a moving one.
public enum GeoJSONExport {
    public static func featureCollection(_ alerts: [AlertRecord]) throws -> Data {
        var features: [[String: Any]] = []
        for a in alerts {
            guard let p = a.position else { continue }
            var props: [String: Any] = [
                "alertId": a.id, "suspectKey": a.suspectKey, "severity": a.severity.rawValue, "score": a.score,
                "state": a.state.rawValue, "rat": a.rat.rawValue, "cgi": "\(a.identity)", "channel": "\(a.channel)",
                "reasons": a.reasons.map(\.reason), "sensors": a.sensors,
                "firstSeen": ReportCoding.formatDate(a.firstSeen), "lastSeen": ReportCoding.formatDate(a.lastSeen),
                "uncertaintyMajorM": p.ellipseMajorMeters, "uncertaintyMinorM": p.ellipseMinorMeters,
                "uncertaintyBearingDeg": p.ellipseBearingDegrees, "uncertaintyConfidence": p.ellipseConfidence,
                "method": p.method, "caveats": p.caveats,
            ]
            if let h = p.headingDegrees { props["headingDeg"] = h }
            if let v = p.speedMetersPerSecond { props["speedMps"] = v }
            features.append([
                "type": "Feature", "id": "alert-\(a.id)",
                "geometry": ["type": "Point", "coordinates": [p.longitudeDegrees, p.latitudeDegrees]],
                "properties": props,
            ])
            if a.track.count >= 2 {
                features.append([
                    "type": "Feature", "id": "track-\(a.id)",
                    "geometry": ["type": "LineString",
                                 "coordinates": a.track.map { [$0.longitudeDegrees, $0.latitudeDegrees] }],
                    "properties": ["alertId": a.id, "kind": "track",
                                   "times": a.track.map { ReportCoding.formatDate($0.time) }],
                ])
            }
        }
        let fc: [String: Any] = ["type": "FeatureCollection", "features": features]
        return try JSONSerialization.data(withJSONObject: fc, options: [.sortedKeys])
    }
}
