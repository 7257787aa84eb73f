// Alert page: summary, position (with ellipse and track), evidence (decoded parameters, RF
// measurements, spectrum of the IQ snippet, signature check) and the operator's actions.
"use strict";

const page = { id: null, detail: null, session: null, map: null, mapLayers: null };

// Moves the alert lifecycle allows (as the collector's AlertState.canMove).
const NEXT = { new: ["acknowledge", "dispatch", "resolve"], acknowledged: ["dispatch", "resolve"], dispatched: ["resolve"], resolved: [] };
const VERB_STATE = { acknowledge: "acknowledged", dispatch: "dispatched", resolve: "resolved" };

document.addEventListener("DOMContentLoaded", async () => {
  applyI18n();
  const m = location.pathname.match(/^\/alerts\/(\d+)$/);
  page.id = m ? Number(m[1]) : null;
  try {
    page.session = await setupHeader();
  } catch (e) {
    return;
  }
  document.addEventListener("cellwatch:lang", render);
  for (const b of document.querySelectorAll(".actions button")) b.addEventListener("click", () => act(b.dataset.verb));
  await load();
  watch();
});

// Changes of this alert (a new position, new evidence, another officer's action) arrive on the live
// stream; the page reloads its data, not itself.
function watch() {
  let timer = null;
  const source = new EventSource("/api/v1/alerts/stream");
  source.addEventListener("alert", (ev) => {
    let body;
    try { body = JSON.parse(ev.data); } catch (e) { return; }
    if (body.alert.id !== page.id) return;
    clearTimeout(timer);
    timer = setTimeout(load, 800);
  });
}

async function load() {
  try {
    page.detail = await api("GET", "/api/v1/alerts/" + page.id);
  } catch (e) {
    document.getElementById("load-error").textContent = t("error.load", { message: e.message });
    return;
  }
  render();
  drawMap();
}

function row(dl, key, value, id) {
  dl.append(el("dt", { text: t(key) }), el("dd", { id: id, text: value }));
}

function render() {
  const d = page.detail;
  if (!d) return;
  const a = d.alert;
  document.getElementById("alert-title").textContent = t("alert.title", { id: a.id });
  const s = document.getElementById("summary");
  s.replaceChildren();
  row(s, "alert.severity", t("severity." + a.severity), "alert-severity");
  row(s, "alert.state", t("state." + a.state), "alert-state");
  document.getElementById("alert-state").dataset.state = a.state;
  row(s, "alert.score", a.score.toFixed(0));
  row(s, "alert.rat", a.rat.toUpperCase());
  row(s, "alert.cgi", cgi(a.identity) + (a.identity.bsic !== undefined ? " · BSIC " + a.identity.bsic : "") + (a.identity.pci !== undefined ? " · PCI " + a.identity.pci : ""), "alert-cgi");
  row(s, "alert.channel", channelText(a.channel));
  row(s, "alert.firstSeen", fmtTime(a.firstSeen));
  row(s, "alert.lastSeen", fmtTime(a.lastSeen));
  row(s, "alert.sensors", a.sensors.join(", "));
  if (a.stateChangedBy) row(s, "alert.changedBy", a.stateChangedBy);
  document.getElementById("reasons").replaceChildren(...a.reasons.map((r) => el("li", {}, el("strong", { text: r.ruleID }), " " + r.reason + " (" + r.weight.toFixed(2) + ")")));

  const p = document.getElementById("position");
  p.replaceChildren();
  if (a.position) {
    const f = a.position;
    row(p, "alert.latlon", fmtNum(f.latitudeDegrees, 6) + ", " + fmtNum(f.longitudeDegrees, 6), "alert-position");
    row(p, "alert.ellipse", t("map.ellipse", { confidence: Math.round(f.ellipseConfidence * 100), major: Math.round(f.ellipseMajorMeters), minor: Math.round(f.ellipseMinorMeters) }) + ", " + Math.round(f.ellipseBearingDegrees) + "°");
    row(p, "alert.method", f.method + " (" + f.observationCount + ") · " + fmtTime(f.time));
    if (f.headingDegrees !== undefined || f.speedMetersPerSecond !== undefined) {
      row(p, "alert.heading", fmtNum(f.headingDegrees, 0) + "° / " + fmtNum(f.speedMetersPerSecond === undefined ? undefined : f.speedMetersPerSecond * 3.6, 1) + " km/h");
    }
    if (f.caveats && f.caveats.length) row(p, "alert.caveats", f.caveats.join("; "));
  } else {
    p.append(el("p", { id: "alert-position", class: "muted", text: t("alert.noPosition") }));
  }
  renderActions();
  renderEvidence();
}

