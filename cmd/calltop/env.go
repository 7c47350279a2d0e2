package main

import (
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// env is what the command tree reads from outside its arguments: the
// environment variables. main passes the process's; a test passes its own,
// so tests run in parallel without touching the process environment.
type env struct {
	getenv func(string) string
}

// processEnv is the running process's environment.
func processEnv() env { return env{getenv: os.Getenv} }

// feedURLs returns the --feed URLs given, or when there are none the
// comma-separated URLs in $CALLTOP_FEED (blanks dropped).
func (e env) feedURLs(flags []string) []string {
	if len(flags) > 0 {
		return flags
	}
	var urls []string
	for _, u := range strings.Split(e.getenv("CALLTOP_FEED"), ",") {
		if u = strings.TrimSpace(u); u != "" {
			urls = append(urls, u)
		}
	}
	return urls
}

// flagOrEnv is the value of a string flag when it was given on the command
// line, even empty, and the environment variable name otherwise: the one
// rule every command follows for tokens.
func (e env) flagOrEnv(cmd *cobra.Command, flag, value, name string) string {
	if f := cmd.Flags().Lookup(flag); f != nil && f.Changed {
		return value
	}
	return e.getenv(name)
}

// checkSpeed refuses a --speed that is not a positive, finite number
// (strconv accepts "NaN" and "Inf").
func checkSpeed(speed float64) error {
	if !(speed > 0) || math.IsInf(speed, 1) {
		return fmt.Errorf("--speed %v: must be a positive number", speed)
	}
	return nil
}
