package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/bus"
	"github.com/calltop/calltop/feed/bus/bustest"
	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/feed/feedtest"
)

// hubProc is a `calltop hub` process of the built binary.
type hubProc struct {
	t    *testing.T
	cmd  *exec.Cmd
	addr string
	logs *lockedBuffer
	done chan struct{}
}

// buildCalltop builds cmd/calltop into the test's temporary directory.
func buildCalltop(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "calltop")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startHubProc runs `calltop hub args...` and waits until it listens; the
// process is stopped (SIGTERM) when the test ends, its log shown if the
// test failed.
func startHubProc(t *testing.T, bin, name string, args ...string) *hubProc {
	t.Helper()
	h := &hubProc{t: t, cmd: exec.Command(bin, append([]string{"hub"}, args...)...), logs: &lockedBuffer{}, done: make(chan struct{})}
	h.cmd.Stdout, h.cmd.Stderr = h.logs, h.logs
	if err := h.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { h.cmd.Wait(); close(h.done) }()
	t.Cleanup(func() {
		h.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-h.done:
		case <-time.After(10 * time.Second):
			h.cmd.Process.Kill()
			<-h.done
		}
		if t.Failed() {
			t.Logf("%s's log:\n%s", name, h.logs)
		}
	})
	waitUntil(t, 20*time.Second, name+" to listen", func() bool {
		m := servingOn.FindStringSubmatch(h.logs.String())
		if m != nil {
			h.addr = m[1]
		}
		select {
		case <-h.done:
			t.Fatalf("%s exited:\n%s", name, h.logs)
		default:
		}
		return m != nil
	})
	return h
}

// kill ends the process with SIGKILL: no goodbye on the bus.
func (h *hubProc) kill() {
	h.t.Helper()
	if err := h.cmd.Process.Kill(); err != nil {
		h.t.Fatal(err)
	}
	<-h.done
}

// busView is what a subscriber (a TUI, calltop watch) keeps of the hubs on
// a bus: the ongoing calls, those marked source lost, the reasons of the
// ended ones, and how many stats frames came from each hub.
type busView struct {
	t     *testing.T
	c     *client.Client
	calls feedtest.CallSet
	lost  map[string]bool
	ended map[string]string
	stats map[string]int // by hub id
	// lostEver and lostEnds count calls marked lost and ended as source
	// lost since the count was last reset.
	lostEver, lostEnds int
}

func newBusView(t *testing.T, urls ...string) *busView {
	c, _ := feedtest.RunClient(t, feedtest.FastClient(urls...))
	v := &busView{t: t, c: c, calls: feedtest.CallSet{}, lost: map[string]bool{}, ended: map[string]string{}, stats: map[string]int{}}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the subscriber of %v (now %s) had calls %v, lost %v", urls, c.Status().URL, v.calls, v.lost)
		}
	})
	return v
}

func (v *busView) apply(m *feed.Message) {
	v.calls.Apply(m)
	switch m.Type {
	case feed.TypeSnapshot:
		clear(v.lost)
		for _, c := range m.Calls {
			v.lost[c.ID] = c.Source == feed.SourceLost
		}
	case feed.TypeCallStart, feed.TypeCallUpdate:
		lost := m.Call.Source == feed.SourceLost
		if lost && !v.lost[m.Call.ID] {
			v.lostEver++
		}
		v.lost[m.Call.ID] = lost
	case feed.TypeCallEnd:
		v.ended[m.CallID] = m.Reason
		if m.Reason == bus.ReasonSourceLost {
			v.lostEnds++
		}
		delete(v.lost, m.CallID)
	case feed.TypeStats:
		hubID, _, _ := strings.Cut(m.CallID, "/")
		v.stats[hubID]++
	}
}

// until reads the feed until cond holds, within 30 s.
func (v *busView) until(what string, cond func() bool) {
	v.t.Helper()
	if cond() {
		return
	}
	feedtest.WaitEvent(v.t, v.c, 30*time.Second, what, func(ev feed.Event) bool {
		if ev.Kind == feed.EventMessage {
			v.apply(ev.Msg)
		}
		return cond()
	})
}

