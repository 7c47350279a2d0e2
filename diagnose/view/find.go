package view

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/calltop/calltop/diagnose"
)

// How well a call matches a Query, best first. A term (a word, or a
// "quoted phrase") matches a field exactly (the whole field), at the start
// of one of its words, or inside a word; a call's rank is its worst term's.
const (
	MatchExact uint8 = iota
	MatchWord
	MatchInside
	NoMatch
)

// Query is a parsed filter: lower-case terms that must all match the same
// participant (name or user id) or the call itself (id, room, tags).
type Query struct {
	Terms []string
}

// ParseQuery splits a filter into terms: words, and "quoted phrases"
// kept whole (an unclosed quote runs to the end).
func ParseQuery(filter string) Query {
	var q Query
	rest := strings.ToLower(filter)
	for {
		rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
		if rest == "" {
			return q
		}
		if rest[0] == '"' {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				end = len(rest) - 1
			}
			if p := strings.Join(strings.Fields(rest[1:1+end]), " "); p != "" {
				q.Terms = append(q.Terms, p)
			}
			rest = rest[min(end+2, len(rest)):]
			continue
		}
		end := strings.IndexFunc(rest, unicode.IsSpace)
		if end < 0 {
			end = len(rest)
		}
		q.Terms = append(q.Terms, rest[:end])
		rest = rest[end:]
	}
}

// Empty reports whether the query matches everything.
func (q Query) Empty() bool { return len(q.Terms) == 0 }

// Implies reports whether every call q matches also matches p: each of
// p's terms is inside one of q's (a field that holds a term holds any part
// of it; see Match: a call q matches through a participant or alone, p
// matches through the same participant or alone).
func (q Query) Implies(p Query) bool {
	for _, pt := range p.Terms {
		if !slices.ContainsFunc(q.Terms, func(qt string) bool { return strings.Contains(qt, pt) }) {
			return false
		}
	}
	return true
}

// CallText is what a Query is matched against, lower case, worked out
// once per call summary while a filter is on.
type CallText struct {
	fields []string    // call id, room, then "key=value" tags
	people [][2]string // each participant's name and user id
	// what it was made of: a call's next summary shares its People and
	// Tags while they are unchanged, so its text is the same when these are
	from textOf
	// the last query matched against it, and how: a call's text outlives
	// its summaries, so the next summary of a call is not matched again
	lastQuery string
	lastMatch PersonMatch
}

// textOf is what a CallText is made of.
type textOf struct {
	id, room string
	tags     map[string]string // replaced, never changed, by the Monitor
	people   []diagnose.Person
}

// madeOf reports whether t is c's text too: c has the same id, room,
// tags and the very same People (a Monitor shares them between a call's
// summaries until a name changes).
func (t *CallText) madeOf(c *diagnose.CallSummary) bool {
	f := &t.from
	return f.id == c.ID && f.room == c.Room && len(f.people) == len(c.People) &&
		(len(f.people) == 0 || &f.people[0] == &c.People[0]) && sameTags(f.tags, c.Tags)
}

// sameTags reports whether a and b hold the same tags: most often they
// are the same map.
func sameTags(a, b map[string]string) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer() || maps.Equal(a, b)
}

// matchText is q.Match(t), remembered in t for filter (q's text).
func matchText(q Query, filter string, t *CallText) PersonMatch {
	if t.lastQuery != filter || filter == "" {
		t.lastQuery, t.lastMatch = filter, q.Match(t)
	}
	return t.lastMatch
}

// NewCallText works out the text a filter is matched against in c.
func NewCallText(c *diagnose.CallSummary) *CallText {
	t := &CallText{fields: []string{strings.ToLower(c.ID), strings.ToLower(c.Room)},
		from: textOf{id: c.ID, room: c.Room, tags: c.Tags, people: c.People}}
	for _, k := range slices.Sorted(maps.Keys(c.Tags)) {
		t.fields = append(t.fields, strings.ToLower(k+"="+c.Tags[k]))
	}
	for _, p := range c.People {
		t.people = append(t.people, [2]string{strings.ToLower(p.Name), strings.ToLower(p.UserID)})
	}
	return t
}

// PersonMatch is how a call matched: its rank and the participant who
// matched (an index into People, -1 when the call itself did).
type PersonMatch struct {
	Rank   uint8
	Person int
}

// Match ranks the call against q. A participant matches when every term
// matches that participant or the call, at least one the participant; the
// terms that fell on the participant and, joined, spell their whole name
// or user id count as exact. The best of the participants and of the call
// alone wins; on a tie, a participant.
func (q Query) Match(t *CallText) PersonMatch {
	best := PersonMatch{Rank: NoMatch, Person: -1}
	if q.Empty() {
		return PersonMatch{Rank: MatchExact, Person: -1}
	}
	for i, p := range t.people {
		if r := q.matchPerson(t, p); r < best.Rank {
			best = PersonMatch{Rank: r, Person: i}
		}
	}
	rank := MatchExact
	for _, term := range q.Terms {
		rank = max(rank, rankIn(t.fields, term))
	}
	if rank < best.Rank {
		best = PersonMatch{Rank: rank, Person: -1}
	}
	return best
}

// matchPerson ranks one participant (NoMatch if a term matches neither
// them nor the call, or none matches them).
func (q Query) matchPerson(t *CallText, p [2]string) uint8 {
	var mine []string // the terms that matched the participant
	rank := MatchExact
	onCall := MatchExact
	for _, term := range q.Terms {
		rp, rc := rankIn(p[:], term), rankIn(t.fields, term)
		switch {
		case rp == NoMatch && rc == NoMatch:
			return NoMatch
		case rp <= rc:
			mine = append(mine, term)
			rank = max(rank, rp)
		default:
			onCall = max(onCall, rc)
		}
	}
	if len(mine) == 0 {
		return NoMatch
	}
	if whole := strings.Join(mine, " "); whole == p[0] || whole == p[1] {
		rank = MatchExact
	}
	return max(rank, onCall)
}

// rankIn is how well term matches the best of fields.
func rankIn(fields []string, term string) uint8 {
	best := NoMatch
	for _, f := range fields {
		best = min(best, rankField(f, term))
		if best == MatchExact {
			break
		}
	}
	return best
}

// rankField is how well term matches one field.
func rankField(f, term string) uint8 {
	if f == "" {
		return NoMatch
	}
	if f == term {
		return MatchExact
	}
	rank := NoMatch
	for from := 0; from < len(f); {
		i := strings.Index(f[from:], term)
		if i < 0 {
			break
		}
		i += from
		if wordStart(f, i) {
			return MatchWord
		}
		rank = MatchInside
		_, n := utf8.DecodeRuneInString(f[i:])
		from = i + n
	}
	return rank
}

// wordStart reports whether f[i:] starts a word: at the start, or after a
// character that is neither a letter nor a digit.
func wordStart(f string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(f[:i])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}
