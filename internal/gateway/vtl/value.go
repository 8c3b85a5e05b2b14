package vtl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Values a template works with are plain Go values: nil, string, bool,
// int64, float64, []any (a Java List), *Map (a Java Map that keeps its
// insertion order, as API Gateway's JSON objects do) and Object (a variable
// with methods of its own: $input, $util).

// Object is a value with properties and methods of its own.
type Object interface {
	// Property is $o.name; ok is false when it has none.
	Property(name string) (v any, ok bool)
	// Call is $o.name(args...); ok is false when it has no such method.
	Call(name string, args []any) (v any, ok bool, err error)
}

// List is a mutable list ($list.add works on it); templates may also be
// given plain []any, which they read but cannot change.
type List struct{ Items []any }

// NewList wraps items.
func NewList(items ...any) *List { return &List{Items: items} }

// listItems is v's elements when v is a list.
func listItems(v any) ([]any, bool) {
	switch x := v.(type) {
	case *List:
		if x == nil {
			return nil, true
		}
		return x.Items, true
	case []any:
		return x, true
	}
	return nil, false
}

// Map is an insertion-ordered string-keyed map.
type Map struct {
	keys []string
	m    map[string]any
}

// NewMap returns an empty map.
func NewMap() *Map { return &Map{m: map[string]any{}} }

// Get is the value of k, nil when absent.
func (m *Map) Get(k string) (any, bool) {
	if m == nil {
		return nil, false
	}
	v, ok := m.m[k]
	return v, ok
}

// Put sets k, keeping its place when it exists; it returns the old value.
func (m *Map) Put(k string, v any) any {
	old, ok := m.m[k]
	if !ok {
		m.keys = append(m.keys, k)
	}
	m.m[k] = v
	return old
}

// Remove deletes k and returns its value.
func (m *Map) Remove(k string) any {
	old, ok := m.m[k]
	if !ok {
		return nil
	}
	delete(m.m, k)
	for i, x := range m.keys {
		if x == k {
			m.keys = append(m.keys[:i:i], m.keys[i+1:]...)
			break
		}
	}
	return old
}

// Keys are the keys in insertion order.
func (m *Map) Keys() []string {
	if m == nil {
		return nil
	}
	return m.keys
}

// Len is the number of entries.
func (m *Map) Len() int {
	if m == nil {
		return 0
	}
	return len(m.keys)
}

// MapOf builds a map from alternating keys and values.
func MapOf(kv ...any) *Map {
	m := NewMap()
	for i := 0; i+1 < len(kv); i += 2 {
		m.Put(fmt.Sprint(kv[i]), kv[i+1])
	}
	return m
}

// StringMap builds a map from a Go map, keys sorted.
func StringMap(src map[string]string) *Map {
	m := NewMap()
	for _, k := range sortedKeys(src) {
		m.Put(k, src[k])
	}
	return m
}

// ToString renders v as Java's toString does (nil: "null").
func ToString(v any) string {
	var b strings.Builder
	writeString(&b, v, 0)
	return b.String()
}

// maxText bounds the text of one value (a map that holds itself twice
// would be exponential): beyond it the text is cut short.
const maxText = 16 << 20

func writeString(b *strings.Builder, v any, depth int) {
	if b.Len() > maxText {
		return
	}
	if depth > maxDepth {
		b.WriteString("...")
		return
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		b.WriteString(x)
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		b.WriteString(javaDouble(x))
	case []any, *List:
		items, _ := listItems(x)
		b.WriteByte('[')
		for i, e := range items {
			if i > 0 {
				b.WriteString(", ")
			}
			writeString(b, e, depth+1)
		}
		b.WriteByte(']')
	case *Map:
		b.WriteByte('{')
		for i, k := range x.Keys() {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteByte('=')
			writeString(b, x.m[k], depth+1)
		}
		b.WriteByte('}')
	case fmt.Stringer:
		b.WriteString(x.String())
	default:
		fmt.Fprint(b, x)
	}
}

// javaDouble formats f as Java's Double.toString: "1.0", "249.99", "1.0E10".
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	abs := math.Abs(f)
	if abs >= 1e-3 && abs < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, 64) // 1E+10, 1.5E-05
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

// ParseJSON decodes JSON text into template values: objects as *Map (in
// document order), arrays as []any, integers as int64 (float64 when they do
// not fit), other numbers as float64.
func ParseJSON(text []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(text))
	d.UseNumber()
	v, err := decodeValue(d, 0)
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); err == nil {
		return nil, fmt.Errorf("json: data after the value")
	}
	return v, nil
}

func decodeValue(d *json.Decoder, depth int) (any, error) {
	if depth > maxJSONDepth {
		return nil, fmt.Errorf("json: nested deeper than %d", maxJSONDepth)
	}
	t, err := d.Token()
	if err != nil {
		return nil, fmt.Errorf("json: %w", err)
	}
	switch x := t.(type) {
	case json.Delim:
		switch x {
		case '{':
			m := NewMap()
			for d.More() {
				kt, err := d.Token()
				if err != nil {
					return nil, fmt.Errorf("json: %w", err)
				}
				k, _ := kt.(string)
				v, err := decodeValue(d, depth+1)
				if err != nil {
					return nil, err
				}
				m.Put(k, v)
			}
			_, err := d.Token()
			return m, err
		case '[':
			l := &List{Items: []any{}}
			for d.More() {
				v, err := decodeValue(d, depth+1)
				if err != nil {
					return nil, err
				}
				l.Items = append(l.Items, v)
			}
			_, err := d.Token()
			return l, err
		}
		return nil, fmt.Errorf("json: unexpected %v", x)
	case json.Number:
		return parseNumber(string(x)), nil
	default:
		return x, nil // string, bool, nil
	}
}

func parseNumber(s string) any {
	if !strings.ContainsAny(s, ".eE") {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
	}
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

// ToJSON encodes v as JSON text (API Gateway's $input.json).
func ToJSON(v any) string {
	var b strings.Builder
	writeJSON(&b, v, 0)
	return b.String()
}

func writeJSON(b *strings.Builder, v any, depth int) {
	if b.Len() > maxText {
		return
	}
	if depth > maxDepth {
		b.WriteString("null")
		return
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		q, _ := json.Marshal(x)
		b.Write(q)
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			b.WriteString("null")
			return
		}
		b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
	case []any, *List:
		items, _ := listItems(x)
		b.WriteByte('[')
		for i, e := range items {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, e, depth+1)
		}
		b.WriteByte(']')
	case *Map:
		b.WriteByte('{')
		for i, k := range x.Keys() {
			if i > 0 {
				b.WriteByte(',')
			}
			q, _ := json.Marshal(k)
			b.Write(q)
			b.WriteByte(':')
			writeJSON(b, x.m[k], depth+1)
		}
		b.WriteByte('}')
	default:
		q, _ := json.Marshal(ToString(x))
		b.Write(q)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
