package client

import (
	"errors"
	"net/url"
	"regexp"
	"strings"

	"github.com/calltop/calltop/feed"
)

// RedactURL returns a feed URL fit for a log or a screen: a token in its
// query (?token=...) and a password in it are replaced by "REDACTED". A
// URL that does not parse has whatever follows "token=" replaced.
// Either way the result is escaped (feed.LogSafe).
func RedactURL(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return feed.LogSafe(rawToken.ReplaceAllString(u, "${1}REDACTED"))
	}
	if _, has := pu.User.Password(); has {
		pu.User = url.UserPassword(pu.User.Username(), "REDACTED")
	}
	if q := pu.Query(); q.Has("token") {
		q.Set("token", "REDACTED")
		pu.RawQuery = q.Encode()
	}
	return feed.LogSafe(pu.String())
}

// rawToken finds a token parameter in a URL that does not parse.
var rawToken = regexp.MustCompile(`([?&;]token=)[^&#]*`)

// urlError is err without the URL url.Parse puts in it (it may hold a
// token): the URL is named, redacted, by the caller.
func urlError(err error) error {
	if ue := (*url.Error)(nil); errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// redactLocked makes the status fit to show: the URL redacted, each feed
// URL named in the reason redacted, the reason escaped (it may quote
// what a server sent). setState calls it after every change.
func (c *Client) redactLocked() {
	st := &c.status
	st.URL = RedactURL(st.URL)
	for _, u := range c.cfg.URLs {
		if r := RedactURL(u); r != u {
			st.Reason = strings.ReplaceAll(st.Reason, u, r)
		}
	}
	st.Reason = feed.LogSafe(st.Reason)
}

// redactError returns err with u redacted in its text (RedactURL), still
// wrapping err for errors.Is and errors.As; nil for nil.
func redactError(err error, u string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if r := RedactURL(u); r != u {
		msg = strings.ReplaceAll(msg, u, r)
	}
	if msg = feed.LogSafe(msg); msg == err.Error() {
		return err
	}
	return &redactedError{msg, err}
}

// redactedError is an error whose text had a token taken out.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
