package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/calltop/calltop/diagnose/engine"
)

// alertPane lists firing, acknowledged and recently resolved alerts.
type alertPane struct {
	common
	readOnly bool
}

func newAlertPane(c common, readOnly bool) *alertPane {
	return &alertPane{common: c, readOnly: readOnly}
}

// SetFrame takes the alerts from a frame.
func (p *alertPane) SetFrame(f *engine.Frame) {}

// Firing counts firing alerts by severity.
func (p *alertPane) Firing() [4]int { return [4]int{} }

// Picking reports whether the mute picker is open.
func (p *alertPane) Picking() bool { return false }

// SelectedCall is the call of the selected alert.
func (p *alertPane) SelectedCall() string { return "" }

// Update handles the pane's keys.
func (p *alertPane) Update(msg tea.KeyPressMsg, ctrl Controller) tea.Cmd { return nil }

// ShortHelp implements help.KeyMap.
func (p *alertPane) ShortHelp() []key.Binding { return nil }

// FullHelp implements help.KeyMap.
func (p *alertPane) FullHelp() [][]key.Binding { return nil }

// View renders the pane.
func (p *alertPane) View() string { return block(nil, p.width, p.height) }
