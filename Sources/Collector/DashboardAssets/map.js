// Map page: sensors with their tracks, observed cells, suspected emitters with uncertainty ellipse and
// track; the alert list, kept current by the live stream (Server-Sent Events) without reloading.
"use strict";

const state = {
  alerts: new Map(),       // id → alert
  lastEventId: null,
  source: null,
  retryTimer: null,
  map: null,
  layers: null,
  fitted: false,
  refreshTimer: null,
  session: null,
};

document.addEventListener("DOMContentLoaded", async () => {
  applyI18n();
  try {
    state.session = await setupHeader();
  } catch (e) {
    return;   // api() has sent us to the login page
  }
  document.addEventListener("cellwatch:lang", () => { renderAlerts(); setStreamState(document.getElementById("stream-state").dataset.state); });
  document.getElementById("show-resolved").addEventListener("change", () => { loadAlerts(); scheduleMapRefresh(0); });
  if (typeof L === "undefined") {
    const note = document.getElementById("map-note");
    note.className = "error";
    note.dataset.i18n = "map.noLeaflet";
    note.textContent = t("map.noLeaflet");
  } else {
    state.map = L.map("map", { preferCanvas: true, zoomControl: true }).setView([0, 0], 2);
    state.layers = { tracks: L.layerGroup().addTo(state.map), cells: L.layerGroup().addTo(state.map),
                     sensors: L.layerGroup().addTo(state.map), emitters: L.layerGroup().addTo(state.map) };
  }
  await loadAlerts();
  if (state.map) await loadMap(true);
  connectStream();
  setInterval(() => scheduleMapRefresh(0), 30000);
});

function showResolved() { return document.getElementById("show-resolved").checked; }

// MARK: Map

async function loadMap(first) {
  let snap;
  try {
    snap = await api("GET", "/api/v1/map" + (showResolved() ? "?all=true" : ""));
  } catch (e) {
    document.getElementById("load-error").textContent = t("error.load", { message: e.message });
    return;
  }
  if (first) setupBasemap(state.map, snap.basemap, document.getElementById("map-note"));
  drawMap(snap);
  // For tests and the page-load benchmark: when the first snapshot was on the map, and what it held.
  if (first) window.cellwatchMapDrawnAt = performance.now();
  window.cellwatchMapCounts = { sensors: snap.sensors.length, cells: snap.cells.length, emitters: snap.emitters.length,
                                trackPoints: snap.sensors.reduce((n, s) => n + s.track.length, 0),
                                deafSensors: state.layers.sensors.getLayers().filter((m) => m.options.sensorDeaf).length };
}

function scheduleMapRefresh(delay) {
  if (!state.map) return;
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(() => loadMap(false), delay);
}

function drawMap(snap) {
  const { tracks, cells, sensors, emitters } = state.layers;
  [tracks, cells, sensors, emitters].forEach((g) => g.clearLayers());
  const bounds = [];
  const count = document.getElementById("observation-count");
  if (snap.observationCount !== undefined && snap.observationCount !== null) {
    count.textContent = t("map.observations", { count: snap.observationCount });
  }
  for (const s of snap.sensors) {
    if (s.track.length > 1) {
      tracks.addLayer(L.polyline(s.track.map((p) => [p[0], p[1]]), { color: "#2563eb", weight: 2, opacity: 0.6 }));
    }
    if (s.position) {
      // Grey: not heard from; amber: uploading but its radio is gone (deaf); blue: surveying.
      const deaf = !s.stale && s.radioDownSince;
      const m = L.circleMarker([s.position[0], s.position[1]], { radius: 7, color: "#1e3a8a", weight: 2,
                                                                  fillColor: s.stale ? "#94a3b8" : deaf ? "#f59e0b" : "#3b82f6", fillOpacity: 0.9 });
      m.bindTooltip(escapeHTML(t("map.sensor", { id: s.id })
                               + (s.stale ? " — " + t("map.sensorStale") : "")
                               + (deaf ? " — " + t("map.sensorDeaf", { time: fmtTime(s.radioDownSince) }) : "")));
      m.options.sensorDeaf = Boolean(deaf);
      m.options.sensorId = s.id;
      sensors.addLayer(m);
      bounds.push([s.position[0], s.position[1]]);
    }
  }
  for (const c of snap.cells) {
    const suspect = c.alertID !== undefined && c.alertID !== null;
    const m = L.circleMarker([c.strongest[0], c.strongest[1]], { radius: 4, weight: suspect ? 2 : 1,
                                                                  color: suspect ? "#b91c1c" : "#475569",
                                                                  fillColor: "#cbd5e1", fillOpacity: 0.8 });
    const power = c.powerDBm !== undefined && c.powerDBm !== null ? fmtNum(c.powerDBm, 1) + " dBm"
      : (c.powerDBFS !== undefined && c.powerDBFS !== null ? fmtNum(c.powerDBFS, 1) + " dBFS" : "");
    m.bindTooltip(escapeHTML(t("map.cell", { key: c.key })) + "<br>" + escapeHTML(t("map.cellCount", { count: c.observations, time: fmtTime(c.lastSeen) })) + (power ? "<br>" + power : ""));
    cells.addLayer(m);
    bounds.push([c.strongest[0], c.strongest[1]]);
  }
  for (const e of snap.emitters) {
    const colour = SEVERITY_COLOUR[e.severity] || "#6b7280";
    if (e.track.length > 1) {
      emitters.addLayer(L.polyline(e.track.map((p) => [p[0], p[1]]), { color: colour, weight: 3, dashArray: "6 4" }));
    }
    if (!e.position) continue;
    if (e.ellipse.length > 2) {
      emitters.addLayer(L.polygon(e.ellipse, { color: colour, weight: 2, fillOpacity: 0.12 }));
    }
    const p = e.position;
    const m = L.circleMarker([p.latitudeDegrees, p.longitudeDegrees], { radius: 9, color: "#111827", weight: 2, fillColor: colour, fillOpacity: 1 });
    const link = "/alerts/" + e.alertID;
    m.bindPopup('<a class="emitter-link" href="' + link + '">' + escapeHTML(t("map.emitter", { id: e.alertID, key: e.suspectKey })) + "</a><br>"
      + escapeHTML(t("severity." + e.severity)) + " · " + escapeHTML(t("state." + e.state)) + "<br>"
      + escapeHTML(t("map.ellipse", { confidence: Math.round(p.ellipseConfidence * 100), major: Math.round(p.ellipseMajorMeters), minor: Math.round(p.ellipseMinorMeters) })));
    emitters.addLayer(m);
    bounds.push([p.latitudeDegrees, p.longitudeDegrees]);
  }
  if (!state.fitted && bounds.length > 0) {
    state.map.fitBounds(L.latLngBounds(bounds).pad(0.15), { maxZoom: 16 });
    state.fitted = true;
  }
}

