#!/usr/bin/env python3
"""schedviz — turns a GORT_TRACE file into one standalone HTML timeline.

Usage: schedviz.py TRACE.json [-o OUT.html] [--title TITLE]

The trace is what runtime/trace.cpp writes (Chrome trace-event JSON; it
also opens in Perfetto or chrome://tracing). The page needs no network:
data, script and style are inline, drawn on a canvas.

  - a lane per P (what it runs: the M holding it, and inside that the
    goroutine running) and a lane per M (the P it holds and the goroutine
    it runs, or the system call it is in);
  - a colour per goroutine, the same on every lane; click one to pick it
    out everywhere (click empty space to clear);
  - instants (create, ready, park, preempt, steal, syscall, handoff, P
    start/stop) as marks above the slices;
  - details on hover; mouse wheel zooms, drag pans, the keys W/S zoom and
    A/D pan, 0 fits; #from=MS&to=MS in the URL opens on that window.

Python 3 standard library only.
"""
import argparse
import html
import json
import os
import sys
from decimal import Decimal

INSTANT_KINDS = [
    # cat, label, colour
    ("create", "go statement (create)", "#2e9d3a"),
    ("ready", "ready (unpark)", "#1f6fd1"),
    ("park", "park (block)", "#d1342f"),
    ("preempt", "preempted", "#8e44ad"),
    ("steal", "steal from another P", "#0f9c9c"),
    ("syscall", "system call entered", "#e08a00"),
    ("sysexit", "system call returned", "#b36b00"),
    ("sysblock", "P taken from a system call", "#7a1f1f"),
    ("handoff", "P handed off (handoffp)", "#7b5a2e"),
    ("procstart", "P started", "#555555"),
    ("procstop", "P stopped", "#999999"),
    ("gomaxprocs", "GOMAXPROCS changed", "#000000"),
]


def ns(v):
    return int(Decimal(str(v)) * 1000)


def load(path):
    with open(path) as f:
        doc = json.load(f, parse_float=Decimal)
    events = doc["traceEvents"] if isinstance(doc, dict) else doc
    names = {}
    for e in events:
        if e.get("ph") == "M" and e.get("name") == "thread_name":
            names[(e["pid"], e["tid"])] = e["args"]["name"]
    strings, index = [], {}

    def s(x):
        if x not in index:
            index[x] = len(strings)
            strings.append(x)
        return index[x]

    lanes = {}
    gs = {}
    t0 = None
    t1 = 0
    for e in events:
        ph = e.get("ph")
        if ph not in ("X", "i"):
            continue
        key = (e["pid"], e["tid"])
        lane = lanes.setdefault(key, {"slices": [], "instants": []})
        ts = ns(e["ts"])
        t0 = ts if t0 is None else min(t0, ts)
        args = e.get("args", {})
        g = int(args.get("g", 0))
        if g and g not in gs:
            gs[g] = {"fn": args.get("fn", "?")}
        if ph == "X":
            dur = ns(e["dur"])
            t1 = max(t1, ts + dur)
            cat = e.get("cat", "")
            kind = {"running": 0, "proc": 1, "syscall": 2}.get(cat, 1)
            other = args.get("m", args.get("p", -1))
            lane["slices"].append([ts, dur, kind, g, s(e["name"]), s(args.get("end", "")), int(other)])
        else:
            t1 = max(t1, ts)
            cat = e.get("cat", "")
            extra = {k: v for k, v in args.items() if k not in ("g", "fn")}
            detail = ", ".join("%s=%s" % (k, v) for k, v in extra.items())
            if cat == "create" and g:
                gs[g]["created"] = ts
                gs[g]["parent"] = int(args.get("parent", 0))
            lane["instants"].append([ts, s(cat), g, s(e["name"]), s(detail)])
    if t0 is None:
        t0 = 0
    out_lanes = []
    for key in sorted(lanes, key=lambda k: (k[0], k[1])):
        lane = lanes[key]
        for sl in lane["slices"]:
            sl[0] -= t0
        for it in lane["instants"]:
            it[0] -= t0
        lane["slices"].sort(key=lambda x: (x[0], -x[1]))
        lane["instants"].sort(key=lambda x: x[0])
        label = names.get(key, ("P%d" if key[0] == 1 else "M%d") % key[1])
        out_lanes.append({"label": label, "isP": key[0] == 1, "id": key[1],
                          "slices": lane["slices"], "instants": lane["instants"]})
    for g in gs.values():
        if "created" in g:
            g["created"] -= t0
    return {
        "lanes": out_lanes,
        "strings": strings,
        "gs": {str(k): v for k, v in gs.items()},
        "duration": max(0, t1 - t0),
        "events": sum(1 for e in events if e.get("ph") in ("X", "i")),
        "kinds": INSTANT_KINDS,
    }


