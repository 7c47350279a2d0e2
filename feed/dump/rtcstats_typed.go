package dump

import (
	"maps"

	"github.com/calltop/calltop/feed"
)

// Typed state for the getstats fast path. The general path turns each
// object of a sample into a feed.Stat from its whole merged map, every
// field through Stat.Field and a conversion, though a delta changes only
// a few of them. Here each object's W3C fields are kept converted
// (statCache) and a delta converts only the fields it carries; a sample
// copies the kept Stat. The merged map stays the truth: legacy goog*
// objects, types, track and kind folding still read it, and a line the
// general path merges drops the objects it touched from the cache.

// statCache holds, per stats object id of one peer connection, what a
// sample needs of the object: its merged map, its W3C type once worked
// out, and its W3C fields (not id, type or timestamp) as fillStat would set
// them from the map.
type statCache map[string]*cachedStat

type cachedStat struct {
	id      string
	dropped bool    // no longer the cache's: the general path merged the object
	obj     rawStat // the merged map itself (state[id], made once, merged in place)
	form    uint8   // formUnknown until worked out from obj
	typ     string  // the W3C type, for formW3C
	cid     string  // the id and type as a Stat has them (clean), for formW3C
	ctyp    string
	st      feed.Stat
	full    bool // st is filled
	// unread: a W3C object of a type the visitor does not read
	// (Visitor.Stats), left out of samples.
	unread bool

	ts      float64 // obj's timestamp as a number, when tsKnown
	tsOK    bool
	tsKnown bool

	// For formLegacy (but the active candidate pair, which takes in another
	// object): the W3C stats made of the object, while it is unchanged.
	legacy   []feed.Stat
	legacyOK bool
	made     int // how many stats legacyInto made of it last

	rawTyp    string // obj's "type", when typeKnown
	typeKnown bool

	// For an rtp stream: the trackFields obj lacks (bits by index), when
	// lacksKnown and obj still has lacksLen fields (trackInto).
	lacks      uint32
	lacksLen   int
	lacksKnown bool
}

// What a sample makes of an object.
const (
	formUnknown = iota
	formLegacy  // legacyStats
	formNone    // no type, or a dropped one
	formW3C     // st, typ
)

// cacheOf returns a peer connection's cache.
func (r *rtcstatsReader) cacheOf(pc string) statCache {
	c := r.typed[pc]
	if c == nil {
		if r.typed == nil {
			r.typed = map[string]statCache{}
		}
		c = statCache{}
		r.typed[pc] = c
	}
	return c
}

// update follows one merged field: the type is worked out again when
// what it depends on changes; a W3C field is set in st, zeroed first (the
// general path fills from scratch, so a value that does not convert
// leaves the field zero).
func (e *cachedStat) update(k string, v any) {
	switch k {
	case "type", "isRemote", "portNumber": // normalizeType, isLegacyType
		e.form, e.legacyOK, e.typeKnown = formUnknown, false, false
		return
	case "timestamp":
		e.ts, e.tsOK = asNumber(v)
		e.tsKnown = true
		return
	case "id":
		return
	}
	e.legacyOK = false
	if !e.full {
		return
	}
	f := e.st.Field(k)
	switch p := f.(type) {
	case nil:
		return
	case *float64:
		*p = 0
	case *int64:
		*p = 0
	case *string:
		*p = ""
	case *bool:
		*p = false
	case *map[string]float64:
		*p = nil
	}
	setValue(f, v)
}

// rawType is obj's "type" as written ("" if none or not a string).
func (e *cachedStat) rawType() string {
	if !e.typeKnown {
		e.rawTyp, _ = e.obj["type"].(string)
		e.typeKnown = true
	}
	return e.rawTyp
}

// room is about how many stats the object makes in a sample (as far as
// known: the last time's), for sizing the sample's storage.
func (e *cachedStat) room() int {
	switch {
	case e.form == formNone || e.unread:
		return 0
	case e.form == formLegacy:
		return max(e.made, 1)
	}
	return 1
}

// statsFromCache is statsFromSample for the fast path, appending to out:
// the same stats, each W3C object copied from its cache entry, but those
// of a type want does not keep (nil: all), which it counts in left.
func statsFromCache(out []feed.Stat, state map[string]rawStat, cache statCache, ents []*cachedStat, fallbackTS float64, want func(string) bool) (stats []feed.Stat, left int) {
	for _, e := range ents {
		id, obj := e.id, e.obj
		if !e.tsKnown {
			e.ts, e.tsOK = asNumber(obj["timestamp"])
			e.tsKnown = true
		}
		ts := e.ts
		if !e.tsOK || ts <= 0 {
			ts = fallbackTS
		}
		if e.form == formUnknown {
			e.form, e.typ = formOf(obj)
			e.cid, e.ctyp = clean(id), clean(e.typ)
			e.unread = e.form == formW3C && want != nil && !want(e.ctyp)
		}
		switch e.form {
		case formLegacy:
			if e.rawType() == legacyPair && isActivePair(obj) { // with bweforvideo's figures
				n := len(out)
				out = legacyInto(out, id, ts, obj, state)
				e.made = len(out) - n
				continue
			}
			if !e.legacyOK {
				e.legacy, e.legacyOK = legacyInto(e.legacy[:0], id, ts, obj, state), true
				e.made = len(e.legacy)
			}
			for _, st := range e.legacy {
				st.Timestamp = ts
				out = append(out, st)
			}
			continue
		case formNone:
			continue
		}
		if e.unread {
			left++
			continue
		}
		if !e.full {
			fillStat(&e.st, "", "", 0, obj)
			e.full = true
		}
		out = append(out, e.st)
		o := &out[len(out)-1]
		if o.QualityLimitationDurations != nil { // the cache's map is not handed out
			o.QualityLimitationDurations = maps.Clone(o.QualityLimitationDurations)
		}
		switch typ := e.typ; typ {
		case feed.StatInboundRTP, feed.StatOutboundRTP:
			trackInto(o, e, cache, state)
		case feed.StatRemoteInboundRTP, "remote-outbound-rtp":
			if kind, ok := localKind(id, obj, state); ok {
				setValue(o.Field("kind"), kind)
			}
		}
		o.ID, o.Type, o.Timestamp = e.cid, e.ctyp, ts
	}
	sortStats(out)
	return out, left
}

