//go:build !unix

package feedtest

import "time"

// CPUTime is unavailable here: 0.
func CPUTime() time.Duration { return 0 }

// RunQueueWait is unavailable here: 0.
func RunQueueWait() time.Duration { return 0 }

// StealTime is unavailable here: 0.
func StealTime() time.Duration { return 0 }
