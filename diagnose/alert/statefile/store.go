package statefile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/calltop/calltop/diagnose/alert"
)

// StateFileName is the state file's name inside the state directory.
const StateFileName = "alerts.json"

// MaxStateBytes bounds the state file Load reads (256 MiB); a larger one
// is set aside like a corrupt one.
const MaxStateBytes = 256 << 20

// DefaultStateDir is $XDG_STATE_HOME/calltop, or ~/.local/state/calltop.
func DefaultStateDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "calltop"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no state directory: $XDG_STATE_HOME is unset and %w; use --state-dir", err)
	}
	return filepath.Join(home, ".local", "state", "calltop"), nil
}

// Store reads and writes the state file. Save is atomic (temp file, fsync,
// rename, fsync of the directory) with mode 0600, so a kill -9 at any
// moment leaves either the old or the new file, never a torn one.
type Store struct {
	// Path is the state file's path.
	Path string
}

// OpenStore returns the Store for dir, creating dir (mode 0700) if needed.
func OpenStore(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("state directory %s: %w", dir, err)
	}
	probe, err := os.CreateTemp(dir, "."+StateFileName+".probe-*")
	if err != nil {
		return nil, fmt.Errorf("state directory %s is not writable: %w", dir, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	return &Store{Path: filepath.Join(dir, StateFileName)}, nil
}

// Load reads the state file. A missing file is an empty state. A corrupt,
// truncated or unreadable one is renamed aside (with a timestamp suffix)
// and an empty state comes back with a notice saying what happened; err
// is only for a file that could not even be moved aside. wall is the time
// used in the suffix.
func (s *Store) Load(wall time.Time) (p alert.Persisted, notice string, err error) {
	var data []byte
	fi, rerr := os.Stat(s.Path)
	switch {
	case errors.Is(rerr, fs.ErrNotExist):
		return alert.Persisted{Version: alert.StateVersion}, "", nil
	case rerr == nil && !fi.Mode().IsRegular():
		rerr = errors.New("not a regular file")
	case rerr == nil && fi.Size() > MaxStateBytes:
		rerr = fmt.Errorf("%d bytes, more than the %d a state file may hold", fi.Size(), MaxStateBytes)
	case rerr == nil:
		data, rerr = os.ReadFile(s.Path)
	}
	if rerr == nil {
		if perr := decodeState(data, &p); perr == nil {
			return p, "", nil
		} else {
			rerr = perr
		}
	}
	aside := s.Path + ".corrupt-" + wall.UTC().Format("20060102T150405Z")
	if mverr := os.Rename(s.Path, aside); mverr != nil {
		return alert.Persisted{Version: alert.StateVersion}, "", fmt.Errorf("state file %s is unusable (%v) and could not be moved aside: %w", s.Path, rerr, mverr)
	}
	notice = fmt.Sprintf("state file %s is unusable (%v); moved it aside to %s and started with no acks, silences or history", s.Path, rerr, aside)
	return alert.Persisted{Version: alert.StateVersion}, notice, nil
}

// decodeState parses and checks a state file's bytes.
func decodeState(data []byte, p *alert.Persisted) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return errors.New("empty file")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(p); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("invalid JSON at byte %d: %v", se.Offset, err)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("truncated JSON (%d bytes)", len(data))
		}
		return fmt.Errorf("invalid JSON: %v", err)
	}
	if p.Version != alert.StateVersion {
		return fmt.Errorf("state version %d, this calltop reads version %d", p.Version, alert.StateVersion)
	}
	return nil
}

// Save writes p atomically with mode 0600.
func (s *Store) Save(p alert.Persisted) error {
	data, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	dir := filepath.Dir(s.Path)
	tmp, err := os.CreateTemp(dir, "."+StateFileName+".tmp-*")
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("save state: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("save state in %s: %w", dir, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("save state: fsync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.Path); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	if d, err := os.Open(dir); err == nil { // make the rename durable
		d.Sync()
		d.Close()
	}
	return nil
}
