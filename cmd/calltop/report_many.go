package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/calltop/calltop/diagnose"
)

// isPlainFile reports whether arg names one existing file (not a
// directory, not a glob to expand): its report keeps the one-document
// form.
func isPlainFile(arg string) bool {
	st, err := os.Stat(arg)
	if err != nil {
		return !hasGlob(arg) // a missing file: report says so as it always did
	}
	return !st.IsDir()
}

func hasGlob(arg string) bool { return strings.ContainsAny(arg, "*?[") }

// reportInputs expands the arguments into files, in order: a file as it
// is, a directory's regular files recursively (sorted, hidden ones left
// out), a glob's matches (sorted). An argument that names nothing is an
// error.
func reportInputs(args []string) ([]string, error) {
	var files []string
	for _, arg := range args {
		st, err := os.Stat(arg)
		switch {
		case err == nil && st.IsDir():
			found, err := dirFiles(arg)
			if err != nil {
				return nil, err
			}
			files = append(files, found...)
		case err == nil:
			files = append(files, arg)
		case hasGlob(arg):
			m, gerr := filepath.Glob(arg)
			if gerr != nil {
				return nil, fmt.Errorf("%s: %w", arg, gerr)
			}
			if len(m) == 0 {
				return nil, fmt.Errorf("%s: no file matches", arg)
			}
			files = append(files, m...)
		default:
			return nil, err
		}
	}
	return files, nil
}

// dirFiles lists the regular files under dir, sorted, hidden ones (and
// hidden directories) left out.
func dirFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			files = append(files, path)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// reportFiles reports each input on its own, one after another, writing
// each report as soon as it is made (text, or one JSON line a file). A
// file that cannot be read is named on stderr and the others are still
// reported; the command then fails.
func reportFiles(ctx context.Context, o reportOptions, args []string, stdout, stderr io.Writer) error {
	files, err := reportInputs(args)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	failed := 0
	for i, path := range files {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		m := diagnose.NewMonitor(diagnose.Options{KeepEnded: true})
		prefix := diagnose.Clean(path) + ": "
		src, err := reportFile(m, path, prefix, stderr)
		if err != nil {
			failed++
			fmt.Fprintf(stderr, "calltop report: %s\n", diagnose.Clean(err.Error()))
			continue
		}
		rep := finishReport(m, src, prefix, stderr)
		if o.json {
			err = enc.Encode(rep)
		} else {
			if i > 0 {
				out.WriteString("\n")
			}
			err = rep.WriteText(out)
		}
		if err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files could not be reported", failed, len(files))
	}
	return nil
}
