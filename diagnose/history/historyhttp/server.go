package historyhttp

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/calltop/calltop/diagnose/history"
)

// Prefix is the path the handler serves under.
const Prefix = "/history/calls"

// Handler serves store's calls. now anchors "since:" in queries.
func Handler(store history.Store, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			http.Error(w, "history: only GET", http.StatusMethodNotAllowed)
			return
		}
		rest := strings.TrimPrefix(r.URL.Path, Prefix)
		switch {
		case rest == "" || rest == "/":
			search(w, r, store, now())
		case strings.HasPrefix(rest, "/"):
			get(w, r, store, strings.TrimPrefix(rest, "/"))
		default:
			http.NotFound(w, r)
		}
	})
}

func search(w http.ResponseWriter, r *http.Request, store history.Store, now time.Time) {
	v := r.URL.Query()
	text := v.Get("q")
	if s := v.Get("since"); s != "" {
		text += " since:" + s
	}
	q, err := history.ParseQuery(text, now)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if l := v.Get("limit"); l != "" {
		if q.Limit, err = strconv.Atoi(l); err != nil {
			http.Error(w, "history: limit must be a whole number", http.StatusBadRequest)
			return
		}
	}
	res, err := store.Search(r.Context(), q)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, res)
}

func get(w http.ResponseWriter, r *http.Request, store history.Store, id string) {
	c, err := store.Get(r.Context(), id)
	if errors.Is(err, history.ErrNotFound) {
		http.Error(w, "history: no call "+strconv.Quote(id), http.StatusNotFound)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, c)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
