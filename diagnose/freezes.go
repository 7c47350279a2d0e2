package diagnose

// freezeWindow is the span over which repeated short freezes are counted
// for video-freeze (docs/diagnoses.md): two or more freezes totalling at
// least a second within it raise the rule.
const freezeWindow = 10000 // ms

// freezeLog keeps a connection's recent video freezes: the samples in
// which a received video stream's freezeCount rose, with the stream, how
// many freezes and how many seconds frozen (ΔtotalFreezesDuration) each
// added. It is made on a connection's first freeze, so calls without
// freezes pay nothing for it.
type freezeLog struct {
	t    [16]int64 // sample time (ms), 0: empty; 16 covers 10 s at 1.6 samples/s
	n    [16]float32
	secs [16]float32
	src  [16]uint8 // the stream's index in connection.streams
	next uint8
}

// add records a sample at t in which stream src added n freezes and secs
// seconds frozen.
func (l *freezeLog) add(t int64, src int, n, secs float64) {
	i := l.next % uint8(len(l.t))
	l.t[i], l.n[i], l.secs[i], l.src[i] = t, float32(n), float32(secs), uint8(src)
	l.next = i + 1
}

// worst returns the freezes and seconds frozen, in the span ms up to and
// including t, of the stream that froze most often (the longer on a tie):
// freezes of different videos (an SFU's thumbnails) are not one video
// freezing again and again.
func (l *freezeLog) worst(t, span int64) (n, secs float64) {
	if l == nil {
		return 0, 0
	}
	for i := range l.t {
		var sn, ss float64
		for j, at := range l.t {
			if at != 0 && at <= t && t-at < span && l.src[j] == l.src[i] {
				sn += float64(l.n[j])
				ss += float64(l.secs[j])
			}
		}
		if sn > n || (sn == n && ss > secs) {
			n, secs = sn, ss
		}
	}
	return n, secs
}

// recordFreeze adds to cn's log that stream st added n freezes and secs
// seconds frozen in the sample at t.
func recordFreeze(cn *connection, st *stream, t int64, n, secs float64) {
	if !(n > 0 && secs >= 0) { // false for NaN
		return
	}
	if cn.freezes == nil {
		cn.freezes = &freezeLog{}
	}
	for i, o := range cn.streams {
		if o == st {
			cn.freezes.add(t, i, n, secs)
		}
	}
}

// repeatedFreezes is video-freeze's second condition: two or more freezes
// of one video totalling at least a second within the last 10 s.
func repeatedFreezes(s *connSample) bool {
	return s.freezes >= 2 && s.frozenSecs >= 1
}
