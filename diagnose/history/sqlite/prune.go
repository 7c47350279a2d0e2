package sqlite

import (
	"context"
	"time"
)

// pruneBatch is how many calls one retention transaction removes, so that
// a large clean-up never holds the write lock for long.
const pruneBatch = 500

// Prune removes calls that ended before olderThan (zero: none by age),
// then the oldest until the stored bytes are at most maxBytes (0: no
// bound). It returns how many calls it removed.
func (s *Store) Prune(ctx context.Context, olderThan time.Time, maxBytes int64) (int, error) {
	removed := 0
	for {
		var n int
		var err error
		if !olderThan.IsZero() {
			n, err = s.deleteWhere(ctx, 0, "SELECT seq, bytes FROM calls WHERE end_ms < ? ORDER BY end_ms LIMIT ?", olderThan.UnixMilli(), pruneBatch)
		}
		if err != nil {
			return removed, err
		}
		removed += n
		if n < pruneBatch {
			break
		}
	}
	for maxBytes > 0 {
		stored, err := s.StoredBytes(ctx)
		if err != nil || stored <= maxBytes {
			return removed, err
		}
		n, err := s.deleteOldest(ctx, stored-maxBytes)
		removed += n
		if err != nil || n == 0 {
			return removed, err
		}
	}
	return removed, nil
}

// StoredBytes is the size of the stored calls' data.
func (s *Store) StoredBytes(ctx context.Context) (int64, error) {
	var v int64
	err := s.db.QueryRowContext(ctx, "SELECT v FROM meta WHERE k = 'bytes'").Scan(&v)
	return v, err
}

// deleteOldest removes the oldest calls until about excess bytes are
// freed (at most pruneBatch calls).
func (s *Store) deleteOldest(ctx context.Context, excess int64) (int, error) {
	return s.deleteWhere(ctx, excess, "SELECT seq, bytes FROM calls ORDER BY end_ms LIMIT ?", pruneBatch)
}

// deleteWhere removes the calls a (seq, bytes) query selects, stopping
// once enough bytes are freed (enough <= 0: all of them).
func (s *Store) deleteWhere(ctx context.Context, enough int64, query string, args ...any) (int, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	var seqs []int64
	var freed int64
	for rows.Next() && (enough <= 0 || freed < enough) {
		var seq, b int64
		if err := rows.Scan(&seq, &b); err != nil {
			rows.Close()
			return 0, err
		}
		seqs = append(seqs, seq)
		freed += b
	}
	rows.Close()
	return len(seqs), s.deleteSeqs(ctx, seqs, freed)
}

// deleteSeqs removes calls by seq in one transaction.
func (s *Store) deleteSeqs(ctx context.Context, seqs []int64, freed int64) error {
	if len(seqs) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, seq := range seqs {
		if err := deleteSeq(ctx, tx, seq); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE meta SET v = v - ? WHERE k = 'bytes'", freed); err != nil {
		return err
	}
	return tx.Commit()
}
