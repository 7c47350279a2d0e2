package feed

import "strconv"

// appendStat is generated from the Stat struct's tags (stat_fields_gen.go;
// `go generate ./feed`); these are the helpers it calls.

// The field appenders below leave out a zero value, as omitempty does;
// appendStringField is in encode.go. After an error (a NaN or infinite
// number) *err is set and the rest are skipped.

func appendFloatField(b []byte, err *error, key string, f float64) []byte {
	if f != 0 && *err == nil {
		b, *err = appendFloat(append(b, key...), f)
	}
	return b
}

func appendIntField(b []byte, key string, n int64) []byte {
	if n != 0 {
		b = strconv.AppendInt(append(b, key...), n, 10)
	}
	return b
}

func appendTrueField(b []byte, key string, v bool) []byte {
	if v {
		b = append(append(b, key...), "true"...)
	}
	return b
}

func appendMapField(b []byte, err *error, key string, m map[string]float64) []byte {
	if len(m) > 0 && *err == nil {
		b, *err = appendJSON(append(b, key...), m)
	}
	return b
}
