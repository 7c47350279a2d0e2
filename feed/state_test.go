package feed

import (
	"encoding/json"
	"fmt"
	"testing"
)

func TestTrackerMergesUpdatesAndForgetsEnded(t *testing.T) {
	tr := NewTracker()
	apply := func(msgs ...Message) {
		for i := range msgs {
			tr.Apply(&msgs[i])
		}
	}
	apply(callStart("a", 10, "p1", "p2")...)
	apply(
		Message{Type: TypeCallUpdate, TS: 20, Call: &Call{ID: "a", Tags: map[string]string{"app": "2.1"}}},
		Message{Type: TypeParticipantUpdate, TS: 21, CallID: "a", Participant: &Participant{ID: "p1", NetworkType: "wifi"}},
		Message{Type: TypeParticipantLeave, TS: 22, CallID: "a", ParticipantID: "p2"},
		Message{Type: TypeParticipantJoin, TS: 23, CallID: "late", Participant: &Participant{ID: "p9"}},
		Message{Type: TypeStats, TS: 24, CallID: "nobody", ParticipantID: "x", ConnectionID: "y"},
	)
	calls := tr.Calls()
	if len(calls) != 2 || tr.Len() != 2 || tr.TS() != 24 {
		t.Fatalf("calls %+v, ts %v", calls, tr.TS())
	}
	var a Call
	for _, c := range calls {
		if c.ID == "a" {
			a = c
		}
	}
	if a.Room != "room-a" || a.Start != 10 || a.Tags["region"] != "eu" || a.Tags["app"] != "2.1" {
		t.Fatalf("call a after update: %+v (an update must merge, not replace)", a)
	}
	if len(a.Participants) != 1 || a.Participants[0].Name != "Name p1" || a.Participants[0].NetworkType != "wifi" {
		t.Fatalf("participants of a: %+v", a.Participants)
	}
	apply(Message{Type: TypeCallEnd, CallID: "a"}, Message{Type: TypeCallEnd, CallID: "late"})
	if tr.Len() != 0 {
		t.Fatalf("ended calls still tracked: %+v", tr.Calls())
	}
}

func TestTrackerCallsAreCopies(t *testing.T) {
	tr := NewTracker()
	msgs := callStart("a", 1, "p1")
	for i := range msgs {
		tr.Apply(&msgs[i])
	}
	msgs[0].Call.Tags["region"] = "changed by the source"
	got := tr.Calls()
	got[0].Tags["region"] = "changed by the reader"
	if tr.Calls()[0].Tags["region"] != "eu" {
		t.Fatal("tracker state shares its tags map with a message or a reader")
	}
}

func TestSnapshotSplitAndAssembleRoundTrip(t *testing.T) {
	var calls []Call
	for i := 0; i < 200; i++ {
		calls = append(calls, Call{ID: fmt.Sprintf("call-%03d", i), Start: float64(i),
			Participants: []Participant{{ID: "p1", Name: "Ana"}, {ID: "p2", Name: "Bo"}}})
	}
	frames, err := EncodeSnapshot(calls, 12345, 4096)
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) < 3 {
		t.Fatalf("%d frames for ~20 KB at 4 KiB parts", len(frames))
	}
	var asm SnapshotAssembler
	tr := NewTracker()
	var full *Message
	for i, f := range frames {
		m := new(Message)
		if err := Decode(f, m); err != nil {
			t.Fatalf("part %d does not decode: %v", i+1, err)
		}
		if m.Part != i+1 || m.Parts != len(frames) || m.TS != 12345 {
			t.Fatalf("part %d numbered %d/%d ts %v", i+1, m.Part, m.Parts, m.TS)
		}
		tr.Apply(m)
		got, err := asm.Add(m)
		if err != nil {
			t.Fatal(err)
		}
		if (got != nil) != (i == len(frames)-1) {
			t.Fatalf("assembler finished at part %d of %d", i+1, len(frames))
		}
		full = got
	}
	if len(full.Calls) != 200 || full.Calls[199].Participants[1].Name != "Bo" {
		t.Fatalf("reassembled %d calls", len(full.Calls))
	}
	if tr.Len() != 200 {
		t.Fatalf("tracker took %d calls from the split snapshot", tr.Len())
	}

	// A missing part is reported and the partial snapshot never applied.
	asm = SnapshotAssembler{}
	tr2 := NewTracker()
	tr2.Apply(&Message{Type: TypeCallStart, Call: &Call{ID: "kept"}})
	for i, f := range frames {
		if i == 1 {
			continue
		}
		m := new(Message)
		Decode(f, m)
		tr2.Apply(m)
		if _, err := asm.Add(m); i == 2 && err == nil {
			t.Fatal("part 3 after part 1 was accepted")
		}
	}
	if tr2.Len() != 1 {
		t.Fatalf("a snapshot with a missing part replaced the state: %d calls", tr2.Len())
	}
}

func TestEmptySnapshotIsOneFrame(t *testing.T) {
	frames, err := EncodeSnapshot(nil, 0, 0)
	if err != nil || len(frames) != 1 || string(frames[0]) != `{"type":"snapshot","calls":[]}` {
		t.Fatalf("empty snapshot: %q %v", frames, err)
	}
	var m Message
	if err := json.Unmarshal(frames[0], &m); err != nil || !m.FinalPart() {
		t.Fatalf("empty snapshot decodes to %+v, %v", m, err)
	}
}

func callStart(id string, start float64, participants ...string) []Message {
	msgs := []Message{{Type: TypeCallStart, TS: start, Call: &Call{ID: id, Room: "room-" + id, Start: start, Tags: map[string]string{"region": "eu"}}}}
	for _, p := range participants {
		msgs = append(msgs, Message{Type: TypeParticipantJoin, TS: start, CallID: id,
			Participant: &Participant{ID: p, Name: "Name " + p, Joined: start}})
	}
	return msgs
}

// A call's source does not merge: "lost" holds until a call.update (or
// call.start) without it, which says the source is live again; the
// snapshot a late subscriber gets says so, and the field survives the
// wire both ways.
func TestTrackerCallSourceIsReplacedNotMerged(t *testing.T) {
	tr := NewTracker()
	for _, m := range callStart("a", 10, "p1") {
		tr.Apply(&m)
	}
	lost := Message{Type: TypeCallUpdate, TS: 20, Call: &Call{ID: "a", Source: SourceLost}}
	tr.Apply(&lost)
	frames, err := EncodeSnapshot(tr.Calls(), tr.TS(), SnapshotPartBytes)
	if err != nil {
		t.Fatal(err)
	}
	var snap Message
	if err := Decode(frames[0], &snap); err != nil {
		t.Fatal(err)
	}
	if len(snap.Calls) != 1 || snap.Calls[0].Source != SourceLost || snap.Calls[0].Room != "room-a" {
		t.Fatalf("snapshot of a lost call: %s", frames[0])
	}
	tr.Apply(&Message{Type: TypeCallUpdate, TS: 30, Call: &Call{ID: "a"}})
	if c := tr.Calls()[0]; c.Source != "" || c.Room != "room-a" || len(c.Participants) != 1 {
		t.Fatalf("call a after its source came back: %+v", c)
	}
	b, err := AppendMessage(nil, &Message{Type: TypeCallUpdate, Call: &Call{ID: "a"}})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"type":"call.update","call":{"id":"a"}}` {
		t.Fatalf("a live call's update on the wire: %s (source must be left out)", b)
	}
}
