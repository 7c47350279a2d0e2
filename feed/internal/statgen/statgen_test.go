package statgen

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedFileIsUpToDate fails when feed/stat_fields_gen.go is not
// what the Stat struct in feed/protocol.go gives: a field added, renamed
// or retagged without `go generate ./feed`. CI runs go test: this is the
// check.
func TestGeneratedFileIsUpToDate(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "protocol.go"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := Generate(src)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", "..", Output))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("feed/%s is out of date with the Stat struct in feed/protocol.go: run `go generate ./feed`", Output)
	}
}

// TestAFieldAddedReachesDecoderAndEncoder: one tagged line on Stat gives
// the decoder's case, the lower-case key and the encoder's line.
func TestAFieldAddedReachesDecoderAndEncoder(t *testing.T) {
	src := []byte("package feed\ntype Stat struct {\n\tID string `json:\"id\"`\n\tFecPacketsReceived float64 `json:\"fecPacketsReceived,omitempty\"`\n}\n")
	out, err := Generate(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"case \"fecPacketsReceived\":\n\t\td.float(&s.FecPacketsReceived)",
		"\"fecpacketsreceived\": true,",
		"case \"fecPacketsReceived\":\n\t\treturn &s.FecPacketsReceived",
		"b = appendFloatField(b, &err, `,\"fecPacketsReceived\":`, s.FecPacketsReceived)",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("generated code lacks %q:\n%s", want, out)
		}
	}
}

// TestUnsupportedFieldIsRefused: a type the decoder has no reader for is
// named, not generated wrong.
func TestUnsupportedFieldIsRefused(t *testing.T) {
	src := []byte("package feed\ntype Stat struct {\n\tID string `json:\"id\"`\n\tCodecs []string `json:\"codecs,omitempty\"`\n}\n")
	if _, err := Generate(src); err == nil || !strings.Contains(err.Error(), "Stat.Codecs") {
		t.Fatalf("err %v, want Stat.Codecs named", err)
	}
}
