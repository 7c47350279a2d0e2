// Package dump imports recorded WebRTC statistics and calltop recordings
// and turns them into calltop.v1 records ready to replay, in the data's own
// time. Load detects the format by content (gzip or not): calltop
// recordings, rtcstats v3 dumps (standard and legacy goog* stats), Chrome's
// own rtcstats dump (RTCStatsDump) and chrome://webrtc-internals dumps.
// docs/dumps.md describes the formats and what maps to what.
//
// It owns parsing of files: delta decoding, alignment of series, mapping
// onto W3C stats, and reporting unusable lines. It must not diagnose or
// render, and it does not change the calltop.v1 types in package feed.
package dump
