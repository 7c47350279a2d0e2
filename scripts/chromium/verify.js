#!/usr/bin/env node
// Checks that a recorded webrtc-internals dump has the shape calltop's importer
// expects, that the machine was quiet enough for the call to be a fair sample,
// and that the dump shows the problems that were induced (read from DUMP.meta.json).
//
//   node verify.js DUMP [DUMP...]      (DUMP may be .gz; exit 1 if any check fails)
//
// It reads only the dump and its meta file; nothing here is invented.
'use strict';

const fs = require('fs');
const zlib = require('zlib');

function readDump(file) {
  let raw = fs.readFileSync(file);
  if (raw[0] === 0x1f && raw[1] === 0x8b) raw = zlib.gunzipSync(raw);
  return JSON.parse(raw.toString('utf8'));
}

// series returns {id -> {attr -> {statsType, startMs, values[]}}} for one peer
// connection. Keys are "<id>-<attr>"; current Chrome's ids hold no "-", and its
// own rate keys look like "<id>-[bytesSent_in_bits/s]", so the first "-" splits.
function series(pc) {
  const byId = {};
  for (const [key, s] of Object.entries(pc.stats || {})) {
    const dash = key.indexOf('-');
    if (dash < 0) throw new Error(`stats key without "-": ${key}`);
    if (typeof s.values !== 'string') throw new Error(`${key}: values is not a JSON string`);
    const values = JSON.parse(s.values);
    if (!Array.isArray(values)) throw new Error(`${key}: values does not hold an array`);
    const id = key.slice(0, dash);
    (byId[id] = byId[id] || {})[key.slice(dash + 1)] = { statsType: s.statsType, startMs: Date.parse(s.startTime), values };
  }
  return byId;
}

// points returns [{t, v}] for one attribute. An attribute can start later than
// its id (remoteId) and stop earlier (frameWidth once the track is gone), so the
// values are placed from the series' own startTime (whole ms) in the id's
// "<id>-timestamp" series, not from the end.
function points(byId, id, attr) {
  const ts = byId[id] && byId[id].timestamp ? byId[id].timestamp.values : [];
  const s = byId[id] && byId[id][attr];
  if (!s) return [];
  let first = ts.findIndex((t) => Math.abs(t - s.startMs) < 1);
  if (first < 0) first = ts.length - s.values.length;
  return s.values.map((v, i) => ({ t: ts[first + i], v }));
}

function idsOfType(byId, type) {
  return Object.keys(byId).filter((id) => Object.values(byId[id]).some((a) => a.statsType === type));
}

function stateChanges(pc, type) {
  return (pc.updateLog || []).filter((u) => u.type === type).map((u) => JSON.parse(u.value));
}

function isCaller(pc) {
  return (pc.updateLog || []).some((u) => u.type === 'createOffer');
}

function inducedAt(meta, name) {
  const e = meta.events.find((ev) => ev.what === 'induced' && ev.detail.startsWith(name + ':'));
  return e ? Date.parse(e.at) : null;
}

// firstProblemAt is when the first problem was induced (epoch ms), or Infinity.
function firstProblemAt(meta) {
  const times = meta.events.filter((e) => e.what === 'induced').map((e) => Date.parse(e.at));
  return times.length ? Math.min(...times) : Infinity;
}

// expectedSpanSec is how long the stats series should cover. Chromium 156 sends the
// internals page no more stats for a connection once its ICE is disconnected (the
// page's own getStats still answers), so with pc-close only the time until the close counts.
function expectedSpanSec(meta) {
  const close = meta.events.find((e) => e.what === 'induced' && e.detail.startsWith('pc-close:'));
  return close ? Math.min(meta.durationSec, close.sinceConnectedSec) : meta.durationSec;
}

