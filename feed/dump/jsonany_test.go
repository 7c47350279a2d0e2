package dump

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

// anyCorpus is JSON the parser must decode as encoding/json does,
// including the corners it hands back to encoding/json.
var anyCorpus = []string{
	`null`, `true`, `false`, `0`, `-0`, `12`, `-7`, `1.5e3`, `1E-2`, `123456789012345678901`,
	`1e400`, `01`, `1.`, `-`, `"a"`, `"\u00e9\n\"\\\/"`, `"\ud83d\ude00"`, `"\ud83d x"`,
	`"\uZZZZ"`, "\"\xff\xfe\"", "\"tab\there\"", `{"a":1,"a":2}`, `{"a":[1,{"b":null}],"c":{}}`,
	`[]`, `[1,]`, `[1 2]`, `{"a" 1}`, `{"a":1,}`, ` [ 1 , "x" ] `, `[1] x`, `["getstats","PC_0",{"x":{"timestamp":0}},1647251292157]`,
	`"[\"succeeded\",\"in-progress\"]"`, `{`, `[`, `"abc`, `tru`, `nul`,
}

func TestAnyParserMatchesEncodingJSON(t *testing.T) {
	for _, in := range anyCorpus {
		checkAnyParser(t, []byte(in))
	}
	for _, f := range []string{chromeFixture, fixtures + "/safari-standard-stats.rtcstats"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range splitLines(data) {
			checkAnyParser(t, line)
		}
	}
}

func FuzzAnyParser(f *testing.F) {
	for _, in := range anyCorpus {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkAnyParser(t, data) })
}

// checkAnyParser holds the parser to encoding/json on one input: the same
// value, or an error from both.
func checkAnyParser(t *testing.T, data []byte) {
	t.Helper()
	var want, got any
	werr := json.Unmarshal(data, &want)
	var p anyParser
	gerr := p.unmarshal(data, &got)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%q: error %v, encoding/json %v", data, gerr, werr)
	}
	if werr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: got %#v, encoding/json %#v", data, got, want)
	}
	var wantArr, gotArr []any
	werr = json.Unmarshal(data, &wantArr)
	gerr = p.unmarshal(data, &gotArr)
	if (werr == nil) != (gerr == nil) || werr == nil && !reflect.DeepEqual(gotArr, wantArr) {
		t.Fatalf("%q as array: %#v (%v), encoding/json %#v (%v)", data, gotArr, gerr, wantArr, werr)
	}
}

func splitLines(data []byte) [][]byte {
	var out [][]byte
	for len(data) > 0 {
		i := 0
		for i < len(data) && data[i] != '\n' {
			i++
		}
		out = append(out, data[:i])
		if i < len(data) {
			i++
		}
		data = data[i:]
	}
	return out
}
