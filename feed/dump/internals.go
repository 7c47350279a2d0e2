package dump

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// chrome://webrtc-internals "Create Dump" files: one JSON object
// {getUserMedia, PeerConnections, UserAgent, ...}. Each peer connection
// holds stats series keyed "<statsId>-<attribute>" and an updateLog. The
// file is read as a stream of tokens so that a truncated dump still yields
// every peer connection and series read before the cut.

// internalsSeries is one stats attribute over time.
type internalsSeries struct {
	StartTime json.RawMessage `json:"startTime"`
	EndTime   json.RawMessage `json:"endTime"`
	StatsType string          `json:"statsType"`
	Values    json.RawMessage `json:"values"` // a string holding an array, or an array
}

// internalsUpdate is one updateLog entry (current or Chrome 86 shape).
type internalsUpdate struct {
	Time      json.RawMessage `json:"time"`
	Timestamp json.RawMessage `json:"timestamp"`
	Type      string          `json:"type"`
	Value     json.RawMessage `json:"value"`
}

// internalsPC is one peer connection of the dump.
type internalsPC struct {
	id        string
	url       string
	keys      []string // series keys in file order
	series    map[string]internalsSeries
	updateLog []internalsUpdate
}

// internalsDump is what the token walk read.
type internalsDump struct {
	userAgent string
	pcs       []*internalsPC
}

// internalsKeys are top-level keys only Chrome's dump writes.
var internalsKeys = map[string]bool{
	"PeerConnections": true, "getUserMedia": true, "UserAgent": true, "UserAgentData": true,
}

// looksLikeInternals reports whether body is a JSON object with one of the
// top-level keys of a webrtc-internals dump (in any order: tools that
// re-save a dump may sort its keys). A truncated dump still qualifies if
// such a key comes before the cut.
func looksLikeInternals(body []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return false
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return false
		}
		if k, ok := t.(string); ok && internalsKeys[k] {
			return true
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return false
		}
	}
	return false
}

// walker reads the dump token by token and remembers where it failed.
type walker struct {
	body []byte
	dec  *json.Decoder
	name string
	b    *builder
	d    *internalsDump
}

// readInternals parses a webrtc-internals dump into a builder, its
// samples holding the stats objects want keeps (nil: all).
func readInternals(body []byte, name string, want func(string) bool) (*builder, error) {
	w := &walker{body: body, name: name, b: newBuilder(name)}
	w.b.want = want
	if d, ok := fastInternals(body); ok {
		w.d = d
	} else {
		w.d, w.dec = &internalsDump{}, json.NewDecoder(bytes.NewReader(body))
		if err := w.top(); err != nil {
			w.fail(err)
		}
	}
	if len(w.d.pcs) == 0 {
		return nil, fmt.Errorf("%s: webrtc-internals dump without any peer connection%s", name, w.firstProblem())
	}
	importInternals(w.b, w.d)
	w.b.reportRefusals(1)
	return w.b, nil
}

func (w *walker) firstProblem() string {
	if len(w.b.problems) == 0 {
		return ""
	}
	return " (" + w.b.problems[0].Error() + ")"
}

// line returns the 1-based line of the decoder's current offset.
func (w *walker) line() int {
	off := min(int(w.dec.InputOffset()), len(w.body))
	return bytes.Count(w.body[:off], []byte{'\n'}) + 1
}

// fail records why the walk stopped.
func (w *walker) fail(err error) {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		w.b.problem(w.line(), "file is truncated at byte %d; the peer connections and series before the cut are used", w.dec.InputOffset())
		return
	}
	w.b.problem(w.line(), "not a valid webrtc-internals dump at byte %d: %v; everything before is used", w.dec.InputOffset(), err)
}

func (w *walker) expect(d json.Delim) error {
	t, err := w.dec.Token()
	if err != nil {
		return err
	}
	if t != d {
		return fmt.Errorf("want %q, found %v", d, t)
	}
	return nil
}

func (w *walker) key() (string, error) {
	t, err := w.dec.Token()
	if err != nil {
		return "", err
	}
	k, ok := t.(string)
	if !ok {
		return "", fmt.Errorf("want an object key, found %v", t)
	}
	return k, nil
}

