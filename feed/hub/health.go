package hub

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// healthSection is a part of /healthz another component answers for.
type healthSection struct {
	name  string
	stats func() any
}

// HealthOf adds stats(), encoded as JSON, to /healthz under name (the
// browser ingest's counters under "ingest", say), for callers that
// present the token.
func (h *Hub) HealthOf(name string, stats func() any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.health = append(h.health, healthSection{name, stats})
}

// serveHealth answers {"status":"ok"}, with the counters and the added
// sections for a caller that presents the token (or to everyone when
// there is none).
func (h *Hub) serveHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if !authorized(r, h.cfg.Token) {
		w.Write([]byte(`{"status":"ok"}` + "\n"))
		return
	}
	b, err := json.Marshal(struct {
		Status string `json:"status"`
		Stats
	}{"ok", h.Stats()})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h.mu.Lock()
	sections := h.health
	h.mu.Unlock()
	for _, sec := range sections {
		v, err := json.Marshal(sec.stats())
		if err != nil {
			continue
		}
		b = append(append(append(b[:len(b)-1], ","+strconv.Quote(sec.name)+":"...), v...), '}')
	}
	w.Write(append(b, '\n'))
}
