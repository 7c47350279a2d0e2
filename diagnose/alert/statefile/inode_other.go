//go:build !unix

package statefile

import "os"

// inode is unknown here; size and modification time tell versions apart.
func inode(fi os.FileInfo) any { return nil }
