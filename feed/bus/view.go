package bus

// View rows: a team hub's call index holds the rows it diagnosed of its own
// calls; it shares them (changed rows and removals, batched by the index's
// server, cmd/calltop/viewserve) on calltop.v1.view.<hub>, and answers a
// hub that asks for the calls with its full set (Config.ViewFull), so that
// every team hub's index lists every hub's calls. The bus carries the
// frames as they are; the taker (Config.View) checks that a hub speaks only
// for its own calls. Config.Lost tells the taker when a hub's calls are
// marked source lost and when they are back.

// ShareView publishes one frame of this hub's view rows for the other hubs.
func (n *Node) ShareView(frame []byte) { n.send(Prefix+"view."+n.cfg.HubID, frame) }

// resendView sends the full set of this hub's view rows (to a hub that
// asked).
func (n *Node) resendView() {
	if n.cfg.ViewFull == nil {
		return
	}
	n.cfg.ViewFull(n.ShareView)
}

// takeView hands a peer's view rows frame to Config.View.
func (n *Node) takeView(from string, frame []byte) {
	if n.cfg.View == nil || n.heard(from, true) == nil {
		return
	}
	n.cfg.View(from, frame)
}

// peerLost tells Config.Lost that hub id's calls are (or no longer are)
// marked source lost.
func (n *Node) peerLost(id string, lost bool) {
	if n.cfg.Lost != nil {
		n.cfg.Lost(id, lost)
	}
}
