package client

import (
	"errors"
	"net/url"
	"regexp"

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
