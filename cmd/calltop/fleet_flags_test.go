package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose/alert"
)

func TestFleetFlagsAreRefusedWhenWrong(t *testing.T) {
	t.Parallel()
	feedArgs := []string{"--feed", "ws://127.0.0.1:1/feed", "--state-dir", t.TempDir()}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{append([]string{"watch", "--alert-setup-failures", "150"}, feedArgs...), "--alert-setup-failures"},
		{append([]string{"watch", "--alert-no-new-calls", "-1m"}, feedArgs...), "--alert-no-new-calls"},
		{append([]string{"watch", "--alert-setup-window", "10"}, feedArgs...), "needs --alert-setup-failures"},
		{append([]string{"watch", "--alert-no-new-calls", "soon"}, feedArgs...), "alert-no-new-calls"},
		{[]string{"--alert-setup-failures", "-5"}, "--alert-setup-failures"},
		{[]string{"demo", "--alert-setup-window", "-1", "--alert-setup-failures", "20"}, "--alert-setup-window"},
	} {
		_, err := runCLI(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one about %q", tc.args, err, tc.want)
		}
	}
}

func TestRootFleetFlagsReachTheBookOptions(t *testing.T) {
	t.Parallel()
	var live liveFlags
	root := rootCommand(testEnv(nil), &live)
	if err := root.ParseFlags([]string{"--alert-no-new-calls", "10m", "--alert-setup-failures", "25", "--alert-setup-window", "40", "--alert-fleet-groups"}); err != nil {
		t.Fatal(err)
	}
	got, err := live.fleet.options()
	want := alert.FleetOptions{NoNewCallsFor: 10 * time.Minute, SetupFailurePct: 25, SetupWindow: 40, Groups: true}
	if err != nil || got != want {
		t.Fatalf("root flags gave %+v, %v; want %+v", got, err, want)
	}
	b := newFleetBook(nil, got, "")()
	if f := b.Options().Fleet; f != want {
		t.Fatalf("the book has fleet options %+v, want %+v", f, want)
	}
	live = liveFlags{}
	root = rootCommand(testEnv(nil), &live)
	if err := root.ParseFlags(nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := live.fleet.options(); got.NoNewCallsFor != 0 || got.SetupFailurePct != 0 || got.Groups {
		t.Fatalf("without the flags the fleet alerts are %+v, want off", got)
	}
}

func TestWatchFiresNoNewCallsWhenAsked(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := defaultWatchFlags(simHub(t, ctx, 3, "good", 20), t.TempDir())
	w.fleet = fleetFlags{noNewCalls: 5 * time.Second}
	out := runWatchUntil(t, w, func(out string) bool {
		return strings.Contains(out, "event=firing alert=fleet-no-new-calls@fleet")
	})
	t.Logf("watch output:\n%s", out)
}

// TestWatchFiresFleetGroupWhenAsked: watch over a real hub simulating a
// fleet whose Chrome 142 users lose packets logs a firing fleet-group
// alert naming the group, with --alert-fleet-groups.
func TestWatchFiresFleetGroupWhenAsked(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := defaultWatchFlags(simHub(t, ctx, 40, "fleet-chrome142", 20), t.TempDir())
	w.fleet = fleetFlags{groups: true}
	out := runWatchUntil(t, w, func(out string) bool {
		return strings.Contains(out, "event=firing") && strings.Contains(out, "fleet-group@loss-inbound/version=Chrome 142")
	})
	if !strings.Contains(out, "of Chrome 142 participants vs") {
		t.Fatalf("watch output lacks the fleet-group alert:\n%s", out)
	}
}
