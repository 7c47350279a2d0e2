package tui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/calltop/calltop/diagnose/alert"
)

// muteScopes are the picker's scopes, in MuteScope order.
var muteScopes = []string{"this alert", "this call", "rule everywhere", "this person", "everything"}

// muteSpans are the picker's durations; zero means until resolved.
var muteSpans = []struct {
	label string
	d     time.Duration
}{{"15m", 15 * time.Minute}, {"1h", time.Hour}, {"4h", 4 * time.Hour}, {"until resolved", 0}}

// mutePicker is the small form m opens: a scope and a duration.
type mutePicker struct {
	keys  *KeyMap
	alert alert.Alert
	name  string
	scope int
	span  int
}

// Update applies a key; done is true once the user confirmed (req set)
// or cancelled (req nil).
func (mp *mutePicker) Update(msg tea.KeyPressMsg) (req *MuteRequest, done bool) {
	k := mp.keys
	back := msg.String() == "left" || msg.String() == "h" || msg.String() == "up" || msg.String() == "k"
	switch {
	case key.Matches(msg, k.PickScope):
		mp.scope = step(mp.scope, len(muteScopes), back)
		for (mp.scope == int(MuteCall) && mp.alert.Subject.CallID == "") ||
			(mp.scope == int(MutePerson) && mp.alert.Subject.ParticipantID == "") {
			mp.scope = step(mp.scope, len(muteScopes), back)
		}
	case key.Matches(msg, k.PickSpan):
		mp.span = step(mp.span, len(muteSpans), back)
	case key.Matches(msg, k.Confirm):
		r := mp.request()
		return &r, true
	case key.Matches(msg, k.Cancel):
		return nil, true
	}
	return nil, false
}

// step moves i one place forward or back, wrapping around n.
func step(i, n int, back bool) int {
	if back {
		return (i + n - 1) % n
	}
	return (i + 1) % n
}

// request is the MuteRequest the picker describes.
func (mp *mutePicker) request() MuteRequest {
	a := &mp.alert
	span := muteSpans[mp.span]
	r := MuteRequest{Scope: MuteScope(mp.scope), AlertKey: a.Key, CallID: a.Subject.CallID,
		Rule: a.Rule, For: span.d, UntilResolved: span.d == 0}
	if r.Scope == MutePerson {
		r.ParticipantID = a.Subject.ParticipantID
	}
	return r
}

// describe says what the mute covers, for the notice after confirming.
func (mp *mutePicker) describe() string {
	a := &mp.alert
	what := mp.name
	switch MuteScope(mp.scope) {
	case MuteCall:
		what = "every alert of call " + clean(a.Subject.CallID)
		if a.Room != "" {
			what = "every alert of call " + clean(a.Room) + " (" + clean(a.Subject.CallID) + ")"
		}
	case MuteRule:
		what = "rule " + a.Rule + " on every call"
	case MutePerson:
		what = "every alert of " + clean(a.ParticipantName) + " (" + clean(a.Subject.ParticipantID) + ")"
	case MuteAll:
		what = "everything"
	}
	span := muteSpans[mp.span]
	if span.d == 0 {
		return what + " until resolved"
	}
	return what + " for " + span.label
}

// View renders the picker as a few lines, the choices marked with [ ].
func (mp *mutePicker) View(st *Styles, width int) []string {
	choice := func(opts []string, sel int) string {
		out := make([]string, len(opts))
		for i, o := range opts {
			if i == sel {
				out[i] = st.Selected.Render("[" + o + "]")
			} else {
				out[i] = " " + o + " "
			}
		}
		return strings.Join(out, "") // each choice has its own space either side: 80 columns hold them all
	}
	spans := make([]string, len(muteSpans))
	for i, s := range muteSpans {
		spans[i] = s.label
	}
	return []string{
		st.Section.Render("Mute ") + clip(mp.name, width-5),
		st.Label.Render("  scope  ") + choice(muteScopes, mp.scope),
		st.Label.Render("  for    ") + choice(spans, mp.span),
	}
}

// ShortHelp lists the picker's keys.
func (mp *mutePicker) ShortHelp() []key.Binding {
	k := mp.keys
	return []key.Binding{k.PickScope, k.PickSpan, k.Confirm, k.Cancel}
}
