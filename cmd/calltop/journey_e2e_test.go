package main

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/feed/hub"
	"github.com/calltop/calltop/feed/sim"
)

// The support agent's journey (issue #15), end to end: the real binary in
// tmux at 80x24 on 200 simulated calls served over loopback, people picked
// by name from the feed itself.

// startSimHub serves calls simulated calls on loopback (requiring token
// when set) until the test ends; it returns the feed URL.
func startSimHub(t *testing.T, calls int, token string) string {
	t.Helper()
	s, err := sim.New(sim.Config{Calls: calls, Seed: 15, Start: time.Now().UTC().Truncate(time.Second), ElideStatTimestamps: true})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	feedHub := hub.New(hub.Config{Token: token, Logf: func(string, ...any) {}})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); feedHub.Serve(ctx, ln) }()
	go func() { defer wg.Done(); hub.StepSource(s.StepEach, time.Second, 1)(ctx, feedHub) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
	return "ws://" + ln.Addr().String() + "/feed"
}

// roster follows a feed as a support agent's colleague would read it:
// every call seen (ended ones kept), its room and its people's names.
type roster struct {
	mu    sync.Mutex
	rooms map[string]string          // call id -> room
	names map[string]map[string]bool // call id -> names
	live  map[string]bool            // calls going on
	ready chan struct{}              // closed at the first snapshot
}

