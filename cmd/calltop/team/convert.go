package team

import (
	"time"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/alert"
	"github.com/calltop/calltop/feed"
)

// wireHistory and wireEvents bound what one team.alerts frame carries of
// the resolved history and the event log.
const (
	wireHistory = 100
	wireEvents  = 200
)

// toWire turns the book's picture into a team.alerts message; room names
// a call's room ("" when unknown).
func toWire(s alert.Snapshot, room func(callID string) string) feed.TeamAlerts {
	w := feed.TeamAlerts{Type: feed.TypeTeamAlerts, Seq: s.LastEvent, Now: s.Now, FeedDown: s.FeedDown,
		Active: make([]feed.TeamAlert, 0, len(s.Active)), History: []feed.TeamAlert{},
		Silences: make([]feed.TeamSilence, 0, len(s.Silences)), Events: []feed.TeamEvent{}}
	w.Counts = &feed.TeamAlertCounts{Active: len(s.Active)}
	for i := range s.Active {
		w.Active = append(w.Active, alertToWire(&s.Active[i], room))
		countAlerting(w.Counts, &w.Active[i])
	}
	for i := range s.History[:min(len(s.History), wireHistory)] {
		w.History = append(w.History, alertToWire(&s.History[i], room))
	}
	for _, st := range s.Silences {
		w.Silences = append(w.Silences, silenceToWire(st))
	}
	for _, e := range s.Events[max(len(s.Events)-wireEvents, 0):] {
		w.Events = append(w.Events, feed.TeamEvent{Seq: e.Seq, At: e.At, Kind: string(e.Kind), Key: e.Key, Rule: e.Rule,
			Call: e.Subject.CallID, Name: e.Name, Who: e.Who, Text: e.Text})
	}
	return w
}

// alertToWire is one alert as the wire (and `alerts list --json`) has it.
func alertToWire(a *alert.Alert, room func(string) string) feed.TeamAlert {
	w := feed.TeamAlert{Key: a.Key, ID: a.ID, Rule: a.Rule, Severity: a.Severity.String(), State: string(a.State),
		Call: a.Subject.CallID, Participant: a.Subject.ParticipantID, Name: a.ParticipantName,
		Since: a.Start, FiredAt: a.FiredAt, End: a.End, Message: a.Message, Advice: a.Advice, Also: a.Also,
		Flaps: a.Flaps, SilencedBy: a.SilencedBy, InhibitedBy: a.InhibitedBy, Note: a.Note, Room: a.Room}
	if w.Room == "" && room != nil && w.Call != "" {
		w.Room = room(w.Call)
	}
	if a.Ack != nil {
		w.AckedBy, w.AckedAt, w.AckNote = a.Ack.Who, a.Ack.At, a.Ack.Note
	}
	return w
}

// silenceToWire is one silence as the wire has it.
func silenceToWire(st alert.SilenceStatus) feed.TeamSilence {
	m := st.Matcher
	return feed.TeamSilence{ID: st.ID, Scope: m.String(), CreatedBy: st.Who, CreatedAt: st.Created, Comment: st.Why,
		EndsAt: st.Ends, UntilResolved: st.UntilResolved, Muting: st.Muting,
		Matcher: wireMatcher(m)}
}

// fromWire turns a team.alerts message back into the picture the TUI
// shows; received is when it came, so ages keep ticking between frames
// (now is the caller's clock, read outside the TUI).
func fromWire(w *feed.TeamAlerts, received, now time.Time) alert.Snapshot {
	s := alert.Snapshot{Now: w.Now, FeedDown: w.FeedDown, LastEvent: w.Seq}
	if !w.Now.IsZero() && now.After(received) {
		s.Now = w.Now.Add(now.Sub(received))
	}
	for i := range w.Active {
		a := alertFromWire(&w.Active[i])
		s.Active = append(s.Active, a)
		countAlert(&s.Counts, &a)
	}
	if c := w.Counts; c != nil && c.Active > len(w.Active) {
		s.Whole = &alert.Whole{Active: c.Active}
		s.Whole.Alerting[diagnose.Critical], s.Whole.Alerting[diagnose.Warning], s.Whole.Alerting[diagnose.Info] =
			c.Critical, c.Warning, c.Info
	}
	for i := range w.History {
		s.History = append(s.History, alertFromWire(&w.History[i]))
	}
	for _, ws := range w.Silences {
		sil := alert.Silence{ID: ws.ID, Who: ws.CreatedBy, Why: ws.Comment, Created: ws.CreatedAt, Ends: ws.EndsAt,
			UntilResolved: ws.UntilResolved,
			Matcher:       bookMatcher(ws.Matcher)}
		s.Silences = append(s.Silences, alert.SilenceStatus{Silence: sil, Left: sil.Left(s.Now), Muting: ws.Muting})
	}
	for _, e := range w.Events {
		s.Events = append(s.Events, alert.Event{Seq: e.Seq, At: e.At, Kind: alert.EventKind(e.Kind), Key: e.Key, Rule: e.Rule,
			Subject: diagnose.Subject{CallID: e.Call}, Name: e.Name, Who: e.Who, Text: e.Text})
	}
	return s
}

