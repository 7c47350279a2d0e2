package team

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/calltop/calltop/feed"
)

// UsersFileName is the users file's name inside the state directory.
const UsersFileName = "users.json"

// User is one user of a team hub. The token itself is never stored: only
// its SHA-256.
type User struct {
	Name        string    `json:"name"`
	Role        string    `json:"role"`
	TokenSHA256 string    `json:"tokenSha256"`
	Created     time.Time `json:"created"`
}

// Users is the users file of a state directory, re-read when another
// process (`calltop hub user add`) changed it. Safe for concurrent use.
type Users struct {
	path string

	mu    sync.Mutex
	list  []User
	mtime time.Time
	size  int64
}

// validName reports whether name may name a user: 1 to 64 of
// [A-Za-z0-9._@-], starting with a letter or digit. (Not a regexp:
// compiling `{0,63}` at start-up cost every calltop command about a
// millisecond.)
func validName(name string) bool {
	if len(name) == 0 || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !alnum && (i == 0 || c != '.' && c != '_' && c != '@' && c != '-') {
			return false
		}
	}
	return true
}

// OpenUsers reads dir's users file (none yet is no users), creating dir
// (0700) if needed.
func OpenUsers(dir string) (*Users, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("state directory %s: %w", dir, err)
	}
	u := &Users{path: filepath.Join(dir, UsersFileName)}
	u.mu.Lock()
	defer u.mu.Unlock()
	return u, u.reloadLocked()
}

// CheckRole refuses a role other than viewer, responder or admin.
func CheckRole(role string) error {
	switch role {
	case feed.RoleViewer, feed.RoleResponder, feed.RoleAdmin:
		return nil
	}
	return fmt.Errorf("role %q: want viewer, responder or admin", role)
}

// Add creates a user and returns its new token (32 random bytes, hex).
func (u *Users) Add(name, role string, now time.Time) (string, error) {
	x, token, err := newUser(name, role, now)
	if err != nil {
		return "", err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if err := u.reloadLocked(); err != nil {
		return "", err
	}
	if slices.ContainsFunc(u.list, func(y User) bool { return y.Name == name }) {
		return "", fmt.Errorf("user %q already exists (remove it first to issue a new token)", name)
	}
	return token, u.saveLocked(append(slices.Clone(u.list), x))
}

// newUser checks name and role and makes the user with a new token (32
// random bytes, hex), of which only the SHA-256 is kept.
func newUser(name, role string, now time.Time) (User, string, error) {
	if !validName(name) {
		return User{}, "", fmt.Errorf("user name %q: use 1-64 letters, digits, dots, dashes, underscores or @, starting with a letter or digit", name)
	}
	if err := CheckRole(role); err != nil {
		return User{}, "", err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return User{}, "", err
	}
	token := hex.EncodeToString(raw[:])
	return User{Name: name, Role: role, TokenSHA256: hashToken(token), Created: now.UTC()}, token, nil
}

// Remove deletes the user with this name.
func (u *Users) Remove(name string) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if err := u.reloadLocked(); err != nil {
		return err
	}
	i := slices.IndexFunc(u.list, func(x User) bool { return x.Name == name })
	if i < 0 {
		return fmt.Errorf("no user %q", name)
	}
	return u.saveLocked(slices.Delete(slices.Clone(u.list), i, i+1))
}

// List returns the users, in the order they were added.
func (u *Users) List() ([]User, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	err := u.reloadLocked()
	return slices.Clone(u.list), err
}

// Lookup returns the user whose token this is. Every user's hash is
// compared, in constant time, whatever matches.
func (u *Users) Lookup(token string) (User, bool) {
	if token == "" {
		return User{}, false
	}
	u.mu.Lock()
	_ = u.reloadLocked() // a bad file keeps the users read before
	list := u.list
	u.mu.Unlock()
	return lookupIn(list, token)
}

// lookupIn finds the user whose token this is in list: every user's hash
// is compared, in constant time, whatever matches.
func lookupIn(list []User, token string) (User, bool) {
	if token == "" {
		return User{}, false
	}
	got := sha256.Sum256([]byte(token))
	var found User
	ok := 0
	for _, x := range list {
		want, err := hex.DecodeString(x.TokenSHA256)
		if err != nil || len(want) != len(got) {
			continue
		}
		if subtle.ConstantTimeCompare(got[:], want) == 1 {
			found, ok = x, 1
		}
	}
	return found, ok == 1
}

// hashToken is the stored form of a token.
func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// reloadLocked re-reads the file when its size or time changed.
func (u *Users) reloadLocked() error {
	fi, err := os.Stat(u.path)
	if errors.Is(err, fs.ErrNotExist) {
		u.list, u.mtime, u.size = nil, time.Time{}, 0
		return nil
	}
	if err != nil {
		return fmt.Errorf("users file: %w", err)
	}
	if fi.ModTime().Equal(u.mtime) && fi.Size() == u.size {
		return nil
	}
	data, err := os.ReadFile(u.path)
	if err != nil {
		return fmt.Errorf("users file: %w", err)
	}
	var list []User
	if err := json.Unmarshal(data, &list); err != nil {
		return fmt.Errorf("users file %s: not a JSON list of users: %v", u.path, err)
	}
	for _, x := range list {
		if CheckRole(x.Role) != nil || !validName(x.Name) {
			return fmt.Errorf("users file %s: user %q with role %q is not valid", u.path, x.Name, x.Role)
		}
	}
	u.list, u.mtime, u.size = list, fi.ModTime(), fi.Size()
	return nil
}

// saveLocked writes list atomically with mode 0600.
func (u *Users) saveLocked(list []User) error {
	data, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(u.path, append(data, '\n')); err != nil {
		return fmt.Errorf("users file: %w", err)
	}
	u.list, u.mtime = list, time.Time{} // re-stat on the next read
	return nil
}

// writeFileAtomic writes data to path through a 0600 temp file renamed
// over it, so a crash leaves the old or the new file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
