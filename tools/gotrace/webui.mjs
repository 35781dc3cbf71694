// webui.mjs — checks that `go tool trace`'s web UI shows a trace: drives
// headless Chromium (through playwright-core) over a running `go tool
// trace -http=ADDR` server, as a person would click through it, and fails
// unless
//   - the start page links a "View trace" range and goroutine analysis;
//   - /jsontrace for that range has slices on P lanes ("Proc N") and
//     goroutine slices ("G7 fn") among them;
//   - the /trace page, once the trace viewer's web components have loaded
//     and imported that JSON, holds a model with P lanes carrying slices,
//     and shows no "Import error" overlay;
//   - goroutine analysis lists a function, and the goroutine-oriented view
//     of one of its goroutines (/jsontrace?goid=N) has that goroutine's slices.
// Screenshots of the pages go to OUTDIR (index, goroutines, goroutine,
// trace .png), for a person to look at.
//
// Usage: node webui.mjs http://127.0.0.1:PORT OUTDIR (tools/gotrace/webui.sh
// starts the server; playwright-core resolvable from NODE_PATH; Chromium at
// $CHROMIUM or /usr/bin/chromium)
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

const base = process.argv[2];
const out = process.argv[3] || ".";
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";

let passed = 0;
let failed = 0;
function check(ok, what) {
  if (ok) {
    passed++;
    console.log("ok   " + what);
  } else {
    failed++;
    console.log("FAIL " + what);
  }
}

async function text(p) {
  const r = await fetch(base + p);
  if (!r.ok) throw new Error(p + ": HTTP " + r.status);
  return r.text();
}

// The viewer's JSON for a /trace link's query: slices per lane, Go's shape
// (cmd/trace/trace.go generateTrace: pid 0 holds the P lanes, tid = P, and
// the Network, Timers, Syscalls and GC lanes, tid >= 1000000).
async function jsontrace(query) {
  const j = JSON.parse(await text("/jsontrace?" + query));
  const names = new Map();  // tid -> lane name
  for (const e of j.traceEvents) if (e.ph === "M" && e.name === "thread_name" && e.pid === 0) names.set(e.tid, e.args.name);
  const slices = j.traceEvents.filter((e) => e.ph === "X" && e.pid === 0);
  return { events: j.traceEvents.length, names, slices };
}

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));

// The viewer builds tr-ui-timeline-view once WebComponentsReady fires (the
// HTML Imports polyfill has loaded trace_viewer_full.html), then fetches
// /jsontrace and imports it into viewer.model; an import error shows an
// overlay instead. Polls until one of the two (Chromium's own
// --screenshot takes its picture long before either: a blank page).
async function viewTrace(query, shot) {
  await page.goto(base + "/trace?" + query, { waitUntil: "load", timeout: 300000 });
  let st = null;
  for (let i = 0; i < 600; i++) {
    st = await page.evaluate(() => {
      const overlays = Array.from(document.querySelectorAll("tr-ui-b-overlay"), (o) => (o.title || "") + ": " + o.textContent.trim().slice(0, 300));
      const v = document.getElementById("trace-viewer");
      if (!v || !v.model || v.model.bounds.isEmpty) return { done: overlays.length > 0, overlays, lanes: [] };
      const lanes = v.model.getAllThreads().map((t) => ({ process: t.parent.name || String(t.parent.pid), name: t.name || String(t.tid), slices: t.sliceGroup.length }));
      return { done: true, overlays, lanes };
    });
    if (st.done) break;
    await page.waitForTimeout(500);
  }
  await page.waitForTimeout(1000);  // let the canvas draw
  await page.screenshot({ path: path.join(out, shot) });
  console.log("     " + path.join(out, shot));
  return st;
}

try {
  const index = await text("/");
  const ranges = Array.from(index.matchAll(/href="\/trace\?([^"]*)"/g), (m) => m[1].replace(/&amp;/g, "&"));
  if (ranges.length === 0 && /href="\/trace"/.test(index)) ranges.push("");
  check(ranges.length > 0, `start page links view trace (${ranges.length} range(s))`);
  check(/href="\/goroutines"/.test(index), "start page links goroutine analysis");
  await page.goto(base + "/", { waitUntil: "load" });
  await page.screenshot({ path: path.join(out, "index.png") });

  // The first range, as a person clicks "View trace" (or its first part).
  const query = ranges[0] || "";
  const jt = await jsontrace(query);
  const pLanes = new Set(jt.slices.filter((e) => e.tid < 1000000).map((e) => e.tid));
  const gSlices = jt.slices.filter((e) => e.tid < 1000000 && /^G\d+ /.test(e.name));
  check(pLanes.size > 0, `/jsontrace?${query}: ${jt.events} events, slices on ${pLanes.size} P lane(s)`);
  check(gSlices.length > 0, `/jsontrace?${query}: ${gSlices.length} goroutine slices on P lanes (first: ${gSlices.length ? gSlices[0].name : "none"})`);

  const st = await viewTrace(query, "trace.png");
  const procs = st.lanes.filter((l) => /^Proc \d+$/.test(l.name) && l.slices > 0);
  check(st.overlays.length === 0, "view trace: no error overlay" + (st.overlays.length ? ": " + st.overlays.join(" | ") : ""));
  check(procs.length > 0, "view trace: the viewer's model has P lanes with slices: " + procs.map((l) => `${l.name} ${l.slices}`).join(", "));

  // Goroutine analysis: the first function, then one of its goroutines.
  const gs = await text("/goroutines");
  const fn = gs.match(/href="(\/goroutine\?id=\d+)"/);
  check(fn !== null, "goroutine analysis lists a function" + (fn ? ": " + fn[1] : ""));
  await page.goto(base + "/goroutines", { waitUntil: "load" });
  await page.screenshot({ path: path.join(out, "goroutines.png") });
  if (fn !== null) {
    const one = await text(fn[1]);
    const g = one.match(/href="\/trace\?goid=(\d+)"/);
    check(g !== null, `${fn[1]} lists goroutines` + (g ? ` (first: ${g[1]})` : ""));
    await page.goto(base + fn[1], { waitUntil: "load" });
    await page.screenshot({ path: path.join(out, "goroutine.png") });
    if (g !== null) {
      const gt = await jsontrace("goid=" + g[1]);
      const mine = gt.slices.filter((e) => e.tid === Number(g[1]));
      check(mine.length > 0, `/jsontrace?goid=${g[1]}: ${mine.length} slices on the goroutine's own lane`);
    }
  }
  check(errors.length === 0, "no page threw" + (errors.length ? ": " + errors.slice(0, 3).join(" | ") : ""));
} catch (e) {
  check(false, String(e));
}
await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
