// Command statgen writes feed/stat_fields_gen.go from the Stat struct in
// feed/protocol.go. Run it with `go generate ./feed`.
package main

import (
	"fmt"
	"os"

	"github.com/calltop/calltop/feed/internal/statgen"
)

func main() {
	src, err := os.ReadFile("protocol.go")
	if err == nil {
		var out []byte
		if out, err = statgen.Generate(src); err == nil {
			err = os.WriteFile(statgen.Output, out, 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "statgen:", err)
		os.Exit(1)
	}
}
