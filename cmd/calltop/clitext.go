package main

import (
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// Cobra's flag-group errors, as it words them.
var (
	exclusiveGroup = regexp.MustCompile(`^if any flags in the group \[([^\]]*)\] are set none of the others can be; \[[^\]]*\] were all set$`)
	oneOfGroup     = regexp.MustCompile(`^at least one of the flags in the group \[([^\]]*)\] is required$`)
	togetherGroup  = regexp.MustCompile(`^if any flags in the group \[([^\]]*)\] are set they must all be set; missing \[([^\]]*)\]$`)
)

// plainFlagError says a flag-group error the way calltop's other errors
// read ("give only one of --simulate, --replay"); other errors pass as
// they are.
func plainFlagError(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if m := exclusiveGroup.FindStringSubmatch(msg); m != nil {
		return errors.New("give only one of " + dashed(m[1]))
	}
	if m := oneOfGroup.FindStringSubmatch(msg); m != nil {
		return errors.New("give one of " + dashed(m[1]))
	}
	if m := togetherGroup.FindStringSubmatch(msg); m != nil {
		return errors.New(dashed(m[1]) + " go together: give " + dashed(m[2]) + " too")
	}
	return err
}

// dashed turns "a b" into "--a, --b".
func dashed(names string) string {
	f := strings.Fields(names)
	for i := range f {
		f[i] = "--" + f[i]
	}
	return strings.Join(f, ", ")
}

// shareExamples gives each subcommand of parent without examples the
// parent's example lines that run it ("calltop alerts ack ..." for ack),
// so every command's --help shows how it is typed.
func shareExamples(parent *cobra.Command) {
	lines := strings.Split(parent.Example, "\n")
	for _, sub := range parent.Commands() {
		if sub.Example != "" {
			continue
		}
		var mine []string
		for _, l := range lines {
			f := strings.Fields(l)
			if i := slices.Index(f, parent.Name()); i > 0 && i+1 < len(f) && f[i+1] == sub.Name() {
				mine = append(mine, l)
			}
		}
		sub.Example = strings.Join(mine, "\n")
	}
}
