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
	if words := q.PersonWords(); len(words) > 0 {
		return s.searchPerson(ctx, q.Cap(), words, where, args)
	}
	query := "SELECT " + summaryColumns + " FROM calls c" + whereClause(where) + " ORDER BY c.end_ms DESC LIMIT ?"
	rows, err := s.db.QueryContext(ctx, query, append(args, q.Cap())...)
	if err != nil {
		return nil, fmt.Errorf("history search: %w", err)
	}
	defer rows.Close()
	out := []history.Summary{}
	for rows.Next() {
		_, sum, err := scanSummary(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sum)
	}
	return out, rows.Err()
}

// searchPerson walks the person index newest first, keeps the rows where
// every query word starts a different word of that one person, and reads
// those calls' summaries (with the other filters) a batch at a time: the
// index walk alone is cheap, the join with calls is not.
func (s *Store) searchPerson(ctx context.Context, limit int, words, where []string, args []any) ([]history.Summary, error) {
	match, err := s.indexTerms(ctx, words)
	if err != nil {
		return nil, fmt.Errorf("history search: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT rowid, words FROM person_index WHERE person_index MATCH ? ORDER BY rowid DESC", match)
	if err != nil {
		return nil, fmt.Errorf("history search: %w", err)
	}
	defer rows.Close()
	out := []history.Summary{}
	seen := map[int64]bool{}
	var batch []int64
	flush := func() error {
		sums, err := s.summariesOf(ctx, batch, where, args)
		for _, seq := range batch {
			if sum, ok := sums[seq]; ok && len(out) < limit {
				out = append(out, sum)
			}
		}
		batch = batch[:0]
		return err
	}
	for len(out) < limit && rows.Next() {
		var rowid int64
		var person string
		if err := rows.Scan(&rowid, &person); err != nil {
			return nil, fmt.Errorf("history search: %w", err)
		}
		seq := rowid >> personBits
		if seen[seq] || !history.MatchPerson(words, strings.Fields(person)) {
			continue
		}
		seen[seq] = true
		if batch = append(batch, seq); len(batch) >= max(limit-len(out), 16) {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history search: %w", err)
	}
	if len(batch) > 0 && len(out) < limit {
		if err := flush(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// summariesOf reads the summaries of the calls seqs that pass the filters.
func (s *Store) summariesOf(ctx context.Context, seqs []int64, where []string, args []any) (map[int64]history.Summary, error) {
	marks := strings.TrimSuffix(strings.Repeat("?,", len(seqs)), ",")
	all := make([]any, 0, len(seqs)+len(args))
	for _, seq := range seqs {
		all = append(all, seq)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+summaryColumns+" FROM calls c WHERE c.seq IN ("+marks+")"+and(where), append(all, args...)...)
	if err != nil {
		return nil, fmt.Errorf("history search: %w", err)
	}
	defer rows.Close()
	out := make(map[int64]history.Summary, len(seqs))
	for rows.Next() {
		seq, sum, err := scanSummary(rows)
		if err != nil {
			return nil, err
		}
		out[seq] = sum
	}
	return out, rows.Err()
}

// maxExpansion is how many indexed words one prefix may stand for before
// the search falls back to FTS5's own (slower) prefix query.
const maxExpansion = 64

// indexTerms is the FTS5 query of a person search: the longest query word
// expanded, through the person_words list of every word ever indexed, into
// the indexed words it starts ("dan" -> "dan" OR "dana" OR
// "daniel"), exact terms that FTS5 walks newest first without loading
// whole lists. The other words are checked on each candidate row.
func (s *Store) indexTerms(ctx context.Context, words []string) (string, error) {
	longest := words[0]
	for _, w := range words[1:] {
		if len(w) > len(longest) {
			longest = w
		}
	}
	rows, err := s.db.QueryContext(ctx, "SELECT word FROM person_words WHERE word >= ? AND word < ? LIMIT ?",
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

// scanSummary reads one row of summaryColumns.
func scanSummary(rows *sql.Rows) (int64, history.Summary, error) {
	var seq, startMS, endMS int64
	var worst int
	var people string
	var sum history.Summary
	if err := rows.Scan(&seq, &sum.ID, &sum.Room, &startMS, &endMS, &worst, &sum.WorstRule, &sum.WorstText,
		&sum.MOSMean, &people, &sum.Source, &sum.StoredBytes); err != nil {
		return 0, sum, fmt.Errorf("history search: %w", err)
	}
	sum.Start, sum.End = time.UnixMilli(startMS).UTC(), time.UnixMilli(endMS).UTC()
	sum.Key = history.Key(sum.ID, sum.Start)
	sum.Worst = diagnose.Severity(worst)
	if people != "" {
		sum.People = strings.Split(people, "\x1f")
	}
	return seq, sum, nil
}
