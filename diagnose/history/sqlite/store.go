package sqlite

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/calltop/calltop/diagnose/history"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// FileName is the history file's name in a state directory.
const FileName = "history.db"

// maxPeople is how many participants of one call the person index keeps
// (row ids are seq<<personBits | participant).
const (
	personBits = 10
	maxPeople  = 1 << personBits
)

// Store is a history.Store in one SQLite file.
type Store struct {
	db   *sql.DB
	path string
}

var _ history.Store = (*Store)(nil)

// Open opens (creating, 0600) the history file at path and brings its
// schema up to date.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	f.Close()
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("history %s: %w", path, err)
	}
	return &Store{db: db, path: path}, nil
}

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

// Path is the file's path.
func (s *Store) Path() string { return s.path }

// Put keeps calls in one transaction, replacing any with the same id.
func (s *Store) Put(ctx context.Context, calls []history.Call) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var added int64
	for i := range calls {
		n, err := putCall(ctx, tx, &calls[i])
		if err != nil {
			return fmt.Errorf("history: call %q: %w", calls[i].Report.ID, err)
		}
		added += n
	}
	if _, err := tx.ExecContext(ctx, "UPDATE meta SET v = v + ? WHERE k = 'bytes'", added); err != nil {
		return err
	}
	return tx.Commit()
}

// putCall writes one call and returns the change in stored bytes.
func putCall(ctx context.Context, tx *sql.Tx, c *history.Call) (int64, error) {
	data, err := encode(c)
	if err != nil {
		return 0, err
	}
	var delta int64
	var oldSeq, oldBytes int64
	switch err := tx.QueryRowContext(ctx, "SELECT seq, bytes FROM calls WHERE id = ? AND start_ms = ?", c.Report.ID,
		c.Report.Start.UnixMilli()).Scan(&oldSeq, &oldBytes); {
	case err == nil:
		if err := deleteSeq(ctx, tx, oldSeq); err != nil {
			return 0, err
		}
		delta -= oldBytes
	case !errors.Is(err, sql.ErrNoRows):
		return 0, err
	}
	sum := c.Summarize()
	res, err := tx.ExecContext(ctx, `INSERT INTO calls (id, room, room_fold, start_ms, end_ms, worst, worst_rule,
		worst_text, mos, people, source, bytes, data) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		sum.ID, sum.Room, strings.ToLower(sum.Room), sum.Start.UnixMilli(), sum.End.UnixMilli(), int(sum.Worst),
		sum.WorstRule, sum.WorstText, sum.MOSMean, strings.Join(sum.People, "\x1f"), sum.Source, len(data), data)
	if err != nil {
		return 0, err
	}
	seq, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	if err := indexCall(ctx, tx, seq, c); err != nil {
		return 0, err
	}
	return delta + int64(len(data)), nil
}

// indexCall adds the call's people, rules and tags to the indexes.
func indexCall(ctx context.Context, tx *sql.Tx, seq int64, c *history.Call) error {
	for i, p := range c.People {
		if i >= maxPeople {
			break
		}
		words := history.PersonWords(p.Name, p.UserID)
		if _, err := tx.ExecContext(ctx, "INSERT INTO person_index (rowid, words) VALUES (?, ?)", seq<<personBits|int64(i), strings.Join(words, " ")); err != nil {
			return err
		}
		for _, w := range words {
			if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO person_words (word) VALUES (?)", w); err != nil {
				return err
			}
		}
	}
	seen := map[string]bool{}
	for _, f := range c.Report.Findings {
		if seen[f.Rule] {
			continue
		}
		seen[f.Rule] = true
		if _, err := tx.ExecContext(ctx, "INSERT INTO rules (rule, seq) VALUES (?, ?)", f.Rule, seq); err != nil {
			return err
		}
	}
	for k, v := range c.Report.Tags {
		if _, err := tx.ExecContext(ctx, "INSERT INTO tags (k, v, seq) VALUES (?, ?, ?)", k, v, seq); err != nil {
			return err
		}
	}
	return nil
}

// deleteSeq removes one stored call and its index rows.
func deleteSeq(ctx context.Context, tx *sql.Tx, seq int64) error {
	for _, q := range []string{
		"DELETE FROM calls WHERE seq = ?1",
		"DELETE FROM person_index WHERE rowid >= (?1 << 10) AND rowid < ((?1 + 1) << 10)",
		"DELETE FROM rules WHERE seq = ?1",
		"DELETE FROM tags WHERE seq = ?1",
	} {
		if _, err := tx.ExecContext(ctx, q, seq); err != nil {
			return err
		}
	}
	return nil
}

// Get returns one stored call by its key (history.Summary.Key), or the
// newest call with that id.
func (s *Store) Get(ctx context.Context, key string) (history.Call, error) {
	var data []byte
	callID, startMS, byKey := history.SplitKey(key)
	var err error
	if byKey {
		err = s.db.QueryRowContext(ctx, "SELECT data FROM calls WHERE id = ? AND start_ms = ?", callID, startMS).Scan(&data)
	} else {
		err = s.db.QueryRowContext(ctx, "SELECT data FROM calls WHERE id = ? ORDER BY start_ms DESC LIMIT 1", callID).Scan(&data)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return history.Call{}, history.ErrNotFound
	}
	if err != nil {
		return history.Call{}, err
	}
	return decode(data)
}

// gzipWriters are reused: a new gzip.Writer allocates about 1 MB.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return zw
}}

// encode is a call's stored form: gzipped JSON.
func encode(c *history.Call) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(&buf)
	if err := json.NewEncoder(zw).Encode(c); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decode reads a stored call back.
func decode(data []byte) (history.Call, error) {
	var c history.Call
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return c, fmt.Errorf("history: stored call unreadable: %w", err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, 64<<20))
	if err != nil {
		return c, fmt.Errorf("history: stored call unreadable: %w", err)
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, fmt.Errorf("history: stored call unreadable: %w", err)
	}
	return c, nil
}
