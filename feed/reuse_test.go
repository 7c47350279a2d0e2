package feed

import (
	"reflect"
	"strconv"
	"testing"
	"time"
)

// A consumer that releases its events gets later messages decoded into
// the released storage, and each of them exactly as a fresh decode reads
// its frame: nothing of an earlier message shows through, though a frame
// with every stats field set is followed by frames that set few. The
// frames go through the Pipeline as the live client's do (TakeFrame, then
// Frame with reuse); feed/client's tests run the same over a real hub.
func TestReleasedEventsAreReusedWithoutStaleFields(t *testing.T) {

	full := everyField(t)
	var msgs []Message
	for i := range 400 {
		route := Message{Type: TypeStats, TS: float64(1e12 + i*1000), CallID: "c" + strconv.Itoa(i%7),
			ParticipantID: "p", ConnectionID: "pc"}
		// A frame with every field of every object set, then a sparse
		// one of a few objects, each with a few fields.
		dense := route
		dense.Stats = make([]Stat, 4+i%9)
		for j := range dense.Stats {
			dense.Stats[j] = full
		}
		sparse := route
		sparse.TS += 500
		types := []string{StatInboundRTP, StatOutboundRTP, StatCandidatePair, StatTransport, StatMediaSource}
		for j := range 1 + i%11 {
			sparse.Stats = append(sparse.Stats, Stat{ID: "s" + strconv.Itoa(j), Type: types[(i+j)%len(types)],
				Kind: "audio", PacketsReceived: float64(i * j)})
		}
		msgs = append(msgs, dense, sparse)
	}
	var pipe Pipeline

	released := map[*Stat]bool{}
	releasedFrames := map[*byte]bool{}
	var stats, reused, reusedFrames, seen int
	for i := range msgs {
		frame, err := AppendMessage(nil, &msgs[i])
		if err != nil {
			t.Fatal(err)
		}
		ev, ok := pipe.Frame(TakeFrame(frame), time.Now(), true)
		if !ok || ev.Kind != EventMessage {
			t.Fatalf("message %d: the pipeline gave %+v, %v", i, ev, ok)
		}
		seen++
		var want Message
		if err := decodeReference(ev.Frames[0], &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*ev.Msg, want) {
			t.Fatalf("message %d decoded into reused storage differs from a fresh decode of its frame:\n got %+v\nwant %+v", seen, *ev.Msg, want)
		}
		if len(ev.Msg.Stats) > 0 {
			stats++
			if released[&ev.Msg.Stats[:1][0]] {
				reused++
			}
			released[&ev.Msg.Stats[:1][0]] = true
		}
		if f := ev.Frames[0]; len(f) > 0 {
			if releasedFrames[&f[0]] {
				reusedFrames++
			}
			releasedFrames[&f[0]] = true
		}
		ev.Release()
		if ev.Msg.Stats != nil {
			t.Fatal("Release left the message's stats in place")
		}
	}
	// sync.Pool drops some of what it is given (a quarter of it under the
	// race detector, and all of it at a collection): at least a third.
	if reused < stats/3 || reusedFrames < seen/3 {
		t.Fatalf("%d of %d stats slices and %d of %d frames were decoded into released storage; want at least a third", reused, stats, reusedFrames, seen)
	}
	t.Logf("%d of %d stats slices and %d of %d frames reused", reused, stats, reusedFrames, seen)
}

func TestClassPoolGivesRoomEnoughAndAtMostTwice(t *testing.T) {
	p := newClassPool[byte](9, 16)
	for _, n := range []int{0, 1, 511, 512, 513, 1000, 1024, 1025, 40000, 65536} {
		s := p.take(n)
		if len(s) != 0 || cap(s) < n || cap(s) > max(2*n, 512) {
			t.Errorf("take(%d): len %d cap %d, want empty with room for %d and at most twice", n, len(s), cap(s), n)
		}
		p.give(append(s, 1))
	}
	// A slice of an odd capacity serves the largest class it covers.
	p.give(make([]byte, 3000))
	for range 100 { // sync.Pool may drop what it is given; it rarely does all
		if s := p.take(2048); cap(s) < 2048 {
			t.Fatalf("take(2048) gave room for %d", cap(s))
		}
	}
	if s := p.take(65537); cap(s) != 65537 {
		t.Errorf("take(65537): cap %d, want exactly 65537 (too big to pool)", cap(s))
	}
	// A huge slice is not kept (its array would stay alive for a small
	// use); one up to twice the largest class serves that class.
	q := newClassPool[byte](9, 10)
	for _, n := range []int{3 << 10, 1 << 20} { // 3x and 1024x the largest class
		big := make([]byte, n)
		q.give(big)
		if s := q.take(1024); &s[:1][0] == &big[0] {
			t.Errorf("take(1024) after giving %d bytes returned that array", n)
		}
	}
	two := make([]byte, 2048)
	q.give(two)
	for range 100 { // as above: sync.Pool may drop it, but not every time
		if s := q.take(1024); &s[:1][0] == &two[0] {
			return
		}
		q.give(two)
	}
	t.Error("a 2 KiB slice given was never taken back for the 1 KiB class")
}
