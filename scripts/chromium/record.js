#!/usr/bin/env node
// Records a chrome://webrtc-internals dump of a loopback call in headless Chromium.
//
//   node record.js SCENARIO OUT [--duration S] [--chromium PATH] [--keep-profile]
//                  [--keep-removed] [--rtcstats OUT2]
//
// SCENARIO is "clean" or a comma list of problems, each optionally "@seconds"
// (see page/call.js): e.g. "bitrate-cap", "mic-off@20", "bitrate-cap@10,pc-close@25".
// OUT ending in ".gz" keeps Chrome's own gzip output ("Compress result" ticked);
// otherwise the page's uncompressed JSON is saved. --rtcstats OUT2 also saves the
// page's other download, Chrome's own "rtcstats dump" (always gzip). Next to OUT
// goes OUT.meta.json (browser version, dates, what was induced when). Run it
// through record-webrtc-internals.sh, which puts it in a network namespace with
// only loopback.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const { chromium } = require('playwright-core');

const { CHROMIUM_FLAGS } = require('./flags');

function parseArgs(argv) {
  const opts = { duration: 40, chromium: '/usr/bin/chromium', keepProfile: false, keepRemoved: false, rtcstats: null, positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--duration') opts.duration = Number(argv[++i]);
    else if (a === '--chromium') opts.chromium = argv[++i];
    else if (a === '--keep-profile') opts.keepProfile = true;
    else if (a === '--keep-removed') opts.keepRemoved = true;
    else if (a === '--rtcstats') opts.rtcstats = argv[++i];
    else if (a === '--tries') i++; // the shell wrapper's retry count
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else opts.positional.push(a);
  }
  if (opts.positional.length !== 2) throw new Error('usage: record.js SCENARIO OUT [--duration S]');
  if (!Number.isFinite(opts.duration) || opts.duration < 5 || opts.duration > 600) {
    throw new Error('--duration must be between 5 and 600 seconds');
  }
  [opts.scenario, opts.out] = opts.positional;
  opts.induce = opts.scenario === 'clean' ? '' : opts.scenario;
  return opts;
}

// serve serves page/ on 127.0.0.1 at a free port; resolves to the server.
function serve(root) {
  const types = { '.html': 'text/html', '.js': 'text/javascript' };
  const server = http.createServer((req, res) => {
    const name = path.basename(new URL(req.url, 'http://127.0.0.1').pathname);
    if (name === 'favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const file = path.join(root, name);
    if (!types[path.extname(name)] || !fs.existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(name)], 'cache-control': 'no-store' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

// waitForCall polls the page's callState until done, with a hard deadline.
async function waitForCall(page, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let seen = 0;
  for (;;) {
    const state = await page.evaluate(() => window.callState);
    for (; seen < state.events.length; seen++) {
      const e = state.events[seen];
      const t = e.sinceConnectedSec === null ? '-' : `t+${e.sinceConnectedSec.toFixed(1)}s`;
      console.log(`call: ${t} ${e.what} ${e.detail}`);
    }
    if (state.done) return state;
    if (Date.now() > deadline) throw new Error(`call not done after ${timeoutMs / 1000} s (phase ${state.phase})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

// saveDump clicks the internals page's own download button and saves the file it produces.
async function saveDump(internals, out) {
  await internals.click('summary:has-text("Create a WebRTC-Internals dump")');
  await internals.setChecked('#dump-checkbox', out.endsWith('.gz'));
  const [download] = await Promise.all([
    internals.waitForEvent('download', { timeout: 30000 }),
    internals.click('#dump-click-target'),
  ]);
  await download.saveAs(out);
  return download.suggestedFilename();
}

// saveRtcStatsDump clicks the internals page's "rtcstats dump" button (Chrome always gzips it).
async function saveRtcStatsDump(internals, out) {
  const [download] = await Promise.all([
    internals.waitForEvent('download', { timeout: 30000 }),
    internals.click('#dump-click-target-rtcstats'),
  ]);
  await download.saveAs(out);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const out = path.resolve(opts.out);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'calltop-chromium-'));
  const server = await serve(path.join(__dirname, 'page'));
  const port = server.address().port;
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: opts.chromium, headless: true, args: CHROMIUM_FLAGS,
      acceptDownloads: true, timeout: 60000,
    });
    const browserVersion = context.browser() ? context.browser().version() : null;
    // The internals page records only connections created while it is open: open it first.
    const internals = context.pages()[0] || await context.newPage();
    internals.on('pageerror', (e) => console.error(`webrtc-internals page error: ${e.message}`));
    internals.on('console', (m) => { if (m.type() === 'error') console.error(`webrtc-internals: ${m.text()}`); });
    // ?keepRemovedConnections keeps a closed connection's data in the dump (Chrome's own switch).
    const internalsUrl = 'chrome://webrtc-internals' + (opts.keepRemoved ? '?keepRemovedConnections' : '');
    await internals.goto(internalsUrl, { timeout: 30000 });
    const callPage = await context.newPage();
    callPage.on('console', (m) => { if (m.type() === 'error') console.error(`page: ${m.text()}`); });
    // hangup=0: the dump is taken with the call still up, as a customer would during a bad
    // call (Chrome drops a connection from the internals page once it is closed).
    const query = new URLSearchParams({ duration: String(opts.duration), induce: opts.induce, hangup: '0' });
    const url = `http://127.0.0.1:${port}/call.html?${query}`;
    const startedAt = new Date();
    await callPage.goto(url, { timeout: 30000 });
    const state = await waitForCall(callPage, (opts.duration + 90) * 1000);
    if (state.phase === 'error') throw new Error(`the call failed: ${state.error}`);
    await internals.waitForTimeout(1500); // one more stats poll
    const userAgent = await internals.evaluate(() => navigator.userAgent);
    const savedAs = await saveDump(internals, out);
    if (opts.rtcstats) await saveRtcStatsDump(internals, path.resolve(opts.rtcstats));
    const meta = {
      tool: 'scripts/chromium/record-webrtc-internals.sh',
      scenario: opts.scenario, induce: opts.induce, durationSec: opts.duration,
      keepRemovedConnections: opts.keepRemoved,
      rtcstatsDump: opts.rtcstats ? path.basename(opts.rtcstats) : null,
      pageUrl: url.replace(/:\d+\//, ':PORT/'), browserVersion, userAgent,
      recordedAt: startedAt.toISOString(), chromeFileName: savedAs,
      connectedAt: state.connectedAt && new Date(state.connectedAt).toISOString(),
      endedAt: state.endedAt && new Date(state.endedAt).toISOString(),
      events: state.events.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
    };
    fs.writeFileSync(`${out}.meta.json`, JSON.stringify(meta, null, 1) + '\n');
    console.log(`saved ${out} (${fs.statSync(out).size} bytes; Chrome named it ${savedAs}) and ${out}.meta.json`);
    await callPage.evaluate(() => window.endCall('harness shutdown'));
  } finally {
    if (context) await context.close().catch((e) => console.error(`closing Chromium: ${e.message}`));
    server.close();
    if (!opts.keepProfile) fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`record.js: ${err.message}`);
  process.exit(1);
});
