package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/spf13/pflag"

	"github.com/calltop/calltop/feed/client"
	"github.com/calltop/calltop/tui"
)

// viewFlags are the TUI's own flags, on the root command, demo and replay.
type viewFlags struct {
	find  string
	ascii bool
}

// register adds the TUI's flags to f.
func (v *viewFlags) register(f *pflag.FlagSet) {
	f.StringVar(&v.find, "find", "", `open straight into the call of the best match for a person's name or user id, a room or a call id ("quoted phrase" ok), that person selected`)
	f.BoolVar(&v.ascii, "ascii", false, "draw graphs and glyphs in ASCII (the default when the locale is not UTF-8)")
}

// options are the TUI options the flags and the locale ask for.
func (v viewFlags) options(e env) tui.Options {
	return tui.Options{Find: v.find, ASCII: v.ascii || !e.utf8()}
}

// utf8 reports whether the locale lets the terminal show UTF-8: the first
// of LC_ALL, LC_CTYPE and LANG that is set decides; with none set, yes.
func (e env) utf8() bool {
	for _, name := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if v := e.getenv(name); v != "" {
			v = strings.ToLower(v)
			return strings.Contains(v, "utf-8") || strings.Contains(v, "utf8")
		}
	}
	return true
}

// registerViewMode adds --view, the TUI in view mode, to the root command.
func registerViewMode(f *pflag.FlagSet, on *bool) {
	f.BoolVar(on, "view", false, "view mode: the hub (calltop hub --index) sorts and filters the calls and sends only the rows on screen and the open call's stats, so a fleet of 20,000 calls costs the TUI what 40 do")
}

// errViewNeedsFeed is --view's error without a feed (the demo has no
// call index to ask).
var errViewNeedsFeed = errors.New("--view needs a live feed: --feed ws://HOST:PORT/feed of a hub run with --index (or --team, --nats)")

// viewConfig is cfg for a view client: every feed URL with ?view=1, and
// the view.window frames kept (they are no feed messages).
func viewConfig(cfg client.Config) (client.Config, error) {
	urls := make([]string, len(cfg.URLs))
	for i, raw := range cfg.URLs {
		u, err := url.Parse(raw)
		if err != nil {
			return cfg, fmt.Errorf("--view: feed URL %s: %w", client.RedactURL(raw), err)
		}
		q := u.Query()
		q.Set("view", "1")
		u.RawQuery = q.Encode()
		urls[i] = u.String()
	}
	cfg.URLs, cfg.KeepUnknown = urls, true
	return cfg, nil
}

// feedStopper ends a feed client's Run when a view-mode engine learns
// that the hub has no call index: reconnecting would only be refused
// again, and the TUI keeps saying why.
type feedStopper struct {
	once sync.Once
	ch   chan struct{}
}

func newFeedStopper() *feedStopper { return &feedStopper{ch: make(chan struct{})} }

// stop ends the wrapped Run (engine.ViewOptions.Refused).
func (s *feedStopper) stop(string) { s.once.Do(func() { close(s.ch) }) }

// wrap is run, ended early by stop.
func (s *feedStopper) wrap(run func(context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() {
			select {
			case <-s.ch:
				cancel()
			case <-ctx.Done():
			}
		}()
		return run(ctx)
	}
}
