// Viewer benchmark: Kartenn's Rust/Canvas2D viewer against OpenLayers, side by side in one run,
// in headless Chromium (software rendering), on the same server, tiles, styles and viewport.
//
//   node bench/viewer/run.mjs [--runs 3] [--only demo|france] [--kartenn PATH] [--dist DIR]
//
// (`cargo xtask bench viewer` builds everything first and runs this.)
//
// For each dataset (the bundled demo, and the 37 395 communes of France) and each viewer it
// measures, over several fresh browser contexts (cold HTTP cache, warm tile cache):
// - time to the first complete map: navigation start → every visible tile loaded and drawn
//   (Kartenn's `data-ready`, OpenLayers' `rendercomplete`);
// - frames during a scripted 5 s drag pan and a wheel zoom-in/zoom-out sequence: the main
//   thread's work per frame (animation-frame callbacks, style, layout, paint, canvas raster),
//   the interval between frames, and frames that missed the 60 Hz deadline;
// - the gzipped size of the viewer's wasm + JS.
// It prints a table and writes it to target/bench/viewer/results.md (and results.json).
//
// Everything listens on 127.0.0.1; the server and the browser started here are stopped by PID.

import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const OUT = join(ROOT, 'target/bench/viewer');
const VIEWPORT = { width: 1280, height: 800 };
const FRAME_BUDGET_MS = 1000 / 60;

const args = parseArgs(process.argv.slice(2));
const RUNS = Number(args.runs ?? 3);
const KARTENN = resolve(args.kartenn ?? join(ROOT, 'target/release/kartenn'));
const DIST = resolve(args.dist ?? join(ROOT, 'dist'));
const DATA = resolve(args.data ?? join(ROOT, '../shared/data'));
const CHROMIUM = args.chromium ?? '/usr/bin/chromium';

const DATASETS = [
  { name: 'demo', title: 'demo (Brittany: 4 layers, rules, labels)', config: null },
  {
    name: 'france',
    title: 'communes of France (37 395 polygons)',
    config: (data) => `[map]\ncenter = [2.4, 46.6]\nzoom = 6.3\n` +
      `[[layers]]\nid = "communes"\ntitle = "Communes"\npath = "${join(data, 'fr_communes.fgb')}"\n` +
      `[layers.style]\nfill = "#f3c97a"\nstroke = "#9c6b30"\nstroke_width = 0.6\n`,
  },
].filter((d) => !args.only || d.name === args.only);

const VIEWERS = [
  { name: 'Kartenn', path: '/' },
  { name: 'OpenLayers 10.11', path: '/ol/index.html' },
];

// Injected before any page script: frame timing and readiness, the same for both viewers.
// Our animation-frame callback is registered first, so it runs first in every frame; a message
// posted from it runs as the next task, after the frame's callbacks, style, layout and paint.
const INSTRUMENT = `(() => {
  const b = window.__bench = { ready: [], frames: [], recording: false };
  const channel = new MessageChannel();
  let start = 0, stamp = 0;
  channel.port1.onmessage = () => {
    if (b.recording) b.frames.push([stamp, start, performance.now()]);
  };
  const tick = (t) => {
    start = performance.now();
    stamp = t;
    channel.port2.postMessage(0);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.target.getAttribute('data-ready') === 'true' && r.oldValue !== 'true') b.ready.push(performance.now());
    }
  }).observe(document, { subtree: true, attributes: true, attributeOldValue: true, attributeFilter: ['data-ready'] });
})();`;

main().catch((err) => {
  console.error(`viewer benchmark failed: ${err.stack ?? err}`);
  process.exitCode = 1;
});

