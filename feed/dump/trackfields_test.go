package dump

import (
	"reflect"
	"testing"

	"github.com/calltop/calltop/feed"
)

// TestCopyTrackFieldsFollowsTheList: bit i of the mask copies the field
// trackFields[i] names, and that field only.
func TestCopyTrackFieldsFollowsTheList(t *testing.T) {
	if len(trackFields) > 32 {
		t.Fatalf("%d track fields do not fit a uint32 mask", len(trackFields))
	}
	for i, name := range trackFields {
		var src, want feed.Stat
		setValue(src.Field(name), "7")
		setValue(src.Field(name), 7.0)
		for j, other := range trackFields {
			if j != i {
				setValue(src.Field(other), 9.0)
				setValue(src.Field(other), "9")
			}
		}
		setValue(want.Field(name), 7.0)
		setValue(want.Field(name), "7")
		var dst feed.Stat
		copyTrackFields(&dst, &src, 1<<i)
		if !reflect.DeepEqual(dst, want) {
			t.Errorf("bit %d (%s): copied %+v", i, name, dst)
		}
	}
}
