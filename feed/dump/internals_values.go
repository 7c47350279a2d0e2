package dump

import (
	"bytes"
	"math"
	"reflect"
	"strconv"
)

// series is one webrtc-internals attribute's values. Most series are
// numbers only: those are kept unboxed in nums (a []any held each number
// in its own allocation, the larger part of reading a dump's series);
// the others in vals, as encoding/json gives them. Both nil is a null.
type series struct {
	nums []float64
	vals []any
}

func (s series) len() int {
	if s.nums != nil {
		return len(s.nums)
	}
	return len(s.vals)
}

// null reports a series whose values were JSON null (or that is absent).
func (s series) null() bool { return s.nums == nil && s.vals == nil }

// at is value i as a []any would hold it.
func (s series) at(i int) any {
	if s.nums != nil {
		return s.nums[i]
	}
	return s.vals[i]
}

// number is asNumber of value i.
func (s series) number(i int) (float64, bool) {
	if s.nums != nil {
		x := s.nums[i]
		return x, !math.IsNaN(x) && !math.IsInf(x, 0)
	}
	return asNumber(s.vals[i])
}

// numbers reads data as a JSON array of numbers only; false for anything
// else (which the general parser then reads).
func (p *anyParser) numbers(data []byte) ([]float64, bool) {
	p.data, p.pos, p.depth = data, 0, 0
	p.space()
	if p.pos >= len(p.data) || p.data[p.pos] != '[' {
		return nil, false
	}
	p.pos++
	out := make([]float64, 0, bytes.Count(data, []byte{','})+1)
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
	} else {
		for {
			p.space()
			if p.pos >= len(p.data) || p.data[p.pos] != '-' && (p.data[p.pos] < '0' || p.data[p.pos] > '9') {
				return nil, false
			}
			x, ok := p.float()
			if !ok {
				return nil, false
			}
			out = append(out, x)
			if !p.next(']') {
				return nil, false
			}
			if p.data[p.pos-1] == ']' {
				break
			}
		}
	}
	p.space()
	return out, p.pos == len(p.data)
}

// setFieldNum is setField with the number x as the value, unboxed.
func setFieldNum(fv reflect.Value, kind reflect.Kind, x float64) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return
	}
	switch kind {
	case reflect.Float64:
		fv.SetFloat(x)
	case reflect.Int64:
		if x >= 0 && x < 1<<53 && x == math.Trunc(x) {
			fv.SetInt(int64(x))
		}
	case reflect.String:
		fv.SetString(strconv.FormatFloat(x, 'f', -1, 64))
	}
	// A number is no bool and no object of numbers: those stay unset.
}