function renderActions() {
  const a = page.detail.alert;
  const allowed = roleAtLeast(page.session.role, "operator");
  for (const b of document.querySelectorAll(".actions button")) {
    b.disabled = !allowed || !NEXT[a.state].includes(b.dataset.verb);
  }
  if (!allowed) document.getElementById("action-result").textContent = t("alert.readOnly", { role: page.session.role });
}

async function act(verb) {
  const out = document.getElementById("action-result");
  try {
    const a = await api("POST", "/api/v1/alerts/" + page.id + "/" + verb);
    page.detail.alert = a;
    render();
    out.className = "ok";
    out.textContent = t("alert.actionDone", { state: t("state." + VERB_STATE[verb]) });
  } catch (e) {
    out.className = "error";
    out.textContent = t("alert.actionFailed", { message: e.message });
  }
}

// MARK: Evidence

function table(headers, rows, cls) {
  return el("table", { class: cls },
    el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { text: t(h) })))),
    el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", { text: c }))))));
}

function power(o) {
  if (o.powerDBm !== undefined) return fmtNum(o.powerDBm, 1) + " dBm";
  if (o.powerDBFS !== undefined) return fmtNum(o.powerDBFS, 1) + " dBFS";
  return "—";
}

// Broadcast parameters of an observation, with their meaning (TS 45.008 §9, TS 44.018 §10.5.2.11).
function parameters(o) {
  const rows = [];
  const add = (name, v, meaning) => { if (v !== undefined && v !== null) rows.push([name, String(v) + (meaning ? " (" + meaning + ")" : "")]); };
  add("CELL_RESELECT_OFFSET", o.cellReselectOffset, o.cellReselectOffset !== undefined ? 2 * o.cellReselectOffset + " dB" : "");
  add("TEMPORARY_OFFSET", o.temporaryOffset, o.temporaryOffset === 7 ? "∞" : (o.temporaryOffset !== undefined ? 10 * o.temporaryOffset + " dB" : ""));
  add("PENALTY_TIME", o.penaltyTime, o.penaltyTime !== undefined && o.penaltyTime !== 31 ? 20 + 20 * o.penaltyTime + " s" : "");
  add("T3212", o.t3212DeciHours, o.t3212DeciHours === 0 ? "no periodic update" : (o.t3212DeciHours !== undefined ? 6 * o.t3212DeciHours + " min" : ""));
  add("CCCH_CONF", o.ccchConf);
  add("BS_PA_MFRMS", o.bsPaMfrms, o.bsPaMfrms !== undefined ? o.bsPaMfrms + 2 + " multiframes" : "");
  if (o.neighbourARFCNs) add("BA (neighbours)", o.neighbourARFCNs.length ? o.neighbourARFCNs.join(", ") : "∅");
  if (o.pagingRequestCount !== undefined) add("Paging requests", o.pagingRequestCount, o.countWindowSeconds !== undefined ? "in " + fmtNum(o.countWindowSeconds, 1) + " s" : "");
  if (o.immediateAssignmentCount !== undefined) add("Immediate assignments", o.immediateAssignmentCount, o.countWindowSeconds !== undefined ? "in " + fmtNum(o.countWindowSeconds, 1) + " s" : "");
  return rows;
}

