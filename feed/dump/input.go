package dump

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"github.com/klauspost/compress/gzip"
	"io"
	"sync"

	"github.com/calltop/calltop/feed/recording"
)

// MaxLineBytes bounds one line of a line format (an rtcstats line, a
// recording line): a longer line is skipped whole, read but never held,
// and reported. Real lines are under 100 kB.
const MaxLineBytes = 8 << 20

// input streams a file's lines, counting its decompressed bytes against
// MaxDumpBytes and noting a compressed stream that ends early.
type input struct {
	name      string
	br        *bufio.Reader
	lr        *io.LimitedReader
	line      int  // lines read so far
	newlines  int  // newlines read so far
	truncated bool // the gzip stream ended early
	long      []byte
	held      []byte // a line kept while the buffer refills
}

func newInput(r io.Reader, name string) *input {
	lr := &io.LimitedReader{R: r, N: MaxDumpBytes + 1}
	br, _ := readers.Get().(*bufio.Reader)
	if br == nil {
		br = bufio.NewReaderSize(lr, sniffBytes)
	} else {
		br.Reset(lr)
	}
	return &input{name: name, lr: lr, br: br}
}

// readers keeps the buffered readers of finished inputs: `report` over a
// directory of dumps made (and cleared) a new 256 kB buffer for each file,
// half the size of a typical rtcstats dump.
var readers sync.Pool

// release gives the input's reader back for another; nothing read through
// it may be used after (what the readers keep, they copy).
func (in *input) release() {
	in.br.Reset(nil)
	readers.Put(in.br)
	in.br = nil
}

// start skips a byte order mark and leading white space (line numbers
// count from the first line with content) and returns the first bytes of
// the rest, to tell the format from.
func (in *input) start() ([]byte, error) {
	if bom, _ := in.br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		in.br.Discard(3)
	}
	for {
		c, err := in.br.ReadByte()
		if err != nil {
			if err := in.readErr(err); err != nil {
				return nil, err
			}
			return nil, nil
		}
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			in.br.UnreadByte()
			break
		}
	}
	head, err := in.br.Peek(sniffBytes)
	if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
		if err := in.readErr(err); err != nil {
			return nil, err
		}
	}
	return head, nil
}

// readErr sorts a read error: the end, a compressed stream cut short (noted,
// not an error), the size guard, or a real failure.
func (in *input) readErr(err error) error {
	switch {
	case errors.Is(err, io.EOF):
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrChecksum):
		in.truncated = true
	default:
		return fmt.Errorf("%s: %w", in.name, err)
	}
	if in.lr.N <= 0 {
		return fmt.Errorf("%s: larger than %d MB once decompressed; not loaded", in.name, MaxDumpBytes>>20)
	}
	return nil
}

// lines calls fn with each line that has content (trimmed), its number
// and whether it is the file's last; a line over MaxLineBytes goes to
// tooLong instead. An error from fn stops the reading.
func (in *input) lines(fn func(n int, line []byte, last bool) error, tooLong func(*recording.LineError)) error {
	for {
		raw, err := in.next()
		if err != nil {
			return err
		}
		if raw == nil {
			return nil
		}
		if len(raw) > MaxLineBytes {
			tooLong(&recording.LineError{File: in.name, Line: in.line,
				Reason: fmt.Sprintf("line longer than %d MB skipped", MaxLineBytes>>20)})
			continue
		}
		line := bytes.TrimSpace(raw)
		if len(line) == 0 {
			continue
		}
		last := false
		if in.br.Buffered() == 0 {
			// Peek refills the buffer line points into (ReadSlice's):
			// keep a copy, or the line handed on is the next one's bytes.
			in.held = append(in.held[:0], line...)
			line = in.held
			_, perr := in.br.Peek(1)
			last = perr != nil
		}
		if err := fn(in.line, line, last); err != nil {
			return err
		}
	}
}

// next reads one line (without its newline); nil at the end. A line over
// MaxLineBytes is read to its end but only its first MaxLineBytes+1 bytes
// are kept, so the caller can tell.
func (in *input) next() ([]byte, error) {
	in.long = in.long[:0]
	for {
		chunk, err := in.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if len(in.long) <= MaxLineBytes {
				in.long = append(in.long, chunk[:min(len(chunk), MaxLineBytes+1-len(in.long))]...)
			}
			continue
		}
		if err != nil {
			if rerr := in.readErr(err); rerr != nil {
				return nil, rerr
			}
			if len(chunk) == 0 && len(in.long) == 0 {
				return nil, nil
			}
		}
		in.line++
		if n := len(chunk); n > 0 && chunk[n-1] == '\n' {
			in.newlines++
			chunk = chunk[:n-1]
		}
		if len(in.long) == 0 {
			return chunk, nil
		}
		if len(in.long) <= MaxLineBytes {
			in.long = append(in.long, chunk[:min(len(chunk), MaxLineBytes+1-len(in.long))]...)
		}
		return in.long, nil
	}
}

// rest reads the rest of the file whole (a format that is one JSON
// document), refusing it past limit bytes. It reads in chunks and joins
// them once, so a refusal costs at most the limit.
func (in *input) rest(limit int) ([]byte, error) {
	var chunks [][]byte
	total := 0
	for done := false; !done; {
		chunk := make([]byte, 1<<20)
		n := 0
		for n < len(chunk) && !done {
			k, err := in.br.Read(chunk[n:])
			n += k
			if err != nil {
				if rerr := in.readErr(err); rerr != nil {
					return nil, rerr
				}
				done = true
			}
		}
		chunks = append(chunks, chunk[:n])
		if total += n; total > limit {
			return nil, fmt.Errorf("%s: a webrtc-internals dump larger than %d MB once unpacked; not loaded (see docs/dumps.md, Limits)", in.name, limit>>20)
		}
	}
	data := bytes.Join(chunks, nil)
	in.newlines += bytes.Count(data, []byte{'\n'})
	return data, nil
}