// of returns hubID's ongoing calls, sorted, and how many are marked lost.
func (v *busView) of(hubID string) (ids []string, lost int) {
	for id := range v.calls {
		if strings.HasPrefix(id, hubID+"/") {
			ids = append(ids, id)
			if v.lost[id] {
				lost++
			}
		}
	}
	slices.Sort(ids)
	return ids, lost
}

// live reports whether every hub in ids has n ongoing calls, none lost.
func (v *busView) live(n int, hubIDs ...string) bool {
	for _, h := range hubIDs {
		if ids, lost := v.of(h); len(ids) != n || lost != 0 {
			return false
		}
	}
	return true
}

// Three `calltop hub` processes, one on each node of a 3-node NATS
// cluster, serve each other's calls; one is killed (SIGKILL, no goodbye)
// and restarted under its id; a NATS node restarts. What the subscribers
// notice: every hub's calls through any hub; the killed hub's calls shown
// as source lost (also to a client that failed over from it to another
// hub), then live again, not ended, when it is back; nothing lost while
// the NATS node restarts.
func TestHubProcessesOnAClusterSurviveAKilledHubAndANATSNodeRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds calltop and runs 3 hub processes on a 3-node NATS cluster (about 30 s)")
	}
	nodes := bustest.StartCluster(t, 3)
	var urls []string
	for _, s := range nodes {
		urls = append(urls, s.ClientURL())
	}
	bin := buildCalltop(t)
	hubArgs := func(i int) []string {
		return []string{"--nats", strings.Join(urls, ","), "--hub-id", fmt.Sprintf("hub-%d", i),
			"--simulate", "3", "--seed", fmt.Sprint(i + 1), "--nats-lost-for", "60s"}
	}
	var hubs []*hubProc
	for i := range 3 {
		hubs = append(hubs, startHubProc(t, bin, fmt.Sprintf("hub-%d", i), append(hubArgs(i), "--listen", "127.0.0.1:0")...))
	}
	all := []string{"hub-0", "hub-1", "hub-2"}
	sub := newBusView(t, "ws://"+hubs[0].addr+"/feed")
	// A TUI or watch given two hubs, on hub-2 first.
	fo := newBusView(t, "ws://"+hubs[2].addr+"/feed", "ws://"+hubs[0].addr+"/feed")
	for _, v := range []*busView{sub, fo} {
		v.until("every hub's 3 calls, live, with stats", func() bool {
			return v.live(3, all...) && v.stats["hub-0"] > 0 && v.stats["hub-1"] > 0 && v.stats["hub-2"] > 0
		})
	}

	// hub-2 is killed: its calls are marked lost, not ended, everywhere.
	hubs[2].kill()
	lostIDs, _ := sub.of("hub-2")
	lostOf := func(v *busView) func() bool {
		return func() bool {
			ids, lost := v.of("hub-2")
			return v.live(3, "hub-0", "hub-1") && slices.Equal(ids, lostIDs) && lost == len(ids)
		}
	}
	sub.until("hub-2's calls marked source lost at hub-0", lostOf(sub))
	fo.until("the client on hub-2 to fail over to hub-0 and see hub-2's calls lost", func() bool {
		return strings.Contains(fo.c.Status().URL, hubs[0].addr) && lostOf(fo)()
	})
	for _, id := range lostIDs {
		if reason, ended := sub.ended[id]; ended {
			t.Fatalf("%s ended (%q) when its hub was killed; it should stay, marked lost", id, reason)
		}
	}

	// hub-2 restarts under its id, on its address: its calls are back.
	hubs[2] = startHubProc(t, bin, "hub-2 (restarted)", append(hubArgs(2), "--listen", hubs[2].addr)...)
	for _, v := range []*busView{sub, fo} {
		v.until("hub-2's calls live again", func() bool { return v.live(3, all...) })
		resumed := 0
		for _, id := range lostIDs {
			switch reason, ended := v.ended[id]; {
			case !ended:
				resumed++
			case reason != bus.ReasonSourceLost: // the new run does not have it
				t.Fatalf("%s, lost, ended with %q", id, reason)
			}
		}
		if resumed == 0 {
			t.Fatalf("none of hub-2's lost calls %v came back with its restart (ended: %v)", lostIDs, v.ended)
		}
	}

	// A NATS node with hubs on it restarts: they reconnect to the others;
	// no call is marked lost or ended as source lost, stats keep coming.
	busiest := 0
	for i, s := range nodes {
		if s.NumClients() > nodes[busiest].NumClients() {
			busiest = i
		}
	}
	if nodes[busiest].NumClients() == 0 {
		t.Fatal("no hub is connected to any NATS node")
	}
	sub.lostEver, sub.lostEnds = 0, 0
	before := map[string]int{}
	for _, h := range all {
		before[h] = sub.stats[h]
	}
	bustest.RestartNode(t, nodes, busiest)
	restarted := time.Now()
	sub.until("stats from every hub after the NATS node restart, for longer than a hub may be quiet", func() bool {
		for _, h := range all {
			if sub.stats[h] < before[h]+10 {
				return false
			}
		}
		return time.Since(restarted) > 6*time.Second // a hub counts as quiet after 5 s
	})
	if sub.lostEver != 0 || sub.lostEnds != 0 || !sub.live(3, all...) {
		t.Fatalf("across the NATS node restart: %d calls marked lost, %d ended as source lost; calls %v, lost %v", sub.lostEver, sub.lostEnds, sub.calls, sub.lost)
	}
	for i, h := range hubs {
		if health := healthOf(t, h.addr); !strings.Contains(health, `"connected":true,"peers":2`) {
			t.Fatalf("hub-%d's /healthz after the NATS node restart: %s", i, health)
		}
	}
}

