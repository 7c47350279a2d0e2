package natsstate

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/calltop/calltop/diagnose/alert"
)

// Defaults and names.
const (
	// DefaultBucket is the bucket's name.
	DefaultBucket = "CALLTOP_TEAM"
	// ActionsKey holds the people's actions every hub shares.
	ActionsKey = "actions"
	// keepActions is how long removals and acks stay in ActionsKey (as
	// long as a Book remembers them for merging).
	keepActions = 24 * time.Hour
	// opTimeout bounds one JetStream request.
	opTimeout = 5 * time.Second
	// maxDecoded bounds a value once decompressed (as statefile.MaxStateBytes).
	maxDecoded = 256 << 20
)

// Config opens a Store.
type Config struct {
	// JS is the JetStream context of the hub's NATS connection.
	JS jetstream.JetStream
	// Bucket is the bucket's name (DefaultBucket).
	Bucket string
	// Replicas is how many nodes keep the bucket when it is created; 0
	// tries 3, then 2, then 1 (a single server), so a 3-node cluster gets
	// 3 and one server still works.
	Replicas int
	// HubID names this hub's own key, book.<HubID>.
	HubID string
	// Retry is how long a failed save waits before it is tried again
	// (500 ms).
	Retry time.Duration
	// Poll is how often the actions are read besides the watch (1 s).
	Poll time.Duration
}

// Store is the team's alert state in a JetStream bucket.
type Store struct {
	cfg Config
	kv  jetstream.KeyValue
}

// Open binds to the bucket, creating it when it does not exist yet.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.JS == nil || cfg.HubID == "" {
		return nil, errors.New("natsstate: Config needs JS and HubID")
	}
	if cfg.Bucket == "" {
		cfg.Bucket = DefaultBucket
	}
	if cfg.Retry <= 0 {
		cfg.Retry = 500 * time.Millisecond
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	kv, err := OpenBucket(ctx, cfg.JS, jetstream.KeyValueConfig{Bucket: cfg.Bucket,
		Description: "calltop team hubs: acks, silences and each hub's alert book"}, cfg.Replicas)
	if err != nil {
		return nil, err
	}
	return &Store{cfg: cfg, kv: kv}, nil
}

// OpenBucket binds to the bucket kc names, or creates it with replicas
// copies (0: the most of 3, 2, 1 the cluster allows).
func OpenBucket(ctx context.Context, js jetstream.JetStream, kc jetstream.KeyValueConfig, replicas int) (jetstream.KeyValue, error) {
	kv, err := js.KeyValue(ctx, kc.Bucket)
	if err == nil {
		return kv, nil
	}
	if !errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, fmt.Errorf("JetStream bucket %s: %w", kc.Bucket, err)
	}
	tries := []int{replicas}
	if replicas <= 0 {
		tries = []int{3, 2, 1}
	}
	var first error
	for _, r := range tries {
		kc.Replicas = r
		kv, err = js.CreateKeyValue(ctx, kc)
		if err == nil {
			return kv, nil
		}
		if errors.Is(err, jetstream.ErrBucketExists) { // another hub made it meanwhile
			return js.KeyValue(ctx, kc.Bucket)
		}
		if first == nil {
			first = err
		}
	}
	return nil, fmt.Errorf("create JetStream bucket %s (replicas %v): %w", kc.Bucket, tries, first)
}

// bookKey is this hub's own key.
func (s *Store) bookKey() string { return "book." + s.cfg.HubID }

// Where names the bucket and this hub's key, for messages.
func (s *Store) Where() string {
	return "JetStream bucket " + s.cfg.Bucket + " (" + s.bookKey() + ", " + ActionsKey + ")"
}

// Load returns this hub's book with every hub's actions in it. A hub new
// to the bucket (no book of its own yet) starts from the book another hub
// saved last: team hubs on one bus serve the same calls, so that hub's
// alerts, acks and history are this one's too. A value that does not
// decode is named in the notice and left out (the next save replaces
// it); err is for a bucket that cannot be read.
func (s *Store) Load(wall time.Time) (alert.Persisted, string, error) {
	empty := alert.Persisted{Version: alert.StateVersion}
	p, rev, notice, err := s.get(s.bookKey())
	if err != nil {
		return empty, "", err
	}
	if rev == 0 {
		if p, err = s.newestBook(); err != nil {
			return empty, "", err
		}
	}
	q, _, qnotice, err := s.get(ActionsKey)
	if err != nil {
		return empty, "", err
	}
	p = p.WithActions(q)
	applyAcks(&p)
	return p, joinNotes(notice, qnotice), nil
}

