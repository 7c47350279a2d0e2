//go:build unix

package statefile

import (
	"os"
	"syscall"
)

// inode returns the file's inode number (a rename makes a new one).
func inode(fi os.FileInfo) any {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return nil
}