// The TUI given two hubs of a bus, as a user sees it: the hub it reads
// (west) is killed (SIGKILL); it fails over to east, where west's calls
// say "source lost" in the calls list and east's do not; west restarts
// and the mark goes, no call gone.
func TestTheTUIShowsAKilledHubsCallsAsSourceLostUntilItRestarts(t *testing.T) {
	bin := calltopBinary(t) // skips in -short and without tmux
	s := bustest.StartServer(t, nil)
	hubArgs := func(id string, seed int) []string {
		return []string{"--nats", s.ClientURL(), "--hub-id", id, "--simulate", "2", "--seed", fmt.Sprint(seed)}
	}
	east := startHubProc(t, bin, "east", append(hubArgs("east", 1), "--listen", "127.0.0.1:0")...)
	west := startHubProc(t, bin, "west", append(hubArgs("west", 2), "--listen", "127.0.0.1:0")...)
	home := t.TempDir()
	p := startPane(t, fmt.Sprintf("%s --feed ws://%s/feed --feed ws://%s/feed", bin, west.addr, east.addr),
		"HOME="+home, "XDG_STATE_HOME="+filepath.Join(home, "state"))
	// Each hub keeps 2 calls going (a call that ends meanwhile stays a
	// minute as an ended row, hence at least 4 rows).
	p.waitFor("both hubs' 4 calls", func(s string) bool {
		return len(callRow.FindAllString(s, -1)) >= 4 && !strings.Contains(s, "source lost")
	})

	west.kill()
	p.waitFor("west's 2 calls marked source lost, east's 2 not", func(s string) bool {
		return len(callRow.FindAllString(s, -1)) >= 4 && strings.Count(s, "source lost") == 2
	})

	startHubProc(t, bin, "west (restarted)", append(hubArgs("west", 2), "--listen", west.addr)...)
	p.waitFor("west's calls live again", func(s string) bool {
		return len(callRow.FindAllString(s, -1)) >= 4 && !strings.Contains(s, "source lost")
	})
}
