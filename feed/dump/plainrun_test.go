package dump

import "testing"

// plainRunByByte is plainRun's meaning, a byte at a time.
func plainRunByByte(b []byte, i int) int {
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return i
}

// FuzzPlainRun holds the eight-bytes-at-a-time scans (plainRun, isASCII)
// to byte loops, wherever the special byte falls and whatever bytes >= 0x80
// sit beside it.
func FuzzPlainRun(f *testing.F) {
	for _, s := range []string{"", "a", `abcdefgh"`, "abcdefg\\h", "\xff\xfe\x1f", "0123456789abcdef\x00", "\x80\x80\x80\x80\x80\x80\x80\x80\"", "caf\xc3\xa9 \"x\""} {
		f.Add([]byte(s), uint8(0))
	}
	f.Fuzz(func(t *testing.T, b []byte, start uint8) {
		i := int(start) % (len(b) + 1)
		if got, want := plainRun(b, i), plainRunByByte(b, i); got != want {
			t.Fatalf("plainRun(%q, %d) = %d, want %d", b, i, got, want)
		}
		ascii := true
		for _, c := range b[i:] {
			ascii = ascii && c < 0x80
		}
		if got := isASCII(b[i:]); got != ascii {
			t.Fatalf("isASCII(%q) = %v", b[i:], got)
		}
	})
}
