package alert

// Namer tells the room of a call and the name of one of its participants
// (empty when unknown), so that every alert names people and rooms, even
// once the call is gone. The engine gives the Book one reading the
// Monitor; the Book calls it only for alerts that lack a room or a name.
type Namer func(callID, participantID string) (room, name string)

// SetNamer sets where the Book looks up rooms and names (nil: nowhere).
func (b *Book) SetNamer(n Namer) { b.namer = n }

// names fills in an alert's room and participant name when it lacks them
// and the Namer knows them; a name once known is kept.
func (b *Book) names(a *Alert) {
	s := a.Subject
	if b.namer == nil || s.CallID == "" || (a.Room != "" && (a.ParticipantName != "" || s.ParticipantID == "")) {
		return
	}
	room, name := b.namer(s.CallID, s.ParticipantID)
	if a.Room == "" && room != "" {
		a.Room = CleanText(room)
		b.version++
	}
	if a.ParticipantName == "" && name != "" && s.ParticipantID != "" {
		a.ParticipantName = CleanText(name)
		b.version++
	}
}

// Where names an alert's subject for people: "Ada (p1) in room standup",
// "call c1 in room standup", "the feed", "the fleet".
func (a *Alert) Where() string {
	s := a.Subject
	switch {
	case a.Rule == RuleFeedDown:
		return "the feed"
	case s.CallID == "":
		return "the fleet"
	}
	call := CleanText(s.CallID)
	in := " in call " + call
	if a.Room != "" {
		in = " in room " + CleanText(a.Room)
	}
	switch {
	case s.ParticipantID == "" && a.Room != "":
		return "call " + call + in
	case s.ParticipantID == "":
		return "call " + call
	case a.ParticipantName != "":
		return CleanText(a.ParticipantName) + " (" + CleanText(s.ParticipantID) + ")" + in
	}
	return "participant " + CleanText(s.ParticipantID) + in
}
