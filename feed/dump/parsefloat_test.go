package dump

import (
	"math"
	"regexp"
	"strconv"
	"testing"
)

// FuzzParseFloat holds parseFloat's fast path to strconv.ParseFloat: the
// same bits (the sign of zero too) and an error for the same texts.
func FuzzParseFloat(f *testing.F) {
	for _, s := range []string{"0", "-0", "-0.0", "12345", "0.0123", "-3.25", "1.", ".5", "-.5", "-", ".", "",
		"999999999999999", "9999999999999999", "0.00012207403790398877", "123456789012345.6", "0.1234567890123456789012",
		"1e5", "+3", "1.2.3", "0x10", "Inf", "2.8990377e-316", " 7", "007", "1_000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, gerr := parseFloat(s)
		want, werr := strconv.ParseFloat(s, 64)
		if (gerr == nil) != (werr == nil) || math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("parseFloat(%q) = %v, %v; strconv: %v, %v", s, got, gerr, want, werr)
		}
		gb, _ := parseFloat([]byte(s))
		if math.Float64bits(gb) != math.Float64bits(want) {
			t.Fatalf("parseFloat([]byte(%q)) = %v, strconv %v", s, gb, want)
		}
	})
}

// TestParseFloatDecimals: plain decimals of up to 15 significant digits,
// the fast path's whole domain in shape, round as strconv rounds them.
func TestParseFloatDecimals(t *testing.T) {
	r := uint64(0x9e3779b97f4a7c15)
	for i := 0; i < 200000; i++ {
		r ^= r << 13
		r ^= r >> 7
		r ^= r << 17
		digits := strconv.FormatUint(r%1_000_000_000_000_000, 10)
		digits = digits[:min(len(digits), 1+int(r>>60)%15)]
		dot := int(r>>40) % (len(digits) + 1)
		lead := "000000000"[:int(r>>50)%10]
		s := digits[:dot] + "." + lead + digits[dot:]
		if r&1 == 1 {
			s = "-" + s
		}
		got, err := parseFloat(s)
		want, _ := strconv.ParseFloat(s, 64)
		if err != nil || math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("parseFloat(%q) = %v, %v; strconv: %v", s, got, err, want)
		}
	}
}

// jsonNumber is a JSON number at the start of a text (RFC 8259).
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`)

// FuzzJSONFloat holds the parser's number reading to the JSON grammar and
// strconv: a number is taken when the grammar matches and is not cut short
// (a '.' or an exponent mark without digits after it is refused), with
// strconv's value, and
// reading ends where the number does; a number out of float64's range is
// refused, as encoding/json refuses it.
func FuzzJSONFloat(f *testing.F) {
	for _, s := range []string{"0", "-0", "-0.0", "0.0", "12345,", "0.0123}", "-3.25]", "1.", "01", "-", "-01.5",
		"999999999999999", "9999999999999999", "0.00012207403790398877", "1e5", "1E-3", "2.8990377e-316", "1.5e",
		"123456789012345.6", "0.1234567890123456789012", "0.0000000000000000000000001", "7x", "1e400", "1.5E+"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if s == "" || !(s[0] == '-' || s[0] >= '0' && s[0] <= '9') {
			return // value() calls float only on these
		}
		p := &anyParser{data: []byte(s)}
		got, ok := p.float()
		m := jsonNumber.FindStringSubmatch(s)
		text, cut := "", false
		if m != nil {
			text = m[0]
			if len(text) < len(s) && m[3] == "" { // no exponent: one may not start and stop short
				next := s[len(text)]
				cut = next == 'e' || next == 'E' || next == '.' && m[2] == ""
			}
		}
		want, err := strconv.ParseFloat(text, 64)
		wantOK := text != "" && err == nil && !cut
		if ok != wantOK || ok && (math.Float64bits(got) != math.Float64bits(want) || p.pos != len(text)) {
			t.Fatalf("%q: read %v %v up to %d; the grammar takes %q (%v, %v)", s, got, ok, p.pos, text, want, wantOK)
		}
	})
}

// TestBoxFloat: small whole numbers come boxed from the table, others as
// themselves, and -0 keeps its sign.
func TestBoxFloat(t *testing.T) {
	for _, f := range []float64{0, 1, 1023, 1024, 0.5, -1, 1e300, math.Copysign(0, -1)} {
		v, ok := boxFloat(f).(float64)
		if !ok || math.Float64bits(v) != math.Float64bits(f) {
			t.Errorf("boxFloat(%v) = %v", f, boxFloat(f))
		}
	}
}
