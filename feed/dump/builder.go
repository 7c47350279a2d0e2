package dump

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/recording"
)

// builder collects what an importer found in a dump (call and participant
// facts, stats samples, state changes) and turns it into calltop.v1
// records in data time: call.start and participant.join first, then every
// sample and event in time order, participant.leave and call.end last.
type builder struct {
	file     string
	call     feed.Call
	part     feed.Participant
	start    float64 // the dump's own call start, if it has one
	events   []event
	order    []int32 // flush's scratch
	problems []*recording.LineError

	// facts, when set, gives the call and participant as the dump has
	// named them so far (rtcstats learns them line by line).
	facts func() (feed.Call, feed.Participant)
	hold  holding

	// reuse: the visitor keeps nothing of a message's stats (Visitor.Reuse),
	// so a given sample's slice is kept in free for a later one.
	reuse bool
	free  [][]feed.Stat
	// want, when set, is the stats objects the visitor reads, by type
	// (Visitor.Stats): a sample holds only those.
	want func(statType string) bool
}

// statsRoom returns an empty slice for a sample of about n stats objects:
// a given sample's storage when the visitor lets it be reused.
func (b *builder) statsRoom(n int) []feed.Stat {
	if s := takeRoom(&b.free, n); s != nil {
		return s
	}
	if b.reuse {
		spare.Lock()
		s := takeRoom(&spare.stats, n)
		spare.Unlock()
		if s != nil {
			return s
		}
	}
	return make([]feed.Stat, 0, n)
}

// takeRoom takes out of list the last storage for at least n stats; nil
// if none is that large.
func takeRoom(list *[][]feed.Stat, n int) []feed.Stat {
	l := *list
	for i := len(l) - 1; i >= 0; i-- {
		if s := l[i]; cap(s) >= n {
			last := len(l) - 1
			l[i], l[last] = l[last], nil
			*list = l[:last]
			return s
		}
	}
	return nil
}

type event struct {
	ts  float64
	seq int
	msg feed.Message
}

func newBuilder(file string) *builder {
	return &builder{file: file, call: feed.Call{Tags: map[string]string{}}}
}

// usableTS reports whether ts (ms since the epoch) is a plausible data time:
// after 2000 and before 2200.
func usableTS(ts float64) bool {
	return !math.IsNaN(ts) && ts > 946684800000 && ts < 7258118400000
}

func (b *builder) problem(line int, format string, args ...any) {
	b.problems = append(b.problems, &recording.LineError{File: b.file, Line: line, Reason: clean(fmt.Sprintf(format, args...))})
}

func (b *builder) add(ts float64, m feed.Message) {
	m.TS = ts
	h := &b.hold
	if len(b.events) == 0 || ts < h.oldest {
		h.oldest = ts
	}
	b.events = append(b.events, event{ts: ts, seq: len(b.events), msg: m})
	h.last = max(h.last, ts)
	if h.flushAt > 0 && h.err == nil && h.last-h.oldest >= 2*HoldWindow {
		h.err = b.flushBefore(h.last - HoldWindow)
	}
}

// stats records one sample of a peer connection.
func (b *builder) stats(conn string, ts float64, stats []feed.Stat) {
	b.sample(conn, ts, stats, len(stats))
}

// sample records a sample of n stats objects, of which stats are given
// (the others left out already, as the visitor does not read them): a
// sample counts at the caps, and comes, as it would with all n.
func (b *builder) sample(conn string, ts float64, stats []feed.Stat, n int) {
	if n == 0 || !b.keep(n) {
		return
	}
	b.add(ts, feed.Message{Type: feed.TypeStats, ConnectionID: connName(conn), Stats: b.wanted(stats)})
}

// wanted leaves out of stats, in place, the objects the visitor does not
// read.
func (b *builder) wanted(stats []feed.Stat) []feed.Stat {
	if b.want == nil {
		return stats
	}
	k := 0
	for i := range stats {
		if !b.want(stats[i].Type) {
			continue
		}
		if k != i {
			stats[k] = stats[i]
		}
		k++
	}
	clear(stats[k:]) // no strings kept alive past the end
	return stats[:k]
}

// connEvent records a state change of a peer connection.
func (b *builder) connEvent(conn string, ts float64, kind, state string) {
	if !b.keep(1) {
		return
	}
	b.add(ts, feed.Message{Type: feed.TypeConnectionEvent, ConnectionID: connName(conn),
		Event: &feed.ConnectionEvent{Kind: kind, State: clean(state)}})
}

// connName is the connection id for a dump's peer connection id, which a
// broken dump can leave empty.
func connName(id string) string {
	if id = strings.TrimSpace(clean(id)); id == "" {
		return "unnamed"
	}
	return id
}

