package diagnose

// The live list keeps every live call's latest CallSummary in a slice, in
// step with m.calls, so that Snapshot copies one slice and rebuilds only
// the calls that changed since the last snapshot, instead of visiting every
// call (at 10,000 calls, touching each call's memory cost milliseconds a
// frame even when nothing changed).

// liveList is the Monitor's list of live calls and their summaries.
type liveList struct {
	calls     []*call
	summaries []*CallSummary // summaries[i] belongs to calls[i]
	// changed holds calls marked dirty since the last snapshot (a call
	// may appear more than once, or after it was retired: both are
	// skipped).
	changed []*call
}

// add appends a new live call, dirty.
func (l *liveList) add(c *call) {
	c.live, c.slot, c.dirty = l, len(l.calls), true
	l.calls = append(l.calls, c)
	l.summaries = append(l.summaries, nil)
	l.changed = append(l.changed, c)
	if len(l.changed) > 2*len(l.calls)+1024 { // no snapshot taken for long: drop the stale entries
		l.compact()
	}
}

// remove takes c out of the list (it is retired).
func (l *liveList) remove(c *call) {
	if c.live != l {
		return
	}
	last := len(l.calls) - 1
	moved := l.calls[last]
	l.calls[c.slot], l.summaries[c.slot] = moved, l.summaries[last]
	moved.slot = c.slot
	l.calls[last], l.summaries[last] = nil, nil
	l.calls, l.summaries = l.calls[:last], l.summaries[:last]
	c.live, c.slot = nil, -1
}

// compact keeps only the changed entries that are live and still dirty.
func (l *liveList) compact() {
	kept := l.changed[:0]
	for _, c := range l.changed {
		if c.live == l && c.dirty {
			kept = append(kept, c)
		}
	}
	clear(l.changed[len(kept):])
	l.changed = kept
}

// markDirty notes that c's summary must be rebuilt.
func (c *call) markDirty() {
	if c.dirty {
		return
	}
	c.dirty = true
	if c.live != nil {
		c.live.changed = append(c.live.changed, c)
	}
}

// refreshLive rebuilds the summaries of the calls that changed.
func (v views) refreshLive() {
	l := &v.calls.live
	for _, c := range l.changed {
		if c.live == l && c.dirty {
			v.summary(c)
		}
	}
	clear(l.changed)
	l.changed = l.changed[:0]
}
