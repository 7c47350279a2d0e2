// Package recording is calltop's recording format: JSON lines of
// {recv, frame} (gzip when the name ends in .gz), read by ReadRecording and
// written by a Recorder, with Redact to strip addresses before sharing.
//
// It must not know about diagnosis, alerts or screens.
package recording
