'use strict';
// The Chromium flags from the project's notes on running a real browser call
// on these machines (shared/reference/real-browser.md), shared by record.js
// and ingest/drive.js.
module.exports.CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream', '--allow-loopback-in-peer-connection',
  '--enable-logging=stderr', '--v=0',
];
