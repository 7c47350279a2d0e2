//go:build !unix

package hub

// defaultMaxConns is DefaultMaxConns where the open-file limit is not read.
func defaultMaxConns() int { return DefaultMaxConns }