async function main() {
  for (const need of [KARTENN, join(DIST, 'index.html'), join(HERE, 'ol-page/dist/bundle.js'), CHROMIUM]) {
    if (!existsSync(need)) throw new Error(`missing ${need} (run \`cargo xtask bench viewer\`)`);
  }
  mkdirSync(OUT, { recursive: true });
  const www = join(OUT, 'www');
  rmSync(www, { recursive: true, force: true });
  cpSync(DIST, www, { recursive: true });
  cpSync(join(HERE, 'ol-page/dist'), join(www, 'ol'), { recursive: true });
  cpSync(join(HERE, 'ol-page/index.html'), join(www, 'ol/index.html'));

  const sizes = {
    Kartenn: gzSize(DIST, (f) => f.endsWith('.wasm') || f.endsWith('.js')),
    'OpenLayers 10.11': gzSize(join(HERE, 'ol-page/dist'), (f) => f.endsWith('.js')),
  };
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const results = [];
  try {
    for (const dataset of DATASETS) {
      const server = await startKartenn(dataset, www);
      try {
        for (const viewer of VIEWERS) {
          log(`${dataset.name} · ${viewer.name}: warm-up`);
          await measure(browser, server.url + viewer.path, viewer.name);
          const runs = [];
          for (let i = 0; i < RUNS; i += 1) {
            log(`${dataset.name} · ${viewer.name}: run ${i + 1}/${RUNS}`);
            runs.push(await measure(browser, server.url + viewer.path, viewer.name));
          }
          results.push({ dataset: dataset.name, title: dataset.title, viewer: viewer.name, ...summarise(runs) });
        }
      } finally {
        server.stop();
      }
    }
  } finally {
    await browser.close();
  }
  const table = report(results, sizes);
  console.log(`\n${table}`);
  writeFileSync(join(OUT, 'results.md'), table);
  writeFileSync(join(OUT, 'results.json'), JSON.stringify({ sizes, results }, null, 2));
  log(`written to ${join(OUT, 'results.md')}`);
}

/** One visit: load, wait for the complete map, pan for 5 s, zoom in and out. */
async function measure(browser, url, viewer) {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  try {
    const page = await context.newPage();
    await page.addInitScript(INSTRUMENT);
    await page.goto(url);
    const load = await waitReady(page, -1, 30_000);
    await page.waitForTimeout(500);
    const cx = VIEWPORT.width / 2;
    const cy = VIEWPORT.height / 2;

    // A 5 s drag along a figure of eight (±250 × ±150 px), one pointer move every 16 ms.
    await record(page, true);
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    const t0 = Date.now();
    for (let t = 0; t < 5000; t = Date.now() - t0) {
      const a = (2 * Math.PI * t) / 5000;
      await page.mouse.move(cx + 250 * Math.sin(a), cy + 150 * Math.sin(2 * a));
      await sleep(16);
    }
    await page.mouse.move(cx, cy);
    await sleep(150); // hold still: no fling
    await page.mouse.up();
    const pan = await record(page, false);
    await settle(page);

    // Zoom in six wheel steps of 100 px and out six (2 levels each way in both viewers),
    // 300 ms apart, then wait for the complete map.
    await record(page, true);
    const startZoom = await zoomLevel(page);
    let lastWheel = 0;
    let deepest = startZoom;
    const steps = [...Array(6).fill(-100), ...Array(6).fill(100)];
    for (const [i, dy] of steps.entries()) {
      lastWheel = await page.evaluate(() => performance.now());
      await page.mouse.wheel(0, dy);
      await sleep(300);
      if (i === 5) deepest = await zoomLevel(page);
    }
    const zoomReady = await waitReady(page, lastWheel, 30_000);
    const zoom = await record(page, false);
    return { load, pan, zoom, zoomSettle: zoomReady - lastWheel, zoomIn: deepest - startZoom, viewer };
  } finally {
    await context.close();
  }
}

async function record(page, on) {
  return page.evaluate((on) => {
    const b = window.__bench;
    b.recording = on;
    const frames = b.frames;
    b.frames = [];
    return frames;
  }, on);
}

async function readyCount(page) {
  return page.evaluate(() => window.__bench.ready.length);
}

/** The time of the first "ready" (complete map) later than `after` (ms since navigation). */
async function waitReady(page, after, timeout) {
  const handle = await page.waitForFunction(
    (after) => window.__bench.ready.find((t) => t > after) ?? false,
    after, { timeout, polling: 50 },
  );
  return handle.jsonValue();
}

/** The map's zoom level, read from each viewer's own state. */
async function zoomLevel(page) {
  return page.evaluate(() => (window.__map
    ? window.__map.getView().getZoom()
    : Number(document.querySelector('.map').dataset.zoom)));
}

/** Waits until the map is complete and has stayed so for 300 ms. */
async function settle(page) {
  for (let i = 0; i < 100; i += 1) {
    const before = await readyCount(page);
    await sleep(300);
    const quiet = await page.evaluate((before) => {
      const m = document.querySelector('.map');
      const busy = m ? m.dataset.ready !== 'true' : false;
      return !busy && window.__bench.ready.length === before;
    }, before);
    if (quiet) return;
  }
}

