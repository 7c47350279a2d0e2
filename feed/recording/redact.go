package recording

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
)

// Redacted replaces a removed address or credential.
const Redacted = "[redacted]"

// redactKeys are fields removed whole wherever they appear: addresses and
// ICE credentials.
var redactKeys = map[string]bool{
	"address": true, "ip": true, "relatedAddress": true,
	"usernameFragment": true, "ufrag": true, "pwd": true, "password": true,
	"iceUfrag": true, "icePwd": true, "username": true, "credential": true,
}

var (
	ipv4Re = regexp.MustCompile(`\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}`)
	ipv6Re = regexp.MustCompile(`\[?[0-9A-Fa-f]*:[0-9A-Fa-f]*:[0-9A-Fa-f:.]*(%[0-9A-Za-z]+)?\]?`)
	// ICE credentials in SDP lines and candidate strings.
	iceCredRe = regexp.MustCompile(`(a=ice-ufrag:|a=ice-pwd:|\bufrag |\bpwd )[^\s"]+`)
	// A host in a stun:/turn: URL without "//".
	iceURLRe = regexp.MustCompile(`^((?:stuns?|turns?):)([^:?/]+)`)
	schemeRe = regexp.MustCompile(`^[a-z][a-z0-9+.-]*://`)
)

// Redact returns frame with IP addresses and ICE credentials removed: the
// address, ip, relatedAddress, usernameFragment (and similar) fields of
// any object, the host of any url field, and IPv4 or IPv6 literals and
// ice-ufrag/ice-pwd values inside any string. The result is the same
// JSON otherwise (object keys come out sorted).
func Redact(frame []byte) ([]byte, error) { return (*Redactor)(nil).Frame(frame) }

// Redactor is Redact that also replaces people's names and user ids with
// pseudonyms, the same one for the same person in every frame it sees
// ("Person 3", "user-3", participant ids "participant-3"), so a shared
// recording still tells who is who. A nil *Redactor only redacts.
type Redactor struct {
	names, users, parts map[string]string
}

// NewRedactor returns a Redactor with no pseudonyms given yet.
func NewRedactor() *Redactor {
	return &Redactor{names: map[string]string{}, users: map[string]string{}, parts: map[string]string{}}
}

// nameKeys hold a person's name, userKeys a user id, partKeys a
// participant id (as does "id" in a participant object).
var (
	nameKeys = map[string]bool{"name": true, "displayName": true, "userName": true}
	userKeys = map[string]bool{"userId": true}
	partKeys = map[string]bool{"participantId": true}
)

// pseudonym is the one stand-in for s in table: format with its number.
func pseudonym(table map[string]string, s, format string) string {
	if s == "" {
		return s
	}
	p, ok := table[s]
	if !ok {
		p = fmt.Sprintf(format, len(table)+1)
		table[s] = p
	}
	return p
}

// Frame is Redact with pseudonyms.
func (r *Redactor) Frame(frame []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(frame))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	v = r.value("", "", v)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// value redacts v, found under key in an object that was itself under
// parent.
func (r *Redactor) value(parent, key string, v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			t[k] = r.value(key, k, val)
		}
		return t
	case []any:
		for i := range t {
			t[i] = r.value(parent, key, t[i])
		}
		return t
	case string:
		if redactKeys[key] {
			if t == "" {
				return t
			}
			return Redacted
		}
		if r != nil {
			switch {
			case nameKeys[key] && (parent == "participant" || parent == "participants"):
				return pseudonym(r.names, t, "Person %d")
			case userKeys[key]:
				return pseudonym(r.users, t, "user-%d")
			case partKeys[key] || key == "id" && (parent == "participant" || parent == "participants"):
				return pseudonym(r.parts, t, "participant-%d")
			}
		}
		if key == "url" || key == "urls" {
			t = redactURLHost(t)
		}
		return RedactString(t)
	}
	return v
}

// redactURLHost replaces the host of a URL ("turn:host:3478",
// "https://host/path") with Redacted, keeping scheme and port.
func redactURLHost(s string) string {
	if m := schemeRe.FindString(s); m != "" {
		rest := s[len(m):]
		end := strings.IndexAny(rest, "/?#")
		if end < 0 {
			end = len(rest)
		}
		hostport := rest[:end]
		if at := strings.LastIndexByte(hostport, '@'); at >= 0 {
			hostport = hostport[at+1:] // user info is dropped too
		}
		port := ""
		if i := strings.LastIndexByte(hostport, ':'); i >= 0 && !strings.Contains(hostport[i:], "]") {
			port = hostport[i:]
		}
		return m + Redacted + port + rest[end:]
	}
	return iceURLRe.ReplaceAllString(s, "${1}"+Redacted)
}

// RedactString removes IPv4 and IPv6 literals and ICE credentials from
// free text. A dotted quad right after a word and a slash (a browser
// version such as "Chrome/120.0.0.0") is kept.
func RedactString(s string) string {
	if s == "" {
		return s
	}
	s = iceCredRe.ReplaceAllString(s, "${1}"+Redacted)
	if strings.Count(s, ":") >= 2 {
		s = replaceAddrs(s, ipv6Re, func(m string) bool {
			m = strings.Trim(m, "[]")
			if i := strings.IndexByte(m, '%'); i >= 0 {
				m = m[:i]
			}
			a, err := netip.ParseAddr(m)
			return err == nil && a.Is6()
		})
	}
	if strings.Count(s, ".") >= 3 {
		s = replaceAddrs(s, ipv4Re, func(m string) bool {
			a, err := netip.ParseAddr(m)
			return err == nil && a.Is4()
		})
	}
	return s
}

// replaceAddrs replaces the matches of re that stand alone (not inside a
// longer word or number) and that isAddr accepts.
func replaceAddrs(s string, re *regexp.Regexp, isAddr func(string) bool) string {
	var b strings.Builder
	last := 0
	for _, loc := range re.FindAllStringIndex(s, -1) {
		i, j := loc[0], loc[1]
		if i > 0 && isWordByte(s[i-1]) || j < len(s) && (isWordByte(s[j]) || s[j] == '.' && j+1 < len(s) && isDigit(s[j+1])) {
			continue
		}
		if i >= 2 && s[i-1] == '/' && isWordByte(s[i-2]) {
			continue // a product version: Chrome/120.0.0.0
		}
		if !isAddr(s[i:j]) {
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(Redacted)
		last = j
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func isDigit(c byte) bool    { return c >= '0' && c <= '9' }
func isLetter(c byte) bool   { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isWordByte(c byte) bool { return isDigit(c) || isLetter(c) || c == '_' }