function renderEvidence() {
  const d = page.detail;
  const box = document.getElementById("evidence");
  if (!d.evidence.length) {
    box.replaceChildren(el("p", { class: "muted", text: t("evidence.none") }));
    return;
  }
  box.replaceChildren(...d.evidence.map((v) => {
    const ev = v.evidence;
    const valid = v.verification === "valid" && v.verifiedOnArrival;
    const sec = el("article", { class: "evidence-item", dataset: { evidenceId: v.id } },
      el("h3", { text: t("evidence.item", { id: v.id, sensor: v.sensorID, time: fmtTime(v.receivedAt) }) }),
      el("p", { class: "signature " + (valid ? "sig-valid" : "sig-invalid") },
        el("strong", { text: t("evidence.signature") + ": " }),
        valid ? t("evidence.valid") : t("evidence.invalid", { reason: v.verification })),
      el("p", { class: "muted small mono" }, t("evidence.sha256") + " " + v.sha256));
    if (!ev) return sec;
    const obs = ev.observations || [];
    if (obs.length) {
      sec.append(el("h4", { text: t("evidence.decoded") }), table(["col.parameter", "col.value"], parameters(obs[obs.length - 1]), "params"));
      sec.append(el("h4", { text: t("evidence.rf") }), table(["col.time", "col.sensor", "col.power", "col.snr", "col.cfo", "col.position"],
        obs.map((o) => [fmtTime(o.time), o.sensorID, power(o), o.snrDB !== undefined ? fmtNum(o.snrDB, 1) + " dB" : "—",
          o.carrierOffset !== undefined ? fmtNum(o.carrierOffset, 0) + " Hz" + (o.carrierOffsetPPM !== undefined ? " (" + fmtNum(o.carrierOffsetPPM, 2) + " ppm)" : "") : "—",
          o.position ? fmtNum(o.position.latitudeDegrees, 5) + ", " + fmtNum(o.position.longitudeDegrees, 5) + " ±" + fmtNum(o.position.horizontalAccuracyMeters, 0) + " m" : "—"]), "rf"));
    }
    if (ev.messages && ev.messages.length) {
      sec.append(el("h4", { text: t("evidence.messages") }), table(["col.frame", "col.channel", "col.message", "col.fields"],
        ev.messages.map((m) => [String(m.frameNumber), m.channel, m.name, m.fieldsJSON ? compactFields(m.fieldsJSON) : (m.l2Hex || "—")]), "messages"));
    }
    sec.append(el("h4", { text: t("evidence.spectrum") }));
    if (ev.iq) {
      const img = el("img", { class: "spectrum", alt: t("evidence.spectrum"), src: "/api/v1/alerts/" + d.alert.id + "/spectrum.png?evidence=" + encodeURIComponent(v.id) });
      sec.append(el("figure", {}, img, el("figcaption", { class: "muted small", text: spectrumCaption(ev.iq) })));
    } else {
      sec.append(el("p", { class: "muted", text: t("evidence.noIQ") }));
    }
    return sec;
  }));
}

function compactFields(json) {
  try {
    const o = JSON.parse(json);
    return Object.entries(o).map(([k, v]) => k + "=" + (typeof v === "object" ? JSON.stringify(v) : v)).join(", ");
  } catch (e) {
    return json;
  }
}

function spectrumCaption(iq) {
  try {
    const meta = JSON.parse(iq.sigmfMeta);
    const rate = meta.global["core:sample_rate"];
    const f = (meta.captures && meta.captures[0] && meta.captures[0]["core:frequency"]) || 0;
    const type = meta.global["core:datatype"];
    const bytes = type === "cf32_le" ? 8 : type === "ci16_le" ? 4 : 2;
    const samples = Math.floor((iq.data.length * 3 / 4) / bytes);
    return t("evidence.spectrumCaption", { low: ((f - rate / 2) / 1e6).toFixed(3), high: ((f + rate / 2) / 1e6).toFixed(3),
                                           centre: (f / 1e6).toFixed(3), rate: (rate / 1e6).toFixed(3), duration: (samples / rate * 1000).toFixed(0) });
  } catch (e) {
    return "";
  }
}

// MARK: Map of this emitter

async function drawMap() {
  const a = page.detail.alert;
  const box = document.getElementById("alert-map");
  if (typeof L === "undefined" || !a.position) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  let snap;
  try {
    snap = await api("GET", "/api/v1/map?all=true");
  } catch (e) {
    return;
  }
  if (page.map) page.map.remove();
  const map = L.map(box, { preferCanvas: true }).setView([a.position.latitudeDegrees, a.position.longitudeDegrees], 15);
  page.map = map;
  setupBasemap(map, snap.basemap, document.createElement("span"));
  const e = snap.emitters.find((x) => x.alertID === a.id);
  const colour = SEVERITY_COLOUR[a.severity] || "#6b7280";
  const bounds = [[a.position.latitudeDegrees, a.position.longitudeDegrees]];
  if (e) {
    if (e.ellipse.length > 2) {
      L.polygon(e.ellipse, { color: colour, weight: 2, fillOpacity: 0.15 }).addTo(map);
      e.ellipse.forEach((p) => bounds.push(p));
    }
    if (e.track.length > 1) L.polyline(e.track.map((p) => [p[0], p[1]]), { color: colour, weight: 3, dashArray: "6 4" }).addTo(map);
  }
  for (const s of snap.sensors) {
    if (!a.sensors.includes(s.id) || !s.position) continue;
    L.circleMarker([s.position[0], s.position[1]], { radius: 6, color: "#1e3a8a", fillColor: "#3b82f6", fillOpacity: 0.9 })
      .bindTooltip(escapeText(t("map.sensor", { id: s.id }))).addTo(map);
  }
  L.circleMarker(bounds[0], { radius: 9, color: "#111827", weight: 2, fillColor: colour, fillOpacity: 1 }).addTo(map);
  map.fitBounds(L.latLngBounds(bounds).pad(0.3), { maxZoom: 17 });
}

function escapeText(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}