// formOf is what statsInto makes of obj: legacy, nothing, or a W3C type.
func formOf(obj rawStat) (uint8, string) {
	if isLegacyType(obj) {
		return formLegacy, ""
	}
	typ := normalizeType(obj)
	if typ == "" || dropTypes[typ] {
		return formNone, ""
	}
	return formW3C, typ
}

// trackInto is withTrackFields on a Stat filled from e's object: the
// fields its track object holds and it lacks (so st's are zero), copied
// from the track object's converted fields (its cache entry's Stat, kept
// in step as merged) rather than converted from its map each sample. A
// field the track lacks, or holds unconverted, is zero there, as st's is.
// Which of trackFields the object lacks is kept (lacks) while its number
// of fields holds: a merge only adds or overwrites fields.
func trackInto(st *feed.Stat, e *cachedStat, cache statCache, state map[string]rawStat) {
	tid, _ := e.obj["trackId"].(string)
	te := cache[tid]
	if te == nil {
		track := state[tid]
		if track == nil {
			return
		}
		te = &cachedStat{obj: track, id: tid}
		cache[tid] = te
	}
	if !te.full {
		fillStat(&te.st, "", "", 0, te.obj)
		te.full = true
	}
	if !e.lacksKnown || e.lacksLen != len(e.obj) {
		e.lacks = 0
		for i, f := range trackFields {
			if _, has := e.obj[f]; !has {
				e.lacks |= 1 << i
			}
		}
		e.lacksKnown, e.lacksLen = true, len(e.obj)
	}
	copyTrackFields(st, &te.st, e.lacks)
}

// copyTrackFields copies from src to dst the fields of trackFields whose
// bit (by index) is set in mask.
func copyTrackFields(dst, src *feed.Stat, mask uint32) {
	if mask&(1<<0) != 0 {
		dst.JitterBufferDelay = src.JitterBufferDelay
	}
	if mask&(1<<1) != 0 {
		dst.JitterBufferEmittedCount = src.JitterBufferEmittedCount
	}
	if mask&(1<<2) != 0 {
		dst.ConcealedSamples = src.ConcealedSamples
	}
	if mask&(1<<3) != 0 {
		dst.SilentConcealedSamples = src.SilentConcealedSamples
	}
	if mask&(1<<4) != 0 {
		dst.TotalSamplesReceived = src.TotalSamplesReceived
	}
	if mask&(1<<5) != 0 {
		dst.InsertedSamplesForDeceleration = src.InsertedSamplesForDeceleration
	}
	if mask&(1<<6) != 0 {
		dst.RemovedSamplesForAcceleration = src.RemovedSamplesForAcceleration
	}
	if mask&(1<<7) != 0 {
		dst.FramesReceived = src.FramesReceived
	}
	if mask&(1<<8) != 0 {
		dst.FramesDecoded = src.FramesDecoded
	}
	if mask&(1<<9) != 0 {
		dst.FramesDropped = src.FramesDropped
	}
	if mask&(1<<10) != 0 {
		dst.FramesSent = src.FramesSent
	}
	if mask&(1<<11) != 0 {
		dst.FrameWidth = src.FrameWidth
	}
	if mask&(1<<12) != 0 {
		dst.FrameHeight = src.FrameHeight
	}
	if mask&(1<<13) != 0 {
		dst.FreezeCount = src.FreezeCount
	}
	if mask&(1<<14) != 0 {
		dst.TotalFreezesDuration = src.TotalFreezesDuration
	}
	if mask&(1<<15) != 0 {
		dst.PauseCount = src.PauseCount
	}
	if mask&(1<<16) != 0 {
		dst.TotalPausesDuration = src.TotalPausesDuration
	}
	if mask&(1<<17) != 0 {
		dst.AudioLevel = src.AudioLevel
	}
	if mask&(1<<18) != 0 {
		dst.TotalAudioEnergy = src.TotalAudioEnergy
	}
	if mask&(1<<19) != 0 {
		dst.TotalSamplesDuration = src.TotalSamplesDuration
	}
	if mask&(1<<20) != 0 {
		dst.TrackIdentifier = src.TrackIdentifier
	}
}
