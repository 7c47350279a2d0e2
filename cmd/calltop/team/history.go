package team

import (
	"net/http"

	"github.com/calltop/calltop/diagnose/history/historyhttp"
	"github.com/calltop/calltop/feed/hub"
)

// HistoryRoutes serves the hub's call history (GET /history/calls...) to
// any authenticated user, viewers included: reading history is seeing,
// like the feed. Nil without a history store.
func (s *Server) HistoryRoutes() []hub.Route {
	if s.cfg.History == nil {
		return nil
	}
	h := historyhttp.Handler(s.cfg.History, s.now)
	protected := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := s.authenticate(r); !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="calltop"`)
			http.Error(w, "missing or wrong token", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
	return []hub.Route{{Pattern: historyhttp.Prefix, Handler: protected}, {Pattern: historyhttp.Prefix + "/", Handler: protected}}
}
