//go:build unix

package statefile

import (
	"os"
	"syscall"
)

// lock takes the state directory's lock file (an advisory flock), which
// every calltop holds while it reads, merges and writes the state file.
func (s *Store) lock() (unlock func(), err error) {
	f, err := os.OpenFile(s.lockPath(), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}
