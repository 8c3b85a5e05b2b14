package stacks

import (
	"encoding/json"
	"reflect"
)

// jsonShaped returns v with the types a value has once stored and read back
// as JSON ([]any, map[string]any, float64, string, bool, nil), keeping
// Unknown. The properties a plan compares with the recorded ones must have
// that shape: a transform or package hook that builds a []string would
// otherwise differ, every time, from the []any it was recorded as, though
// the text is the same.
func jsonShaped(v any) any {
	switch x := v.(type) {
	case nil, string, float64, bool, Unknown:
		return v
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonShaped(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonShaped(e)
		}
		return out
	case Props:
		return jsonShaped(map[string]any(x))
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(rv.Uint())
	case reflect.Float32:
		return rv.Float()
	case reflect.String:
		return rv.String()
	case reflect.Bool:
		return rv.Bool()
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return nil
		}
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			break // []byte is a base64 string in JSON
		}
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = jsonShaped(rv.Index(i).Interface())
		}
		return out
	case reflect.Map:
		if rv.Type().Key().Kind() == reflect.String {
			if rv.IsNil() {
				return nil
			}
			out := make(map[string]any, rv.Len())
			it := rv.MapRange()
			for it.Next() {
				out[it.Key().String()] = jsonShaped(it.Value().Interface())
			}
			return out
		}
	}
	// Anything else takes the shape its JSON encoding reads back as.
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return v
	}
	return out
}
