package alert

import "context"

// What the state syncers (statefile's for a file, natsstate's for a
// JetStream bucket) share.

// PutNewest puts v on a channel of capacity one, replacing a value still
// waiting there: the reader only ever wants the newest.
func PutNewest[T any](ch chan T, v T) {
	for {
		select {
		case ch <- v:
			return
		default:
		}
		select {
		case <-ch:
		default:
		}
	}
}

// RequestFlush asks a syncer's loop, through req, to write what waits,
// and returns when the loop acknowledged it, when the loop has ended
// (done closed) or when ctx ends.
func RequestFlush(ctx context.Context, req chan<- chan struct{}, done <-chan struct{}) {
	ack := make(chan struct{})
	select {
	case req <- ack:
	case <-done:
		return
	case <-ctx.Done():
		return
	}
	select {
	case <-ack:
	case <-ctx.Done():
	}
}
