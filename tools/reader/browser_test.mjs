// browser_test.mjs — drives headless Chromium over the reader's site
// (tools/reader/reader.py) from file://, as a reader would open it:
//   - on every page, every row's Go side and gort side start level (within
//     3 px) once the row is scrolled to;
//   - every link resolves: in-page anchors exist, links to other pages name
//     a page that exists and an id on it;
//   - no page logs a console error or throws;
//   - the index's search box narrows the function list;
// and writes a screenshot of proc.go beside proc.cpp at findRunnable to
// SITE/findRunnable.png for the docs.
//
// Usage: node browser_test.mjs SITE_DIR  (playwright-core resolvable from
// NODE_PATH; Chromium at $CHROMIUM or /usr/bin/chromium)
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

const site = path.resolve(process.argv[2] || "build/site");
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const url = (p) => pathToFileURL(path.join(site, p)).href;

let passed = 0;
let failed = 0;
function check(ok, what) {
  if (ok) passed++;
  else {
    failed++;
    console.log("FAIL: " + what);
  }
}

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--allow-file-access-from-files"] });
const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
const page = await context.newPage();
let errors = [];
page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
page.on("pageerror", (e) => errors.push(String(e)));

const { pages } = JSON.parse(fs.readFileSync(path.join(site, "site.json"), "utf8"));
const docs = fs.readdirSync(path.join(site, "docs")).filter((f) => f.endsWith(".html")).map((f) => "docs/" + f);
const ids = new Map();       // page -> Set of ids
const outLinks = [];         // [from, resolved page, id]

async function visit(p) {
  errors = [];
  await page.goto(url(p), { waitUntil: "load" });
  const info = await page.evaluate(() => {
    const idset = Array.from(document.querySelectorAll("[id]"), (e) => e.id);
    const links = Array.from(document.querySelectorAll("a[href]"), (a) => a.getAttribute("href"));
    return { idset, links };
  });
  ids.set(p, new Set(info.idset));
  const here = new Set(info.idset);
  let inPage = 0;
  for (const href of info.links) {
    if (href.startsWith("#")) {
      inPage++;
      if (!here.has(decodeURIComponent(href.slice(1)))) check(false, `${p}: in-page link ${href} has no target`);
      continue;
    }
    if (/^[a-z]+:/.test(href)) {
      check(false, `${p}: link leaves the site: ${href}`);
      continue;
    }
    const [file, frag] = href.split("#");
    outLinks.push([p, path.normalize(path.join(path.dirname(p), file)), frag]);
  }
  check(true, `${p}: ${inPage} in-page links`);
  check(errors.length === 0, `${p}: console errors: ${errors.join(" | ")}`);
}

// 1. Every pair page: rows level after scrolling to each.
for (const p of pages) {
  await visit(p);
  const misaligned = await page.evaluate(() => {
    const bad = [];
    let n = 0;
    for (const row of document.querySelectorAll(".row")) {
      const l = row.querySelector(".cell.left > .piece, .cell.left > details");
      const r = row.querySelector(".cell.right > .piece");
      if (!l || !r) continue;
      row.scrollIntoView();
      const dl = l.getBoundingClientRect().top, dr = r.getBoundingClientRect().top;
      n++;
      if (Math.abs(dl - dr) > 3) bad.push(`${row.id || "(row)"}: ${dl.toFixed(1)} vs ${dr.toFixed(1)}`);
    }
    return { n, bad };
  });
  if (misaligned.n === 0) console.log(`note: ${p} has no function pair (nothing of it is ported yet)`);
  check(misaligned.bad.length === 0, `${p}: ${misaligned.bad.length} of ${misaligned.n} pairs not level: ${misaligned.bad.slice(0, 5).join("; ")}`);
}

// 2. Following a call link moves both sides to the callee's row.
await page.goto(url("proc.go.html"), { waitUntil: "load" });
const followed = await page.evaluate(async () => {
  const a = document.querySelector('.cell.right a.call[href="#fn-proc_go_runqget"]');
  if (!a) return "no link to runqget in gort's side";
  a.click();
  await new Promise((r) => setTimeout(r, 100));
  const row = document.getElementById("fn-proc_go_runqget");
  const t = row.getBoundingClientRect().top;
  const l = row.querySelector(".cell.left > .piece").getBoundingClientRect().top;
  const r = row.querySelector(".cell.right > .piece").getBoundingClientRect().top;
  if (t < 0 || t > window.innerHeight / 2) return `row not brought to the top: ${t}`;
  if (Math.abs(l - r) > 3) return `sides not level: ${l} vs ${r}`;
  return "";
});
check(followed === "", `proc.go.html: a call link moves both panes: ${followed}`);

// 3. The index and its search box; the docs.
await visit("index.html");
await page.fill("#search", "findrunnable");
const shown = await page.evaluate(() => Array.from(document.querySelectorAll("#functions li"))
  .filter((li) => !li.hidden).map((li) => li.dataset.name));
check(shown.length > 0 && shown.every((n) => n.includes("findrunnable")), `index search: shown ${shown.join(",")}`);
for (const d of docs) await visit(d);

// 4. Links to other pages resolve (their ids were collected on visit).
for (const [from, target, frag] of outLinks) {
  if (!fs.existsSync(path.join(site, target))) {
    if (!fs.existsSync(path.resolve(site, target))) check(false, `${from}: link to missing file ${target}`);
    continue;
  }
  if (!frag || !target.endsWith(".html")) continue;  // a source file of the repository: no ids to check
  let set = ids.get(target);
  if (!set) {
    await page.goto(url(target), { waitUntil: "load" });
    set = new Set(await page.evaluate(() => Array.from(document.querySelectorAll("[id]"), (e) => e.id)));
    ids.set(target, set);
  }
  check(set.has(decodeURIComponent(frag)), `${from}: link to ${target}#${frag} has no target`);
}

// 5. The screenshot the docs show.
await page.goto(url("proc.go.html") + "#fn-proc_go_findRunnable", { waitUntil: "load" });
await page.waitForTimeout(200);
await page.screenshot({ path: path.join(site, "findRunnable.png") });
check(fs.existsSync(path.join(site, "findRunnable.png")), "screenshot written");

await browser.close();
console.log(`reader browser test: ${pages.length} pages, ${docs.length} docs, ${outLinks.length} cross-page links`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
