import CoreMetrics
import Foundation
import Prometheus

/// The sensor's metrics, through swift-metrics handles made by a Prometheus factory on the sensor's
/// own registry (so tests and several daemons in one process never share a global). Names follow
/// Prometheus conventions: `cellwatch_sensor_…`, base units, `_total` for counters, bounded labels.
public final class SensorMetrics: @unchecked Sendable {
    public let registry: PrometheusCollectorRegistry
    let samples: CoreMetrics.Counter
    let overflows: CoreMetrics.Counter
    let cellsDecoded: CoreMetrics.Counter
    let observations: CoreMetrics.Counter
    let suspects: CoreMetrics.Counter
    let evidence: CoreMetrics.Counter
    let samplesPerSecond: CoreMetrics.Gauge
    let spoolObservations: CoreMetrics.Gauge
    let spoolSuspects: CoreMetrics.Gauge
    let spoolEvidence: CoreMetrics.Gauge
    let spoolQuarantined: CoreMetrics.Gauge
    let spoolBytes: CoreMetrics.Gauge
    let spoolEvicted: CoreMetrics.Gauge
    let uploadLag: CoreMetrics.Gauge
    let uploadsOK: CoreMetrics.Counter
    let uploadsRetried: CoreMetrics.Counter
    let uploadsRejected: CoreMetrics.Counter
    let recordsUploaded: CoreMetrics.Counter
    let gpsFixAge: CoreMetrics.Gauge
    let radioDisconnects: CoreMetrics.Counter
    let radioConnected: CoreMetrics.Gauge
    let radioGap: CoreMetrics.FloatingPointCounter

