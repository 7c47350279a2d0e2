package tui

import (
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/calltop/calltop/diagnose"
)

// How well a call matches a query, best first. A term (a word, or a
// "quoted phrase") matches a field exactly (the whole field), at the start
// of one of its words, or inside a word; a call's rank is its worst term's.
const (
	matchExact uint8 = iota
	matchWord
	matchInside
	noMatch
)

// query is a parsed filter: lower-case terms that must all match the same
// participant (name or user id) or the call itself (id, room, tags).
type query struct {
	terms []string
}

// parseQuery splits a filter into terms: words, and "quoted phrases"
// kept whole (an unclosed quote runs to the end).
func parseQuery(filter string) query {
	var q query
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
				q.terms = append(q.terms, p)
			}
			rest = rest[min(end+2, len(rest)):]
			continue
		}
		end := strings.IndexFunc(rest, unicode.IsSpace)
		if end < 0 {
			end = len(rest)
		}
		q.terms = append(q.terms, rest[:end])
		rest = rest[end:]
	}
}

// empty reports whether the query matches everything.
func (q query) empty() bool { return len(q.terms) == 0 }

// callText is what a query is matched against, lower case, worked out
// once per call summary while a filter is on.
type callText struct {
	fields []string    // call id, room, then "key=value" tags
	people [][2]string // each participant's name and user id
}

func newCallText(c *diagnose.CallSummary) *callText {
	t := &callText{fields: []string{strings.ToLower(c.ID), strings.ToLower(c.Room)}}
	for _, k := range slices.Sorted(maps.Keys(c.Tags)) {
		t.fields = append(t.fields, strings.ToLower(k+"="+c.Tags[k]))
	}
	for _, p := range c.People {
		t.people = append(t.people, [2]string{strings.ToLower(p.Name), strings.ToLower(p.UserID)})
	}
	return t
}

// personMatch is how a call matched: its rank and the participant who
// matched (an index into People, -1 when the call itself did).
type personMatch struct {
	rank   uint8
	person int
}

// match ranks the call against q. A participant matches when every term
// matches that participant or the call, at least one the participant; the
// terms that fell on the participant and, joined, spell their whole name
// or user id count as exact. The best of the participants and of the call
// alone wins; on a tie, a participant.
func (q query) match(t *callText) personMatch {
	best := personMatch{rank: noMatch, person: -1}
	if q.empty() {
		return personMatch{rank: matchExact, person: -1}
	}
	for i, p := range t.people {
		if r := q.matchPerson(t, p); r < best.rank {
			best = personMatch{rank: r, person: i}
		}
	}
	rank := matchExact
	for _, term := range q.terms {
		rank = max(rank, rankIn(t.fields, term))
	}
	if rank < best.rank {
		best = personMatch{rank: rank, person: -1}
	}
	return best
}

// matchPerson ranks one participant (noMatch if a term matches neither
// them nor the call, or none matches them).
func (q query) matchPerson(t *callText, p [2]string) uint8 {
	var mine []string // the terms that matched the participant
	rank := matchExact
	onCall := matchExact
	for _, term := range q.terms {
		rp, rc := rankIn(p[:], term), rankIn(t.fields, term)
		switch {
		case rp == noMatch && rc == noMatch:
			return noMatch
		case rp <= rc:
			mine = append(mine, term)
			rank = max(rank, rp)
		default:
			onCall = max(onCall, rc)
		}
	}
	if len(mine) == 0 {
		return noMatch
	}
	if whole := strings.Join(mine, " "); whole == p[0] || whole == p[1] {
		rank = matchExact
	}
	return max(rank, onCall)
}

// rankIn is how well term matches the best of fields.
func rankIn(fields []string, term string) uint8 {
	best := noMatch
	for _, f := range fields {
		best = min(best, rankField(f, term))
		if best == matchExact {
			break
		}
	}
	return best
}

// rankField is how well term matches one field.
func rankField(f, term string) uint8 {
	if f == "" {
		return noMatch
	}
	if f == term {
		return matchExact
	}
	rank := noMatch
	for from := 0; from < len(f); {
		i := strings.Index(f[from:], term)
		if i < 0 {
			break
		}
		i += from
		if wordStart(f, i) {
			return matchWord
		}
		rank = matchInside
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
