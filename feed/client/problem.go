package client

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"syscall"

	"github.com/calltop/calltop/feed"
)

// dialError is a failed connection attempt, classified, so the TUI and the
// log can say what is wrong in words a user acts on.
type dialError struct {
	problem feed.Problem
	text    string // what happened and what to try, without the URL
	err     error  // the underlying error, for errors.Is (errAuth)
}

// Error names the URL's failure.
func (e *dialError) Error() string { return e.text }

// Unwrap returns the underlying error.
func (e *dialError) Unwrap() error { return e.err }

// problemOf is the class of a Run error: a dialError's, else a dropped
// connection.
func problemOf(err error) feed.Problem {
	var de *dialError
	if errors.As(err, &de) {
		return de.problem
	}
	return feed.ProblemDropped
}

// classify turns a failed dial of u (with the server's answer, if any) into
// a dialError.
func classify(u string, resp *http.Response, err error) *dialError {
	host := u
	if pu, perr := url.Parse(u); perr == nil {
		host = pu.Host
	}
	switch {
	case resp != nil && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden):
		return &dialError{feed.ProblemUnauthorized, fmt.Sprintf("%s %v: HTTP %s (missing or wrong token: check --token or $CALLTOP_TOKEN)", u, errAuth, resp.Status), errAuth}
	case resp != nil:
		return &dialError{feed.ProblemHTTP, fmt.Sprintf("%s: HTTP %s (is this a calltop hub's /feed?)", u, resp.Status), err}
	}
	var dnsErr *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var badHost x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	var record tls.RecordHeaderError
	var netErr net.Error
	switch {
	case errors.As(err, &dnsErr):
		return &dialError{feed.ProblemDNS, fmt.Sprintf("%s: no such host %q (DNS lookup failed)", u, dnsErr.Name), err}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &dialError{feed.ProblemRefused, fmt.Sprintf("%s: connection refused: nothing listens at %s (is the hub running, on this port?)", u, host), err}
	case errors.As(err, &unknownCA), errors.As(err, &badHost), errors.As(err, &invalid), errors.As(err, &verify):
		return &dialError{feed.ProblemTLS, fmt.Sprintf("%s: TLS: %v (trust the hub's CA with --ca)", u, err), err}
	case errors.As(err, &record):
		return &dialError{feed.ProblemTLS, fmt.Sprintf("%s: TLS: the server did not answer in TLS (ws:// instead of wss://?)", u), err}
	case errors.As(err, &netErr) && netErr.Timeout():
		return &dialError{feed.ProblemTimeout, fmt.Sprintf("%s: no answer from %s in time", u, host), err}
	}
	return &dialError{feed.ProblemOther, fmt.Sprintf("%s: %v", u, err), err}
}