// alertFromWire is the inverse of alertToWire.
func alertFromWire(w *feed.TeamAlert) alert.Alert {
	sev, _ := diagnose.ParseSeverity(w.Severity)
	a := alert.Alert{Key: w.Key, ID: w.ID, Rule: w.Rule, Severity: sev, State: alert.State(w.State),
		Subject:         diagnose.Subject{CallID: w.Call, ParticipantID: w.Participant},
		ParticipantName: w.Name, Room: w.Room, Message: w.Message, Advice: w.Advice, Also: w.Also, Flaps: w.Flaps,
		Start: w.Since, FiredAt: w.FiredAt, End: w.End, SilencedBy: w.SilencedBy, InhibitedBy: w.InhibitedBy, Note: w.Note}
	if w.AckedBy != "" {
		a.Ack = &alert.Ack{Who: w.AckedBy, Note: w.AckNote, At: w.AckedAt}
	}
	return a
}

// countAlerting adds a to c's firing counts when it is firing, neither
// muted nor inhibited (the header's "alerts 2 crit").
func countAlerting(c *feed.TeamAlertCounts, a *feed.TeamAlert) {
	if a.State != string(alert.Firing) || len(a.SilencedBy) > 0 || a.InhibitedBy != "" {
		return
	}
	switch a.Severity {
	case "critical":
		c.Critical++
	case "warning":
		c.Warning++
	case "info":
		c.Info++
	}
}

// countsOf counts a list of open alerts.
func countsOf(active []feed.TeamAlert) feed.TeamAlertCounts {
	c := feed.TeamAlertCounts{Active: len(active)}
	for i := range active {
		countAlerting(&c, &active[i])
	}
	return c
}

// countAlert adds one active alert to the counts (alert.Counts' rule).
func countAlert(c *alert.Counts, a *alert.Alert) {
	switch a.State {
	case alert.Pending:
		c.Pending++
	case alert.Firing:
		c.Firing++
	case alert.Acknowledged:
		c.Acknowledged++
	}
	if a.Muted() {
		c.Muted++
	}
	if a.Inhibited() {
		c.Inhibited++
	}
}

// findingsToWire lists open findings for a team.findings message.
func findingsToWire(fs []diagnose.Finding) feed.TeamFindings {
	w := feed.TeamFindings{Type: feed.TypeTeamFindings, Findings: make([]feed.TeamFinding, 0, len(fs))}
	for _, f := range fs {
		w.Findings = append(w.Findings, feed.TeamFinding{Rule: f.Rule, Severity: f.Severity.String(),
			Call: f.Subject.CallID, Participant: f.Subject.ParticipantID, Name: f.ParticipantName,
			Since: f.Start, Message: f.Message})
	}
	return w
}

// wireMatcher is a silence's matcher as the wire has it.
func wireMatcher(m alert.Matcher) feed.TeamMatcher {
	return feed.TeamMatcher{All: m.All, Key: m.Key, Call: m.CallID, Participant: m.ParticipantID, Rule: m.Rule, Person: m.Person}
}

// bookMatcher is the inverse of wireMatcher.
func bookMatcher(w feed.TeamMatcher) alert.Matcher {
	return alert.Matcher{All: w.All, Key: w.Key, CallID: w.Call, ParticipantID: w.Participant, Rule: w.Rule, Person: w.Person}
}
