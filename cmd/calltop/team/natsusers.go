package team

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/calltop/calltop/diagnose/alert/natsstate"
)

// UserStore is where a team hub's users are: the state directory's users
// file (Users) or a JetStream bucket every hub on one bus shares
// (KVUsers). Both store a token's SHA-256, never the token.
type UserStore interface {
	// Add creates a user and returns its new token.
	Add(name, role string, now time.Time) (string, error)
	// Remove deletes the user with this name.
	Remove(name string) error
	// List returns the users, in the order they were added.
	List() ([]User, error)
	// Lookup returns the user whose token this is.
	Lookup(token string) (User, bool)
}

// DefaultUsersBucket is the users' JetStream bucket.
const DefaultUsersBucket = "CALLTOP_USERS"

// usersRefresh is how often KVUsers reads every user again, besides its
// watch (which a NATS node restart can leave stuck for a while): a user
// removed is refused everywhere within this much.
const usersRefresh = 2 * time.Second

// KVUsers are the users in a JetStream bucket, one key per user (u_ and
// the name in hex: names may hold @, which keys may not). Every hub keeps
// them in memory, following the bucket's changes, so a token added once
// works on every hub within a second or two.
type KVUsers struct {
	kv     jetstream.KeyValue
	bucket string

	mu   sync.Mutex
	list []User
	err  error // the last refresh's failure, for List

	stop context.CancelFunc
	done chan struct{}
}

// OpenKVUsers binds to (or creates) the users bucket and reads every
// user. Follow keeps them current (for a hub); a one-shot command does
// without.
func OpenKVUsers(ctx context.Context, js jetstream.JetStream, bucket string, replicas int) (*KVUsers, error) {
	if bucket == "" {
		bucket = DefaultUsersBucket
	}
	kv, err := natsstate.OpenBucket(ctx, js, jetstream.KeyValueConfig{Bucket: bucket,
		Description: "calltop team hubs' users: name, role and the SHA-256 of the token"}, replicas)
	if err != nil {
		return nil, err
	}
	u := &KVUsers{kv: kv, bucket: bucket}
	if err := u.refresh(ctx); err != nil {
		return nil, err
	}
	return u, nil
}

// Follow keeps the users current until Close: a watch for changes at
// once and a full read every usersRefresh.
func (u *KVUsers) Follow() {
	ctx, cancel := context.WithCancel(context.Background())
	u.stop, u.done = cancel, make(chan struct{})
	go func() {
		defer close(u.done)
		t := time.NewTicker(usersRefresh)
		defer t.Stop()
		var updates <-chan jetstream.KeyValueEntry
		var w jetstream.KeyWatcher
		for {
			if w == nil {
				if nw, err := u.kv.WatchAll(ctx, jetstream.UpdatesOnly()); err == nil {
					w, updates = nw, nw.Updates()
				}
			}
			select {
			case <-ctx.Done():
				if w != nil {
					w.Stop()
				}
				return
			case _, ok := <-updates:
				if !ok {
					w.Stop()
					w, updates = nil, nil
				}
				u.refresh(ctx)
			case <-t.C:
				u.refresh(ctx)
			}
		}
	}()
}

// Close stops following.
func (u *KVUsers) Close() {
	if u.stop != nil {
		u.stop()
		<-u.done
	}
}

// userKey is a user's key.
func userKey(name string) string { return "u_" + hex.EncodeToString([]byte(name)) }

// refresh reads every user; on failure the users read before are kept.
func (u *KVUsers) refresh(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	list, err := u.read(ctx)
	u.mu.Lock()
	defer u.mu.Unlock()
	u.err = err
	if err == nil {
		u.list = list
	}
	return err
}

// read lists the bucket's users, oldest first.
func (u *KVUsers) read(ctx context.Context) ([]User, error) {
	keys, err := u.kv.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("users in JetStream bucket %s: %w", u.bucket, err)
	}
	var list []User
	for k := range keys.Keys() {
		e, err := u.kv.Get(ctx, k)
		if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) {
			continue // removed meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("user %s in JetStream bucket %s: %w", k, u.bucket, err)
		}
		var x User
		if err := json.Unmarshal(e.Value(), &x); err != nil || CheckRole(x.Role) != nil || !validName(x.Name) || userKey(x.Name) != k {
			return nil, fmt.Errorf("user %s in JetStream bucket %s is not valid (name %q, role %q, %v)", k, u.bucket, x.Name, x.Role, err)
		}
		list = append(list, x)
	}
	slices.SortFunc(list, func(a, b User) int { return a.Created.Compare(b.Created) })
	return list, nil
}

// Add creates a user in the bucket (refused when the name is taken, on
// any hub) and returns its new token.
func (u *KVUsers) Add(name, role string, now time.Time) (string, error) {
	x, token, err := newUser(name, role, now)
	if err != nil {
		return "", err
	}
	data, err := json.Marshal(x)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := u.kv.Create(ctx, userKey(name), data); err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			return "", fmt.Errorf("user %q already exists (remove it first to issue a new token)", name)
		}
		return "", fmt.Errorf("add user %q to JetStream bucket %s: %w", name, u.bucket, err)
	}
	return token, u.refresh(ctx)
}

// Remove deletes the user from the bucket.
func (u *KVUsers) Remove(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	e, err := u.kv.Get(ctx, userKey(name))
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) {
		return fmt.Errorf("no user %q", name)
	}
	if err != nil {
		return fmt.Errorf("remove user %q from JetStream bucket %s: %w", name, u.bucket, err)
	}
	if err := u.kv.Delete(ctx, userKey(name), jetstream.LastRevision(e.Revision())); err != nil {
		return fmt.Errorf("remove user %q from JetStream bucket %s: %w", name, u.bucket, err)
	}
	return u.refresh(ctx)
}

// List returns the users as last read, and why the last read failed.
func (u *KVUsers) List() ([]User, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return slices.Clone(u.list), u.err
}

// Lookup returns the user whose token this is (constant-time compares
// over every user, as Users does).
func (u *KVUsers) Lookup(token string) (User, bool) {
	u.mu.Lock()
	list := u.list
	u.mu.Unlock()
	return lookupIn(list, token)
}