    private let lock = NSLock()
    private var _samplesPerSecond = 0.0
    private var _overflows = 0
    private var _cellsDecoded = 0
    private var _uploadLag: Double?
    private var _spoolDepth: Int?
    private var _radioDownSince: Date?
    private var _radioDisconnects = 0
    /// Seconds of outages that have ended.
    private var _radioGapClosed = 0.0

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        let f = PrometheusMetricsFactory(registry: registry)
        samples = CoreMetrics.Counter(label: "cellwatch_sensor_samples_total", factory: f)
        overflows = CoreMetrics.Counter(label: "cellwatch_sensor_overflows_total", factory: f)
        cellsDecoded = CoreMetrics.Counter(label: "cellwatch_sensor_cells_decoded_total", factory: f)
        observations = CoreMetrics.Counter(label: "cellwatch_sensor_observations_total", factory: f)
        suspects = CoreMetrics.Counter(label: "cellwatch_sensor_suspect_snapshots_total", factory: f)
        evidence = CoreMetrics.Counter(label: "cellwatch_sensor_evidence_total", factory: f)
        samplesPerSecond = CoreMetrics.Gauge(label: "cellwatch_sensor_samples_per_second", factory: f)
        spoolObservations = CoreMetrics.Gauge(label: "cellwatch_sensor_spool_depth", dimensions: [("kind", "observation")], factory: f)
        spoolSuspects = CoreMetrics.Gauge(label: "cellwatch_sensor_spool_depth", dimensions: [("kind", "suspect")], factory: f)
        spoolEvidence = CoreMetrics.Gauge(label: "cellwatch_sensor_spool_depth", dimensions: [("kind", "evidence")], factory: f)
        spoolQuarantined = CoreMetrics.Gauge(label: "cellwatch_sensor_spool_depth", dimensions: [("kind", "quarantined")], factory: f)
        spoolBytes = CoreMetrics.Gauge(label: "cellwatch_sensor_spool_payload_bytes", factory: f)
        spoolEvicted = CoreMetrics.Gauge(label: "cellwatch_sensor_spool_evicted_observations", factory: f)
        uploadLag = CoreMetrics.Gauge(label: "cellwatch_sensor_upload_lag_seconds", factory: f)
        uploadsOK = CoreMetrics.Counter(label: "cellwatch_sensor_uploads_total", dimensions: [("result", "ok")], factory: f)
        uploadsRetried = CoreMetrics.Counter(label: "cellwatch_sensor_uploads_total", dimensions: [("result", "retry")], factory: f)
        uploadsRejected = CoreMetrics.Counter(label: "cellwatch_sensor_uploads_total", dimensions: [("result", "rejected")], factory: f)
        recordsUploaded = CoreMetrics.Counter(label: "cellwatch_sensor_records_uploaded_total", factory: f)
        gpsFixAge = CoreMetrics.Gauge(label: "cellwatch_sensor_gps_fix_age_seconds", factory: f)
        radioDisconnects = CoreMetrics.Counter(label: "cellwatch_sensor_radio_disconnects_total", factory: f)
        radioConnected = CoreMetrics.Gauge(label: "cellwatch_sensor_radio_connected", factory: f)
        radioGap = CoreMetrics.FloatingPointCounter(label: "cellwatch_sensor_radio_gap_seconds_total", factory: f)
        radioConnected.record(1)
    }

    func recordSamples(_ n: Int, overflow: Bool) {
        samples.increment(by: n)
        if overflow {
            overflows.increment()
            lock.withLock { _overflows += 1 }
        }
    }

    /// The radio went away (unplugged) at `date`: counted, and the connected gauge drops to 0.
    func radioGone(at date: Date) {
        radioDisconnects.increment()
        radioConnected.record(0)
        lock.withLock {
            _radioDisconnects += 1
            _radioDownSince = date
        }
    }

    /// The radio is back after `gapSeconds` without samples.
    func radioBack(gapSeconds: Double) {
        radioConnected.record(1)
        radioGap.increment(by: gapSeconds)
        lock.withLock {
            _radioGapClosed += gapSeconds
            _radioDownSince = nil
        }
    }

    func setSamplesPerSecond(_ v: Double) {
        samplesPerSecond.record(v)
        lock.withLock { _samplesPerSecond = v }
    }

    func recordCellsDecoded(_ n: Int) {
        cellsDecoded.increment(by: n)
        lock.withLock { _cellsDecoded += n }
    }

    func update(spool d: SpoolDepth, evicted: Int, now: Date) {
        spoolObservations.record(d.observations)
        spoolSuspects.record(d.suspects)
        spoolEvidence.record(d.evidence)
        spoolQuarantined.record(d.quarantined)
        spoolBytes.record(d.payloadBytes)
        spoolEvicted.record(evicted)
        let lag = d.oldest.map { max(0, now.timeIntervalSince($0)) } ?? 0
        uploadLag.record(lag)
        lock.withLock {
            _uploadLag = lag
            _spoolDepth = d.total
        }
    }

    /// The gauges sent with each upload; `now` (sensor clock) measures the current outage, if any.
    func health(position: GeoFix?, now: Date) -> SensorHealth {
        lock.withLock {
            let current = _radioDownSince.map { max(0, now.timeIntervalSince($0)) } ?? 0
            return SensorHealth(samplesPerSecond: _radioDownSince == nil ? _samplesPerSecond : 0, overflows: _overflows,
                                cellsDecoded: _cellsDecoded, spoolDepth: _spoolDepth, uploadLagSeconds: _uploadLag,
                                position: position, radioConnected: _radioDownSince == nil,
                                radioDownSince: _radioDownSince, radioDisconnects: _radioDisconnects,
                                radioGapSeconds: _radioGapClosed + current)
        }
    }

    /// Prometheus text exposition of every metric.
    public func exposition() -> String { registry.emitToString() }

    /// Writes the exposition for node_exporter's textfile collector: to `path.$$` first, then rename, so
    /// the collector never reads half a file.
    public func writeTextfile(_ path: String) throws {
        let tmp = "\(path).\(getpid())"
        try Data(exposition().utf8).write(to: URL(fileURLWithPath: tmp))
        guard rename(tmp, path) == 0 else {
            let e = String(cString: strerror(errno))
            unlink(tmp)
            throw KeyError(description: "\(path): cannot be replaced: \(e)")
        }
    }
}

import CellwatchModel
