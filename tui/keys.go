package tui

import "charm.land/bubbles/v2/key"

// KeyMap holds every key binding. Update matches keys against these same
// bindings and the help is generated from them, so the two cannot drift.
type KeyMap struct {
	// Global keys.
	Help, Quit, Pause, AlertPane, SwitchPane key.Binding
	// Replay keys (enabled only when the frame says the source is a replay).
	ReplayPause, SeekBack, SeekForward, Slower, Faster, JumpTo key.Binding
	// Moving in lists.
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	// Calls screen.
	Sort, Reverse, Filter, ClearFilter, Open key.Binding
	// Call screen.
	Back, WiderWindow, NarrowerWindow, Copy, Diagnoses, Read key.Binding
	// Fleet screen.
	Fleet, NextDimension, PrevDimension, FilterGroup key.Binding
	// Call history (a team hub's ended calls).
	CallHistory key.Binding
	// Alert pane.
	Ack, Mute, Unmute, Jump, ShowMuted, EventLog      key.Binding
	AckNote, History, Silences, Zoom, Expire, Yes, No key.Binding
	// Mute picker.
	PickScope, PickSpan, Confirm, Cancel key.Binding
}

// DefaultKeyMap returns the default key bindings.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Help:           b([]string{"?"}, "?", "help"),
		Quit:           b([]string{"q", "ctrl+c"}, "q", "quit"),
		Pause:          b([]string{"p"}, "p", "pause display"),
		AlertPane:      b([]string{"!"}, "!", "alerts"),
		SwitchPane:     b([]string{"tab"}, "tab", "switch pane"),
		ReplayPause:    b([]string{"space"}, "space", "pause replay"),
		SeekBack:       b([]string{"left"}, "←", "back 10s"),
		SeekForward:    b([]string{"right"}, "→", "forward 10s"),
		Slower:         b([]string{"["}, "[", "slower"),
		Faster:         b([]string{"]"}, "]", "faster"),
		JumpTo:         b([]string{"t"}, "t", "jump to time"),
		Up:             b([]string{"up", "k"}, "↑/k", "up"),
		Down:           b([]string{"down", "j"}, "↓/j", "down"),
		PageUp:         b([]string{"pgup", "ctrl+u"}, "pgup/^u", "page up"),
		PageDown:       b([]string{"pgdown", "ctrl+d"}, "pgdn/^d", "page down"),
		Top:            b([]string{"home", "g"}, "g/home", "top"),
		Bottom:         b([]string{"end", "G"}, "G/end", "bottom"),
		Sort:           b([]string{"s"}, "s", "sort"),
		Reverse:        b([]string{"S"}, "S", "reverse sort"),
		Filter:         b([]string{"/"}, "/", "filter"),
		ClearFilter:    b([]string{"esc"}, "esc", "clear filter"),
		Open:           b([]string{"enter"}, "enter", "open call"),
		Back:           b([]string{"esc"}, "esc", "back"),
		WiderWindow:    b([]string{"+", "="}, "+", "longer window"),
		NarrowerWindow: b([]string{"-"}, "-", "shorter window"),
		Copy:           b([]string{"y"}, "y", "copy diagnosis"),
		Diagnoses:      b([]string{"d"}, "d", "diagnoses"),
		Read:           b([]string{"enter"}, "enter", "read diagnosis"),
		Fleet:          b([]string{"F"}, "F", "fleet"),
		CallHistory:    b([]string{"H"}, "H", "call history"),
		NextDimension:  b([]string{"d"}, "d", "next dimension"),
		PrevDimension:  b([]string{"D"}, "D", "previous dimension"),
		FilterGroup:    b([]string{"enter"}, "enter", "calls of group"),
		Ack:            b([]string{"a"}, "a", "acknowledge"),
		Mute:           b([]string{"m"}, "m", "mute"),
		Unmute:         b([]string{"u"}, "u", "unmute"),
		Jump:           b([]string{"enter"}, "enter", "go to call"),
		ShowMuted:      b([]string{"M"}, "M", "show muted"),
		EventLog:       b([]string{"e"}, "e", "event log"),
		AckNote:        b([]string{"A"}, "A", "ack with note"),
		History:        b([]string{"H"}, "H", "history"),
		Silences:       b([]string{"v"}, "v", "silences"),
		Zoom:           b([]string{"z"}, "z", "zoom"),
		Expire:         b([]string{"x"}, "x", "expire silence"),
		Yes:            b([]string{"y"}, "y", "yes"),
		No:             b([]string{"n", "esc"}, "n", "no"),
		PickScope:      b([]string{"left", "right", "h", "l"}, "←/→", "scope"),
		PickSpan:       b([]string{"up", "down", "k", "j"}, "↑/↓", "duration"),
		Confirm:        b([]string{"enter"}, "enter", "mute"),
		Cancel:         b([]string{"esc"}, "esc", "cancel"),
	}
}
