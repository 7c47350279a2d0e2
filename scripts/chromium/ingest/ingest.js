// The esbuild entry of the ingest page (call.html): starts the Jitsi rtcstats
// client (npm @jitsi/rtcstats), pointed at calltop hub's /rtcstats, before
// the call code runs, and tells the hub who this browser is (identity). This
// is what a web app adds; see ../README.md ("Streaming a call to calltop hub")
// and docs/ingest.md.
//
// Query parameters of the page:
//   hub=ws://127.0.0.1:7070/rtcstats   the hub's rtcstats endpoint (required)
//   meeting=room                       the meeting: sessions of one meeting are one call
//   token=T                            the hub's --ingest-token, if it has one
//   name=Ada                           the display name calltop shows
//   pollMs=1000                        getStats interval (the client's pollInterval)
//
// It exposes window.rtcstatsState {isConnected(), leave(), closes: [{code,
// reason}]} for a harness, and logs "[calltop-rtcstats] ..." lines on the console.
import rtcstatsInit from '@jitsi/rtcstats/rtcstats';
import traceInit from '@jitsi/rtcstats/trace-ws';

const params = new URLSearchParams(location.search);
const hub = params.get('hub');
const meeting = params.get('meeting') || 'calltop-ingest';
const token = params.get('token') || '';
const name = params.get('name') || 'calltop ingest page';
const pollMs = Number(params.get('pollMs') || 1000);

const state = { closes: [] };
window.rtcstatsState = state;
const log = (line) => console.log(`[calltop-rtcstats] ${new Date().toISOString()} ${line}`);

if (!hub) throw new Error('ingest.js: no hub= in the page URL (e.g. hub=ws://127.0.0.1:7070/rtcstats)');

// The client connects to `${endpoint}/${meetingFqn}?statsSessionId=...&isReconnect=...`.
// It has no option for a token, so the token rides in meetingFqn as a query
// parameter; calltop reads '?' as '&' there.
const meetingFqn = encodeURIComponent(meeting) + (token ? `?token=${encodeURIComponent(token)}` : '');

const trace = traceInit({
  endpoint: hub,
  meetingFqn,
  onCloseCallback: ({ code, reason }) => {
    state.closes.push({ code, reason });
    log(`connection to the hub closed: ${code} ${reason}`);
  },
});
state.isConnected = () => trace.isConnected();
// What an app calls when the user leaves the call: closes with 3001, and
// calltop ends the participant at once.
state.leave = () => trace.close();

// Wraps RTCPeerConnection and getUserMedia: from here on every connection the
// page makes is PC_0, PC_1, ... of this session, its getStats polled every pollMs.
rtcstatsInit(trace, { pollInterval: pollMs, useLegacy: false });

// Opens the WebSocket; what is traced before the hub answers is buffered.
trace.connect(false);

// Who this browser is: calltop takes the call from meetingUniqueId or confName
// (else the URL's meeting), the participant's name from displayName and its
// id from endpointId, userId or displayName.
trace.identity('identity', null, {
  displayName: name,
  confName: meeting,
  applicationName: 'calltop ingest test page',
});
log(`rtcstats started: ${hub}/${encodeURIComponent(meeting)} as "${name}", stats every ${pollMs} ms`);
