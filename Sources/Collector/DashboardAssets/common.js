// Shared by the pages: API calls with the session cookie, the header bar, formatting.
"use strict";

class APIError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

// Every call sends the cookie; unsafe methods add the anti-forgery header the collector requires.
async function api(method, path, body) {
  const headers = { "Accept": "application/json" };
  if (method !== "GET") headers["X-Cellwatch-CSRF"] = "1";
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(path, { method, headers, credentials: "same-origin",
                                body: body === undefined ? undefined : JSON.stringify(body) });
  // Signed out or expired: back to the login page (not for the login request itself).
  if (r.status === 401 && !(method === "POST" && path === "/api/v1/session")) {
    location.href = "/login?next=" + encodeURIComponent(location.pathname);
    throw new APIError(401, "signed out");
  }
  if (!r.ok) {
    let message = r.status + " " + r.statusText;
    try { message = (await r.json()).error || message; } catch (e) { /* not JSON */ }
    throw new APIError(r.status, message);
  }
  if (r.status === 204) return null;
  return r.json();
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function fmtTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  return d.toLocaleString(currentLang() === "zh" ? "zh-CN" : "en-GB", { hour12: false });
}

function fmtNum(x, digits) { return x === undefined || x === null ? "—" : Number(x).toFixed(digits); }

function cgi(identity) { return identity.mcc + "-" + identity.mnc + "-" + identity.areaCode + "-" + identity.cellId; }

function channelText(ch) {
  if (ch.arfcn !== undefined) return "ARFCN " + ch.arfcn;
  if (ch.earfcn !== undefined) return "EARFCN " + ch.earfcn;
  return JSON.stringify(ch);
}

function roleAtLeast(role, wanted) {
  const rank = { viewer: 0, operator: 1, admin: 2 };
  return rank[role] >= rank[wanted];
}

// Header: user, language switch, sign-out. Returns the session (user, role).
async function setupHeader() {
  const session = await api("GET", "/api/v1/session");
  const user = document.getElementById("user");
  const show = () => { user.textContent = t("nav.user", { user: session.user, role: session.role }); };
  show();
  document.addEventListener("cellwatch:lang", show);
  document.getElementById("lang-switch").addEventListener("click", () => setLang(currentLang() === "zh" ? "en" : "zh"));
  document.getElementById("logout").addEventListener("click", async () => {
    try { await api("DELETE", "/api/v1/session"); } finally { location.href = "/login"; }
  });
  return session;
}

// Offline basemap: a graticule whose spacing follows the zoom, with labels at the edges.
function graticuleLayer(map) {
  const layer = L.layerGroup();
  const steps = [90, 45, 30, 20, 10, 5, 2, 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 0.0005];
  function draw() {
    layer.clearLayers();
    const b = map.getBounds();
    const span = Math.max(b.getNorth() - b.getSouth(), b.getEast() - b.getWest());
    // A zoomed-out view spans more than 360° of longitude (the world repeats): the coarsest step then,
    // never the finest, which would add millions of lines and freeze the page.
    const step = steps.find((s) => span / s <= 12) || steps[0];
    if (!(span > 0) || span / step > 60) return;
    const digits = Math.max(0, Math.ceil(-Math.log10(step)));
    const style = { color: "#5b6b82", weight: 1, opacity: 0.5, interactive: false };
    for (let lat = Math.floor(b.getSouth() / step) * step; lat <= b.getNorth(); lat += step) {
      layer.addLayer(L.polyline([[lat, b.getWest() - span], [lat, b.getEast() + span]], style));
      layer.addLayer(L.marker([lat, b.getWest()], { interactive: false, icon: L.divIcon({ className: "grid-label", html: lat.toFixed(digits) + "°", iconSize: null }) }));
    }
    for (let lon = Math.floor(b.getWest() / step) * step; lon <= b.getEast(); lon += step) {
      layer.addLayer(L.polyline([[b.getSouth() - span, lon], [b.getNorth() + span, lon]], style));
      layer.addLayer(L.marker([b.getNorth(), lon], { interactive: false, icon: L.divIcon({ className: "grid-label", html: lon.toFixed(digits) + "°", iconSize: null }) }));
    }
  }
  map.on("moveend zoomend", draw);
  layer.on("add", draw);
  return layer;
}

// The basemap: the graticule always; tiles on top when configured, dropped (with a note) when the
// tile server does not answer.
function setupBasemap(map, basemap, noteEl) {
  graticuleLayer(map).addTo(map);
  L.control.scale({ metric: true, imperial: false }).addTo(map);
  if (!basemap.tileURL) {
    noteEl.dataset.i18n = "map.offline";
    noteEl.textContent = t("map.offline");
    return;
  }
  const tiles = L.tileLayer(basemap.tileURL, { maxZoom: basemap.maxZoom, attribution: basemap.attribution || "" });
  let loaded = 0, failed = 0;
  tiles.on("tileload", () => { loaded++; });
  tiles.on("tileerror", () => {
    failed++;
    if (loaded === 0 && failed >= 4 && map.hasLayer(tiles)) {
      map.removeLayer(tiles);
      noteEl.dataset.i18n = "map.tilesFailed";
      noteEl.textContent = t("map.tilesFailed");
    }
  });
  tiles.addTo(map);
}

const SEVERITY_COLOUR = { high: "#dc2626", medium: "#f97316", low: "#eab308", none: "#6b7280" };
