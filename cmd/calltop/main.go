package main

import (
	"fmt"
	"os"
)

func main() {
	if err := newRootCmd(processEnv()).Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "calltop:", plainFlagError(err))
		os.Exit(1)
	}
}
