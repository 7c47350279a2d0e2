package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRootHelpListsTheFeedFlags(t *testing.T) {
	t.Parallel()
	out, err := runCLI(t, "--help")
	if err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"--feed", "--token", "--ca", "--state-dir", "--webhook", "CALLTOP_FEED"} {
		if !strings.Contains(out, flag) {
			t.Errorf("calltop --help does not mention %s", flag)
		}
	}
}

func TestDemoAndReplayRefuseBadInput(t *testing.T) {
	t.Parallel()
	notRecording := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notRecording, []byte("hello, this is not a recording\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"demo", "--scenario", "wifi-los"}, "wifi-los"},
		{[]string{"demo", "--calls", "0"}, "--calls 0"},
		{[]string{"demo", "--speed", "-1"}, "--speed"},
		{[]string{"replay"}, "accepts 1 arg"},
		{[]string{"replay", "/no/such/file.jsonl"}, "/no/such/file.jsonl"},
		{[]string{"replay", notRecording}, "notes.txt"},
		{[]string{"replay", notRecording, "--speed", "0"}, "--speed"},
	} {
		_, err := runCLI(t, tc.args...)
		if err == nil {
			t.Errorf("calltop %s: no error", strings.Join(tc.args, " "))
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("calltop %s: error %q does not name %q", strings.Join(tc.args, " "), err, tc.want)
		}
	}
}
