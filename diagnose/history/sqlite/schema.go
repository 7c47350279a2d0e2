package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are applied in order; user_version says how many have been.
// Add a migration at the end; never edit one that has shipped.
var migrations = []string{
	// 1: calls, the person index, rules and tags.
	`CREATE TABLE calls (
		seq        INTEGER PRIMARY KEY,
		id         TEXT NOT NULL,
		room       TEXT NOT NULL,
		room_fold  TEXT NOT NULL,
		start_ms   INTEGER NOT NULL,
		end_ms     INTEGER NOT NULL,
		worst      INTEGER NOT NULL,
		worst_rule TEXT NOT NULL,
		worst_text TEXT NOT NULL,
		mos        REAL NOT NULL,
		people     TEXT NOT NULL,
		source     TEXT NOT NULL,
		bytes      INTEGER NOT NULL,
		data       BLOB NOT NULL
	);
	CREATE UNIQUE INDEX calls_id ON calls(id, start_ms);
	CREATE INDEX calls_end ON calls(end_ms);
	CREATE INDEX calls_room ON calls(room_fold, seq);
	CREATE VIRTUAL TABLE person_index USING fts5(words, tokenize='unicode61', detail=none);
	CREATE TABLE person_words (word TEXT PRIMARY KEY) WITHOUT ROWID;
	CREATE TABLE rules (rule TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (rule, seq)) WITHOUT ROWID;
	CREATE INDEX rules_seq ON rules(seq);
	CREATE TABLE tags (k TEXT NOT NULL, v TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (k, v, seq)) WITHOUT ROWID;
	CREATE INDEX tags_seq ON tags(seq);
	CREATE TABLE meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL) WITHOUT ROWID;
	INSERT INTO meta VALUES ('bytes', 0);`,
}

// migrate brings the schema to the newest version, each step in its own
// transaction. A file from a newer calltop is refused, not downgraded.
func migrate(ctx context.Context, db *sql.DB) error {
	var version int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if version > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this calltop knows (%d): use a newer calltop", version, len(migrations))
	}
	for i := version; i < len(migrations); i++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", i+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
	}
	return nil
}
