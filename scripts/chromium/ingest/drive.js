#!/usr/bin/env node
// Drives the ingest page in headless Chromium for a test: opens URL, reports
// on stdout when the page is open and when its call is connected, waits for a
// line on stdin (or its end), closes the page as a user closing the tab
// would, and exits.
//
//   node drive.js URL [--chromium PATH] [--limit SECONDS]
//
// Stdout gets one line per step, "drive: opened", "drive: connected",
// "drive: closed", and "drive: error ..." when the call fails; everything
// else (the page's console, Chromium's complaints) goes to stderr. --limit
// (default 120) bounds the whole run: past it the driver exits with 2.
// Run it inside a network namespace with only loopback, as the Go test does
// (cmd/calltop/ingest_chromium_test.go).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const readline = require('readline');
const { chromium } = require('playwright-core');

const { CHROMIUM_FLAGS } = require('../flags');

function parseArgs(argv) {
  const opts = { chromium: '/usr/bin/chromium', limit: 120, positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--chromium') opts.chromium = argv[++i];
    else if (a === '--limit') opts.limit = Number(argv[++i]);
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else opts.positional.push(a);
  }
  if (opts.positional.length !== 1) throw new Error('usage: drive.js URL [--chromium PATH] [--limit SECONDS]');
  if (!Number.isFinite(opts.limit) || opts.limit <= 0) throw new Error('--limit must be a positive number of seconds');
  [opts.url] = opts.positional;
  return opts;
}

const say = (line) => process.stdout.write(`drive: ${line}\n`);

// lineOnStdin resolves at the first line on stdin, or when stdin ends.
function lineOnStdin() {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin });
    const done = () => {
      rl.close();
      process.stdin.destroy(); // nothing more is read: let the process end
      resolve();
    };
    rl.once('line', done);
    rl.once('close', done);
  });
}

// waitConnected polls the page's callState until its call is connected (or
// stopped() says the wait is over).
async function waitConnected(page, stopped) {
  while (!stopped()) {
    const st = await page.evaluate(() => window.callState && { phase: window.callState.phase, error: window.callState.error });
    if (st && st.phase === 'connected') return;
    if (st && (st.phase === 'error' || st.phase === 'ended')) throw new Error(`the call did not connect: ${st.phase} ${st.error || ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const limit = setTimeout(() => {
    console.error(`drive.js: still running after ${opts.limit} s; giving up`);
    process.exit(2);
  }, opts.limit * 1000);
  limit.unref();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'calltop-ingest-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: opts.chromium, headless: true, args: CHROMIUM_FLAGS, timeout: 60000,
    });
    const page = context.pages()[0] || await context.newPage();
    page.on('console', (m) => console.error(`page ${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await page.goto(opts.url, { timeout: 30000 });
    say('opened');
    // The call runs for the page's duration= (long by default: the test says
    // when to stop); connected is only reported, the test decides what it saw.
    let stopped = false;
    const stop = lineOnStdin().then(() => { stopped = true; });
    const connected = waitConnected(page, () => stopped).then(() => { if (!stopped) say('connected'); });
    connected.catch(() => {}); // once stopped, a poll cut short by the close is no failure
    await Promise.race([stop, connected]); // a call that fails before the stop fails the run
    await stop;
    // As a user closing the tab: no hang-up first, no unload handler skipped.
    await page.close({ runBeforeUnload: false });
    say('closed');
  } finally {
    if (context) await context.close().catch((e) => console.error(`closing Chromium: ${e.message}`));
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (err) => {
  say(`error ${err.message.split('\n')[0]}`);
  console.error(`drive.js: ${err.stack || err.message}`);
  process.exit(1);
});
