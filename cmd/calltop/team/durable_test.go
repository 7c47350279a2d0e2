package team

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/calltop/calltop/cmd/calltop/engine"
	"github.com/calltop/calltop/diagnose/alert/natsstate"
	"github.com/calltop/calltop/feed"
	"github.com/calltop/calltop/feed/bus/bustest"
)

// bucketStore is the team bucket as the engine's StateStore (as the hub
// command wires it).
type bucketStore struct{ *natsstate.Store }

func (b bucketStore) NewSyncer() engine.StateSyncer { return b.Store.NewSyncer() }

// openBucket opens the team bucket on url as hub id.
func openBucket(t *testing.T, url, id string) *natsstate.Store {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, _ := jetstream.New(nc)
	st, err := natsstate.Open(context.Background(), natsstate.Config{JS: js, HubID: id})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// A command is answered once its effect is in the team bucket: whatever
// happens to the hub after the answer (kill -9), the ack or un-ack the
// user was told about is there for every other hub.
func TestCommandIsAnsweredOnceSavedInTheBucket(t *testing.T) {
	url := bustest.StartServer(t, &server.Options{JetStream: true, StoreDir: t.TempDir()}).ClientURL()
	h := startTeamHub(t, t.TempDir(), "ice-failed", func(c *Config) { c.SharedStore = bucketStore{openBucket(t, url, "hub-a")} })
	other := openBucket(t, url, "hub-b")
	dana := h.addUser(t, "dana", feed.RoleResponder)
	a := waitFiring(t, h.url, dana)
	s := dial(t, h.url, dana)
	for i := range 6 {
		op := feed.OpAck
		if i%2 == 1 {
			op = feed.OpUnack
		}
		if res, err := do(t, s, feed.TeamCommand{Op: op, Key: a.Key}); err != nil || !res.OK {
			t.Fatalf("%s %d: %+v %v", op, i, res, err)
		}
		p, _, err := other.Load(time.Now()) // at once: no waiting for the save
		if err != nil {
			t.Fatal(err)
		}
		saved := false
		for _, act := range p.Acks {
			saved = saved || (act.Key == a.Key && act.Who == "dana" && act.Unack == (op == feed.OpUnack))
		}
		if !saved {
			t.Fatalf("%s %d answered, not in the bucket: %+v", op, i, p.Acks)
		}
	}
}
