package feed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"unicode/utf8"
)

// View mode message types (docs/feed-protocol.md, "View mode"). A client
// that connects to /feed with ?view=1 gets hello but not the call stream;
// it sends view.request frames and the hub answers with view.window
// frames (the visible rows of its call index) and streams the frames of
// the one call the request opens. A hub without an index answers a view
// client with view.error and closes. Like the team messages they are not
// part of Message: Pipeline treats them as unknown types.
const (
	TypeViewRequest = "view.request"
	TypeViewWindow  = "view.window"
	TypeViewError   = "view.error"
)

// Limits of a view request, checked by DecodeViewRequest.
const (
	MaxViewRows   = 1000 // rows in one window
	MaxViewFilter = 256  // bytes of filter text
	MaxViewKey    = 1024 // bytes of the opened call's key
)

// The sorts a view request may ask for (ViewQuery.Sort): the TUI's calls
// table sorts. "worst" is severity, then MOS, then loss; "" is "worst";
// "severity" is taken for "worst".
const (
	SortWorst    = "worst"
	SortMOS      = "mos"
	SortLoss     = "loss"
	SortRTT      = "rtt"
	SortDuration = "duration"
	SortRoom     = "room"
)

// ViewSorts lists the sort names in the TUI's order (s cycles them).
var ViewSorts = []string{SortWorst, SortMOS, SortLoss, SortRTT, SortDuration, SortRoom}

// NoIndexError is what a hub without a call index tells a view client.
const NoIndexError = "this hub has no call index: run it with --index"

// ViewQuery is what a view client wants to see: the filter and sort of
// its calls list, the visible window and the call it has open.
type ViewQuery struct {
	// Filter is the calls list's "/" filter text (words, "quoted
	// phrases": all must match one participant or the call).
	Filter string `json:"filter"`
	// Sort is one of ViewSorts; Desc turns it around (the TUI's S).
	Sort string `json:"sort"`
	Desc bool   `json:"desc"`
	// Offset and Limit are the window: rows Offset to Offset+Limit-1 of
	// the matching calls in order.
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
	// Open is the key of the call whose frames the client wants ("" for
	// none).
	Open string `json:"open"`
	// Ended includes the calls that ended in the last minute (after the
	// ongoing ones, as the TUI lists them).
	Ended bool `json:"ended"`
}

// ViewRequest is a view client's request; each one replaces the last.
type ViewRequest struct {
	Type string    `json:"type"`
	View ViewQuery `json:"view"`
}

// ViewWindow answers a ViewRequest: at once, then whenever the window's
// content changes, at most 4 times a second. TS is the feed time (ms).
type ViewWindow struct {
	Type   string   `json:"type"`
	TS     float64  `json:"ts"`
	Window ViewPage `json:"window"`
}

// ViewPage is one window of the hub's call index.
type ViewPage struct {
	// Seq increases with every window sent to this client.
	Seq uint64 `json:"seq"`
	// Total counts every call in the index (ended ones too), Matched the
	// calls the filter (and Ended) let through: the list's length.
	Total   int        `json:"total"`
	Matched int        `json:"matched"`
	Counts  ViewCounts `json:"counts"`
	// Offset is the first row's place in the list (the request's, or
	// less when the list got shorter than it).
	Offset int       `json:"offset"`
	Rows   []ViewRow `json:"rows"`
	// For is the request this window answers: a client that changed its
	// filter or sort can tell the rows it asked for from a window that was
	// already on its way. Hubs before 2026-12-06 leave it out.
	For *ViewQuery `json:"for,omitempty"`
}

// ViewCounts counts the index's calls: the ongoing ones by severity (ok:
// none or info) and the ended ones.
type ViewCounts struct {
	OK       int `json:"ok"`
	Warning  int `json:"warning"`
	Critical int `json:"critical"`
	Ended    int `json:"ended"`
}

