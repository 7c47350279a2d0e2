package dump

import "github.com/calltop/calltop/feed"

// What a dump may make calltop keep, whatever its size: memory follows
// what is kept, not the bytes read (docs/dumps.md, "Limits"). Past a cap
// the rest is refused, counted and reported once, and everything else is
// used.
const (
	// FlushStats: an rtcstats dump's samples are handed on in time order
	// every time this many stats objects are held (its lines come in time
	// order), so a long dump is never held whole.
	FlushStats = 20000
	// HoldWindow: an rtcstats dump's samples and events are also handed on
	// once they are this many milliseconds older than the newest: the
	// first after twice that much data time (the call's facts, which
	// dumps name in their first lines, are read by then), later ones as
	// the dump goes on, so the storage of samples handed on is reused for
	// later ones (Visitor.Reuse). A line more than the window late is
	// given after later ones.
	HoldWindow = 15000
	// MaxHeldStats bounds the stats objects held at once from a dump read
	// whole (webrtc-internals); later samples are refused.
	MaxHeldStats = 150000
	// MaxStatsIDs bounds the stats objects (ids) one peer connection of an
	// rtcstats dump may name; new ids past it are refused.
	MaxStatsIDs = 2000
	// MaxConnections bounds the peer connections of one dump.
	MaxConnections = 256
	// MaxFields bounds the fields of one stats object (real ones have
	// fewer than 100); new fields past it are refused.
	MaxFields = 256
	// MaxReplayBytes bounds the encoded messages a replay keeps from one
	// dump (Load); later samples are refused.
	MaxReplayBytes = 64 << 20
	// MaxInternalsBytes bounds a webrtc-internals dump, which is read
	// whole (Chrome's own hold at most 1000 points a series: a few MB a
	// connection).
	MaxInternalsBytes = 32 << 20
)

// holding is the builder's state while it hands messages on in batches.
type holding struct {
	emit    func(*feed.Message) error
	flushAt int // 0: hold everything until the end
	stats   int // stats objects held now
	started bool
	callID  string
	partID  string
	last    float64 // the latest event time so far
	oldest  float64 // the earliest event time held
	given   int
	err     error // the visitor's, which stops the reading

	refusedSamples, refusedObjects int
}

// keep reports whether a sample of n stats objects may be held, handing
// on what is held first when the batch is full (and the dump allows it).
func (b *builder) keep(n int) bool {
	h := &b.hold
	if h.flushAt > 0 && h.stats+n > h.flushAt && h.err == nil {
		h.err = b.flush()
	}
	if h.stats+n > MaxHeldStats {
		h.refusedSamples++
		h.refusedObjects += n
		return false
	}
	h.stats += n
	return true
}

// reportRefusals adds one problem for the samples refused at the cap.
func (b *builder) reportRefusals(line int) {
	if h := &b.hold; h.refusedSamples > 0 {
		b.problem(line, "%d stats samples (%d objects) refused: a dump read whole may hold at most %d stats objects", h.refusedSamples, h.refusedObjects, MaxHeldStats)
	}
}