// checkShape returns a list of failed checks about the dump's general form.
function checkShape(dump, meta) {
  const fails = [];
  for (const k of ['PeerConnections', 'UserAgent', 'getUserMedia']) if (!(k in dump)) fails.push(`no top-level ${k}`);
  const pcs = Object.entries(dump.PeerConnections || {});
  if (pcs.length === 0) fails.push('no peer connections');
  for (const [pcId, pc] of pcs) {
    const byId = series(pc);
    const withTs = Object.keys(byId).filter((id) => byId[id].timestamp);
    if (withTs.length === 0) fails.push(`${pcId}: no <id>-timestamp series`);
    for (const id of withTs) {
      const n = byId[id].timestamp.values.length;
      for (const [attr, s] of Object.entries(byId[id])) {
        if (s.values.length > n) fails.push(`${pcId} ${id}-${attr}: ${s.values.length} values > ${n} timestamps`);
      }
    }
    for (const t of ['inbound-rtp', 'outbound-rtp', 'candidate-pair']) {
      if (idsOfType(byId, t).length === 0) fails.push(`${pcId}: no ${t} stats`);
    }
    const log = pc.updateLog || [];
    if (log.length === 0) fails.push(`${pcId}: empty updateLog`);
    if (log.some((u) => typeof u.type !== 'string' || typeof u.value !== 'string' || typeof u.timestamp !== 'number')) {
      fails.push(`${pcId}: updateLog entry without string type/value and numeric timestamp`);
    }
    const ts = byId.P && byId.P.timestamp ? byId.P.timestamp.values : [];
    const spanSec = ts.length ? (ts[ts.length - 1] - ts[0]) / 1000 : 0;
    const want = meta ? expectedSpanSec(meta) : 0;
    if (spanSec < want * 0.8) fails.push(`${pcId}: stats span ${spanSec.toFixed(1)} s < 80 % of ${want} s`);
  }
  return fails;
}

// checkQuiet returns failed checks showing the machine was too busy for a fair
// sample (2 shared cores): a loopback call has no video freezes, no RTT spike and
// almost no concealed audio. Media the induced problems touch is checked only
// before the first one; the callee-to-caller media and the RTT, which only
// pc-close touches, until the close.
function checkQuiet(dump, meta) {
  const fails = [];
  const firstAt = firstProblemAt(meta);
  const closeAt = inducedAt(meta, 'pc-close') || Infinity;
  for (const [pcId, pc] of Object.entries(dump.PeerConnections || {})) {
    const byId = series(pc);
    const before = (id, attr, until) => points(byId, id, attr).filter((p) => p.t < until);
    const mediaUntil = isCaller(pc) ? closeAt : firstAt;
    for (const id of idsOfType(byId, 'inbound-rtp')) {
      const freezes = before(id, 'freezeCount', mediaUntil);
      const frozen = freezes.length > 1 ? freezes[freezes.length - 1].v - freezes[0].v : 0;
      if (frozen > 1) fails.push(`busy machine? ${pcId} ${id}: ${frozen} video freezes on loopback`);
      const concealed = before(id, 'concealedSamples', mediaUntil);
      const total = before(id, 'totalSamplesReceived', mediaUntil);
      if (concealed.length > 4 && total.length > 4) {
        const c = concealed[concealed.length - 1].v - concealed[2].v;
        const n = total[total.length - 1].v - total[2].v;
        if (n > 0 && c / n > 0.015) fails.push(`busy machine? ${pcId} ${id}: ${(100 * c / n).toFixed(1)} % of audio concealed on loopback`);
      }
    }
    for (const id of idsOfType(byId, 'candidate-pair')) {
      const rtt = before(id, 'currentRoundTripTime', closeAt).map((p) => p.v);
      if (rtt.length && Math.max(...rtt) > 0.1) fails.push(`busy machine? ${pcId} ${id}: loopback RTT up to ${Math.max(...rtt)} s`);
    }
  }
  return fails;
}

