package team

import (
	"encoding/json"
	"fmt"
	"github.com/calltop/calltop/diagnose"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// AuditFileName is the audit log's name inside the state directory.
const AuditFileName = "audit.log"

// Entry is one line of the audit log: who did what, when, from where, and
// how it ended. Tokens never appear in it.
type Entry struct {
	At     time.Time `json:"at"`
	User   string    `json:"user"`
	Role   string    `json:"role,omitempty"`
	From   string    `json:"from"`
	Op     string    `json:"op"`
	Target string    `json:"target,omitempty"`
	Note   string    `json:"note,omitempty"`
	Result string    `json:"result"`
	Error  string    `json:"error,omitempty"`
}

// Audit appends entries to the audit log (JSON lines, mode 0600). Safe
// for concurrent use.
type Audit struct {
	mu   sync.Mutex
	f    *os.File
	path string
}

// OpenAudit opens (creating) dir's audit log for appending.
func OpenAudit(dir string) (*Audit, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("state directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, AuditFileName)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return &Audit{f: f, path: path}, nil
}

// Write appends e (its strings stripped of control characters) and syncs
// the file, so an entry survives a kill -9 once the command was answered.
func (a *Audit) Write(e Entry) error {
	e.User, e.From, e.Target = clean(e.User), clean(e.From), clean(e.Target)
	e.Note, e.Error = clean(e.Note), clean(e.Error)
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, err := a.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("audit log %s: %w", a.path, err)
	}
	return a.f.Sync()
}

// Close closes the log.
func (a *Audit) Close() error { return a.f.Close() }

// clean strips control characters from a string a user or feed sent.
var clean = diagnose.Clean
