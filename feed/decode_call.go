package feed

// Decoding the rarer objects: calls, participants and connection events,
// and the slice and pointer rules of encoding/json they follow.

// The slice and pointer rules of encoding/json, as generic helpers that
// take no function values: the decoder is passed to none it cannot see,
// so it stays on the stack.

// openSlice starts an array for *dst the way encoding/json fills a
// slice: null makes it nil, another type is a type error; otherwise it
// returns *dst emptied (non-nil: an empty array gives an empty slice) to
// be extended with nextElem, and whether an element follows. The caller
// stores the slice back when it is not nil.
func openSlice[T any](d *decoder, dst *[]T, want string) (s []T, more bool) {
	if d.literal("null") {
		*dst = nil
		return nil, false
	}
	if d.peek() != '[' {
		d.wrongType(want)
		return nil, false
	}
	s = (*dst)[:0]
	if s == nil {
		s = []T{}
	}
	return s, d.openArray()
}

// nextElem extends s by one element for the next array element: within
// its capacity the old element is decoded into as it is (not zeroed), as
// encoding/json does; beyond, a zero one is appended.
func nextElem[T any](s []T) []T {
	if len(s) < cap(s) {
		return s[:len(s)+1]
	}
	var zero T
	return append(s, zero)
}

// openPointer returns the value an object is to be decoded into for
// *dst the way encoding/json fills a pointer: null makes it nil (and
// returns nil), another type is a type error (nil); an object goes into
// the value *dst points to, a new one if it was nil.
func openPointer[T any](d *decoder, dst **T, want string) *T {
	if d.literal("null") {
		*dst = nil
		return nil
	}
	if d.peek() != '{' {
		d.wrongType(want)
		return nil
	}
	if *dst == nil {
		*dst = new(T)
	}
	return *dst
}

// calls decodes a snapshot's calls.
func (d *decoder) calls(dst *[]Call) {
	s, more := openSlice(d, dst, "[]Call")
	for more {
		s = nextElem(s)
		d.call(&s[len(s)-1])
		more = d.moreInArray()
	}
	if s != nil {
		*dst = s
	}
}

// participants decodes a call's participants.
func (d *decoder) participants(dst *[]Participant) {
	s, more := openSlice(d, dst, "[]Participant")
	for more {
		s = nextElem(s)
		d.participant(&s[len(s)-1])
		more = d.moreInArray()
	}
	if s != nil {
		*dst = s
	}
}

// call decodes one call object (or null, which leaves c as it is).
func (d *decoder) call(c *Call) {
	d.structFields("Call", callKeys, func(key []byte) bool {
		switch string(key) {
		case "id":
			d.str(&c.ID)
		case "room":
			d.str(&c.Room)
		case "start":
			d.float(&c.Start)
		case "tags":
			d.stringMap(&c.Tags)
		case "source":
			d.str(&c.Source)
		case "participants":
			d.participants(&c.Participants)
		default:
			return false
		}
		return true
	})
}

var callKeys = map[string]bool{"id": true, "room": true, "start": true, "tags": true, "source": true, "participants": true}

// participant decodes one participant object (or null).
func (d *decoder) participant(p *Participant) {
	d.structFields("Participant", participantKeys, func(key []byte) bool {
		switch string(key) {
		case "id":
			d.str(&p.ID)
		case "name":
			d.str(&p.Name)
		case "userId":
			d.str(&p.UserID)
		case "userAgent":
			d.str(&p.UserAgent)
		case "networkType":
			d.str(&p.NetworkType)
		case "region":
			d.str(&p.Region)
		case "joined":
			d.float(&p.Joined)
		default:
			return false
		}
		return true
	})
}

var participantKeys = map[string]bool{"id": true, "name": true, "userid": true, "useragent": true,
	"networktype": true, "region": true, "joined": true}

// event decodes one connection event object (or null).
func (d *decoder) event(e *ConnectionEvent) {
	d.structFields("ConnectionEvent", eventKeys, func(key []byte) bool {
		switch string(key) {
		case "kind":
			d.str(&e.Kind)
		case "state":
			d.str(&e.State)
		case "error":
			d.str(&e.Error)
		default:
			return false
		}
		return true
	})
}

// structFields decodes the object of a struct value (or null): field
// reads one value for a key it knows and reports whether it did; other
// keys go to unknownField with known, the struct's keys in lower case.
func (d *decoder) structFields(name string, known map[string]bool, field func(key []byte) bool) {
	if !d.structStart(name) {
		return
	}
	for {
		key := d.objectKey()
		if d.err != nil {
			return
		}
		if !field(key) {
			d.unknownField(key, known)
		}
		if !d.moreInObject() {
			return
		}
	}
}

var eventKeys = map[string]bool{"kind": true, "state": true, "error": true}

// structStart opens the object of a struct value and reports whether a
// key follows. A null (which leaves the struct as it is) or an empty
// object report false, and so does a value of another type, recorded as
// a type error against want and skipped.
func (d *decoder) structStart(want string) bool {
	switch d.peek() {
	case '{':
		return d.openObject()
	case 'n':
		d.null()
	default:
		d.wrongType(want)
	}
	return false
}