// messages finishes the call and hands every message to fn in replay
// order (fn may be nil): call.start and participant.join, every sample and
// event in time order, participant.leave and call.end. It returns how many
// it gave: none when the dump held no sample and no event.
func (b *builder) messages(fn func(*feed.Message) error) (int, error) {
	b.hold.emit = fn
	if err := b.flush(); err != nil {
		return 0, err
	}
	if !b.hold.started {
		return 0, nil
	}
	tail := []feed.Message{
		{Type: feed.TypeParticipantLeave, TS: b.hold.last, CallID: b.hold.callID, ParticipantID: b.hold.partID, Reason: "end of dump"},
		{Type: feed.TypeCallEnd, TS: b.hold.last, CallID: b.hold.callID, Reason: "end of dump"},
	}
	for i := range tail {
		if err := b.give(&tail[i]); err != nil {
			return 0, err
		}
	}
	b.spareFree()
	return b.hold.given, nil
}

// spare keeps the sample storage of dumps read to the end for the next
// one read with reuse: a dump's first samples are held until 30 s of data
// have come (HoldWindow), each in new storage, and over a directory of
// dumps that was half of what `report` allocated. At most maxSpare.
var spare struct {
	sync.Mutex
	stats [][]feed.Stat
}

const maxSpare = 64

// spareFree hands the builder's free storage on to spare.
func (b *builder) spareFree() {
	if len(b.free) == 0 {
		return
	}
	spare.Lock()
	for _, s := range b.free {
		if len(spare.stats) >= maxSpare {
			break
		}
		spare.stats = append(spare.stats, s)
	}
	spare.Unlock()
	clear(b.free)
	b.free = b.free[:0]
}

// flush gives the events held so far in time order (after call.start and
// participant.join, the first time) and forgets them.
func (b *builder) flush() error { return b.flushBefore(math.Inf(1)) }

// flushBefore gives, in time order, the events held from before cut and
// keeps the rest, in the order they came, for a later flush: together
// the events are given as one sort of them all would order them, unless
// one comes more than the window late.
func (b *builder) flushBefore(cut float64) error {
	if len(b.events) == 0 {
		return nil
	}
	// In time order, stably; the order is sorted as indices, since an
	// event is a whole message: moving events was a quarter of a report.
	order := b.order[:0]
	for i := range b.events {
		order = append(order, int32(i))
	}
	slices.SortStableFunc(order, func(x, y int32) int { return cmp.Compare(b.events[x].ts, b.events[y].ts) })
	b.order = order
	all := math.IsInf(cut, 1) // whatever the times, +Inf's too
	if !all && b.events[order[0]].ts >= cut {
		return nil
	}
	if !b.hold.started {
		if err := b.startCall(b.events[order[0]].ts); err != nil {
			return err
		}
	}
	for _, i := range order {
		if !all && b.events[i].ts >= cut {
			break
		}
		m := &b.events[i].msg
		m.CallID, m.ParticipantID = b.hold.callID, b.hold.partID
		if err := b.give(m); err != nil {
			return err
		}
		if b.reuse && cap(m.Stats) > 0 && len(b.free) < maxFree {
			b.free = append(b.free, m.Stats[:0])
		}
	}
	// Keep what was not given (from cut on), in the order it came.
	kept, stats := b.events[:0], 0
	for _, e := range b.events {
		if all || !(e.ts >= cut) { // given (a time that is NaN sorts first)
			continue
		}
		if len(kept) == 0 || e.ts < b.hold.oldest {
			b.hold.oldest = e.ts
		}
		stats += len(e.msg.Stats)
		kept = append(kept, e)
	}
	clear(b.events[len(kept):])
	b.events = kept
	b.hold.stats = stats
	return nil
}

// startCall gives call.start and participant.join at the call's start:
// first, or the dump's own start when a little earlier.
func (b *builder) startCall(first float64) error {
	if usableTS(b.start) && b.start < first && first-b.start < 24*3600*1000 {
		first = b.start
	}
	if b.facts != nil {
		b.call, b.part = b.facts()
	}
	b.fillDefaults(first)
	b.hold.started = true
	b.hold.callID, b.hold.partID = b.call.ID, b.part.ID
	call, part := b.call, b.part
	head := []feed.Message{
		{Type: feed.TypeCallStart, TS: first, Call: &call},
		{Type: feed.TypeParticipantJoin, TS: first, CallID: call.ID, Participant: &part},
	}
	for i := range head {
		if err := b.give(&head[i]); err != nil {
			return err
		}
	}
	return nil
}

