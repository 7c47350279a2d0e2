package feed

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// floatCases are numbers as producers write them: integers, short and
// long decimals, and a few that must be left to strconv.
func floatCases() []string {
	cases := []string{"0", "-0", "1", "-1", "0.1", "0.3", "123.456", "999999999999999", "1000000000000000",
		"0.000000000000001", "12345678.9012345", "-0.5", "2.5", "1e5", "1.5E-3", "9007199254740993", "0.1234567890123456",
		"12345678", "123456789", "1234567890123456789", "12345678901234567890", "0.12345678", "0.1234567", "1767225606000"}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		x := r.Float64() * math.Pow(10, float64(r.IntN(16)-6))
		cases = append(cases, strconv.FormatFloat(x, 'f', r.IntN(10), 64), strconv.FormatFloat(-x, 'f', -1, 64),
			strconv.FormatInt(r.Int64N(1<<53), 10))
	}
	return cases
}

// The decoder's own conversions (simpleFloat after scanNumber, and the
// eight-digits-at-a-time plainNumber that float tries first) must give
// exactly what strconv.ParseFloat gives, or decline.
func TestSimpleFloatMatchesParseFloat(t *testing.T) {
	cases := floatCases()
	declined, plainDeclined := 0, 0
	for _, c := range cases {
		want, err := strconv.ParseFloat(c, 64)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := simpleFloat([]byte(c)); !ok {
			declined++
		} else if math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("%s: simpleFloat %v (%x), ParseFloat %v (%x)", c, got, math.Float64bits(got), want, math.Float64bits(want))
		}
		// As in a frame: the number is followed by more JSON.
		d := decoder{data: []byte(c + `,"next":1}`)}
		mant, end, digits, frac, neg, ok := plainNumber(d.data, 0)
		if !ok || digits > 19 || mant >= 1<<53 || frac >= len(pow10) {
			plainDeclined++
		} else if got := plainValue(mant, frac, neg); math.Float64bits(got) != math.Float64bits(want) || end != len(c) {
			t.Fatalf("%s: plainNumber %v (%x) ending at %d, ParseFloat %v (%x)", c, got, math.Float64bits(got), end, want, math.Float64bits(want))
		}
		var f float64
		d.float(&f)
		if d.err != nil || d.typeErr != nil || math.Float64bits(f) != math.Float64bits(want) || d.pos != len(c) {
			t.Fatalf("%s: float read %v (%x) up to %d (%v %v), ParseFloat %v", c, f, math.Float64bits(f), d.pos, d.err, d.typeErr, want)
		}
	}
	t.Logf("%d of %d numbers left to ParseFloat after scanNumber, %d declined by plainNumber", declined, len(cases), plainDeclined)
	for _, c := range []string{"0", "123.456", "-0.5", "999999999999999", "0.000000000000001"} {
		if _, ok := simpleFloat([]byte(c)); !ok {
			t.Errorf("%s was left to ParseFloat", c)
		}
	}
	for _, c := range []string{"0", "123.456", "-0.5", "999999999999999", "1767225606000", "0.0064", "18864000"} {
		if _, _, _, _, _, ok := plainNumber([]byte(c+`,"next":1}`), 0); !ok {
			t.Errorf("%s was declined by plainNumber", c)
		}
	}
}

func plainValue(mant uint64, frac int, neg bool) float64 {
	f := float64(mant) / pow10[frac]
	if neg {
		f = -f
	}
	return f
}

// int64 must read what strconv.ParseInt reads, and refuse what it
// refuses, by either path.
func TestInt64MatchesParseInt(t *testing.T) {
	cases := []string{"0", "-0", "1", "-1", "4294967295", "9223372036854775807", "-9223372036854775808",
		"9223372036854775808", "123456789012345678", "1234567890123456789", "1.5", "1e2", "1.0", "12345678"}
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 100000; i++ {
		cases = append(cases, strconv.FormatInt(r.Int64()>>r.IntN(63), 10), strconv.FormatInt(-r.Int64()>>r.IntN(63), 10))
	}
	for _, c := range cases {
		want, err := strconv.ParseInt(c, 10, 64)
		d := decoder{data: []byte(c + `,"next":1}`)}
		var got int64
		d.int64(&got)
		if (err == nil) != (d.typeErr == nil) || err == nil && got != want || d.err != nil || d.pos != len(c) {
			t.Fatalf("%s: int64 read %d (type error %v) up to %d, ParseInt %d (%v)", c, got, d.typeErr, d.pos, want, err)
		}
	}
}

// simpleFloat converts a number token the way float does without
// strconv, or reports false (for anything else, including text that is
// not one JSON number).
func simpleFloat(raw []byte) (float64, bool) {
	d := decoder{data: raw}
	n := d.scanNumber()
	if d.err != nil || d.pos != len(raw) {
		return 0, false
	}
	return n.float64()
}
