// Package sqlite keeps calltop's call history in one SQLite file
// (modernc.org/sqlite: pure Go, no cgo) in WAL mode, with the schema
// migrated in code. It implements history.Store.
//
// Layout: one row per call (its summary columns and the whole call as
// gzipped JSON), an FTS5 index of each participant's name and user id
// words (one index row per participant, so that every word of a person
// search must match the same person, newest first by row id), and small
// index tables for rules and tags. It must not know about the engine, the
// feed or the TUI.
package sqlite
