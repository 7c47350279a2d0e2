// Package sim simulates a fleet of WebRTC calls and produces the calltop.v1
// messages a real producer would: calls starting and ending, participants
// joining and leaving, connection state changes, and one W3C webrtc-stats
// report per participant per interval with cumulative, coherent counters.
//
// Each call follows a scenario (good, wifi-loss, high-rtt, ...) that bends
// the counters of one participant the way a real browser's would, so the
// diagnose rules can find that problem and nothing else. Output depends only
// on the Config (same seed, same feed) and all times are feed time, never
// the wall clock.
//
// It owns the simulated fleet only. It must not import diagnose or tui, and
// it does no I/O: the hub (feed) decides when to step and where messages go.
package sim