// checkProblems returns failed checks about what the scenario should show.
function checkProblems(dump, meta) {
  const fails = [];
  const pcs = Object.values(dump.PeerConnections || {});
  const caller = pcs.find(isCaller);
  if (!caller) return ['no caller connection (none with createOffer in its updateLog)'];
  const byId = series(caller);
  const video = idsOfType(byId, 'outbound-rtp').find((id) => byId[id].frameWidth);
  const source = idsOfType(byId, 'media-source').find((id) => byId[id].audioLevel);
  const after = (id, attr, at) => points(byId, id, attr).filter((p) => p.t > at).map((p) => p.v);
  const induce = meta.induce ? meta.induce.split(',').map((s) => s.split('@')[0]) : [];
  const iceStates = stateChanges(caller, 'oniceconnectionstatechange');
  if (induce.length === 0) {
    const reasons = pcs.flatMap((pc) => {
      const b = series(pc);
      return idsOfType(b, 'outbound-rtp').flatMap((id) => (b[id].qualityLimitationReason || { values: [] }).values);
    }).filter((r) => r !== 'none');
    if (reasons.length) fails.push(`clean call but qualityLimitationReason ${[...new Set(reasons)]} in ${reasons.length} samples`);
    if (iceStates.some((s) => s === 'disconnected' || s === 'failed')) fails.push(`clean call but caller ICE ${iceStates}`);
  }
  if (induce.includes('bitrate-cap')) {
    const reasons = after(video, 'qualityLimitationReason', inducedAt(meta, 'bitrate-cap'));
    if (!reasons.includes('bandwidth')) fails.push(`bitrate-cap: caller video never reports "bandwidth" after the cap (${[...new Set(reasons)]})`);
  }
  if (induce.includes('mic-off')) {
    const levels = after(source, 'audioLevel', inducedAt(meta, 'mic-off') + 1000);
    if (levels.length < 3 || levels.some((v) => v !== 0)) fails.push(`mic-off: caller mic level after the switch-off is not all 0 (${levels.slice(0, 5)}...)`);
  }
  if (induce.includes('video-off')) {
    const sent = after(video, 'bytesSent', inducedAt(meta, 'video-off') + 1500);
    if (sent.length < 3 || sent[sent.length - 1] !== sent[0]) fails.push('video-off: caller video bytesSent still grows');
  }
  if (induce.includes('pc-close') && !iceStates.some((s) => s === 'disconnected' || s === 'failed')) {
    fails.push(`pc-close: caller ICE never disconnected (${iceStates})`);
  }
  return fails;
}

function summary(dump) {
  const lines = [];
  for (const [pcId, pc] of Object.entries(dump.PeerConnections || {})) {
    const byId = series(pc);
    const ts = byId.P && byId.P.timestamp ? byId.P.timestamp.values : [];
    const span = ts.length ? ((ts[ts.length - 1] - ts[0]) / 1000).toFixed(1) : '0';
    const ice = stateChanges(pc, 'oniceconnectionstatechange').join('>');
    lines.push(`  ${pcId} ${isCaller(pc) ? 'caller' : 'callee'}: ${Object.keys(pc.stats).length} series, ` +
      `${ts.length} samples over ${span} s, ${pc.updateLog.length} updateLog entries, ICE ${ice}`);
  }
  return lines.join('\n');
}

function main() {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('usage: verify.js DUMP [DUMP...]');
    return 2;
  }
  let failed = false;
  for (const file of files) {
    try {
      const dump = readDump(file);
      const metaFile = file + '.meta.json';
      const meta = fs.existsSync(metaFile) ? JSON.parse(fs.readFileSync(metaFile, 'utf8')) : null;
      const fails = checkShape(dump, meta)
        .concat(meta ? checkQuiet(dump, meta) : [])
        .concat(meta ? checkProblems(dump, meta) : []);
      console.log(`${file}: ${fails.length ? 'FAIL' : 'ok'} (${meta ? 'scenario ' + meta.scenario : 'no meta file: shape only'})`);
      console.log(summary(dump));
      fails.forEach((f) => console.log(`  FAIL ${f}`));
      failed = failed || fails.length > 0;
    } catch (err) {
      console.log(`${file}: FAIL ${err.message}`);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

process.exit(main());
