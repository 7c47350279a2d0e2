// Package tui is calltop's terminal interface, built on Bubble Tea v2: the
// calls screen (home), the call screen (facts, participants, sparklines,
// diagnoses, timeline), the alert pane, help and the hint bar.
//
// It owns presentation only. It reads immutable engine.Frame values from a
// channel (one coalesced frame at a time, re-armed in Update for natural
// back-pressure) and sends the user's intentions (focus, ack, mute, replay
// controls) back through the Controller interface, which the engine
// implements. It must not do I/O, read the wall clock in Update or View,
// touch the feed, or change anything it was handed: every string from the
// feed is sanitised before it reaches the terminal.
//
// Components (calls table, call view, alert pane, header, help) embed a small
// common struct (size, styles, keys), implement SetSize, View() string and
// help.KeyMap; only the root Model returns a tea.View. Every list on screen
// (calls, participants, diagnoses, alerts, event log, a diagnosis read in
// full) moves and pages through one primitive, list.go, whose selection
// follows a row's id; find.go is how a filter finds a person.
package tui