// newestBook returns the book another hub saved last (an empty one when
// there is none); unusable ones are passed over.
func (s *Store) newestBook() (alert.Persisted, error) {
	best := alert.Persisted{Version: alert.StateVersion}
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	keys, err := s.kv.ListKeysFiltered(ctx, "book.*")
	if err != nil {
		return best, fmt.Errorf("list the hubs' books in JetStream bucket %s: %w", s.cfg.Bucket, err)
	}
	for k := range keys.Keys() {
		if p, _, notice, err := s.get(k); err == nil && notice == "" && p.Saved.After(best.Saved) {
			best = p
		}
	}
	return best, nil
}

// applyAcks gives the saved alerts the newest ack or un-ack of their key
// among the actions: a book saved before another hub's ack still comes
// back acknowledged.
func applyAcks(p *alert.Persisted) {
	latest := map[string]alert.AckAction{}
	for _, act := range p.Acks {
		latest[act.Key] = act
	}
	for i := range p.Active {
		a := &p.Active[i]
		act, ok := latest[a.Key]
		if !ok || (a.State != alert.Firing && a.State != alert.Acknowledged) {
			continue
		}
		switch {
		case act.Unack && a.State == alert.Acknowledged && (a.Ack == nil || act.At.After(a.Ack.At)):
			a.State, a.Ack = alert.Firing, nil
		case !act.Unack && (a.Ack == nil || act.At.After(a.Ack.At)):
			a.State, a.Ack = alert.Acknowledged, &alert.Ack{Who: act.Who, Note: act.Note, At: act.At}
		}
	}
}

// get reads key: the state (empty when missing), its revision, a notice
// when it is unusable.
func (s *Store) get(key string) (alert.Persisted, uint64, string, error) {
	empty := alert.Persisted{Version: alert.StateVersion}
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	e, err := s.kv.Get(ctx, key)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return empty, 0, "", nil
	case err != nil:
		return empty, 0, "", fmt.Errorf("read %s from JetStream bucket %s: %w", key, s.cfg.Bucket, err)
	}
	p, derr := decode(e.Value())
	if derr != nil {
		return empty, e.Revision(), fmt.Sprintf("alert state %s in JetStream bucket %s is unusable (%v); started without it",
			key, s.cfg.Bucket, derr), nil
	}
	return p, e.Revision(), "", nil
}

// joinNotes joins the non-empty notices.
func joinNotes(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// actionsOf is the part of p every hub shares, without what is older
// than keepActions (a Book forgets those too).
func actionsOf(p alert.Persisted) alert.Persisted {
	out := alert.Persisted{Version: alert.StateVersion, SilenceSeq: p.SilenceSeq, Silences: p.Silences}
	for _, r := range p.Removed {
		if p.Saved.Sub(r.At) <= keepActions {
			out.Removed = append(out.Removed, r)
		}
	}
	for _, a := range p.Acks {
		if p.Saved.Sub(a.At) <= keepActions {
			out.Acks = append(out.Acks, a)
		}
	}
	return out
}

// encode is a value's bytes: gzip'd JSON, so thousands of alerts fit the
// server's max payload (1 MB by default).
func encode(p alert.Persisted) ([]byte, error) {
	data, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode alert state: %w", err)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decode reads a value encode wrote (or plain JSON, written by hand).
func decode(data []byte) (alert.Persisted, error) {
	var p alert.Persisted
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return p, fmt.Errorf("gzip: %w", err)
		}
		plain, err := io.ReadAll(io.LimitReader(zr, maxDecoded+1))
		if err != nil {
			return p, fmt.Errorf("gzip: %w", err)
		}
		if len(plain) > maxDecoded {
			return p, fmt.Errorf("more than %d bytes once decompressed", maxDecoded)
		}
		data = plain
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return p, fmt.Errorf("invalid JSON: %w", err)
	}
	if p.Version != alert.StateVersion {
		return p, fmt.Errorf("state version %d, this calltop reads version %d", p.Version, alert.StateVersion)
	}
	return p, nil
}