function escapeHTML(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

// MARK: Alerts

async function loadAlerts() {
  try {
    const list = await api("GET", "/api/v1/alerts" + (showResolved() ? "?all=true" : ""));
    state.alerts = new Map(list.map((a) => [a.id, a]));
    document.getElementById("load-error").textContent = "";
    renderAlerts();
  } catch (e) {
    document.getElementById("load-error").textContent = t("error.load", { message: e.message });
  }
}

function renderAlerts() {
  const ul = document.getElementById("alert-list");
  const items = [...state.alerts.values()]
    .filter((a) => showResolved() || a.state !== "resolved")
    .sort((a, b) => (b.updatedAt > a.updatedAt ? 1 : b.updatedAt < a.updatedAt ? -1 : b.id - a.id));
  document.getElementById("alerts-empty").hidden = items.length > 0;
  ul.replaceChildren(...items.map((a) => el("li", { class: "alert-item sev-" + a.severity + " st-" + a.state, dataset: { alertId: a.id, state: a.state, severity: a.severity } },
    el("a", { href: "/alerts/" + a.id, class: "alert-link" },
      el("span", { class: "badge sev-" + a.severity, text: t("severity." + a.severity) }),
      el("span", { class: "alert-key", text: a.rat.toUpperCase() + " " + cgi(a.identity) + " · " + channelText(a.channel) }),
      el("span", { class: "alert-state", text: t("state." + a.state) })),
    el("ul", { class: "reasons" }, ...a.reasons.slice(0, 3).map((r) => el("li", { text: r.reason }))),
    el("div", { class: "muted small" }, el("time", { datetime: a.lastSeen, text: fmtTime(a.lastSeen) }), " · " + a.score.toFixed(0)))));
}

// MARK: Live stream

function setStreamState(s) {
  const e = document.getElementById("stream-state");
  e.dataset.state = s;
  e.dataset.i18n = "stream." + s;
  e.textContent = t("stream." + s);
}

// EventSource reconnects by itself (sending Last-Event-ID) after a dropped connection; when it gives up
// (the collector answered with an error), we start a new one after a pause, passing the last id.
// Every (re)open reloads the list, so nothing changed while we were away is missed.
function connectStream() {
  clearTimeout(state.retryTimer);
  if (state.source) state.source.close();
  const url = "/api/v1/alerts/stream" + (state.lastEventId ? "?lastEventId=" + encodeURIComponent(state.lastEventId) : "");
  const source = new EventSource(url);
  state.source = source;
  source.onopen = () => {
    setStreamState("live");
    loadAlerts();
    scheduleMapRefresh(0);
  };
  source.addEventListener("alert", (ev) => {
    state.lastEventId = ev.lastEventId || state.lastEventId;
    let body;
    try { body = JSON.parse(ev.data); } catch (e) { return; }
    const a = body.alert;
    const known = state.alerts.get(a.id);
    if (!known || known.revision <= a.revision) state.alerts.set(a.id, a);
    renderAlerts();
    const li = document.querySelector('#alert-list li[data-alert-id="' + a.id + '"]');
    if (li && body.kind === "created") li.classList.add("fresh");
    scheduleMapRefresh(1500);
  });
  source.onerror = () => {
    setStreamState("reconnecting");
    if (source.readyState === EventSource.CLOSED) {
      state.retryTimer = setTimeout(connectStream, 3000);
    }
  };
}
