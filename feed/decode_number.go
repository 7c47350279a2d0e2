package feed

import (
	"encoding/binary"
	"math/bits"
	"strconv"
)

// number is a scanned JSON number: its text, and its digits as an
// integer when they fit, so that the usual stats values (integers and
// short decimals) convert without strconv.
type number struct {
	raw    []byte
	mant   uint64 // the digits without the point, exact when digits <= 19
	digits int    // how many digits, leading zeros included
	frac   int    // how many of them follow the point
	neg    bool
	dot    bool // has a fraction part
	exp    bool // has an exponent
}

// scanNumber consumes a JSON number at d.pos, checking its syntax, and
// reads its digits on the way.
func (d *decoder) scanNumber() (n number) {
	data := d.data
	start := d.pos
	i := start
	if i < len(data) && data[i] == '-' {
		n.neg = true
		i++
	}
	intStart := i
	if i < len(data) && data[i] == '0' {
		i++
	} else {
		for i < len(data) && data[i]-'0' <= 9 {
			n.mant = n.mant*10 + uint64(data[i]-'0')
			i++
		}
		if i == intStart {
			d.pos = i
			d.syntax("bad number")
			return number{}
		}
	}
	n.digits = i - intStart
	if i < len(data) && data[i] == '.' {
		n.dot = true
		i++
		fracStart := i
		for i < len(data) && data[i]-'0' <= 9 {
			n.mant = n.mant*10 + uint64(data[i]-'0')
			i++
		}
		n.frac = i - fracStart
		if n.frac == 0 {
			d.pos = i
			d.syntax("bad fraction")
			return number{}
		}
		n.digits += n.frac
	}
	if i < len(data) && data[i]|0x20 == 'e' {
		n.exp = true
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		expStart := i
		for i < len(data) && data[i]-'0' <= 9 {
			i++
		}
		if i == expStart {
			d.pos = i
			d.syntax("bad exponent")
			return number{}
		}
	}
	d.pos = i
	n.raw = data[start:i]
	return n
}

// pow10 are the powers of ten a float64 holds exactly.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// float64 converts n without strconv when it has no exponent and digits
// that make an integer below 2^53, the usual stats value: the digits are
// exact as a float64, the divisor an exact power of ten, so one division
// rounds correctly, as ParseFloat would (Clinger's fast path). Anything
// else reports false.
func (n *number) float64() (float64, bool) {
	if n.exp || n.digits > 19 || n.mant >= 1<<53 || n.frac >= len(pow10) {
		return 0, false // might have overflowed, or not exact
	}
	f := float64(n.mant) / pow10[n.frac]
	if n.neg {
		f = -f
	}
	return f, true
}

// numberStart reports whether c can start a number. Otherwise a null
// is consumed (it leaves the field as it was) and a value of another
// type is recorded as a type error against want.
func (d *decoder) numberStart(c byte, want string) bool {
	switch {
	case c == '-' || c-'0' <= 9:
		return true
	case c == 'n':
		d.null()
	default:
		d.wrongType(want)
	}
	return false
}

// float decodes a number (or null, which leaves dst) into dst, by
// plainNumber when it can.
func (d *decoder) float(dst *float64) {
	if d.err == nil {
		mant, end, digits, frac, neg, ok := plainNumber(d.data, d.pos)
		if ok && digits <= 19 && mant < 1<<53 && frac < len(pow10) {
			// Clinger's fast path, as in number.float64.
			f := float64(mant) / pow10[frac]
			if neg {
				f = -f
			}
			*dst = f
			d.pos = end
			return
		}
	}
	d.floatSlow(dst)
}

// floatSlow reads a number the long way: scanNumber, then strconv for
// what float64 declines; a null or another type as numberStart says.
func (d *decoder) floatSlow(dst *float64) {
	if !d.numberStart(d.peek(), "number") {
		return
	}
	n := d.scanNumber()
	if d.err != nil {
		return
	}
	if f, ok := n.float64(); ok {
		*dst = f
		return
	}
	f, err := strconv.ParseFloat(string(n.raw), 64)
	if err != nil {
		d.typeError("number " + string(n.raw) + " out of range")
		return
	}
	*dst = f
}

