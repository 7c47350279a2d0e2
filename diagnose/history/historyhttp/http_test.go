package historyhttp

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/history"
	"github.com/calltop/calltop/diagnose/history/sqlite"
)

func endedCall(id, room string, end time.Time, name, userID string) history.Call {
	e := diagnose.ReportTime{Time: end}
	return history.Call{
		Report: diagnose.ReportCall{ID: id, Room: room, Start: diagnose.ReportTime{Time: end.Add(-5 * time.Minute)}, End: &e,
			Participants: []diagnose.ReportParticipant{{ID: "p1", Name: name}}},
		People: []history.Person{{ID: "p1", Name: name, UserID: userID}},
	}
}

// serve runs the history handler on a real loopback server behind a bearer
// token check, as a team hub does.
func serve(t *testing.T, now time.Time) (Client, history.Store) {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h := Handler(store, func() time.Time { return now })
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return Client{Base: "ws" + strings.TrimPrefix(srv.URL, "http") + "/feed", Token: "s3cret"}, store
}

func TestSearchAndOpenOverHTTP(t *testing.T) {
	now := time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC)
	c, store := serve(t, now)
	ctx := context.Background()
	err := store.Put(ctx, []history.Call{
		endedCall("call-1", "support-ops", now.Add(-30*time.Hour), "Dana O'Neil", "u-42"),
		endedCall("call-2", "retro-mkt", now.Add(-2*time.Hour), "Dana Smith", "u-43"),
		endedCall("call-3", "support-ops", now.Add(-1*time.Hour), "Olu G.", "u-7"),
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Search(ctx, "dana", "24h", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].ID != "call-2" {
		t.Fatalf("dana in the last 24h: %+v, want call-2 only", res)
	}
	res, err = c.Search(ctx, "room:support-ops", "", 0)
	if err != nil || len(res) != 2 || res[0].ID != "call-3" {
		t.Fatalf("room search: %+v %v", res, err)
	}
	call, err := c.Call(ctx, "call-1")
	if err != nil || call.People[0].UserID != "u-42" || call.Report.Room != "support-ops" {
		t.Fatalf("open call-1: %+v %v", call, err)
	}
	if _, err := c.Call(ctx, "call-9"); err == nil || !strings.Contains(err.Error(), "no call") {
		t.Fatalf("unknown call: %v", err)
	}
	if _, err := c.Search(ctx, "sev:loud", "", 0); err == nil || !strings.Contains(err.Error(), "sev:loud") {
		t.Fatalf("bad query: %v, want it named", err)
	}
	c.Token = "wrong"
	if _, err := c.Search(ctx, "dana", "", 0); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("wrong token: %v, want 401 named", err)
	}
}
