package bus

// Rows: a team hub diagnoses only its own calls and shares what it found
// (a team.findings frame of its own calls) on calltop.v1.rows.<hub>; the
// other team hubs serve the union to their subscribers. The bus carries
// the frame as it is and does not read it (Config.Rows's taker checks
// that a hub speaks only for its own calls).

// ShareRows publishes this hub's rows frame for the other hubs and keeps
// it for those that join later.
func (n *Node) ShareRows(frame []byte) {
	n.rows.Store(&frame)
	n.send(Prefix+"rows."+n.cfg.HubID, frame)
}

// resendRows sends the last rows frame again (to a hub that asked).
func (n *Node) resendRows() {
	if f := n.rows.Load(); f != nil {
		n.send(Prefix+"rows."+n.cfg.HubID, *f)
	}
}

// takeRows hands a peer's rows frame to Config.Rows.
func (n *Node) takeRows(from string, frame []byte) {
	if n.cfg.Rows == nil || n.heard(from, true) == nil {
		return
	}
	n.cfg.Rows(from, frame)
}
