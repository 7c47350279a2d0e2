//go:build unix

package hub

import "syscall"

// defaultMaxConns is DefaultMaxConns, or less when the process may open
// fewer files (keeping 64 for everything else it opens).
func defaultMaxConns() int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur >= DefaultMaxConns+64 {
		return DefaultMaxConns
	}
	return max(int(lim.Cur)-64, 16)
}