// ViewRow is one call of a window: diagnose.CallSummary on the wire.
// Times are feed ms (0: not known); an unknown number is left out.
type ViewRow struct {
	Key          string            `json:"key"`
	ID           string            `json:"id"`
	Room         string            `json:"room,omitempty"`
	Start        float64           `json:"start,omitempty"`
	End          float64           `json:"end,omitempty"`
	Ended        bool              `json:"ended,omitempty"`
	FirstStats   float64           `json:"firstStats,omitempty"`
	Participants int               `json:"participants"`
	Severity     string            `json:"severity,omitempty"` // "", "info", "warning", "critical"
	TopFinding   string            `json:"topFinding,omitempty"`
	TopRule      string            `json:"topRule,omitempty"`
	WorstMOS     *float64          `json:"worstMos,omitempty"`
	WorstLoss    *float64          `json:"worstLoss,omitempty"`
	WorstRTTMs   *float64          `json:"worstRttMs,omitempty"`
	BitrateKbps  *float64          `json:"bitrateKbps,omitempty"`
	People       []ViewPerson      `json:"people,omitempty"`
	Tags         map[string]string `json:"tags,omitempty"`
	// Source is "" normally and "lost" when the hub that serves the call
	// is lost (its calls are kept until it comes back or they time out).
	Source string `json:"source,omitempty"`
}

// ViewPerson is one participant of a ViewRow.
type ViewPerson struct {
	ID     string `json:"id"`
	Name   string `json:"name,omitempty"`
	UserID string `json:"userId,omitempty"`
}

// ViewError tells a view client why its request or connection is refused.
type ViewError struct {
	Type  string `json:"type"`
	Error string `json:"error"`
}

// EncodeView returns the frame of one view message v (ViewRequest,
// ViewWindow or ViewError) with its Type already set.
func EncodeView(v any) ([]byte, error) { return json.Marshal(v) }

// DecodeViewRequest parses and checks a view.request frame. The sort is
// returned canonical (one of ViewSorts, "" and "severity" read as
// "worst"). Errors name the field and why.
func DecodeViewRequest(frame []byte) (ViewRequest, error) {
	var r ViewRequest
	frame = bytes.TrimSpace(frame)
	if len(frame) == 0 || frame[0] != '{' {
		return r, &DecodeError{Reason: "view.request: frame is not a JSON object"}
	}
	if err := json.Unmarshal(frame, &r); err != nil {
		return ViewRequest{}, &DecodeError{Reason: "view.request", Err: err}
	}
	if r.Type != TypeViewRequest {
		return ViewRequest{}, &DecodeError{Reason: fmt.Sprintf("want a %s frame, got type %q", TypeViewRequest, r.Type)}
	}
	v := &r.View
	switch {
	case v.Offset < 0:
		return ViewRequest{}, viewFieldError("offset", v.Offset, "must not be negative")
	case v.Limit < 0 || v.Limit > MaxViewRows:
		return ViewRequest{}, viewFieldError("limit", v.Limit, fmt.Sprintf("must be 0 to %d", MaxViewRows))
	case len(v.Filter) > MaxViewFilter:
		return ViewRequest{}, viewFieldError("filter", len(v.Filter), fmt.Sprintf("bytes: at most %d", MaxViewFilter))
	case len(v.Open) > MaxViewKey:
		return ViewRequest{}, viewFieldError("open", len(v.Open), fmt.Sprintf("bytes: at most %d", MaxViewKey))
	case !utf8.ValidString(v.Filter):
		return ViewRequest{}, &DecodeError{Reason: "view.request: view.filter is not valid UTF-8"}
	}
	sort, ok := canonicalSort(v.Sort)
	if !ok {
		return ViewRequest{}, &DecodeError{Reason: fmt.Sprintf("view.request: view.sort %q: want one of %s", clip(v.Sort, 40), strings.Join(ViewSorts, ", "))}
	}
	v.Sort = sort
	return r, nil
}

// canonicalSort maps a requested sort name to one of ViewSorts.
func canonicalSort(name string) (string, bool) {
	name = strings.ToLower(name)
	switch name {
	case "", "severity":
		return SortWorst, true
	}
	for _, s := range ViewSorts {
		if s == name {
			return s, true
		}
	}
	return "", false
}

func viewFieldError(field string, v int, why string) error {
	return &DecodeError{Reason: fmt.Sprintf("view.request: view.%s %d: %s", field, v, why)}
}

// clip shortens s to n bytes at most (for quoting bad input in errors).
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Call returns a copy of the ongoing call with this id, with its
// participants in join order (what a view client that opens it is sent
// first), and false when there is none.
func (t *Tracker) Call(id string) (Call, bool) {
	tc := t.calls[id]
	if tc == nil {
		return Call{}, false
	}
	c := tc.call
	c.Tags = maps.Clone(c.Tags)
	c.Participants = make([]Participant, 0, len(tc.order))
	for _, pid := range tc.order {
		c.Participants = append(c.Participants, tc.participants[pid])
	}
	return c, true
}
