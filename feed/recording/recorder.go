package recording

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Recorder writes a recording: one Record line per received frame. It
// gzips when the file name ends in ".gz". It is not safe for concurrent
// use.
type Recorder struct {
	path   string
	f      *os.File
	zw     *gzip.Writer
	w      *bufio.Writer
	redact *Redactor
	lines  int
}

// CreateRecording creates (or truncates) path for a recording. With
// redact, every frame passes through one Redactor before it is written:
// addresses and credentials removed, people given pseudonyms.
func CreateRecording(path string, redact bool) (*Recorder, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	r := &Recorder{path: path, f: f}
	if redact {
		r.redact = NewRedactor()
	}
	var w io.Writer = f
	if strings.HasSuffix(path, ".gz") {
		r.zw = gzip.NewWriter(f)
		w = r.zw
	}
	r.w = bufio.NewWriterSize(w, 64<<10)
	return r, nil
}

// Lines returns the number of records written.
func (r *Recorder) Lines() int { return r.lines }

// Write appends one frame received at recv. The frame must be JSON (a
// decoded message's raw bytes).
func (r *Recorder) Write(recv time.Time, frame []byte) error {
	if r.redact != nil {
		red, err := r.redact.Frame(frame)
		if err != nil {
			return fmt.Errorf("%s: redacting frame: %w", r.path, err)
		}
		frame = red
	}
	if !json.Valid(frame) {
		return fmt.Errorf("%s: frame is not JSON; not recorded", r.path)
	}
	if bytes.ContainsAny(frame, "\r\n") { // keep one record per line
		var buf bytes.Buffer
		json.Compact(&buf, frame)
		frame = buf.Bytes()
	}
	// Written by hand so the frame's bytes stay exactly as received.
	r.w.WriteString(`{"recv":"`)
	r.w.WriteString(recv.UTC().Format(time.RFC3339Nano))
	r.w.WriteString(`","msg":`)
	r.w.Write(frame)
	if _, err := r.w.WriteString("}\n"); err != nil {
		return fmt.Errorf("%s: %w", r.path, err)
	}
	r.lines++
	return nil
}

// Flush pushes buffered lines to the file (through gzip when used), so a
// reader sees them even before Close.
func (r *Recorder) Flush() error {
	if err := r.w.Flush(); err != nil {
		return err
	}
	if r.zw != nil {
		return r.zw.Flush()
	}
	return nil
}

// Close flushes, ends the gzip stream, syncs and closes the file.
func (r *Recorder) Close() error {
	err := r.w.Flush()
	if r.zw != nil {
		if zerr := r.zw.Close(); err == nil {
			err = zerr
		}
	}
	if info, serr := r.f.Stat(); serr == nil && info.Mode().IsRegular() {
		if serr := r.f.Sync(); err == nil {
			err = serr
		}
	}
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", r.path, err)
	}
	return nil
}