// skip reads and discards one value.
func (w *walker) skip() error {
	var raw json.RawMessage
	return w.dec.Decode(&raw)
}

// object reads one JSON object, calling member with each key to read (or
// skip) its value.
func (w *walker) object(member func(key string) error) error {
	if err := w.expect('{'); err != nil {
		return err
	}
	for w.dec.More() {
		k, err := w.key()
		if err != nil {
			return err
		}
		if err := member(k); err != nil {
			return err
		}
	}
	return w.expect('}')
}

// array reads one JSON array, calling elem to read each element.
func (w *walker) array(elem func() error) error {
	if err := w.expect('['); err != nil {
		return err
	}
	for w.dec.More() {
		if err := elem(); err != nil {
			return err
		}
	}
	return w.expect(']')
}

// decodeOrSkip decodes the next value into v. A value of the wrong JSON
// type is consumed and reported as a problem (format, args); ok is false.
func (w *walker) decodeOrSkip(v any, format string, args ...any) (ok bool, err error) {
	err = w.dec.Decode(v)
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		w.b.problem(w.line(), format, args...)
		return false, nil
	}
	return err == nil, err
}

func (w *walker) top() error {
	return w.object(func(k string) error {
		switch k {
		case "PeerConnections":
			return w.peerConnections()
		case "UserAgent":
			return w.dec.Decode(&w.d.userAgent)
		}
		return w.skip()
	})
}

func (w *walker) peerConnections() error {
	return w.object(func(id string) error {
		pc := &internalsPC{id: id, series: map[string]internalsSeries{}}
		w.d.pcs = append(w.d.pcs, pc)
		if err := w.peerConnection(pc); err != nil {
			return fmt.Errorf("peer connection %q: %w", id, err)
		}
		return nil
	})
}

func (w *walker) peerConnection(pc *internalsPC) error {
	return w.object(func(k string) error {
		switch k {
		case "stats":
			return w.stats(pc)
		case "updateLog":
			return w.updateLog(pc)
		case "url":
			var u any
			err := w.dec.Decode(&u)
			pc.url, _ = u.(string)
			return err
		}
		return w.skip()
	})
}

func (w *walker) stats(pc *internalsPC) error {
	return w.object(func(k string) error {
		var s internalsSeries
		ok, err := w.decodeOrSkip(&s, "peer connection %q: series %q is not a {startTime, endTime, values} object; skipped", pc.id, k)
		if !ok {
			return err
		}
		if _, dup := pc.series[k]; !dup {
			pc.keys = append(pc.keys, k)
		}
		pc.series[k] = s
		return nil
	})
}

func (w *walker) updateLog(pc *internalsPC) error {
	return w.array(func() error {
		var u internalsUpdate
		ok, err := w.decodeOrSkip(&u, "peer connection %q: updateLog entry is not an object; skipped", pc.id)
		if ok {
			pc.updateLog = append(pc.updateLog, u)
		}
		return err
	})
}

// importInternals turns the parsed dump into call facts, stats samples and
// connection events.
func importInternals(b *builder, d *internalsDump) {
	b.part.UserAgent = d.userAgent
	b.call.Tags["source"] = "webrtc-internals"
	firstStats := 0.0
	var pcs []*pcSeries
	for _, pc := range d.pcs {
		s := readSeries(b, pc)
		pcs = append(pcs, s)
		if t := s.firstTime(); t > 0 && (firstStats == 0 || t < firstStats) {
			firstStats = t
		}
		if b.call.Room == "" && pc.url != "" {
			b.call.Room = roomFromURL(pc.url)
			b.call.Tags["url"] = pageURL(pc.url)
		}
	}
	offset := localTimeOffset(d.pcs, firstStats)
	for i, pc := range d.pcs {
		pcs[i].emit(b)
		importUpdateLog(b, pc, offset)
	}
}

// roomFromURL names a room after a page URL: its last path segment, or its
// host for a page at the root.
func roomFromURL(u string) string {
	rest := u
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	rest = strings.TrimRight(rest, "/")
	return lastSegment(rest)
}

// pageURL is a page URL without its query and fragment, which can hold
// meeting passwords or tokens.
func pageURL(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i]
	}
	return u
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
