// The HTML report's page: inline CSS and JS, no network. html.cpp substitutes @TITLE@ (HTML-escaped) and
// @DATA@ (JSON, with '<' escaped so it cannot close the <script> element). The page draws one canvas per
// track; slices narrower than a pixel are summed per pixel column, so a page stays fast however many
// slices it holds. After drawing it sets body[data-slices] to the number of slices it holds.
#pragma once

namespace nkic::perf {

inline constexpr const char* kHtmlTemplate = R"html(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>@TITLE@</title>
<style>
body { font: 13px/1.4 system-ui, sans-serif; margin: 16px 24px; color: #222; }
h1 { font-size: 18px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 20px 0 6px; }
table { border-collapse: collapse; } td, th { padding: 2px 10px 2px 0; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
code { font: 12px ui-monospace, monospace; white-space: pre; }
.note { color: #a40; }
.bar { display: inline-block; width: 240px; height: 12px; background: #eee; vertical-align: middle; }
.bar > div { height: 100%; }
#timeline { position: relative; user-select: none; border: 1px solid #ddd; }
.track, .axis { display: flex; height: 22px; border-top: 1px solid #f0f0f0; }
.track .label, .axis .label { flex: 0 0 120px; font: 11px ui-monospace, monospace; padding: 3px 6px;
  overflow: hidden; white-space: nowrap; }
.track canvas, .axis canvas { flex: 1 1 auto; min-width: 0; height: 22px; }
#tip { position: absolute; display: none; background: #fff; border: 1px solid #999; padding: 3px 6px;
  font: 11px ui-monospace, monospace; pointer-events: none; white-space: pre; z-index: 1; }
</style></head>
<body>
<h1 id="title"></h1>
<div id="sub"></div>
<h2>Summary</h2><table id="summary"></table>
<h2>Engine utilisation</h2><table id="util"></table>
<h2>Timeline <small>(wheel: zoom, drag: pan, double-click: reset)</small></h2>
<div id="timeline"><div class="axis"><div class="label">us</div><canvas id="axis"></canvas></div>
<div id="tracks"></div><div id="tip"></div></div>
<h2>Top source lines</h2><table id="lines"></table>
<script type="application/json" id="data">@DATA@</script>
<script>
"use strict";
const D = JSON.parse(document.getElementById("data").textContent), S = D.summary;
const ENGINES = ["tensor", "vector", "scalar", "gpsimd", "sync", "dma"];
const HUE = { tensor: 210, vector: 130, scalar: 30, gpsimd: 280, sync: 0, dma: 180 };
const f3 = v => Number(v).toFixed(3), pct = (a, b) => (b > 0 ? (100 * a / b).toFixed(1) : "0.0") + "%";
const bytes = b => { const u = ["B", "KiB", "MiB", "GiB", "TiB"]; let i = 0;
  while (b >= 1024 && i < 4) { b /= 1024; i++; } return (i ? b.toFixed(2) : b) + " " + u[i]; };
function el(tag, props, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) if (k === "class") e.className = v; else e.setAttribute(k, v);
  for (const k of kids) e.append(k instanceof Node ? k : String(k));
  return e;
}
function row(table, cells, head) {
  const tr = el("tr");
  for (const c of cells) tr.append(el(head ? "th" : "td", {}, c));
  table.append(tr);
}

// Header and summary table.
document.getElementById("title").textContent = `${D.kernel} on ${D.target}: ${f3(S.latency_us)} us (estimated)`;
if (S.truncated) document.getElementById("sub").append(el("p", { class: "note" },
  "The timeline kept only the first slices; the totals are complete."));
const sum = document.getElementById("summary");
row(sum, ["latency", f3(S.latency_us) + " us"]);
row(sum, ["instructions", String(S.instructions)]);
row(sum, ["MFU", pct(S.mfu, 1)]);
row(sum, ["HBM bandwidth utilisation", pct(S.mbu, 1)]);
for (const [dir, b] of Object.entries(S.dma_bytes)) if (b > 0) row(sum, ["DMA " + dir.replaceAll("_", " "), bytes(b)]);
const crit = Object.values(S.critical_path_us).reduce((a, b) => a + b, 0);
row(sum, ["critical path", ENGINES.filter(e => S.critical_path_us[e] > 0)
  .map(e => `${e} ${f3(S.critical_path_us[e])} us (${pct(S.critical_path_us[e], crit)})`).join(", ") || "-"]);

// Utilisation bars: busy time over latency, per core and engine.
const util = document.getElementById("util");
row(util, ["core", "engine", "busy us", "utilisation", ""], true);
S.per_core.forEach((busy, c) => {
  for (const e of ENGINES) {
    const frac = S.latency_us > 0 ? Math.min(1, busy[e] / S.latency_us) : 0;
    const bar = el("div", { class: "bar" }, el("div", { style: `width:${(100 * frac).toFixed(2)}%;background:hsl(${HUE[e]},60%,50%)` }));
    const tr = el("tr", { class: "util" }, el("td", {}, String(c)), el("td", {}, e), el("td", { class: "n" }, f3(busy[e])),
      el("td", {}, bar), el("td", { class: "n" }, pct(busy[e], S.latency_us)));
    util.append(tr);
  }
});

// Top source lines.
const lines = document.getElementById("lines");
row(lines, ["line", "us", "% of latency", "instructions", "source"], true);
for (const l of S.top_lines) {
  const where = (l.file.split("/").pop() || "?") + ":" + l.line;
  lines.append(el("tr", {}, el("td", { title: l.file }, where), el("td", { class: "n" }, f3(l.us)),
    el("td", { class: "n" }, pct(l.us, S.latency_us)), el("td", { class: "n" }, String(l.instructions)),
    el("td", {}, el("code", {}, l.text))));
}

// The timeline: one row per track. Slices: flat [start_ns, dur_ns, op, src] per track, sorted by start;
// or, for very large timelines, `bins` (busy fraction per bin of `binw` ns).
const full = Math.max(D.latency_ns, 1e-6);
let t0 = 0, t1 = full;
const tracks = document.getElementById("tracks");
tracks.dataset.count = D.tracks.length;
const rows = D.tracks.map(tr => {
  const canvas = el("canvas");
  const div = el("div", { class: "track", "data-core": tr.core, "data-track": tr.name, "data-slices": tr.count },
    el("div", { class: "label", title: `${tr.count} slices` }, (D.cores > 1 ? `c${tr.core} ` : "") + tr.name), canvas);
  tracks.append(div);
  let maxDur = 0;
  if (tr.s) for (let i = 1; i < tr.s.length; i += 4) maxDur = Math.max(maxDur, tr.s[i]);
  return { tr, canvas, maxDur };
});
function fit(canvas) {
  const w = canvas.clientWidth || 600, h = canvas.clientHeight || 22, r = window.devicePixelRatio || 1;
  canvas.width = Math.round(w * r); canvas.height = Math.round(h * r);
  const g = canvas.getContext("2d"); g.setTransform(r, 0, 0, r, 0, 0); g.clearRect(0, 0, w, h);
  return { g, w, h };
}
function firstSlice(s, t) {  // first slice index (x4) whose start >= t
  let lo = 0, hi = s.length / 4;
  while (lo < hi) { const m = (lo + hi) >> 1; if (s[4 * m] < t) lo = m + 1; else hi = m; }
  return 4 * lo;
}
function addCover(cover, x0, x1, v) {  // a sub-pixel interval, split between the (at most two) columns it spans
  x0 = Math.max(0, x0);
  const c = Math.floor(x0);
  if (c >= cover.length) return;
  if (x1 <= c + 1) { cover[c] += v * (x1 - x0); return; }
  cover[c] += v * (c + 1 - x0);
  if (c + 1 < cover.length) cover[c + 1] += v * (x1 - c - 1);
}
function drawTrack({ tr, canvas, maxDur }) {
  const { g, w, h } = fit(canvas), k = w / (t1 - t0), hue = HUE[tr.engine];
  const cover = new Float32Array(Math.ceil(w) + 1);  // busy fraction of each pixel column (narrow slices)
  if (tr.bins) {
    tr.bins.forEach((v, i) => {
      const x0 = (i * tr.binw - t0) * k, x1 = ((i + 1) * tr.binw - t0) * k;
      if (v <= 0 || x1 < 0 || x0 > w) return;
      if (x1 - x0 < 1) { addCover(cover, x0, x1, v); return; }
      g.fillStyle = `hsl(${hue},60%,45%)`; g.globalAlpha = Math.min(1, 0.2 + v);
      g.fillRect(x0, 2, x1 - x0, h - 4);
    });
    g.globalAlpha = 1;
  }
  const s = tr.s || [];
  g.font = "10px ui-monospace, monospace"; g.textBaseline = "middle";
  for (let i = firstSlice(s, t0 - maxDur); i < s.length && s[i] <= t1; i += 4) {
    const x0 = (s[i] - t0) * k, x1 = (s[i] + s[i + 1] - t0) * k;
    if (x1 < 0) continue;
    if (x1 - x0 < 1) { addCover(cover, x0, x1, 1); continue; }
    g.fillStyle = `hsl(${hue},60%,${40 + (s[i + 2] * 17) % 30}%)`;
    g.fillRect(x0, 2, Math.max(1, x1 - x0 - 0.5), h - 4);
    if (x1 - x0 > 40) {
      g.save(); g.beginPath(); g.rect(x0, 0, x1 - x0, h); g.clip();
      g.fillStyle = "#fff"; g.fillText(D.ops[s[i + 2]], Math.max(x0, 0) + 3, h / 2); g.restore();
    }
  }
  g.fillStyle = `hsl(${hue},60%,45%)`;
  cover.forEach((v, x) => { if (v > 0) { g.globalAlpha = Math.min(1, 0.2 + v); g.fillRect(x, 2, 1, h - 4); } });
  g.globalAlpha = 1;
}
function drawAxis() {
  const { g, w, h } = fit(document.getElementById("axis")), span = t1 - t0;
  let step = Math.pow(10, Math.floor(Math.log10(span)) - 1);  // span / step in [10, 100): up to 10 ticks
  step *= [1, 2, 5, 10].find(m => span / (step * m) <= 10);
  g.fillStyle = "#555"; g.font = "10px ui-monospace, monospace"; g.textBaseline = "middle";
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    const x = (t - t0) * w / span;
    g.fillRect(x, h - 6, 1, 6); g.fillText(String(+(t / 1000).toPrecision(6)), x + 2, h / 2 - 2);
  }
}
function draw() {
  drawAxis();
  for (const r of rows) drawTrack(r);
  document.body.dataset.slices = D.tracks.reduce((n, tr) => n + tr.count, 0);
}

// Zoom around the pointer, pan by dragging, reset on double-click; hover shows a slice.
const timeline = document.getElementById("timeline"), tip = document.getElementById("tip");
function timeAt(ev) {
  const c = rows.length ? rows[0].canvas : document.getElementById("axis"), r = c.getBoundingClientRect();
  return { t: t0 + (ev.clientX - r.left) / r.width * (t1 - t0), w: r.width };
}
timeline.addEventListener("wheel", ev => {
  ev.preventDefault();
  const { t } = timeAt(ev), z = ev.deltaY > 0 ? 1.25 : 0.8;
  t0 = Math.max(0, t - (t - t0) * z); t1 = Math.min(full, t + (t1 - t) * z);
  if (t1 - t0 < 1e-3) t1 = t0 + 1e-3;
  draw();
}, { passive: false });
let drag = null;
timeline.addEventListener("mousedown", ev => { drag = { x: ev.clientX, t0, t1 }; });
window.addEventListener("mouseup", () => { drag = null; });
timeline.addEventListener("dblclick", () => { t0 = 0; t1 = full; draw(); });
timeline.addEventListener("mousemove", ev => {
  const { t, w } = timeAt(ev);
  if (drag) {
    const dt = Math.max(-drag.t0, Math.min(full - drag.t1, -(ev.clientX - drag.x) / w * (drag.t1 - drag.t0)));
    t0 = drag.t0 + dt; t1 = drag.t1 + dt; draw(); return;
  }
  const r = rows.find(r => { const b = r.canvas.getBoundingClientRect(); return ev.clientY >= b.top && ev.clientY < b.bottom; });
  let text = "";
  if (r && r.tr.s) {
    const s = r.tr.s, i = firstSlice(s, t + 1e-9) - 4;
    if (i >= 0 && t <= s[i] + s[i + 1])
      text = `${D.ops[s[i + 2]]}  ${D.srcs[s[i + 3]]}\nstart ${f3(s[i] / 1000)} us  duration ${f3(s[i + 1] / 1000)} us`;
  }
  tip.style.display = text ? "block" : "none";
  tip.textContent = text;
  const b = timeline.getBoundingClientRect();
  tip.style.left = (ev.clientX - b.left + 12) + "px"; tip.style.top = (ev.clientY - b.top + 12) + "px";
});
timeline.addEventListener("mouseleave", () => { tip.style.display = "none"; });
window.addEventListener("resize", draw);
draw();
</script>
</body></html>
)html";

}  // namespace nkic::perf
