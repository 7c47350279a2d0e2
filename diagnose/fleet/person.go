package fleet

// Person is one participant still in a live call, as the fleet view sees
// them: the values they are grouped by and what is measured of them. It is
// small (the groups are shared while they do not change): every call
// summary carries one per participant.
type Person struct {
	*Groups
	// MOS, LossPct (the worse direction, smoothed) and RTTMs are the
	// participant's latest figures; NaN when unknown.
	MOS, LossPct, RTTMs float64
	// Rules has bit i set while a finding of the Table's i-th rule is open
	// on this participant.
	Rules uint32
	// Problem is set while any open finding on them is a warning or worse.
	Problem bool
}

// Groups are the values a person is grouped by ("" when unknown). A
// Groups handed to a Table must not change: make a new one instead.
type Groups struct {
	Browser string // "Chrome"
	Version string // "Chrome 142"
	OS      string // "Windows", "macOS", "Linux", "Android", "iOS", "ChromeOS"
	Network string // the feed's networkType: "wifi", "ethernet", "cellular", ...
	Region  string // the participant's region
	Path    string // ICE path of the selected pair: "host udp", "srflx udp", "relay tcp", ...
}

// Dimension names a way of grouping people. The fixed ones are
// PersonDimensions; a call tag KEY is the dimension "tag:KEY".
type Dimension struct {
	Key   string // "browser", "version", "os", "network", "region", "path", "tag:app"
	Title string // "Browser", "Browser version", ..., "Tag app"
}

// PersonDimensions are the dimensions every person has a value in (maybe
// unknown), in the order the fleet screen offers them.
var PersonDimensions = []Dimension{
	{Key: "version", Title: "Browser version"},
	{Key: "browser", Title: "Browser"},
	{Key: "os", Title: "OS"},
	{Key: "network", Title: "Network"},
	{Key: "region", Title: "Region"},
	{Key: "path", Title: "ICE path"},
}

// numPersonDims is len(PersonDimensions).
const numPersonDims = 6

// TagPrefix starts the key of a call-tag dimension.
const TagPrefix = "tag:"

// value returns p's value in person dimension d (an index of
// PersonDimensions).
func (p *Person) value(d int) string {
	if p.Groups == nil {
		return ""
	}
	switch d {
	case 0:
		return p.Version
	case 1:
		return p.Browser
	case 2:
		return p.OS
	case 3:
		return p.Network
	case 4:
		return p.Region
	}
	return p.Path
}

// Value returns the value a person with groups g, in a call with tags,
// has in the dimension keyed key (for narrowing calls to a group).
func Value(key string, g *Groups, tags map[string]string) string {
	if len(key) > len(TagPrefix) && key[:len(TagPrefix)] == TagPrefix {
		return tags[key[len(TagPrefix):]]
	}
	p := Person{Groups: g}
	for d, dim := range PersonDimensions {
		if dim.Key == key {
			return p.value(d)
		}
	}
	return ""
}
