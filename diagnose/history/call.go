package history

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/calltop/calltop/diagnose"
)

// Call is one ended call as history keeps it.
type Call struct {
	// Report is the call as `calltop report` prints it: room, tags, start
	// and end, participants with MOS and connection facts, findings with
	// messages and advice.
	Report diagnose.ReportCall `json:"report"`
	// Source names where the call came from: "sim", "replay", "ingest",
	// a feed URL.
	Source string `json:"source,omitempty"`
	// People holds what the report does not say of each participant.
	People []Person `json:"people"`
	// Series are the participants' downsampled graphs, by participant id.
	Series map[string]Series `json:"series,omitempty"`
}

// Person is what history keeps of one participant beyond the report.
type Person struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	UserID  string `json:"userId,omitempty"`
	Browser string `json:"browser,omitempty"`
	OS      string `json:"os,omitempty"`
	Network string `json:"network,omitempty"`
	Region  string `json:"region,omitempty"`
}

// Series is one participant's graphs as the call screen had them when the
// call ended: up to its last 15 minutes, one point per 20 s, then the
// newest samples at full rate. OffsetMs[i] is point i's time after Start;
// each graph has one value per point (NaN, null in JSON, where there was
// no data).
type Series struct {
	Start          time.Time `json:"start"`
	OffsetMs       []int32   `json:"offsetMs"`
	BitrateInKbps  Points    `json:"bitrateInKbps"`
	BitrateOutKbps Points    `json:"bitrateOutKbps"`
	LossInPct      Points    `json:"lossInPct"`
	LossOutPct     Points    `json:"lossOutPct"`
	RTTMs          Points    `json:"rttMs"`
}

// Summary is one row of a search result: enough to list a call.
type Summary struct {
	Key         string            `json:"key"` // the call's id and start (Key), what opens it
	ID          string            `json:"id"`
	Room        string            `json:"room"`
	Start       time.Time         `json:"start"`
	End         time.Time         `json:"end"`
	People      []string          `json:"people"`  // display names, in join order
	MOSMean     float64           `json:"mosMean"` // 0 when unknown
	Worst       diagnose.Severity `json:"worst"`
	WorstRule   string            `json:"worstRule"` // the worst finding's rule ("" when none)
	WorstText   string            `json:"worstText"` // its message
	Source      string            `json:"source"`
	StoredBytes int               `json:"storedBytes"`
}

// Worst returns the call's worst finding (nil when it had none): highest
// severity, then earliest.
func (c *Call) Worst() *diagnose.ReportFinding {
	var w *diagnose.ReportFinding
	for i := range c.Report.Findings {
		f := &c.Report.Findings[i]
		if w == nil || f.Severity > w.Severity || (f.Severity == w.Severity && f.Start.Before(w.Start.Time)) {
			w = f
		}
	}
	return w
}

// MOSMean is the mean of the participants' mean MOS (0 when none had one).
func (c *Call) MOSMean() float64 {
	var sum float64
	var n int
	for _, p := range c.Report.Participants {
		if p.MOS != nil {
			sum += p.MOS.Mean
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// Summarize is the call's search-result row.
func (c *Call) Summarize() Summary {
	s := Summary{Key: Key(c.Report.ID, c.Report.Start.Time), ID: c.Report.ID, Room: c.Report.Room, Start: c.Report.Start.Time, MOSMean: c.MOSMean(), Source: c.Source}
	if c.Report.End != nil {
		s.End = c.Report.End.Time
	}
	for _, p := range c.Report.Participants {
		s.People = append(s.People, p.Name)
	}
	if w := c.Worst(); w != nil {
		s.Worst, s.WorstRule, s.WorstText = w.Severity, w.Rule, w.Message
	}
	return s
}

// PersonWords are the words a person search matches for one participant:
// each word of the name and the user id, folded ("Dana O'Neil", "u-42" ->
// dana, oneil, u42).
func PersonWords(name, userID string) []string {
	var out []string
	for _, f := range strings.Fields(name + " " + userID) {
		if w := Fold(f); w != "" && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// MatchPerson reports whether every query word is the start of a different
// word of the person ("dan o" matches dana oneil; "victor v" does not match
// victor g: one word cannot serve two query words).
func MatchPerson(query, person []string) bool {
	used := make([]bool, len(person))
	var match func(i int) bool
	match = func(i int) bool {
		if i == len(query) {
			return true
		}
		for j, w := range person {
			if !used[j] && strings.HasPrefix(w, query[i]) {
				used[j] = true
				if match(i + 1) {
					return true
				}
				used[j] = false
			}
		}
		return false
	}
	return match(0)
}

// Fold lower-cases w and drops everything but letters and digits, so that
// "O'Neil," and "oneil" are one word.
func Fold(w string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(w) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Key names one stored call: its id and its start ("call-1001@1764860400000",
// ms since the epoch), since ids repeat (a simulator after a restart, a
// meeting room used every day).
func Key(id string, start time.Time) string {
	return id + "@" + strconv.FormatInt(start.UnixMilli(), 10)
}

// SplitKey reads a Key back; ok is false for a bare call id.
func SplitKey(key string) (id string, startMS int64, ok bool) {
	i := strings.LastIndexByte(key, '@')
	if i < 0 {
		return key, 0, false
	}
	ms, err := strconv.ParseInt(key[i+1:], 10, 64)
	if err != nil {
		return key, 0, false
	}
	return key[:i], ms, true
}
