package feed

// Decoding the rarer objects: calls, participants and connection events,
// and the slice and pointer rules of encoding/json they follow.

// sliceOf decodes an array into *dst the way encoding/json fills a
// slice: null makes it nil; elements are decoded into the slice's
// existing ones (without zeroing) as far as its capacity goes, then
// appended; an empty array gives an empty, non-nil slice.
func sliceOf[T any](d *decoder, dst *[]T, want string, elem func(*decoder, *T)) {
	if d.literal("null") {
		*dst = nil
		return
	}
	if d.peek() != '[' {
		d.wrongType(want)
		return
	}
	s := (*dst)[:0]
	if s == nil {
		s = []T{}
	}
	if d.openArray() {
		for {
			if len(s) < cap(s) {
				s = s[:len(s)+1]
			} else {
				var zero T
				s = append(s, zero)
			}
			elem(d, &s[len(s)-1])
			if !d.moreInArray() {
				break
			}
		}
	}
	*dst = s
}

// pointerTo decodes an object into **dst the way encoding/json fills a
// pointer: null makes it nil; an object is decoded into the value it
// points to, a new one if it was nil.
func pointerTo[T any](d *decoder, dst **T, want string, object func(*decoder, *T)) {
	if d.literal("null") {
		*dst = nil
		return
	}
	if d.peek() != '{' {
		d.wrongType(want)
		return
	}
	if *dst == nil {
		*dst = new(T)
	}
	object(d, *dst)
}

// call decodes one call object (or null, which leaves c as it is).
func (d *decoder) call(c *Call) {
	if !d.structStart("Call") {
		return
	}
	for {
		key := d.objectKey()
		if d.err != nil {
			return
		}
		switch string(key) {
		case "id":
			d.str(&c.ID)
		case "room":
			d.str(&c.Room)
		case "start":
			d.float(&c.Start)
		case "tags":
			d.stringMap(&c.Tags)
		case "participants":
			sliceOf(d, &c.Participants, "[]Participant", (*decoder).participant)
		default:
			d.unknownField(key, callKeys)
		}
		if !d.moreInObject() {
			return
		}
	}
}

var callKeys = map[string]bool{"id": true, "room": true, "start": true, "tags": true, "participants": true}

// participant decodes one participant object (or null).
func (d *decoder) participant(p *Participant) {
	if !d.structStart("Participant") {
		return
	}
	for {
		key := d.objectKey()
		if d.err != nil {
			return
		}
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
			d.unknownField(key, participantKeys)
		}
		if !d.moreInObject() {
			return
		}
	}
}

var participantKeys = map[string]bool{"id": true, "name": true, "userid": true, "useragent": true,
	"networktype": true, "region": true, "joined": true}

// event decodes one connection event object (or null).
func (d *decoder) event(e *ConnectionEvent) {
	if !d.structStart("ConnectionEvent") {
		return
	}
	for {
		key := d.objectKey()
		if d.err != nil {
			return
		}
		switch string(key) {
		case "kind":
			d.str(&e.Kind)
		case "state":
			d.str(&e.State)
		default:
			d.unknownField(key, eventKeys)
		}
		if !d.moreInObject() {
			return
		}
	}
}

var eventKeys = map[string]bool{"kind": true, "state": true}

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
