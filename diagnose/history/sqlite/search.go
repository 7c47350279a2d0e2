package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/history"
)

const summaryColumns = "c.seq, c.id, c.room, c.start_ms, c.end_ms, c.worst, c.worst_rule, c.worst_text, c.mos, c.people, c.source, c.bytes"

// Search lists the calls matching q, newest first. A person search walks
// the person index from its newest row down and stops at the limit, so its
// cost follows the number of results, not the size of the history.
func (s *Store) Search(ctx context.Context, q history.Query) ([]history.Summary, error) {
	where, args := filters(q)
	words := q.PersonWords()
	var query string
	if len(words) > 0 {
		match, err := s.indexTerms(ctx, words)
		if err != nil {
			return nil, fmt.Errorf("history search: %w", err)
		}
		query = "SELECT " + summaryColumns + ", p.words FROM person_index p JOIN calls c ON c.seq = (p.rowid >> 10) WHERE person_index MATCH ?" +
			and(where) + " ORDER BY p.rowid DESC"
		args = append([]any{match}, args...)
	} else {
		query = "SELECT " + summaryColumns + " FROM calls c" + whereClause(where) + " ORDER BY c.end_ms DESC LIMIT ?"
		args = append(args, q.Cap())
	}
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("history search: %w", err)
	}
	defer rows.Close()
	return scanSummaries(rows, q.Cap(), words)
}

// maxExpansion is how many indexed words one prefix may stand for before
// the search falls back to FTS5's own (slower) prefix query.
const maxExpansion = 64

// indexTerms is the FTS5 query of a person search: the longest query word
// expanded into the indexed words it starts ("dan" -> "dan" OR "dana" OR
// "daniel"), exact terms that FTS5 walks newest first without loading
// whole lists. The other words are checked on each candidate row.
func (s *Store) indexTerms(ctx context.Context, words []string) (string, error) {
	longest := words[0]
	for _, w := range words[1:] {
		if len(w) > len(longest) {
			longest = w
		}
	}
	rows, err := s.db.QueryContext(ctx, "SELECT term FROM person_vocab WHERE term >= ? AND term < ? LIMIT ?",
		longest, longest+"\U0010ffff", maxExpansion+1)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var terms []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return "", err
		}
		terms = append(terms, `"`+t+`"`) // indexed words are folded: letters and digits
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	switch {
	case len(terms) == 0:
		return `"` + longest + `"`, nil // matches nothing, as it should
	case len(terms) > maxExpansion:
		return `"` + longest + `"*`, nil
	}
	return strings.Join(terms, " OR "), nil
}

// filters turns the query's other fields into SQL conditions on c.
func filters(q history.Query) ([]string, []any) {
	var where []string
	var args []any
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if q.Room != "" {
		add("c.room_fold = ?", strings.ToLower(q.Room))
	}
	if q.CallID != "" {
		add("c.id = ?", q.CallID)
	}
	if !q.Since.IsZero() {
		add("c.end_ms >= ?", q.Since.UnixMilli())
	}
	if !q.Until.IsZero() {
		add("c.end_ms <= ?", q.Until.UnixMilli())
	}
	if q.MinSeverity > diagnose.None {
		add("c.worst >= ?", int(q.MinSeverity))
	}
	if q.Rule != "" {
		add("EXISTS (SELECT 1 FROM rules r WHERE r.rule = ? AND r.seq = c.seq)", q.Rule)
	}
	for k, v := range q.Tags {
		add("EXISTS (SELECT 1 FROM tags t WHERE t.k = ? AND t.v = ? AND t.seq = c.seq)", k, v)
	}
	return where, args
}

func and(where []string) string {
	if len(where) == 0 {
		return ""
	}
	return " AND " + strings.Join(where, " AND ")
}

func whereClause(where []string) string {
	if len(where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(where, " AND ")
}

// scanSummaries reads rows until limit distinct calls (a call may come
// once per matching participant). With person words, each row also holds
// the participant's indexed words, and is kept only when every query word
// starts a different one of them (the index matched each word alone).
func scanSummaries(rows *sql.Rows, limit int, person []string) ([]history.Summary, error) {
	out := []history.Summary{}
	seen := map[int64]bool{}
	for rows.Next() && len(out) < limit {
		var seq, startMS, endMS int64
		var worst int
		var people string
		var sum history.Summary
		var words string
		dest := []any{&seq, &sum.ID, &sum.Room, &startMS, &endMS, &worst, &sum.WorstRule, &sum.WorstText,
			&sum.MOSMean, &people, &sum.Source, &sum.StoredBytes}
		if len(person) > 0 {
			dest = append(dest, &words)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("history search: %w", err)
		}
		if seen[seq] || !history.MatchPerson(person, strings.Fields(words)) {
			continue
		}
		seen[seq] = true
		sum.Start, sum.End = time.UnixMilli(startMS).UTC(), time.UnixMilli(endMS).UTC()
		sum.Worst = diagnose.Severity(worst)
		if people != "" {
			sum.People = strings.Split(people, "\x1f")
		}
		out = append(out, sum)
	}
	return out, rows.Err()
}
