package dump

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
)

// valuesCorpus are series values fields (raw JSON, mostly the usual
// string holding an array) at the unboxed reading's edges.
var valuesCorpus = []string{
	`"[1,2,3]"`, `"[]"`, `" [ 1 , -0 , 1e5 , 2.5E-3 ] "`, `"[1,\"a\"]"`, `"[\"a\",1]"`, `"[01]"`, `"[1,]"`,
	`"[1e400]"`, `"null"`, `null`, `[1,2]`, `"[-]"`, `"[1 2]"`, `"[1]x"`, `"[1.]"`, `"[null,1]"`,
	`"[123456789012345678901,0.1]"`, `"[1,2"`, `"[true]"`, `"1"`, `"[[1]]"`, `"[-5,-0.5]"`,
}

// checkValues holds decodeValues to encoding/json's reading of the same
// field: the same values, or a failure from both.
func checkValues(t *testing.T, raw []byte) {
	t.Helper()
	want, wok := valuesByEncodingJSON(raw)
	var p anyParser
	got, ok := decodeValues(&p, raw)
	if ok != wok {
		t.Fatalf("%q: ok %v, encoding/json %v", raw, ok, wok)
	}
	if !ok {
		return
	}
	if got.null() != (want == nil) || got.len() != len(want) {
		t.Fatalf("%q: %d values (null %v), encoding/json %d (%#v)", raw, got.len(), got.null(), len(want), want)
	}
	for i := range want {
		g := got.at(i)
		if gf, isF := g.(float64); isF && gf == 0 && math.Signbit(gf) != math.Signbit(want[i].(float64)) {
			t.Fatalf("%q: value %d is %v, encoding/json %v", raw, i, g, want[i])
		}
		if !reflect.DeepEqual(g, want[i]) {
			t.Fatalf("%q: value %d is %#v, encoding/json %#v", raw, i, g, want[i])
		}
	}
}

// valuesByEncodingJSON is decodeValues done with encoding/json alone.
func valuesByEncodingJSON(raw []byte) ([]any, bool) {
	var vals []any
	if json.Unmarshal(raw, &vals) == nil {
		return vals, true
	}
	var s string
	if json.Unmarshal(raw, &s) != nil || json.Unmarshal([]byte(s), &vals) != nil {
		return nil, false
	}
	return vals, true
}

func TestValuesMatchEncodingJSON(t *testing.T) {
	for _, in := range valuesCorpus {
		checkValues(t, []byte(in))
	}
}

// FuzzSeriesValues holds the unboxed reading of number series to
// encoding/json on any values field.
func FuzzSeriesValues(f *testing.F) {
	for _, in := range valuesCorpus {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkValues(t, raw) })
}
