package history

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
)

// Points are one graph's values; NaN (no data) is null in JSON.
type Points []float32

// MarshalJSON writes the values, null for NaN, with at most one decimal
// (what the graphs show).
func (p Points) MarshalJSON() ([]byte, error) {
	if p == nil {
		return []byte("null"), nil
	}
	b := make([]byte, 0, 2+len(p)*6)
	b = append(b, '[')
	for i, v := range p {
		if i > 0 {
			b = append(b, ',')
		}
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			b = append(b, "null"...)
			continue
		}
		b = strconv.AppendFloat(b, math.Round(float64(v)*10)/10, 'f', -1, 32)
	}
	return append(b, ']'), nil
}

// UnmarshalJSON reads values written by MarshalJSON.
func (p *Points) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		return nil
	}
	var raw []*float32
	if err := json.Unmarshal(bytes.TrimSpace(b), &raw); err != nil {
		return err
	}
	out := make(Points, len(raw))
	for i, v := range raw {
		out[i] = float32(math.NaN())
		if v != nil {
			out[i] = *v
		}
	}
	*p = out
	return nil
}
