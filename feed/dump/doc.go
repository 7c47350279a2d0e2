// Package dump imports recorded WebRTC statistics (rtcstats dumps and
// chrome://webrtc-internals dumps) and calltop recordings, detecting the
// format by content, and turns them into calltop.v1 records.
//
// It owns parsing of files; it must not diagnose or render.
package dump
