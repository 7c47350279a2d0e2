package feed

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// simpleFloat must give exactly what strconv.ParseFloat gives, or decline.
func TestSimpleFloatMatchesParseFloat(t *testing.T) {
	cases := []string{"0", "-0", "1", "-1", "0.1", "0.3", "123.456", "999999999999999", "1000000000000000",
		"0.000000000000001", "12345678.9012345", "-0.5", "2.5", "1e5", "1.5E-3", "9007199254740993", "0.1234567890123456"}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		x := r.Float64() * math.Pow(10, float64(r.IntN(16)-6))
		cases = append(cases, strconv.FormatFloat(x, 'f', r.IntN(10), 64), strconv.FormatFloat(-x, 'f', -1, 64),
			strconv.FormatInt(r.Int64N(1<<53), 10))
	}
	declined := 0
	for _, c := range cases {
		want, err := strconv.ParseFloat(c, 64)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := simpleFloat([]byte(c))
		if !ok {
			declined++
			continue
		}
		if math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("%s: simpleFloat %v (%x), ParseFloat %v (%x)", c, got, math.Float64bits(got), want, math.Float64bits(want))
		}
	}
	t.Logf("%d of %d numbers left to ParseFloat", declined, len(cases))
	for _, c := range []string{"0", "123.456", "-0.5", "999999999999999", "0.000000000000001"} {
		if _, ok := simpleFloat([]byte(c)); !ok {
			t.Errorf("%s was left to ParseFloat", c)
		}
	}
}
