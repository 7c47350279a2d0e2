package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/calltop/calltop/feed"
)

func TestHubIngestFlags(t *testing.T) {
	t.Parallel()
	if _, err := runCLI(t, "hub", "--ingest", "webrtc"); err == nil || !strings.Contains(err.Error(), "only ingest is rtcstats") {
		t.Errorf("--ingest webrtc: %v", err)
	}
	_, err := runCLI(t, "hub", "--listen", "0.0.0.0:0", "--token", "feedtoken", "--ingest", "rtcstats")
	if err == nil || !strings.Contains(err.Error(), "CALLTOP_INGEST_TOKEN") {
		t.Errorf("ingest off loopback without an ingest token: %v", err)
	}
}

// TestHubIngestBesideALoopingReplay: browsers' calls and a looping replay
// share a hub; the replay going round (ending its own calls) never ends
// the browser's.
func TestHubIngestBesideALoopingReplay(t *testing.T) {
	t.Parallel()
	file := filepath.Join(rtcstatsFixtures, "safari-standard-stats.rtcstats")
	logs, addr, _ := startHubCLI(t, "--replay", file, "--loop", "--speed", "500", "--ingest", "rtcstats")
	sub, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/feed", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	// The join must come after the subscriber's snapshot (the test counts
	// it live): the upgrade answers before the hub adds the subscriber.
	waitSubscribers(t, addr, 1)

	// A browser session joins call "live-room".
	conn, _, err := (&websocket.Dialer{Subprotocols: []string{"3.1_STANDARD"}}).Dial(
		"ws://"+addr+"/rtcstats/live-room?statsSessionId=b1&isReconnect=false", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.ReadMessage() // the sequence number
	ts := float64(time.Now().UnixMilli())
	line := fmt.Sprintf(`["getstats","PC_0",{"cp":{"type":"candidate-pair","state":"succeeded","nominated":true,"currentRoundTripTime":0.02,"timestamp":%.0f}},%.0f,1]`, ts, ts)
	if err := conn.WriteJSON(map[string]string{"statsSessionId": "b1", "type": "stats-entry", "data": line}); err != nil {
		t.Fatal(err)
	}

	restarts, joined := 0, false
	sub.SetReadDeadline(time.Now().Add(20 * time.Second))
	for restarts < 3 {
		_, data, err := sub.ReadMessage()
		if err != nil {
			t.Fatalf("feed: %v after %d restarts (joined %v); hub log:\n%s", err, restarts, joined, logs)
		}
		var m feed.Message
		if feed.Decode(data, &m) != nil {
			continue
		}
		switch {
		case m.Type == feed.TypeParticipantJoin && m.CallID == "live-room":
			joined = true
		case m.Type == feed.TypeCallEnd && m.CallID == "live-room":
			t.Fatalf("the browser's call was ended: %+v", m)
		case m.Type == feed.TypeCallStart && m.Call.ID != "live-room" && joined:
			restarts++ // the replayed call, again, while the browser's is on
		}
	}
}

// TestHubRefusesUnusableTokens: a blank token, one with spaces at its
// ends, and an ingest token equal to the feed's are refused at start with
// the flag named.
func TestHubRefusesUnusableTokens(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--token", " "}, "--token (or $CALLTOP_TOKEN) is blank"},
		{[]string{"--token", "s3cret "}, "has spaces at its ends"},
		{[]string{"--ingest", "rtcstats", "--ingest-token", "\t"}, "--ingest-token (or $CALLTOP_INGEST_TOKEN) is blank"},
		{[]string{"--ingest", "rtcstats", "--token", "same", "--ingest-token", "same"}, "--ingest-token equals --token"},
	} {
		_, err := runCLI(t, append([]string{"hub", "--listen", "127.0.0.1:0", "--simulate", "1"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("hub %q: %v, want an error saying %q", c.args, err, c.want)
		}
	}
}
