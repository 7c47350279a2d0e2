package tui

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/calltop/calltop/feed/feedtest"
)

func TestMain(m *testing.M) {
	// BenchmarkScreenLatency10000/hub-process runs this binary again as
	// the hub serving the simulated fleet.
	if arg := feedtest.HubChild(); arg != "" {
		calls, err := strconv.Atoi(arg)
		if err != nil {
			fmt.Fprintln(os.Stderr, "hub child:", err)
			os.Exit(2)
		}
		source, err := screenSource(calls)
		if err != nil {
			fmt.Fprintln(os.Stderr, "hub child:", err)
			os.Exit(2)
		}
		os.Exit(feedtest.ServeHubChild(source))
	}
	os.Exit(m.Run())
}
