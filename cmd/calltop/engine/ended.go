package engine

import "github.com/calltop/calltop/diagnose"

// endedTaker is a Monitor that keeps the calls leaving it for history.
type endedTaker interface {
	TakeEnded() []diagnose.EndedCall
}

// handEnded gives Options.Ended the calls that left the Monitor since the
// last message.
func (l *loop) handEnded() {
	if l.e.opts.Ended == nil {
		return
	}
	if t, ok := l.mon.(endedTaker); ok {
		if ended := t.TakeEnded(); len(ended) > 0 {
			l.e.opts.Ended(ended)
		}
	}
}
