package dump

import (
	"fmt"

	"github.com/calltop/calltop/feed"
)

// Format names what Load found in a file.
const (
	FormatRecording = "calltop-recording"
)

// Loaded is a file turned into calltop.v1 records, ready to replay, with
// the lines that could not be used.
type Loaded struct {
	Path     string
	Format   string
	Records  []feed.Record
	Problems []*feed.LineError
}

// Load reads a recording or a dump, detecting the format by content and
// gunzipping when needed.
func Load(path string) (*Loaded, error) {
	rc, err := feed.OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	recs, bad, err := feed.ReadRecording(rc, path)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 && len(bad) > 0 {
		return nil, fmt.Errorf("%s: not a calltop recording or a known dump format (%s)", path, bad[0].Reason)
	}
	return &Loaded{Path: path, Format: FormatRecording, Records: recs, Problems: bad}, nil
}
