package dump

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/calltop/calltop/feed"
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
// against decompression bombs; real dumps are a few MB). Line formats are
// streamed, so the bytes read cost time, not memory: what is kept is
// bounded by the caps in caps.go.
const MaxDumpBytes = 512 << 20

// Loaded is a file turned into calltop.v1 records, ready to replay, with
// the lines that could not be used.
type Loaded struct {
	Path     string
	Format   string
	Records  []recording.Record
	Problems []*recording.LineError
}

// Visitor receives what a file holds, in replay order: a dump's messages
// (ready to apply: call.start and participant.join first, every sample and
// event in time order, participant.leave and call.end last), or a
// recording's frames as recorded, for feed.Pipeline. An error from either
// stops the reading and is returned.
type Visitor struct {
	// Message receives each message of a dump; m is not used after it
	// returns, and m.Stats may be kept.
	Message func(m *feed.Message) error
	// Frame receives each frame of a calltop recording.
	Frame func(rec recording.Record) error
	// Reuse says Message keeps nothing of m.Stats once it returns (values
	// copied out of it, strings included, stay valid): its storage then
	// holds later messages' stats, which saves an rtcstats dump's reader
	// most of its allocation (the other formats do not reuse).
	Reuse bool
	// Stats, when set, names the stats objects Message reads, by W3C type
	// (feed.Stat.Type): a dump's samples leave the others out, which saves
	// converting and copying them (a sample left with none still comes,
	// with no stats). nil keeps every object. report sets it to
	// diagnose.ReadsStat.
	Stats func(statType string) bool
}

// Info is what Visit found in a file: its format and the lines that
// could not be used.
type Info struct {
	Path     string
	Format   string
	Problems []*recording.LineError
	// Items is the number of messages or frames given to the visitor.
	Items int
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
	l := &Loaded{}
	enc := &encoder{file: name, limit: MaxReplayBytes}
	info, err := VisitReader(r, name, Visitor{
		Message: func(m *feed.Message) error { return enc.add(*m) },
		Frame: func(rec recording.Record) error {
			enc.out = append(enc.out, rec)
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	l.Path, l.Format, l.Records, l.Problems = info.Path, info.Format, enc.out, info.Problems
	if enc.refused > 0 {
		l.Problems = append(l.Problems, &recording.LineError{File: name, Line: in0(l.Problems),
			Reason: fmt.Sprintf("%d stats messages refused: a replay keeps at most %d MB of messages from one dump; the call's end is missing", enc.refused, MaxReplayBytes>>20)})
	}
	return l, nil
}

// in0 is a line number for a problem about the whole file: after the
// others.
func in0(problems []*recording.LineError) int {
	if n := len(problems); n > 0 {
		return problems[n-1].Line
	}
	return 1
}

// Visit reads a recording or a dump like Load, handing what it holds to
// v instead of keeping it: a dump's messages are never encoded, and a
// recording's frames are never held together.
func Visit(path string, v Visitor) (*Info, error) {
	rc, err := recording.OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return VisitReader(rc, path, v)
}

// sniffBytes is how much of a file is looked at to tell its format.
const sniffBytes = 256 << 10

// VisitReader is Visit on an uncompressed stream.
func VisitReader(r io.Reader, name string, v Visitor) (*Info, error) {
	in := newInput(r, name)
	defer in.release()
	head, err := in.start()
	if err != nil {
		return nil, err
	}
	if len(head) == 0 {
		return nil, fmt.Errorf("%s: empty file", name)
	}
	info := &Info{Path: name}
	switch sniff(head) {
	case FormatRecording:
		info.Format = FormatRecording
		err = streamRecording(in, info, v)
	case FormatRTCStats:
		err = streamRTCStats(in, info, v)
	case FormatWebRTCInternals:
		err = streamInternals(in, info, v)
	default:
		return nil, unknownFormat(head, name)
	}
	if err != nil {
		return nil, err
	}
	if in.truncated {
		info.Problems = append(info.Problems, &recording.LineError{File: name, Line: in.newlines + 1,
			Reason: "file is truncated (the compressed stream ends early); everything before is used"})
	}
	return info, nil
}

// sniff tells the format from the start of a file (BOM and leading space
// removed): "" when it is none calltop reads.
func sniff(body []byte) string {
	first := body
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	first = bytes.TrimSpace(first)
	switch {
	case body[0] == '[' || bytes.HasPrefix(body, []byte(chromeHeader)):
		return FormatRTCStats
	case body[0] == '{':
		if f := sniffObject(body, first); f != "" {
			return f
		}
	}
	// The first line may be damaged (a file cut at the start): the next
	// few lines can still tell a recording or an rtcstats dump.
	return sniffLines(body)
}

// unknownFormat is the refusal of a file of no known format.
func unknownFormat(body []byte, name string) error {
	if body[0] == '{' {
		return fmt.Errorf("%s: a JSON object that is neither a calltop recording line, an rtcstats meta line nor a webrtc-internals dump (no \"PeerConnections\"); it starts with %s", name, preview(body))
	}
	return fmt.Errorf("%s: not a calltop recording or a known dump (rtcstats, webrtc-internals); it starts with %s", name, preview(body))
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

// sniffObject tells apart the formats whose first line is a JSON object: a
// recording line, an rtcstats meta line, or a webrtc-internals dump.
func sniffObject(body, first []byte) string {
	var head map[string]json.RawMessage
	if json.Unmarshal(first, &head) == nil {
		switch {
		case head["recv"] != nil && head["msg"] != nil:
			return FormatRecording
		case head["fileFormat"] != nil || (head["path"] != nil && head["userAgent"] != nil && head["PeerConnections"] == nil):
			return FormatRTCStats
		}
	}
	if looksLikeInternals(body) {
		return FormatWebRTCInternals
	}
	return ""
}

// streamRecording hands every frame of a recording to v.
func streamRecording(in *input, info *Info, v Visitor) error {
	return in.lines(func(n int, line []byte, last bool) error {
		rec, bad := recording.ParseLine(line, in.name, n)
		if bad != nil {
			info.Problems = append(info.Problems, bad)
			return nil
		}
		info.Items++
		if v.Frame == nil {
			return nil
		}
		return v.Frame(rec)
	}, func(p *recording.LineError) { info.Problems = append(info.Problems, p) })
}

func streamRTCStats(in *input, info *Info, v Visitor) error {
	b, format, err := readRTCStats(in, v)
	if err != nil {
		return fmt.Errorf("%s: %w", in.name, err)
	}
	info.Format = format
	return finish(b, info, v)
}

func streamInternals(in *input, info *Info, v Visitor) error {
	body, err := in.rest(MaxInternalsBytes)
	if err != nil {
		return err
	}
	b, err := readInternals(body, in.name, v.Stats)
	if err != nil {
		return err
	}
	info.Format = FormatWebRTCInternals
	return finish(b, info, v)
}

// finish hands the builder's messages to v; a dump that gave none is an
// error.
func finish(b *builder, info *Info, v Visitor) error {
	info.Problems = b.problems
	n, err := b.messages(v.Message)
	if err != nil {
		return err
	}
	if n == 0 {
		reason := "no stats and no connection events"
		if len(b.problems) > 0 {
			reason += "; first problem: " + b.problems[0].Error()
		}
		return fmt.Errorf("%s: %s dump with nothing to replay (%s)", info.Path, info.Format, reason)
	}
	info.Items = n
	return nil
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
