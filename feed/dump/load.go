package dump

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/calltop/calltop/feed/recording"
)

// Format names what Load found in a file.
const (
	// FormatRecording is a calltop recording (JSON lines of recording.Record).
	FormatRecording = "calltop-recording"
	// FormatRTCStats is an rtcstats v3 dump with W3C standard stats
	// (Chrome, Firefox, Safari).
	FormatRTCStats = "rtcstats"
	// FormatRTCStatsLegacy is an rtcstats v3 dump whose getstats reports
	// use Chrome's legacy goog* callback format.
	FormatRTCStatsLegacy = "rtcstats-legacy"
	// FormatRTCStatsChrome is Chrome's own rtcstats dump: a first line
	// "RTCStatsDump", a {"fileFormat":3} line, then one [method, pcId,
	// value, ..., msSincePreviousLine] array per line, stats uncompressed.
	FormatRTCStatsChrome = "rtcstats-chrome"
	// FormatWebRTCInternals is a chrome://webrtc-internals "Create Dump"
	// file.
	FormatWebRTCInternals = "webrtc-internals"
)

// MaxDumpBytes bounds the decompressed size of a file Load reads (a guard
// against decompression bombs; real dumps are a few MB).
const MaxDumpBytes = 512 << 20

// Loaded is a file turned into calltop.v1 records, ready to replay, with
// the lines that could not be used.
type Loaded struct {
	Path     string
	Format   string
	Records  []recording.Record
	Problems []*recording.LineError
}

// Load reads a recording or a dump, detecting the format by content and
// gunzipping when needed.
func Load(path string) (*Loaded, error) {
	rc, err := recording.OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return LoadReader(rc, path)
}

// LoadReader is Load on an uncompressed stream (Load unpacks gzip with
// recording.OpenFile); name is used in messages and as the call id of a dump
// that names no call.
func LoadReader(r io.Reader, name string) (*Loaded, error) {
	data, truncated, err := readAll(r, name)
	if err != nil {
		return nil, err
	}
	l, err := loadBytes(data, name)
	if err != nil {
		return nil, err
	}
	if truncated {
		l.Problems = append(l.Problems, &recording.LineError{File: name, Line: bytes.Count(data, []byte{'\n'}) + 1,
			Reason: "file is truncated (the compressed stream ends early); everything before is used"})
	}
	return l, nil
}

// readAll reads the whole stream. A gzip stream (from recording.OpenFile) cut
// short is not an error: what was read is kept and truncated is set.
func readAll(r io.Reader, name string) (data []byte, truncated bool, err error) {
	data, err = io.ReadAll(io.LimitReader(r, MaxDumpBytes+1))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrChecksum) {
			return data, true, nil
		}
		return nil, false, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > MaxDumpBytes {
		return nil, false, fmt.Errorf("%s: larger than %d MB once decompressed; not loaded", name, MaxDumpBytes>>20)
	}
	return data, false, nil
}

// loadBytes detects the format of data and imports it.
func loadBytes(data []byte, name string) (*Loaded, error) {
	body := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(body) == 0 {
		return nil, fmt.Errorf("%s: empty file", name)
	}
	first := body
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	first = bytes.TrimSpace(first)
	switch {
	case body[0] == '[' || bytes.HasPrefix(body, []byte(chromeHeader)):
		return loadRTCStats(body, name)
	case body[0] == '{':
		l, err := loadObject(body, first, name)
		if !errors.Is(err, errUnknownObject) {
			return l, err
		}
	}
	// The first line may be damaged (a file cut at the start): the next
	// few lines can still tell a recording or an rtcstats dump.
	switch sniffLines(body) {
	case FormatRecording:
		return loadRecording(body, name)
	case FormatRTCStats:
		return loadRTCStats(body, name)
	}
	if body[0] == '{' {
		return nil, fmt.Errorf("%s: a JSON object that is neither a calltop recording line, an rtcstats meta line nor a webrtc-internals dump (no \"PeerConnections\"); it starts with %s", name, preview(body))
	}
	return nil, fmt.Errorf("%s: not a calltop recording or a known dump (rtcstats, webrtc-internals); it starts with %s", name, preview(body))
}

// sniffLines looks at lines 2 to 6 for a recording line or an rtcstats
// array; it returns the format found or "".
func sniffLines(body []byte) string {
	lines := bytes.SplitN(body, []byte{'\n'}, 7)
	for _, line := range lines[1:min(len(lines), 6)] {
		line = bytes.TrimSpace(line)
		var head map[string]json.RawMessage
		if json.Unmarshal(line, &head) == nil && head["recv"] != nil && head["msg"] != nil {
			return FormatRecording
		}
		var arr []json.RawMessage
		var method string
		if json.Unmarshal(line, &arr) == nil && len(arr) >= 3 && json.Unmarshal(arr[0], &method) == nil {
			return FormatRTCStats
		}
	}
	return ""
}

func loadRecording(body []byte, name string) (*Loaded, error) {
	recs, bad, err := recording.ReadRecording(bytes.NewReader(body), name)
	if err != nil {
		return nil, err
	}
	return &Loaded{Path: name, Format: FormatRecording, Records: recs, Problems: bad}, nil
}

// loadObject tells apart the formats whose first line is a JSON object: a
// recording line, an rtcstats meta line, or a webrtc-internals dump.
func loadObject(body, first []byte, name string) (*Loaded, error) {
	var head map[string]json.RawMessage
	if json.Unmarshal(first, &head) == nil {
		switch {
		case head["recv"] != nil && head["msg"] != nil:
			return loadRecording(body, name)
		case head["fileFormat"] != nil || (head["path"] != nil && head["userAgent"] != nil && head["PeerConnections"] == nil):
			return loadRTCStats(body, name)
		}
	}
	if looksLikeInternals(body) {
		return loadInternals(body, name)
	}
	return nil, errUnknownObject
}

// errUnknownObject: the file starts with a JSON object of no known shape.
var errUnknownObject = errors.New("unknown JSON object")

func loadRTCStats(body []byte, name string) (*Loaded, error) {
	b, format, err := readRTCStats(body, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return finishLoad(b, format, name)
}

func loadInternals(body []byte, name string) (*Loaded, error) {
	b, err := readInternals(body, name)
	if err != nil {
		return nil, err
	}
	return finishLoad(b, FormatWebRTCInternals, name)
}

func finishLoad(b *builder, format, name string) (*Loaded, error) {
	recs, err := b.records()
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		reason := "no stats and no connection events"
		if len(b.problems) > 0 {
			reason += "; first problem: " + b.problems[0].Error()
		}
		return nil, fmt.Errorf("%s: %s dump with nothing to replay (%s)", name, format, reason)
	}
	return &Loaded{Path: name, Format: format, Records: recs, Problems: b.problems}, nil
}

// preview quotes the start of a file for an error message.
func preview(b []byte) string {
	const n = 40
	if len(b) > n {
		b = b[:n]
		for len(b) > 0 && !utf8.Valid(b) {
			b = b[:len(b)-1]
		}
		return strconv.Quote(string(b)) + "..."
	}
	return strconv.Quote(string(b))
}
