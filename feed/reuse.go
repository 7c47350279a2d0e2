package feed

import (
	"math/bits"
	"sync"
)

// Reusing a live feed's two big allocations. At 10,000 calls a Client
// decodes about 38,000 messages a second, each with a stats slice (a Stat
// is about 800 bytes: 4-8 KB a message) and a copy of its frame (about
// 1.5 KB): some 250 MB a second of garbage, whose collection is what
// delays a message on its way to the screen. A consumer that is done with
// an event calls Event.Release, and later frames are read and decoded
// into that storage.

var (
	statsPool = newClassPool[Stat](0, 6)  // 1 to 64 stats objects
	framePool = newClassPool[byte](9, 16) // 512 bytes to 64 KiB
)

// classPool keeps released slices by capacity, in powers of two from
// 1<<minShift to 1<<maxShift, so that a slice taken is never too small
// and at most twice the size asked for. Larger requests are not pooled.
type classPool[T any] struct {
	minShift int
	classes  []sync.Pool // *[]T, length 0
}

func newClassPool[T any](minShift, maxShift int) *classPool[T] {
	return &classPool[T]{minShift: minShift, classes: make([]sync.Pool, maxShift-minShift+1)}
}

// take returns an empty slice with room for at least n.
func (p *classPool[T]) take(n int) []T {
	c := 0
	if n > 1<<p.minShift {
		c = bits.Len(uint(n-1)) - p.minShift // the class whose size is >= n
	}
	if c >= len(p.classes) {
		return make([]T, 0, n)
	}
	if s, _ := p.classes[c].Get().(*[]T); s != nil {
		return *s
	}
	return make([]T, 0, 1<<(c+p.minShift))
}

// give keeps s for a later take, in the largest class it can serve. A
// slice more than twice the largest class is left to the collector rather
// than kept whole for a smaller use.
func (p *classPool[T]) give(s []T) {
	c := bits.Len(uint(cap(s))) - 1 - p.minShift
	if c < 0 || cap(s) > 2<<(p.minShift+len(p.classes)-1) {
		return
	}
	c = min(c, len(p.classes)-1)
	s = s[: 0 : 1<<(c+p.minShift)]
	p.classes[c].Put(&s)
}

// TakeFrame returns a copy of b, in reused room if there is some: the
// frame to hand Pipeline.Frame with reuse.
func TakeFrame(b []byte) []byte { return append(framePool.take(len(b)), b...) }

// Release tells the Client that delivered ev that its consumer is done
// with it: nothing reads Msg.Stats or Frames from now on, nor anything
// they were handed to (values copied out of them, strings included, stay
// valid). Their storage then holds later messages; Msg.Stats is set to
// nil. Releasing is optional: an event never released is collected as
// garbage. Events that a Client did not make, and those it made for
// snapshots, unknown types or bad frames, are left alone.
func (ev Event) Release() {
	if !ev.reusable || ev.Msg == nil {
		return
	}
	if s := ev.Msg.Stats; cap(s) > 0 {
		s = s[:cap(s)]
		clear(s) // the decoder fills a reused element field by field
		statsPool.give(s)
	}
	ev.Msg.Stats = nil
	if len(ev.Frames) == 1 {
		framePool.give(ev.Frames[0])
		ev.Frames[0] = nil
	}
}
