// A loopback WebRTC call between two RTCPeerConnections in one page, with
// problems induced on a schedule. Used to record real chrome://webrtc-internals
// dumps (see ../README.md); a harness drives it through window.callState and
// window.endCall().
//
// Query parameters (all optional):
//   duration=40        seconds from "connected" until the page hangs up
//   induce=a@10,b@20   problems to induce, each at N seconds after "connected"
//                      (names: see PROBLEMS below; "@N" falls back to its default)
//   maxBitrate=40000   the video cap, in bits/s, used by bitrate-cap
//   width=640&height=480&fps=30   the fake camera's requested format
//   hangup=1           close both connections at the end (0: leave the call up)
//   autostart=1        start at load (0: the harness calls window.startCall())

const params = new URLSearchParams(location.search);
const numParam = (name, dflt) => {
  const v = params.get(name);
  if (v === null || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`bad ${name}=${v}`);
  return n;
};

// callState is what a harness polls; it only grows (events) or moves forward (phase).
const callState = {
  phase: 'loading', // loading, media, connecting, connected, ended, error
  connectedAt: null, // Date.now() when both connections were connected
  endedAt: null,
  events: [], // {at: epoch ms, sinceConnectedSec, what, detail}
  error: null,
  done: false,
};
window.callState = callState;

