package historyhttp

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/calltop/calltop/diagnose"
	"github.com/calltop/calltop/diagnose/history"
)

// Client reads a team hub's history.
type Client struct {
	// Base is the hub's address: its feed URL (ws://, wss://) or http(s)://.
	Base string
	// Token is the bearer token (a user's or the hub's shared one).
	Token string
	// TLS trusts a private CA for wss/https (nil: the system's).
	TLS *tls.Config
}

// httpBase turns a feed URL into the hub's HTTP base URL.
func (c Client) httpBase() (*url.URL, error) {
	u, err := url.Parse(c.Base)
	if err != nil {
		return nil, fmt.Errorf("history: feed URL %q: %w", c.Base, err)
	}
	switch u.Scheme {
	case "ws", "http":
		u.Scheme = "http"
	case "wss", "https":
		u.Scheme = "https"
	default:
		return nil, fmt.Errorf("history: feed URL %q: want ws://, wss://, http:// or https://", c.Base)
	}
	u.Path, u.RawQuery = "", ""
	return u, nil
}

// Search asks the hub for calls matching text (as a person types it).
func (c Client) Search(ctx context.Context, text, since string, limit int) ([]history.Summary, error) {
	v := url.Values{"q": {text}}
	if since != "" {
		v.Set("since", since)
	}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	var out []history.Summary
	return out, c.get(ctx, Prefix+"?"+v.Encode(), &out)
}

// Call fetches one stored call.
func (c Client) Call(ctx context.Context, id string) (history.Call, error) {
	var out history.Call
	return out, c.get(ctx, Prefix+"/"+url.PathEscape(id), &out)
}

func (c Client) get(ctx context.Context, path string, into any) error {
	base, err := c.httpBase()
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.String()+path, nil)
	if err != nil {
		return err
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: c.TLS}}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("history: %s: %s", base.Host, describe(resp.StatusCode, strings.TrimSpace(diagnose.Clean(string(msg)))))
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 256<<20)).Decode(into); err != nil {
		return fmt.Errorf("history: %s sent an unreadable answer: %w", base.Host, err)
	}
	return nil
}

// describe names an HTTP refusal the way a user reads it.
func describe(code int, msg string) string {
	switch code {
	case http.StatusUnauthorized:
		return "unauthorized (401): wrong or missing --token"
	case http.StatusForbidden:
		return "forbidden (403): " + msg
	case http.StatusNotFound:
		if msg == "" || strings.Contains(msg, "404 page not found") {
			return "no history here (404): is the hub running with --team?"
		}
	}
	return fmt.Sprintf("%d %s", code, msg)
}