// int64 decodes an integer (or null) into dst, as float does.
func (d *decoder) int64(dst *int64) {
	if d.err == nil {
		mant, end, digits, frac, neg, ok := plainNumber(d.data, d.pos)
		if ok && frac == 0 && digits <= 18 { // below 10^18: no overflow
			v := int64(mant)
			if neg {
				v = -v
			}
			*dst = v
			d.pos = end
			return
		}
	}
	d.int64Slow(dst)
}

// int64Slow reads an integer the long way, as floatSlow.
func (d *decoder) int64Slow(dst *int64) {
	if !d.numberStart(d.peek(), "integer") {
		return
	}
	n := d.scanNumber()
	if d.err != nil {
		return
	}
	if !n.dot && !n.exp && n.digits <= 18 {
		v := int64(n.mant)
		if n.neg {
			v = -v
		}
		*dst = v
		return
	}
	v, err := strconv.ParseInt(string(n.raw), 10, 64)
	if err != nil {
		d.typeError("number " + string(n.raw) + " is not a 64-bit integer")
		return
	}
	*dst = v
}

// plainNumber reads the usual stats value at data[i:], eight digits at a
// time: a number without exponent whose fraction (if any) has at most
// seven digits, ending at least eight bytes before the end of the data
// (a frame never ends in a number). It returns the digits without the
// point as an integer (wrapped around past 19 digits), where the number
// ends, how many digits there are and how many follow the point. For
// anything else (another type, an exponent, a malformed number) it
// reports false, and the caller leaves it to scanNumber, which reads or
// refuses it the long way.
func plainNumber(data []byte, i int) (mant uint64, end, digits, frac int, neg, ok bool) {
	if i >= len(data) {
		return
	}
	if data[i] == '-' {
		neg = true
		i++
	}
	first := i
	for i+8 <= len(data) {
		x := binary.LittleEndian.Uint64(data[i:i+8]) - ones*'0'
		// A byte's high bit is set where it was not a digit; only the
		// lowest such bit is exact (a borrow or carry only starts there).
		stop := (x | (x + ones*0x76)) & highs
		if stop == 0 {
			mant = mant*1e8 + eightDigits(x)
			i += 8
			continue
		}
		if k := bits.TrailingZeros64(stop) >> 3; k > 0 {
			mant = mant*pow10u[k] + eightDigits(x<<(64-8*k))
			i += k
		}
		digits = i - first
		if digits == 0 || digits > 1 && data[first] == '0' {
			return 0, 0, 0, 0, false, false // not a number, or a leading zero (refused by scanNumber)
		}
		if data[i] == '.' {
			i++
			if i+8 > len(data) {
				return 0, 0, 0, 0, false, false
			}
			x := binary.LittleEndian.Uint64(data[i:i+8]) - ones*'0'
			frac = bits.TrailingZeros64((x|(x+ones*0x76))&highs) >> 3
			if frac == 0 || frac == 8 {
				return 0, 0, 0, 0, false, false // no digits, or many: the long way
			}
			mant = mant*pow10u[frac] + eightDigits(x<<(64-8*frac))
			i += frac
			digits += frac
		}
		if data[i]|0x20 == 'e' {
			return 0, 0, 0, 0, false, false
		}
		return mant, i, digits, frac, neg, true
	}
	return 0, 0, 0, 0, false, false
}

// pow10u are the powers of ten up to 10^8 as integers.
var pow10u = [...]uint64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000}

// eightDigits returns the value of eight digits, each byte of x holding
// one (0-9), the first in the low byte: pairs, then fours, then all eight
// are combined with a multiply each.
func eightDigits(x uint64) uint64 {
	x = x*10 + x>>8
	const mask = 0x000000FF000000FF
	x = ((x&mask)*(100+1000000<<32) + (x>>16&mask)*(1+10000<<32)) >> 32
	return x & 0xFFFFFFFF
}

// int decodes an integer (or null) into dst, refusing one int cannot hold.
func (d *decoder) int(dst *int) {
	n := int64(*dst)
	before := d.typeErr
	d.int64(&n)
	if d.typeErr != before {
		return
	}
	if int64(int(n)) != n {
		d.typeError("number out of range for int")
		return
	}
	*dst = int(n)
}