function summarise(runs) {
  const frames = (key) => runs.flatMap((r) => r[key]);
  const work = (fs) => fs.map(([, start, end]) => end - start);
  const intervals = (fs) => {
    const out = [];
    for (let i = 1; i < fs.length; i += 1) out.push(fs[i][0] - fs[i - 1][0]);
    return out;
  };
  const stats = (fs) => {
    const w = work(fs);
    const iv = intervals(fs);
    return {
      frames: fs.length,
      work: { p50: pct(w, 50), p95: pct(w, 95), max: Math.max(...w) },
      interval: { p50: pct(iv, 50), p95: pct(iv, 95), max: Math.max(...iv) },
      missed: iv.filter((d) => d > 1.5 * FRAME_BUDGET_MS).length / Math.max(1, iv.length),
    };
  };
  return {
    runs: runs.length,
    load: { median: median(runs.map((r) => r.load)), max: Math.max(...runs.map((r) => r.load)) },
    zoomSettle: median(runs.map((r) => r.zoomSettle)),
    zoomIn: median(runs.map((r) => r.zoomIn)),
    pan: stats(frames('pan')),
    zoom: stats(frames('zoom')),
  };
}

function report(results, sizes) {
  const f = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  const lines = [
    `Viewer benchmark: headless Chromium (software rendering), ${VIEWPORT.width}×${VIEWPORT.height} CSS px at ` +
      `device pixel ratio 1, ${RUNS} runs per viewer after a warm-up, server on loopback.`,
    '',
    '| data | viewer | first complete map (median / max) | pan: frame work p50 / p95 / max | pan: missed frames | ' +
      'zoom: frame work p50 / p95 / max | zoom: missed frames | zoom-in depth | complete after last notch |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    lines.push(`| ${r.dataset} | ${r.viewer} | ${f(r.load.median)} / ${f(r.load.max)} ms | ` +
      `${f(r.pan.work.p50)} / ${f(r.pan.work.p95)} / ${f(r.pan.work.max)} ms | ${(100 * r.pan.missed).toFixed(1)} % | ` +
      `${f(r.zoom.work.p50)} / ${f(r.zoom.work.p95)} / ${f(r.zoom.work.max)} ms | ${(100 * r.zoom.missed).toFixed(1)} % | ` +
      `${r.zoomIn.toFixed(2)} levels | ${f(r.zoomSettle)} ms |`);
  }
  lines.push('', '| viewer | wasm + JS, gzip -9 |', '|---|---|');
  for (const [name, bytes] of Object.entries(sizes)) lines.push(`| ${name} | ${(bytes / 1024).toFixed(0)} KB |`);
  lines.push('', 'Ratios (Kartenn / OpenLayers; below 1 is better for Kartenn):', '');
  for (const dataset of new Set(results.map((r) => r.dataset))) {
    const [k, o] = ['Kartenn', 'OpenLayers 10.11'].map((v) => results.find((r) => r.dataset === dataset && r.viewer === v));
    if (!k || !o) continue;
    lines.push(`- ${dataset}: first map ${(k.load.median / o.load.median).toFixed(2)}×, ` +
      `pan p95 work ${(k.pan.work.p95 / o.pan.work.p95).toFixed(2)}×, ` +
      `zoom p95 work ${(k.zoom.work.p95 / o.zoom.work.p95).toFixed(2)}×, ` +
      `zoom settle ${(k.zoomSettle / o.zoomSettle).toFixed(2)}×`);
  }
  lines.push(`- size: ${(sizes.Kartenn / sizes['OpenLayers 10.11']).toFixed(2)}×`, '');
  return lines.join('\n');
}

async function startKartenn(dataset, www) {
  const port = await freePort();
  const cmd = [KARTENN, 'serve', '--bind', `127.0.0.1:${port}`];
  if (dataset.config) {
    const conf = join(OUT, `${dataset.name}.toml`);
    writeFileSync(conf, dataset.config(DATA));
    cmd.push('-c', conf);
  }
  const child = spawn(cmd[0], cmd.slice(1), {
    env: { ...process.env, KARTENN_VIEWER_DIR: www, KARTENN_LOG: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  };
  for (let i = 0; i < 200; i += 1) {
    if (child.exitCode !== null) throw new Error(`kartenn exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  stop();
  throw new Error('kartenn did not start in 10 s');
}

function gzSize(dir, keep) {
  return readdirSync(dir).filter(keep)
    .reduce((sum, f) => sum + gzipSync(readFileSync(join(dir, f)), { level: 9 }).length, 0);
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

function pct(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function median(values) {
  return pct(values, 50);
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 1) {
    if (!argv[i].startsWith('--')) throw new Error(`unexpected argument ${argv[i]}`);
    out[argv[i].slice(2)] = argv[i + 1];
    i += 1;
  }
  return out;
}

function sleep(ms) {
  return new Promise((ok) => setTimeout(ok, ms));
}

function log(msg) {
  console.log(`==> ${msg}`);
}
