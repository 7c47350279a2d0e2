package feed

import (
	"math/rand/v2"
	"testing"
)

// The word-at-a-time scanners must stop exactly where a byte-by-byte
// loop stops, whatever the bytes and wherever the string ends.
func TestWordScannersMatchByteLoops(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	alphabet := []byte("abcXYZ09:,{} \"\\\x00\x1f\x7f\x80\xc3\xa9\xff")
	for n := 0; n < 200000; n++ {
		data := make([]byte, r.IntN(40))
		for i := range data {
			if r.IntN(4) == 0 {
				data[i] = alphabet[r.IntN(len(alphabet))]
			} else {
				data[i] = byte('a' + r.IntN(26))
			}
		}
		from := 0
		if len(data) > 0 {
			from = r.IntN(len(data) + 1)
		}
		want := from
		for want < len(data) && data[want] >= 0x20 && data[want] < 0x80 && data[want] != '"' && data[want] != '\\' {
			want++
		}
		if got := plainEnd(data, from); got != want {
			t.Fatalf("plainEnd(%q, %d) = %d, want %d", data, from, got, want)
		}
		want = from
		for want < len(data) && data[want] != '"' {
			want++
		}
		if got := quoteAt(data, from); got != want {
			t.Fatalf("quoteAt(%q, %d) = %d, want %d", data, from, got, want)
		}
	}
}

// Digits are read eight at a time; every length and position of the
// first non-digit must come out as strconv would read it.
func TestEightDigits(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for n := 0; n < 100000; n++ {
		var b [8]byte
		var want uint64
		for i := range b {
			b[i] = byte('0' + r.IntN(10))
			want = want*10 + uint64(b[i]-'0')
		}
		var x uint64
		for i := 7; i >= 0; i-- {
			x = x<<8 | uint64(b[i]-'0')
		}
		if got := eightDigits(x); got != want {
			t.Fatalf("eightDigits(%s) = %d", b[:], got)
		}
	}
}