func followFeed(t *testing.T, url string) *roster {
	t.Helper()
	c, err := client.New(client.Config{URLs: []string{url}})
	if err != nil {
		t.Fatal(err)
	}
	r := &roster{rooms: map[string]string{}, names: map[string]map[string]bool{}, live: map[string]bool{}, ready: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	go func() {
		for ev := range c.Events() {
			if ev.Kind == feed.EventMessage && ev.Msg != nil {
				r.apply(ev.Msg)
				ev.Release()
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-r.ready:
	case <-time.After(e2eWait):
		t.Fatal("the feed sent no snapshot")
	}
	return r
}

func (r *roster) apply(m *feed.Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	join := func(call, name string) {
		if r.names[call] == nil {
			r.names[call] = map[string]bool{}
		}
		r.names[call][name] = true
	}
	switch m.Type {
	case feed.TypeSnapshot:
		for _, c := range m.Calls {
			r.rooms[c.ID], r.live[c.ID] = c.Room, true
			for _, p := range c.Participants {
				join(c.ID, p.Name)
			}
		}
		select {
		case <-r.ready:
		default:
			close(r.ready)
		}
	case feed.TypeCallStart:
		r.rooms[m.Call.ID], r.live[m.Call.ID] = m.Call.Room, true
	case feed.TypeCallEnd:
		delete(r.live, m.CallID)
	case feed.TypeParticipantJoin:
		join(m.CallID, m.Participant.Name)
	}
}

// waitCalls waits until n calls are going on.
func (r *roster) waitCalls(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(e2eWait)
	for {
		r.mu.Lock()
		have := len(r.live)
		r.mu.Unlock()
		if have >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the feed has %d calls, want %d", have, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// callsOf are the live calls with name in them.
func (r *roster) callsOf(name string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for id := range r.live {
		if r.names[id][name] {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// roomsOf is every room, ended calls' too, that had name in it.
func (r *roster) roomsOf(name string) map[string]bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]bool{}
	for id, names := range r.names {
		if names[name] {
			out[r.rooms[id]] = true
		}
	}
	return out
}

// person is someone a customer names, and how the agent asks for them.
type person struct {
	name, room string // room is set when the name alone is shared
}

// query is what the agent types: the name, quoted with the room when the
// name is in several calls.
func (p person) query() string {
	if p.room == "" {
		return p.name
	}
	return fmt.Sprintf("%q %s", p.name, p.room)
}

// pick chooses unique names and names shared by several calls (told
// apart by their room, which must then be unique with the name).
func (r *roster) pick(t *testing.T, unique, shared int) []person {
	t.Helper()
	r.mu.Lock()
	count := map[string][]string{} // name -> live calls
	var ids []string
	for id := range r.live {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		for name := range r.names[id] {
			count[name] = append(count[name], id)
		}
	}
	r.mu.Unlock()
	names := make([]string, 0, len(count))
	for n := range count {
		names = append(names, n)
	}
	slices.Sort(names)
	var out []person
	var u, s int
	for i := range names { // spread over the alphabet, not "Ada A." to "Ada Z."
		n := names[i*7919%len(names)]
		calls := count[n]
		switch {
		case len(calls) == 1 && u < unique:
			out, u = append(out, person{name: n}), u+1
		case len(calls) > 1 && s < shared:
			room := r.rooms[calls[0]]
			same := 0
			for _, id := range calls {
				if r.rooms[id] == room {
					same++
				}
			}
			if same == 1 {
				out, s = append(out, person{name: n, room: room}), s+1
			}
		}
	}
	if u < unique || s < shared {
		t.Fatalf("the feed has %d unique and %d shared names to pick, want %d and %d", u, s, unique, shared)
	}
	return out
}

// current is p as the agent would ask for them now, calls having ended and
// started since they were picked: by name alone while one live call has
// them, else told apart by the room of one of their live calls (the one
// picked while it still is one, and alone with the name).
func (r *roster) current(p person) person {
	calls := r.callsOf(p.name)
	if len(calls) == 1 {
		p.room = ""
	}
	if len(calls) <= 1 {
		return p
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	inRoom := map[string]int{}
	for _, id := range calls {
		inRoom[r.rooms[id]]++
	}
	if p.room != "" && inRoom[p.room] == 1 {
		return p
	}
	for _, id := range calls {
		if inRoom[r.rooms[id]] == 1 {
			p.room = r.rooms[id]
			break
		}
	}
	return p
}

// onCallOf reports whether the screen is the call screen of a call with
// p in it, p selected (the graphs are theirs) and listed.
// listedOnly reports whether the calls list shows only calls p is in:
// the filter's rows have come.
func listedOnly(r *roster, p person) func(string) bool {
	return func(s string) bool {
		rooms := r.roomsOf(p.name)
		lines := strings.Split(s, "\n")
		if len(lines) < 4 || !strings.Contains(lines[0], "filter: ") {
			return false
		}
		rows := 0
		for _, l := range lines[2:] {
			f := strings.Fields(l)
			if len(f) == 0 || strings.Contains(l, "enter open call") {
				break
			}
			if !slices.ContainsFunc(f, func(w string) bool { return shownRoom(w, rooms, p.room) }) {
				return false
			}
			rows++
		}
		return rows > 0
	}
}

// shownRoom reports whether w, a word of a calls-list row, is one of rooms
// (the one named, when one is): at 80x24 a long room is cut to fit its
// column and ends in "…".
func shownRoom(w string, rooms map[string]bool, named string) bool {
	prefix, cut := strings.CutSuffix(w, "…")
	for room := range rooms {
		if (room == w || cut && prefix != "" && strings.HasPrefix(room, prefix)) && (named == "" || room == named) {
			return true
		}
	}
	return false
}

func onCallOf(r *roster, p person) func(string) bool {
	return func(s string) bool {
		lines := strings.Split(s, "\n")
		if len(lines) < 8 || !strings.Contains(s, p.name+", last ") {
			return false
		}
		room := strings.TrimSpace(strings.SplitN(lines[1], " | ", 2)[0])
		if !r.roomsOf(p.name)[room] || (p.room != "" && room != p.room) {
			return false
		}
		for _, l := range lines[3:8] { // the participant rows
			if strings.HasPrefix(l, p.name+" ") {
				return true
			}
		}
		return false
	}
}

// selectedRow reports whether the styled screen shows p's participant row
// reversed (selected): an SGR with 7 just before the name.
func selectedRow(styled string, p person) bool {
	for _, l := range strings.Split(styled, "\n") {
		i := strings.Index(l, p.name+" ")
		if i < 0 {
			continue
		}
		for _, m := range sgr.FindAllStringSubmatch(l[:i], -1) {
			if slices.Contains(strings.Split(m[1], ";"), "7") {
				return true
			}
		}
	}
	return false
}

// close ends the pane's tmux server and what runs in it.
func (p *pane) close() { exec.Command("tmux", "-L", p.socket, "kill-server").Run() }

func TestSupportAgentFindsEveryoneAt80x24(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("the support journey runs 200 calls and 40 look-ups; not with -short")
	}
	bin := calltopBinary(t)
	url := startSimHub(t, 200, "")
	r := followFeed(t, url)
	r.waitCalls(t, 200)
	people := r.pick(t, 14, 8)
	t.Logf("looking up %d people: %v", len(people), people)
	env := []string{"TERM=xterm-256color", "LANG=C.UTF-8", "HOME=" + t.TempDir()}

	for _, who := range people {
		who = r.current(who)
		cmd := fmt.Sprintf("%s --feed %s --state-dir %s --find %s", bin, url, t.TempDir(), shellQuote(who.query()))
		p := startPane(t, cmd, env...)
		p.waitFor(fmt.Sprintf("--find %s to open their call", who.query()), onCallOf(r, who))
		if !selectedRow(p.styled(), who) {
			t.Errorf("--find %s: %s's row is not selected:\n%s", who.query(), who.name, p.screen())
		}
		p.close()
	}

	p := startPane(t, fmt.Sprintf("%s --feed %s --state-dir %s", bin, url, t.TempDir()), env...)
	p.waitFor("the calls", func(s string) bool { return strings.Contains(s, "live") && strings.Contains(s, "PPL") })
	for _, who := range people {
		who = r.current(who)
		p.keys("/", "C-u")
		p.keys("-l", who.query())
		p.keys("Enter")
		// The agent opens the call once the list shows it: the hub
		// filters the rows, and an enter before they come opens nothing.
		p.waitFor(fmt.Sprintf("/%s enter to list their call", who.query()), listedOnly(r, who))
		p.keys("Enter")
		p.waitFor(fmt.Sprintf("/%s enter enter to open their call", who.query()), onCallOf(r, who))
		if !selectedRow(p.styled(), who) {
			t.Errorf("/%s: %s's row is not selected:\n%s", who.query(), who.name, p.screen())
		}
		p.keys("Escape")
		p.waitFor("the calls list again", func(s string) bool { return strings.Contains(s, "PPL") })
	}
}

var advice = regexp.MustCompile(`(?s)\n Advice\n(.*?)(\n\s*\n|$)`)

func TestReadADiagnosisInFullAt80x24(t *testing.T) {
	t.Parallel()
	bin := calltopBinary(t)
	p := startPane(t, bin+" demo --scenario wifi-loss --calls 3", "TERM=xterm-256color", "HOME="+t.TempDir())
	p.waitFor("a call with a diagnosis", func(s string) bool { return lossRow.MatchString(s) })
	p.keys("Enter")
	p.waitFor("its diagnoses", func(s string) bool { return strings.Contains(s, "open, ") && !strings.Contains(s, "0 open, 0 cleared") })
	p.keys("Enter")
	s := p.waitFor("the diagnosis in full", func(s string) bool { return advice.MatchString(s) })
	m := advice.FindStringSubmatch(s)
	text := strings.Join(strings.Fields(m[1]), " ")
	if strings.Contains(text, "…") || !strings.HasSuffix(text, ".") || len(text) < 40 {
		t.Fatalf("the advice is not there in full (%q):\n%s", text, s)
	}
	for _, want := range []string{"DIAGNOSIS 1 of", "When", "Evidence", "threshold"} {
		if !strings.Contains(s, want) {
			t.Errorf("the diagnosis lacks %q:\n%s", want, s)
		}
	}
}

func TestWrongTokenSaysSoWithin2s(t *testing.T) {
	t.Parallel()
	bin := calltopBinary(t)
	url := startSimHub(t, 3, "right-token")
	start := time.Now()
	p := startPane(t, fmt.Sprintf("%s --feed %s --token wrong --state-dir %s", bin, url, t.TempDir()), "HOME="+t.TempDir())
	s := p.waitFor("the 401", func(s string) bool { return strings.Contains(s, "401") })
	took := time.Since(start)
	t.Logf("the 401 showed %v after start", took)
	if took > 2*time.Second {
		t.Errorf("the 401 took %v to show", took)
	}
	for _, want := range []string{"refused the token", "401 Unauthorized", "--token", "127.0.0.1"} {
		if !strings.Contains(s, want) {
			t.Errorf("the screen lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "No calls right now") {
		t.Errorf("a refused token is not 'no calls':\n%s", s)
	}
}

func TestRefusedPortSaysSoAt80Columns(t *testing.T) {
	t.Parallel()
	bin := calltopBinary(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "ws://" + ln.Addr().String() + "/feed"
	ln.Close()
	p := startPane(t, fmt.Sprintf("%s --feed %s --state-dir %s", bin, url, t.TempDir()), "HOME="+t.TempDir())
	s := p.waitFor("connection refused", func(s string) bool {
		return strings.Contains(s, "connection refused") && strings.Contains(s, url)
	})
	if strings.Contains(s, "No calls right now") {
		t.Errorf("a refused connection is not 'no calls':\n%s", s)
	}
}

// shellQuote quotes s for sh.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
