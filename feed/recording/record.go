package recording

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/calltop/calltop/feed"
	"github.com/klauspost/compress/gzip"
	"io"
	"os"
	"strings"
	"time"
)

// Record is one received frame with its receive time: a line of a
// recording, or a message an importer made from a dump (Recv is then the
// data's own time).
type Record struct {
	Recv time.Time       `json:"recv"`
	Msg  json.RawMessage `json:"msg"`
}

// LineError reports a line of a file that could not be read; the rest of
// the file is still used.
type LineError struct {
	File   string
	Line   int
	Reason string
}

// Error implements error.
func (e *LineError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
}

// maxLine bounds one recording line (a frame plus its envelope).
const maxLine = feed.MaxFrameBytes + 4096

// OpenFile opens path for reading, transparently gunzipping when the file
// starts with the gzip magic bytes. Close the returned ReadCloser.
func OpenFile(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(f)
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: gzip: %w", path, err)
		}
		zr.Multistream(false)
		return struct {
			io.Reader
			io.Closer
		}{&gunzip{zr: zr, br: br}, closers{zr, f}}, nil
	}
	return struct {
		io.Reader
		io.Closer
	}{br, f}, nil
}

// gunzip reads every member of a gzip file, and takes NUL bytes after
// the last as padding (tape and block-device copies add them), not as a
// broken member; other bytes there are a gzip.ErrHeader as before.
type gunzip struct {
	zr *gzip.Reader
	br *bufio.Reader
}

func (g *gunzip) Read(p []byte) (int, error) {
	for {
		n, err := g.zr.Read(p)
		if err != io.EOF || n > 0 {
			if err == io.EOF {
				err = nil // the member's end is looked at on the next read
			}
			return n, err
		}
		next, _ := g.br.Peek(2)
		switch {
		case len(next) == 0:
			return 0, io.EOF
		case len(next) == 2 && next[0] == 0x1f && next[1] == 0x8b:
			if err := g.zr.Reset(g.br); err != nil {
				return 0, err
			}
			g.zr.Multistream(false)
		default:
			return 0, g.padding()
		}
	}
}

// padding reads what follows the last member: io.EOF if it is all NULs.
func (g *gunzip) padding() error {
	for {
		b, err := g.br.ReadByte()
		if err != nil {
			if err == io.EOF {
				return io.EOF
			}
			return err
		}
		if b != 0 {
			return gzip.ErrHeader
		}
	}
}

type closers []io.Closer

func (c closers) Close() error {
	var first error
	for _, cl := range c {
		if err := cl.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// ReadRecording reads a calltop recording (JSON lines of Record). Lines
// that are not valid records are reported as *LineError and skipped; an
// I/O error (other than a truncated gzip stream) stops reading and is
// returned as err. name is used in messages.
func ReadRecording(r io.Reader, name string) (recs []Record, bad []*LineError, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxLine)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		rec, lerr := ParseLine(b, name, line)
		if lerr != nil {
			bad = append(bad, lerr)
			continue
		}
		recs = append(recs, rec)
	}
	if serr := sc.Err(); serr != nil {
		if serr == io.ErrUnexpectedEOF || strings.Contains(serr.Error(), "unexpected EOF") {
			bad = append(bad, &LineError{File: name, Line: line + 1, Reason: "file is truncated"})
			return recs, bad, nil
		}
		if serr == bufio.ErrTooLong {
			bad = append(bad, &LineError{File: name, Line: line + 1, Reason: fmt.Sprintf("line longer than %d bytes; reading stopped", maxLine)})
			return recs, bad, nil
		}
		return recs, bad, fmt.Errorf("%s: %w", name, serr)
	}
	return recs, bad, nil
}

// ParseLine reads one line of a recording (line n of file name); the
// record's frame is a copy, the line may be reused.
func ParseLine(b []byte, name string, n int) (Record, *LineError) {
	var rec Record
	if uerr := json.Unmarshal(b, &rec); uerr != nil {
		return Record{}, &LineError{File: name, Line: n, Reason: "not a recording line: " + uerr.Error()}
	}
	if len(rec.Msg) == 0 || rec.Recv.IsZero() {
		return Record{}, &LineError{File: name, Line: n, Reason: `recording line without "recv" and "msg"`}
	}
	rec.Msg = append(json.RawMessage(nil), rec.Msg...)
	return rec, nil
}