function note(what, detail = '') {
  const at = Date.now();
  const since = callState.connectedAt === null ? null : (at - callState.connectedAt) / 1000;
  callState.events.push({ at, sinceConnectedSec: since, what, detail });
  const line = `[calltop-call] ${new Date(at).toISOString()} ` +
    `${since === null ? '-' : 't+' + since.toFixed(1) + 's'} ${what} ${detail}`;
  console.log(line);
  document.getElementById('log').textContent += line + '\n';
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The call: "caller" (pc1) and "callee" (pc2), each with its own fake camera and mic.
const call = { caller: null, callee: null, callerStream: null, calleeStream: null };
window.call = call;

function senderOf(pc, kind) {
  return pc.getSenders().find((s) => s.track && s.track.kind === kind);
}

// PROBLEMS: name -> {at: default seconds after connected, run: async () => detail}.
const PROBLEMS = {
  // The caller's video encoder is capped far below what 640x480 needs, so the
  // encoder reports qualityLimitationReason "bandwidth" and scales down.
  'bitrate-cap': {
    at: 10,
    run: async () => {
      const maxBitrate = numParam('maxBitrate', 40000);
      const sender = senderOf(call.caller, 'video');
      const p = sender.getParameters();
      p.encodings.forEach((e) => { e.maxBitrate = maxBitrate; });
      await sender.setParameters(p);
      return `caller video sender maxBitrate=${maxBitrate} bps`;
    },
  },
  // The caller's microphone track is disabled: it keeps sending, but silence.
  'mic-off': {
    at: 15,
    run: async () => {
      call.callerStream.getAudioTracks().forEach((t) => { t.enabled = false; });
      return 'caller audio track enabled=false (sends silence)';
    },
  },
  // The caller stops sending video altogether (the sender's track is removed).
  'video-off': {
    at: 15,
    run: async () => {
      await senderOf(call.caller, 'video').replaceTrack(null);
      return 'caller video sender replaceTrack(null) (no video sent)';
    },
  },
  // The callee's connection is closed without telling the caller, as when the
  // far end crashes: the caller's ICE goes disconnected, then failed.
  'pc-close': {
    at: 15,
    run: async () => {
      call.callee.close();
      return 'callee RTCPeerConnection.close() (caller left alone)';
    },
  },
};

function parseInduce(spec) {
  if (!spec) return [];
  return spec.split(',').filter(Boolean).map((item) => {
    const [name, at] = item.split('@');
    const problem = PROBLEMS[name];
    if (!problem) throw new Error(`unknown problem "${name}" (known: ${Object.keys(PROBLEMS).join(', ')})`);
    const when = at === undefined ? problem.at : Number(at);
    if (!Number.isFinite(when) || when < 0) throw new Error(`bad time in "${item}"`);
    return { name, at: when, run: problem.run };
  });
}

function watch(pc, label) {
  pc.addEventListener('iceconnectionstatechange', () => note('ice', `${label} ${pc.iceConnectionState}`));
  pc.addEventListener('connectionstatechange', () => note('connection', `${label} ${pc.connectionState}`));
}

async function connect() {
  const width = numParam('width', 640);
  const height = numParam('height', 480);
  const fps = numParam('fps', 30);
  const constraints = { audio: true, video: { width, height, frameRate: fps } };
  callState.phase = 'media';
  call.callerStream = await navigator.mediaDevices.getUserMedia(constraints);
  call.calleeStream = await navigator.mediaDevices.getUserMedia(constraints);

  callState.phase = 'connecting';
  const caller = new RTCPeerConnection({ iceServers: [] });
  const callee = new RTCPeerConnection({ iceServers: [] });
  call.caller = caller;
  call.callee = callee;
  watch(caller, 'caller');
  watch(callee, 'callee');
  caller.addEventListener('icecandidate', (e) => { if (e.candidate) callee.addIceCandidate(e.candidate); });
  callee.addEventListener('icecandidate', (e) => { if (e.candidate) caller.addIceCandidate(e.candidate); });
  caller.addEventListener('track', (e) => { document.getElementById('callerHears').srcObject = e.streams[0]; });
  callee.addEventListener('track', (e) => { document.getElementById('calleeHears').srcObject = e.streams[0]; });

  call.callerStream.getTracks().forEach((t) => caller.addTrack(t, call.callerStream));
  await caller.setLocalDescription(await caller.createOffer());
  await callee.setRemoteDescription(caller.localDescription);
  call.calleeStream.getTracks().forEach((t) => callee.addTrack(t, call.calleeStream));
  await callee.setLocalDescription(await callee.createAnswer());
  await caller.setRemoteDescription(callee.localDescription);

  const deadline = Date.now() + 15000;
  while (caller.connectionState !== 'connected' || callee.connectionState !== 'connected') {
    if (Date.now() > deadline) {
      throw new Error(`not connected after 15 s (caller ${caller.connectionState}, callee ${callee.connectionState})`);
    }
    await sleep(50);
  }
  callState.connectedAt = Date.now();
  callState.phase = 'connected';
  note('connected', 'caller and callee connected');
}

// endCall hangs up: closes both connections and stops every track. Safe to call twice.
async function endCall(reason = 'hangup') {
  if (callState.phase === 'ended') return;
  for (const pc of [call.caller, call.callee]) {
    if (pc && pc.signalingState !== 'closed') pc.close();
  }
  for (const s of [call.callerStream, call.calleeStream]) {
    if (s) s.getTracks().forEach((t) => t.stop());
  }
  callState.phase = 'ended';
  callState.endedAt = Date.now();
  note('ended', reason);
}
window.endCall = endCall;

async function startCall() {
  const duration = numParam('duration', 40);
  const problems = parseInduce(params.get('induce'));
  note('start', `duration=${duration}s induce=${params.get('induce') || 'none'}`);
  await connect();
  const timers = problems.map((p) => sleep(p.at * 1000).then(async () => {
    const detail = await p.run();
    note('induced', `${p.name}: ${detail}`);
  }));
  await sleep(duration * 1000);
  await Promise.all(timers);
  if (numParam('hangup', 1) === 1) {
    await endCall('hangup after ' + duration + ' s');
  } else {
    note('finished', `call left up after ${duration} s`);
  }
}
window.startCall = () => startCall().catch((err) => {
  callState.phase = 'error';
  callState.error = String(err && err.stack || err);
  note('error', String(err));
}).finally(() => { callState.done = true; });

if (numParam('autostart', 1) === 1) window.startCall();
