// Package dump imports recorded WebRTC statistics and calltop recordings
// in the data's own time. Visit reads a file once, as a stream, and hands
// a dump's calltop.v1 messages (or a recording's frames) to a visitor as
// they are made (`calltop report`); Load keeps them as records to replay.
// Both detect the format by content (gzip or not): calltop recordings,
// rtcstats v3 dumps (standard and legacy goog* stats), Chrome's own
// rtcstats dump (RTCStatsDump) and chrome://webrtc-internals dumps.
// docs/dumps.md describes the formats, what maps to what and the limits.
//
// It owns parsing of files: the JSON parse (jsonany.go, internals_fast.go,
// and the fast paths for rtcstats getstats and ignored lines,
// rtcstats_delta.go, rtcstats_typed.go, rtcstats_skip.go, each held to the
// general path by FuzzGetstatsDelta), delta decoding, alignment of series, mapping onto W3C stats, the limits
// on what a dump may make it keep (caps.go), and reporting unusable lines.
// It must not diagnose or render, and it does not change the calltop.v1
// types in package feed.
package dump