// maxFree is the most samples' storage the builder keeps for reuse: a
// flush hands on up to FlushStats objects, a few hundred samples.
const maxFree = 1024

// give hands one message to the visitor.
func (b *builder) give(m *feed.Message) error {
	b.hold.given++
	if b.hold.emit == nil {
		return nil
	}
	return b.hold.emit(m)
}

// records finishes the call and encodes every message (see messages).
func (b *builder) records() ([]recording.Record, error) {
	enc := &encoder{file: b.file, out: make([]recording.Record, 0, len(b.events)+4)}
	if _, err := b.messages(func(m *feed.Message) error { return enc.add(*m) }); err != nil {
		return nil, err
	}
	return enc.out, nil
}

// encoder turns messages into records, reusing one scratch buffer so that
// each record gets a slice of exactly its size.
type encoder struct {
	file    string
	out     []recording.Record
	scratch []byte
	limit   int // bytes of records kept at most (0: no limit)
	bytes   int
	refused int // stats messages refused at the limit
}

// add appends m as a record, splitting a stats message that would exceed
// the frame size limit into smaller ones with the same time.
func (e *encoder) add(m feed.Message) error {
	var err error
	e.scratch, err = feed.AppendMessage(e.scratch[:0], &m) // the bytes of json.Marshal, faster
	if err != nil {
		return fmt.Errorf("%s: encoding a %s message: %w", e.file, m.Type, err)
	}
	if len(e.scratch) > feed.MaxFrameBytes-1024 && m.Type == feed.TypeStats && len(m.Stats) > 1 {
		half := len(m.Stats) / 2
		a, c := m, m
		a.Stats, c.Stats = m.Stats[:half], m.Stats[half:]
		if err := e.add(a); err != nil {
			return err
		}
		return e.add(c)
	}
	if e.limit > 0 && m.Type == feed.TypeStats && e.bytes+len(e.scratch) > e.limit {
		e.refused++
		return nil
	}
	e.bytes += len(e.scratch)
	e.out = append(e.out, recording.Record{Recv: msTime(m.TS), Msg: bytes.Clone(e.scratch)})
	return nil
}

// msTime converts milliseconds since the epoch to a UTC time.
func msTime(ms float64) time.Time {
	return time.UnixMicro(int64(math.Round(ms * 1000))).UTC()
}

// fillDefaults gives the call and participant an id when the dump named
// none: the file name for the call, "local" for the browser.
func (b *builder) fillDefaults(start float64) {
	withDefaults(&b.call, &b.part, fileID(b.file), "local", start)
}

// withDefaults fills what the data left out: the ids (callID, partID), a
// name from the user agent, the start and join times; and strips control
// characters from every string.
func withDefaults(c *feed.Call, p *feed.Participant, callID, partID string, start float64) {
	if c.ID == "" {
		c.ID = callID
	}
	if p.ID == "" {
		p.ID = partID
	}
	if p.Name == "" {
		p.Name = browserName(p.UserAgent)
	}
	if !usableTS(c.Start) {
		c.Start = start
	}
	p.Joined = start
	c.ID, c.Room = clean(c.ID), clean(c.Room)
	p.ID, p.Name, p.UserID, p.UserAgent = clean(p.ID), clean(p.Name), clean(p.UserID), clean(p.UserAgent)
	for k, v := range c.Tags {
		c.Tags[k] = clean(v)
	}
}

// fileID is a call id made from a file name: its base without extensions.
func fileID(path string) string {
	base := filepath.Base(path)
	for _, ext := range []string{".gz", ".json", ".txt", ".rtcstats", ".log"} {
		base = strings.TrimSuffix(base, ext)
	}
	if base == "" || base == "." || base == "/" {
		return "dump"
	}
	return base
}

var (
	reChrome  = regexp.MustCompile(`(?:Chrome|Chromium)/(\d+)`)
	reFirefox = regexp.MustCompile(`Firefox/(\d+)`)
	reSafari  = regexp.MustCompile(`Version/(\d+)[.\d]* (?:Mobile/\S+ )?Safari/`)
	reEdge    = regexp.MustCompile(`Edg/(\d+)`)
)

// browserName summarises a user agent as "Chrome 99", "Firefox 118" or
// "Safari 17"; "" when it is not recognised.
func browserName(ua string) string {
	for _, p := range []struct {
		re   *regexp.Regexp
		name string
	}{{reEdge, "Edge"}, {reFirefox, "Firefox"}, {reChrome, "Chrome"}, {reSafari, "Safari"}} {
		if m := p.re.FindStringSubmatch(ua); m != nil {
			return p.name + " " + m[1]
		}
	}
	return ""
}
