package team

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/calltop/calltop/feed/bus/bustest"
)

// kvUsers opens the users bucket on url through its own connection, as
// one hub does, following changes until the test ends.
func kvUsers(t *testing.T, url string) *KVUsers {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, _ := jetstream.New(nc)
	u, err := OpenKVUsers(context.Background(), js, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	u.Follow()
	t.Cleanup(u.Close)
	return u
}

// A user added through one hub's bucket is known on the other within a
// few seconds, with its role; removed, its token stops working there. The
// bucket keeps the token's SHA-256 only.
func TestKVUsersAreSharedByHubs(t *testing.T) {
	url := bustest.StartServer(t, &server.Options{JetStream: true, StoreDir: t.TempDir()}).ClientURL()
	a, b := kvUsers(t, url), kvUsers(t, url)
	token, err := a.Add("dana@ops", "responder", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 5 s", what)
			}
			time.Sleep(10 * time.Millisecond) // polling the other hub's users, with a deadline
		}
	}
	waitFor("dana known on hub b", func() bool { u, ok := b.Lookup(token); return ok && u.Name == "dana@ops" && u.Role == "responder" })
	if _, ok := b.Lookup(token + "0"); ok {
		t.Fatal("a wrong token was taken")
	}
	if _, err := b.Add("dana@ops", "viewer", time.Now()); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second add of dana: %v", err)
	}
	e, err := a.kv.Get(context.Background(), userKey("dana@ops"))
	if err != nil || strings.Contains(string(e.Value()), token) || !strings.Contains(string(e.Value()), hashToken(token)) {
		t.Fatalf("stored user %s (%v): want the token's SHA-256, never the token", e.Value(), err)
	}
	if err := b.Remove("dana@ops"); err != nil {
		t.Fatal(err)
	}
	waitFor("dana's token refused on hub a", func() bool { _, ok := a.Lookup(token); return !ok })
	if err := a.Remove("dana@ops"); err == nil || !strings.Contains(err.Error(), `no user "dana@ops"`) {
		t.Fatalf("removing a removed user: %v", err)
	}
	if _, err := a.Add("bad name", "viewer", time.Now()); err == nil {
		t.Fatal("a name with a space was taken")
	}
}