PAGE = r"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>__TITLE__</title>
<style>
  html, body { margin: 0; font: 13px/1.35 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; background: #fafafa; }
  header { padding: 8px 12px 4px; }
  h1 { font-size: 16px; margin: 0 0 2px; }
  .sub { color: #555; }
  .bar { display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: center; padding: 4px 12px; }
  .legend span.sw { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: -1px; border-radius: 2px; }
  .legend span.tri { display: inline-block; width: 0; height: 0; margin-right: 4px; border-left: 5px solid transparent; border-right: 5px solid transparent; border-top: 9px solid; vertical-align: -1px; }
  button { font: inherit; padding: 1px 8px; }
  #sel { color: #333; min-height: 1.4em; padding: 0 12px 4px; }
  #wrap { position: relative; margin: 0 12px 12px; border: 1px solid #ccc; background: #fff; }
  canvas { display: block; cursor: crosshair; }
  #tip { position: fixed; pointer-events: none; background: rgba(255,255,255,0.97); border: 1px solid #888; border-radius: 4px;
         padding: 5px 8px; box-shadow: 0 2px 6px rgba(0,0,0,0.2); max-width: 560px; display: none; white-space: pre-wrap; font-size: 12px; z-index: 2; }
  #tip b { font-weight: 600; }
</style></head>
<body>
<header>
  <h1>__TITLE__</h1>
  <div class="sub" id="summary"></div>
</header>
<div class="bar">
  <button id="fit" title="0">fit</button><button id="zin" title="W">zoom in</button><button id="zout" title="S">zoom out</button>
  <span class="sub">wheel: zoom &middot; drag: pan &middot; W/S/A/D, 0 &middot; click a goroutine to follow it</span>
  <span class="sub" id="window"></span>
</div>
<div class="bar legend" id="legend"></div>
<div id="sel"></div>
<div id="wrap"><canvas id="c"></canvas></div>
<div id="tip"></div>
<script id="data" type="application/json">__DATA__</script>
<script>
"use strict";
const D = JSON.parse(document.getElementById("data").textContent);
const S = D.strings;
const KIND = {}; D.kinds.forEach(([cat, label, colour]) => KIND[cat] = {label, colour});
const GUTTER = 190, RULER = 26, LANE = 44, GAP = 10;
const ROW_I = [2, 10], ROW_O = [12, 26], ROW_G = [26, 42];  // instants, outer slices, goroutine slices
const canvas = document.getElementById("c"), ctx = canvas.getContext("2d");
const tip = document.getElementById("tip");
let W = 800, H = 400, view = {t0: 0, t1: Math.max(D.duration, 1000)}, selected = 0, hover = null;

// Lanes: the Ps, a gap, the Ms.
const rows = [];
let y = RULER;
D.lanes.forEach((l, i) => {
  if (i > 0 && !l.isP && D.lanes[i - 1].isP) y += GAP;
  rows.push({lane: l, y});
  y += LANE;
});
const totalH = y + 4;

// A colour per goroutine: neighbouring goids get clearly different ones.
const PALETTE = ["#4e79a7", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#ff9da7",
                 "#2f4b7c", "#8cd17d", "#a0cbe8", "#d37295", "#86bcb6", "#b6992d", "#499894", "#7b6fb0"];
const RGB = PALETTE.map(h => [1, 3, 5].map(i => parseInt(h.slice(i, i + 2), 16)));
function gIndex(g) { return Math.imul(g, 2654435761) >>> 28; }  // Fibonacci hashing: 16 buckets
function gColour(g, alpha) {
  const [r, gg, b] = RGB[gIndex(g)];
  return "rgba(" + r + "," + gg + "," + b + "," + (alpha ?? 1) + ")";
}
function gText(g) {
  const [r, gg, b] = RGB[gIndex(g)];
  return 0.299 * r + 0.587 * gg + 0.114 * b > 150 ? "#111" : "#fff";
}
function fmt(ns) {
  const a = Math.abs(ns);
  if (a >= 1e9) return (ns / 1e9).toFixed(3) + " s";
  if (a >= 1e6) return (ns / 1e6).toFixed(3) + " ms";
  if (a >= 1e3) return (ns / 1e3).toFixed(3) + " µs";
  return ns.toFixed(0) + " ns";
}
// A ruler label: no more decimals than the tick step needs.
function fmtTick(ns, step) {
  const [unit, div] = step >= 1e8 ? ["s", 1e9] : step >= 1e5 ? ["ms", 1e6] : step >= 1e2 ? ["µs", 1e3] : ["ns", 1];
  const dec = Math.max(0, Math.min(3, Math.ceil(-Math.log10(step / div) - 1e-9)));
  return (ns / div).toFixed(dec) + " " + unit;
}
function x(t) { return GUTTER + (t - view.t0) / (view.t1 - view.t0) * (W - GUTTER - 8); }
function t(px) { return view.t0 + (px - GUTTER) / (W - GUTTER - 8) * (view.t1 - view.t0); }
function lowerBound(a, t) { let lo = 0, hi = a.length; while (lo < hi) { const m = (lo + hi) >> 1; if (a[m][0] < t) lo = m + 1; else hi = m; } return lo; }

function resize() {
  W = Math.max(600, document.getElementById("wrap").clientWidth);
  H = totalH;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = W * dpr; canvas.height = H * dpr;
  canvas.style.width = W + "px"; canvas.style.height = H + "px";
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  draw();
}

function niceStep(span, px) {
  const raw = span / Math.max(1, px / 110);
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

// The longest slices first, so that a lane's later, longer ones (a proc
// slice is written after the goroutines inside it) are found by the search.
const maxDur = D.lanes.map(l => l.slices.reduce((m, s) => Math.max(m, s[1]), 0));

function draw() {
  ctx.clearRect(0, 0, W, H);
  ctx.font = "11px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  // ruler
  const step = niceStep(view.t1 - view.t0, W - GUTTER);
  ctx.fillStyle = "#f3f3f3"; ctx.fillRect(0, 0, W, RULER);
  ctx.strokeStyle = "#e4e4e4"; ctx.fillStyle = "#444";
  for (let tt = Math.ceil(view.t0 / step) * step; tt <= view.t1; tt += step) {
    const px = x(tt);
    ctx.beginPath(); ctx.moveTo(px + 0.5, RULER - 6); ctx.lineTo(px + 0.5, H); ctx.stroke();
    ctx.fillText(fmtTick(tt, step), px + 3, RULER / 2);
  }
  rows.forEach((r, ri) => {
    const l = r.lane;
    ctx.fillStyle = ri % 2 ? "#fcfcfc" : "#f6f7f9";
    ctx.fillRect(0, r.y, W, LANE);
    // slices
    ctx.save();
    ctx.beginPath(); ctx.rect(GUTTER, r.y, W - GUTTER, LANE); ctx.clip();
    const ss = l.slices;
    let i = lowerBound(ss, view.t0 - maxDur[D.lanes.indexOf(l)]);
    let lastPx = [-1, -1, -1];
    for (; i < ss.length && ss[i][0] <= view.t1; i++) {
      const s = ss[i];
      if (s[0] + s[1] < view.t0) continue;
      const x0 = x(s[0]), x1 = Math.max(x(s[0] + s[1]), x0 + 1);
      const inner = s[2] === 0;
      const [ya, yb] = inner ? ROW_G : ROW_O;
      if (x1 - x0 < 1.5 && Math.floor(x0) === lastPx[s[2]]) continue;  // one mark per pixel is enough
      lastPx[s[2]] = Math.floor(x0);
      if (s[2] === 0) ctx.fillStyle = gColour(s[3], selected && selected !== s[3] ? 0.18 : 1);
      else if (s[2] === 1) ctx.fillStyle = l.isP ? "#d4d8de" : "#cfdcea";
      else ctx.fillStyle = selected && selected !== s[3] ? "rgba(230,140,0,0.25)" : "#f0a030";
      ctx.fillRect(x0, r.y + ya, x1 - x0, yb - ya - 1);
      if (s[2] === 2) {  // a system call: hatched
        ctx.strokeStyle = "rgba(120,60,0,0.35)";
        ctx.beginPath();
        for (let hx = Math.floor(x0 / 6) * 6; hx < x1; hx += 6) { ctx.moveTo(hx, r.y + yb - 1); ctx.lineTo(hx + 6, r.y + ya); }
        ctx.stroke();
      }
      if (x1 - x0 > 30) {
        let label = s[2] === 0 ? S[s[4]] : s[2] === 1 ? S[s[4]] : S[s[4]];
        ctx.fillStyle = s[2] === 0 ? gText(s[3]) : "#333";
        const room = x1 - x0 - 6;
        if (ctx.measureText(label).width > room) {
          if (s[2] === 0) label = "G" + s[3];
          if (ctx.measureText(label).width > room) label = "";
        }
        if (label) ctx.fillText(label, Math.max(x0, GUTTER) + 3, r.y + (ya + yb) / 2);
      }
    }
    // instants
    const is = l.instants;
    let lastX = -10, lastCat = -1;
    for (let k = lowerBound(is, view.t0); k < is.length && is[k][0] <= view.t1; k++) {
      const it = is[k], px = x(it[0]);
      if (px - lastX < 1 && it[1] === lastCat) continue;
      lastX = px; lastCat = it[1];
      const kd = KIND[S[it[1]]] || {colour: "#000"};
      ctx.globalAlpha = selected && it[2] !== selected ? 0.2 : 1;
      ctx.fillStyle = kd.colour;
      ctx.beginPath(); ctx.moveTo(px - 4, r.y + ROW_I[0]); ctx.lineTo(px + 4, r.y + ROW_I[0]); ctx.lineTo(px, r.y + ROW_I[1]); ctx.fill();
      ctx.globalAlpha = 1;
    }
    ctx.restore();
    // gutter
    ctx.fillStyle = "#eef0f3"; ctx.fillRect(0, r.y, GUTTER, LANE);
    ctx.fillStyle = "#222"; ctx.font = "bold 12px system-ui, sans-serif";
    const cut = l.label.indexOf(" (");
    ctx.fillText(cut < 0 ? l.label : l.label.slice(0, cut), 8, r.y + 14);
    ctx.font = "11px system-ui, sans-serif"; ctx.fillStyle = "#666";
    const more = cut < 0 ? "" : l.label.slice(cut + 2, -1).replace(", ", " · ");
    ctx.fillText(l.isP ? "M holding it · G running" : more || "thread", 8, r.y + 31);
    ctx.font = "11px system-ui, sans-serif";
  });
  ctx.strokeStyle = "#bbb";
  ctx.beginPath(); ctx.moveTo(GUTTER + 0.5, 0); ctx.lineTo(GUTTER + 0.5, H); ctx.stroke();
  document.getElementById("window").textContent = "showing " + fmt(view.t0) + " – " + fmt(view.t1) + " (" + fmt(view.t1 - view.t0) + ")";
}

function gLine(g) {
  const gi = D.gs[g] || {};
  let s = "G" + g + " " + (gi.fn || "?");
  if (gi.created !== undefined) s += "\ncreated " + (gi.parent ? "by G" + gi.parent : "by the runtime") + " at " + fmt(gi.created);
  return s;
}

function find(mx, my) {
  const r = rows.find(r => my >= r.y && my < r.y + LANE);
  if (!r || mx < GUTTER) return null;
  const l = r.lane, ry = my - r.y, tm = t(mx), slop = (view.t1 - view.t0) / (W - GUTTER) * 3;
  if (ry < ROW_O[0]) {
    // Every mark under the pointer: marks drawn on top of each other
    // (a P taken, stopped and handed off in the same microsecond) are
    // all listed.
    const is = l.instants, near = [], bd = slop * 1.5;
    for (let k = lowerBound(is, tm - bd); k < is.length && is[k][0] <= tm + bd; k++) near.push(is[k]);
    return near.length ? {lane: l, instant: near[0], instants: near} : null;
  }
  const want = ry < ROW_G[0] ? [1, 2] : [0];
  const ss = l.slices;
  let best = null;
  for (let k = lowerBound(ss, tm - maxDur[D.lanes.indexOf(l)] - slop); k < ss.length && ss[k][0] <= tm + slop; k++) {
    const s = ss[k];
    if (want.includes(s[2]) && s[0] - slop <= tm && tm <= s[0] + s[1] + slop) {
      if (!best || Math.abs(s[0] + s[1] / 2 - tm) < Math.abs(best[0] + best[1] / 2 - tm)) best = s;
    }
  }
  return best ? {lane: l, slice: best} : null;
}

function describe(h) {
  if (h.instants) {
    const shown = h.instants.slice(0, 6);
    let out = shown.map(it => {
      const kd = KIND[S[it[1]]];
      let s = "<b>" + esc(S[it[3]]) + "</b>  (" + esc(kd ? kd.label : S[it[1]]) + ")\nat " + fmt(it[0]) + " on " + esc(h.lane.label);
      if (S[it[4]]) s += "\n" + esc(S[it[4]]);
      if (it[2]) s += "\n" + esc(gLine(it[2]));
      return s;
    }).join("\n\n");
    if (h.instants.length > shown.length) out += "\n\n… and " + (h.instants.length - shown.length) + " more here: zoom in";
    return out;
  }
  const s = h.slice;
  let out = "<b>" + esc(S[s[4]]) + "</b>\n" + fmt(s[1]) + ", from " + fmt(s[0]) + " to " + fmt(s[0] + s[1]) + "\non " + esc(h.lane.label);
  if (s[2] === 0) {
    out = "<b>" + esc(gLine(s[3])) + "</b>\nran " + fmt(s[1]) + ", from " + fmt(s[0]) + " to " + fmt(s[0] + s[1]) +
          "\non " + esc(h.lane.label) + (h.lane.isP ? ", thread M" + s[6] : ", holding P" + s[6]) +
          (S[s[5]] ? "\nstopped: " + esc(S[s[5]]) : "");
  } else if (s[2] === 1) {
    out += h.lane.isP ? "\nM" + s[6] + " held this P" : "\nthis M held P" + s[6];
  } else {
    out += "\n" + esc(gLine(s[3])) + " was in a system call on this thread";
  }
  return out;
}
function esc(s) { return String(s).replace(/[&<>]/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;"}[c])); }

function select(g) {
  selected = g;
  const el = document.getElementById("sel");
  if (!g) { el.textContent = ""; draw(); return; }
  let n = 0, total = 0; const ps = new Set(), ms = new Set();
  D.lanes.forEach(l => l.slices.forEach(s => { if (s[2] === 0 && s[3] === g) { if (l.isP) { n++; total += s[1]; ps.add("P" + l.id); } else ms.add("M" + l.id); } }));
  el.textContent = "following " + gLine(g).replace("\n", ", ") + " — ran " + n + " time(s), " + fmt(total) +
                   " in all, on " + [...ps].join(" ") + " / " + [...ms].join(" ");
  draw();
}

function zoom(f, at) {
  const c = at ?? (view.t0 + view.t1) / 2;
  const span = Math.max(200, (view.t1 - view.t0) * f);
  view = {t0: c - (c - view.t0) * span / (view.t1 - view.t0), t1: 0};
  view.t1 = view.t0 + span;
  draw();
}
function pan(f) { const d = (view.t1 - view.t0) * f; view.t0 += d; view.t1 += d; draw(); }
function fit() { const pad = D.duration * 0.01; view = {t0: -pad, t1: Math.max(D.duration, 1000) + pad}; draw(); }

// The pointer in canvas coordinates (mouseup may arrive on another element).
function pos(e) { const r = canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; }
canvas.addEventListener("wheel", e => { e.preventDefault(); zoom(e.deltaY > 0 ? 1.25 : 0.8, t(pos(e)[0])); }, {passive: false});
let drag = null;
canvas.addEventListener("mousedown", e => { drag = {x: e.clientX, t0: view.t0, t1: view.t1, moved: false}; });
window.addEventListener("mouseup", e => {
  if (drag && !drag.moved) { const h = find(...pos(e)); select(h && (h.slice ? h.slice[3] : h.instant[2]) || 0); }
  drag = null;
});
canvas.addEventListener("mousemove", e => {
  if (drag) {
    const dx = e.clientX - drag.x;
    if (Math.abs(dx) > 2) drag.moved = true;
    const dt = dx / (W - GUTTER - 8) * (drag.t1 - drag.t0);
    view = {t0: drag.t0 - dt, t1: drag.t1 - dt};
    draw();
    return;
  }
  const h = find(...pos(e));
  if (!h) { tip.style.display = "none"; return; }
  tip.innerHTML = describe(h);
  tip.style.display = "block";
  const tx = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
  tip.style.left = tx + "px"; tip.style.top = (e.clientY + 16) + "px";
});
canvas.addEventListener("mouseleave", () => { tip.style.display = "none"; });
window.addEventListener("keydown", e => {
  const k = e.key.toLowerCase();
  if (k === "w") zoom(0.7); else if (k === "s") zoom(1.4); else if (k === "a") pan(-0.2); else if (k === "d") pan(0.2); else if (k === "0") fit();
});
document.getElementById("fit").onclick = fit;
document.getElementById("zin").onclick = () => zoom(0.5);
document.getElementById("zout").onclick = () => zoom(2);
window.addEventListener("resize", resize);

// legend and summary
const lg = document.getElementById("legend");
lg.innerHTML = '<span><span class="sw" style="background:' + gColour(7) + '"></span><span class="sw" style="background:' + gColour(12) +
  '"></span>goroutine running (a colour per G)</span><span><span class="sw" style="background:#d4d8de"></span>M holding the P (P lane) / ' +
  '<span class="sw" style="background:#cfdcea"></span>P held (M lane)</span><span><span class="sw" style="background:#f0a030"></span>in a system call</span>' +
  D.kinds.map(([cat, label, colour]) => '<span><span class="tri" style="border-top-color:' + colour + '"></span>' + esc(label) + "</span>").join("");
const nP = D.lanes.filter(l => l.isP).length, nM = D.lanes.length - nP;
document.getElementById("summary").textContent = fmt(D.duration) + " traced · " + D.events + " events · " +
  Object.keys(D.gs).length + " goroutines · " + nP + " P lane(s), " + nM + " M lane(s)";

fit();
const hp = new URLSearchParams(location.hash.slice(1));
if (hp.has("from") && hp.has("to")) view = {t0: parseFloat(hp.get("from")) * 1e6, t1: parseFloat(hp.get("to")) * 1e6};
if (hp.has("g")) select(parseInt(hp.get("g")));
resize();
</script>
</body></html>
"""


def main():
    ap = argparse.ArgumentParser(description="GORT_TRACE JSON -> standalone HTML timeline")
    ap.add_argument("trace")
    ap.add_argument("-o", "--output", help="the HTML file (default: TRACE with .html)")
    ap.add_argument("--title", help="the page title (default: the trace's file name)")
    a = ap.parse_args()
    out = a.output or os.path.splitext(a.trace)[0] + ".html"
    data = load(a.trace)
    title = a.title or "gort execution trace: " + os.path.basename(a.trace)
    blob = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    page = PAGE.replace("__TITLE__", html.escape(title)).replace("__DATA__", blob)
    with open(out, "w") as f:
        f.write(page)
    print(out)


if __name__ == "__main__":
    sys.exit(main())
