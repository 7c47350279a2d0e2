package statefile

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
)

// childEnv names the state directory when the test binary runs as the
// child of TestKill9KeepsAcksAndMutes; childRound is the round number.
const (
	childEnv   = "CALLTOP_ALERT_KILL_CHILD_DIR"
	childRound = "CALLTOP_ALERT_KILL_CHILD_ROUND"
)

// TestKill9KeepsAcksAndMutes runs rounds of a child process that restores
// the state file, adds one ack and one silence, saves, says "ready", then
// keeps changing and saving state as fast as it can until it is killed
// with SIGKILL. Every next start must find every ack and silence so far.
func TestKill9KeepsAcksAndMutes(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		t.Skip("child mode runs from TestKillChild")
	}
	dir := t.TempDir()
	for round := 1; round <= 5; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.v")
		cmd.Env = append(os.Environ(), childEnv+"="+dir, childRound+"="+strconv.Itoa(round))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ready := make(chan string, 1)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if len(sc.Text()) > 6 && sc.Text()[:6] == "ready " {
					ready <- sc.Text()
				}
			}
			close(ready)
		}()
		select {
		case line, ok := <-ready:
			if !ok {
				cmd.Wait()
				t.Fatalf("round %d: child exited before it was ready", round)
			}
			t.Logf("round %d: %s", round, line)
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("round %d: child not ready", round)
		}
		time.Sleep(time.Duration(50+37*round) * time.Millisecond) // mid-run, while it saves
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()

		p := loadChecked(t, dir)
		b := book(0)
		if err := b.Restore(p, time.Now()); err != nil {
			t.Fatal(err)
		}
		acks := map[string]bool{}
		for _, a := range b.Restored() {
			if a.Ack != nil {
				acks[a.Subject.ParticipantID] = true
			}
		}
		sils := b.Silences()
		for k := 1; k <= round; k++ {
			if !acks["p"+strconv.Itoa(k)] {
				t.Fatalf("round %d: ack of p%d lost; acks %v", round, k, acks)
			}
		}
		if len(sils) != round {
			t.Fatalf("round %d: %d silences survived, want %d", round, len(sils), round)
		}
	}
}

// loadChecked loads the state file and fails on any notice (a torn file).
func loadChecked(t *testing.T, dir string) alert.Persisted {
	t.Helper()
	st, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	p, notice, err := st.Load(time.Now())
	if err != nil || notice != "" {
		t.Fatalf("state after kill -9: %q %v", notice, err)
	}
	return p
}

// TestKillChild is the child side of TestKill9KeepsAcksAndMutes.
func TestKillChild(t *testing.T) {
	dir := os.Getenv(childEnv)
	if dir == "" {
		t.Skip("runs only as a child process")
	}
	round, _ := strconv.Atoi(os.Getenv(childRound))
	st, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	p, notice, err := st.Load(time.Now())
	if err != nil || notice != "" {
		t.Fatalf("child load: %q %v", notice, err)
	}
	now := time.Now()
	b := alert.NewBook(alert.Options{User: "child"})
	if err := b.Restore(p, now); err != nil {
		t.Fatal(err)
	}
	var open []diagnose.Finding
	for k := 1; k <= round; k++ {
		open = append(open, finding(diagnose.RuleICEFailed, diagnose.Critical, "c"+strconv.Itoa(k), "p"+strconv.Itoa(k)))
	}
	b.Observe(now, open)
	mine := open[round-1]
	if err := b.Ack(mine.Key(), "", fmt.Sprintf("round %d", round), now); err != nil {
		t.Fatal(err)
	}
	if _, err := b.MuteFor(alert.Matcher{CallID: "c" + strconv.Itoa(round)}, 24*time.Hour, "", "", now); err != nil {
		t.Fatal(err)
	}
	if err := st.Save(b.Persist()); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("ready %d alerts, %d silences\n", len(b.Snapshot().Active), len(b.Silences()))
	os.Stdout.Sync()
	for i := 0; ; i++ { // churn: alerts come and go, every change saved
		churn := finding(diagnose.RuleLossInbound, diagnose.Critical, "x", "churn"+strconv.Itoa(i%50))
		b.Observe(now.Add(time.Duration(i)*time.Second), append(open, churn))
		if err := st.Save(b.Persist()); err != nil {
			t.Fatal(err)
		}
	}
}
