package team

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/calltop/calltop/feed"
)

// The book's picture in two sizes. Every subscriber of the whole feed gets
// it whole, unless that would not fit in a frame a client reads: at
// 10,000 calls a fleet's open alerts passed feed.MaxFrameBytes and every
// subscriber was dropped ("message too big") each time it went out. A
// view client (?view=1) gets what its alert pane shows: the worst
// viewAlerts, the newest viewHistory and viewEvents, at most once every
// viewEvery, so what it is sent does not grow with the fleet.
const (
	maxAlertsFrame = feed.MaxFrameBytes - 16<<10
	viewAlerts     = 100
	viewHistory    = 50
	viewEvents     = 50
	viewEvery      = time.Second
)

// zeroHead is how a team.alerts frame with no Seq and no Now begins; the
// picture is encoded that way to compare it with the last one, and the
// frame sent is the same bytes with the real head.
var zeroHead = func() []byte {
	b, _ := json.Marshal(feed.TeamAlerts{Type: feed.TypeTeamAlerts})
	return b[:bytes.Index(b, []byte(`"now":`))+len(`"now":"0001-01-01T00:00:00Z"`)]
}()

// encodePicture returns w's frame and its body (the frame without Seq and
// Now, for comparing pictures), in one encoding.
func encodePicture(w feed.TeamAlerts) (frame, body []byte, err error) {
	seq, now := w.Seq, w.Now
	w.Seq, w.Now = 0, time.Time{}
	if body, err = json.Marshal(w); err != nil {
		return nil, nil, err
	}
	head, err := json.Marshal(struct {
		Type string    `json:"type"`
		Seq  uint64    `json:"seq"`
		Now  time.Time `json:"now"`
	}{feed.TypeTeamAlerts, seq, now})
	if err != nil {
		return nil, nil, err
	}
	if !bytes.HasPrefix(body, zeroHead) { // not as expected: encode it again
		w.Seq, w.Now = seq, now
		frame, err = json.Marshal(w)
		return frame, body, err
	}
	frame = make([]byte, 0, len(body)+len(head))
	frame = append(frame, head[:len(head)-1]...)
	return append(frame, body[len(zeroHead):]...), body, nil
}

// cutToFit cuts w.Active to its first alerts (the worst: the list is in
// the book's order) so that w encodes within limit; size is w's encoded
// size as it is. Counts still count them all.
func cutToFit(w *feed.TeamAlerts, size, limit int) {
	if size <= limit || len(w.Active) == 0 {
		return
	}
	over := size - limit
	n := len(w.Active)
	for n > 0 && over > 0 { // drop from the end, each alert with its comma
		b, err := json.Marshal(&w.Active[n-1])
		if err != nil {
			break
		}
		over -= len(b) + 1
		n--
	}
	w.Active = w.Active[:n]
}

// viewPicture is w as a view client gets it: the first viewAlerts open
// alerts, the newest viewHistory resolved and viewEvents events.
func viewPicture(w feed.TeamAlerts) feed.TeamAlerts {
	w.Active = w.Active[:min(len(w.Active), viewAlerts)]
	w.History = w.History[:min(len(w.History), viewHistory)]
	w.Events = w.Events[max(len(w.Events)-viewEvents, 0):]
	return w
}
