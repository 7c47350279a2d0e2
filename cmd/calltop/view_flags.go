package main

import (
	"strings"

	"github.com/spf13/pflag"

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
