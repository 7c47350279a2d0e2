package main

import (
	"bytes"
	"strings"
	"testing"
)

// testEnv is an environment holding only vars (nothing when nil): tests
// never read or change the process's.
func testEnv(vars map[string]string) env {
	return env{getenv: func(name string) string { return vars[name] }}
}

// runCLI runs calltop with args in an empty environment and returns its
// output.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return runCLIEnv(t, nil, args...)
}

// runCLIEnv runs calltop with args in the environment vars.
func runCLIEnv(t *testing.T, vars map[string]string, args ...string) (string, error) {
	t.Helper()
	cmd := newRootCmd(testEnv(vars))
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

func TestVersionPrintsName(t *testing.T) {
	t.Parallel()
	out, err := runCLI(t, "version")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "calltop ") {
		t.Fatalf("version output %q does not start with 'calltop '", out)
	}
}

func TestCompletionBash(t *testing.T) {
	t.Parallel()
	out, err := runCLI(t, "completion", "bash")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "__start_calltop") {
		t.Fatalf("bash completion script lacks the calltop entry point")
	}
}

func TestSpeedMustBeAPositiveNumber(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"demo", "--speed", "NaN"}, {"demo", "--speed", "0"},
		{"hub", "--simulate", "1", "--speed", "+Inf"}, {"hub", "--simulate", "1", "--speed", "-2"},
		{"replay", "nonexistent.json", "--speed", "nan"},
	} {
		_, err := runCLI(t, args...)
		if err == nil || !strings.Contains(err.Error(), "--speed") {
			t.Errorf("calltop %s: error %v, want one about --speed", strings.Join(args, " "), err)
		}
	}
}
