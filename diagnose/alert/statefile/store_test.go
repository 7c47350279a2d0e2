package statefile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose/alert"
)

func TestStoreSaveLoadMode0600(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "calltop")
	st, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	p, notice, err := st.Load(t0)
	if err != nil || notice != "" || p.Version != alert.StateVersion {
		t.Fatalf("missing file: %+v %q %v", p, notice, err)
	}
	b := book(0)
	b.MuteFor(alert.Matcher{Rule: "rtt-high"}, time.Hour, "", "why", t0)
	if err := st.Save(b.Persist()); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(st.Path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file mode %v %v", fi.Mode(), err)
	}
	got, notice, err := st.Load(t0)
	if err != nil || notice != "" || len(got.Silences) != 1 || got.Silences[0].Matcher.Rule != "rtt-high" {
		t.Fatalf("load: %+v %q %v", got, notice, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temp files left behind: %v", entries)
	}
}

func TestCorruptStateFileIsSetAside(t *testing.T) {
	for name, content := range map[string]string{
		"truncated": `{"version":1,"saved":"2026-11-21T12:00:00Z","silences":[{"id":"s1","matcher":{"ru`,
		"garbage":   "\x00\x01not json",
		"empty":     "",
		"version":   `{"version":99}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			st, _ := OpenStore(dir)
			os.WriteFile(st.Path, []byte(content), 0o600)
			p, notice, err := st.Load(t0)
			if err != nil {
				t.Fatal(err)
			}
			aside := st.Path + ".corrupt-20261121T120000Z"
			if !strings.Contains(notice, st.Path) || !strings.Contains(notice, aside) || len(p.Silences) != 0 {
				t.Fatalf("notice %q", notice)
			}
			if b, err := os.ReadFile(aside); err != nil || string(b) != content {
				t.Fatalf("set-aside file: %v", err)
			}
			if _, err := os.Stat(st.Path); !os.IsNotExist(err) {
				t.Fatal("corrupt file still in place")
			}
			if err := alert.NewBook(alert.Options{}).Restore(p, t0); err != nil {
				t.Fatalf("clean start: %v", err)
			}
		})
	}
}

func TestStateFileThatIsADirectoryIsSetAside(t *testing.T) {
	dir := t.TempDir()
	st, _ := OpenStore(dir)
	if err := os.Mkdir(st.Path, 0o700); err != nil {
		t.Fatal(err)
	}
	_, notice, err := st.Load(t0)
	if err != nil || !strings.Contains(notice, "not a regular file") {
		t.Fatalf("notice %q err %v", notice, err)
	}
	if err := st.Save(alert.Persisted{Version: alert.StateVersion}); err != nil {
		t.Fatalf("save after setting the directory aside: %v", err)
	}
}

func TestDefaultStateDir(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/x/state")
	if d, _ := DefaultStateDir(); d != "/x/state/calltop" {
		t.Fatal(d)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/u")
	if d, _ := DefaultStateDir(); d != "/home/u/.local/state/calltop" {
		t.Fatal(d)
	}
}
