package eventpattern

import (
	"encoding/json"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
)

// Event is an event decoded once for matching against any number of sets:
// objects are map[string]any, arrays []any, numbers float64.
type Event struct {
	root map[string]any
}

// ParseEvent decodes an event (a JSON object).
func ParseEvent(data []byte) (Event, error) {
	var v any
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return Event{}, fmt.Errorf("the event is not valid JSON: %w", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return Event{}, fmt.Errorf("the event is not a JSON object")
	}
	return Event{root: numbers(obj).(map[string]any)}, nil
}

// EventOf wraps an already decoded object (numbers as float64 or
// json.Number).
func EventOf(obj map[string]any) Event { return Event{root: numbers(obj).(map[string]any)} }

// numbers turns json.Number into float64 throughout (a number too large for
// a float64 stays a string of digits, and matches nothing numeric).
func numbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = numbers(e)
		}
	case []any:
		for i, e := range t {
			t[i] = numbers(e)
		}
	case json.Number:
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil {
			return bigNumber(t)
		}
		return f
	}
	return v
}

// bigNumber is a JSON number out of float64's range.
type bigNumber string

// matches evaluates one object level against an object of the event (nil:
// absent, or not an object).
func (n *node) matches(obj map[string]any) bool {
	for i := range n.fields {
		f := &n.fields[i]
		v, ok := obj[f.key]
		if f.sub != nil {
			if !f.sub.matchesValue(v, ok) {
				return false
			}
			continue
		}
		if !leafMatches(f.leaf, v, ok) {
			return false
		}
	}
	for _, group := range n.ors {
		any := false
		for _, alt := range group {
			if alt.matches(obj) {
				any = true
				break
			}
		}
		if !any {
			return false
		}
	}
	return true
}

// matchesValue matches a nested object pattern against the event's value
// at its key: an object, an array of which one element must match, or
// anything else (matched as absent).
func (n *node) matchesValue(v any, present bool) bool {
	switch t := v.(type) {
	case map[string]any:
		return n.matches(t)
	case []any:
		if len(t) == 0 {
			return n.matches(nil)
		}
		for _, e := range t {
			if n.matchesValue(e, true) {
				return true
			}
		}
		return false
	}
	return n.matches(nil)
}

// leaves appends the scalar values of v: v itself, or the scalars of an
// array (nested arrays flattened, objects skipped).
func leaves(dst []any, v any) []any {
	switch t := v.(type) {
	case map[string]any:
		return dst
	case []any:
		for _, e := range t {
			dst = leaves(dst, e)
		}
		return dst
	}
	return append(dst, v)
}

func leafMatches(ms []matcher, v any, present bool) bool {
	var buf [8]any
	vals := buf[:0]
	if present {
		vals = leaves(vals, v)
	}
	for i := range ms {
		m := &ms[i]
		if m.kind == kExists {
			if m.exists == (len(vals) > 0) {
				return true
			}
			continue
		}
		for _, val := range vals {
			if m.match(val) {
				return true
			}
		}
	}
	return false
}

func (m *matcher) match(v any) bool {
	switch m.kind {
	case kExact:
		switch t := v.(type) {
		case string:
			s, ok := m.value.(string)
			return ok && s == t
		case float64:
			f, ok := m.value.(float64)
			return ok && f == t
		case bool:
			b, ok := m.value.(bool)
			return ok && b == t
		case nil:
			return m.value == nil
		}
		return false
	case kPrefix, kSuffix, kEqualsIgnoreCase, kWildcard, kCIDR:
		s, ok := v.(string)
		if !ok {
			return false
		}
		switch m.kind {
		case kPrefix:
			if m.fold {
				return hasPrefixFold(s, m.str)
			}
			return strings.HasPrefix(s, m.str)
		case kSuffix:
			if m.fold {
				return hasSuffixFold(s, m.str)
			}
			return strings.HasSuffix(s, m.str)
		case kEqualsIgnoreCase:
			return strings.EqualFold(s, m.str)
		case kWildcard:
			return globMatch(m.glob, s)
		case kCIDR:
			ip := net.ParseIP(s)
			return ip != nil && m.net.Contains(ip)
		}
	case kNumeric:
		f, ok := v.(float64)
		if !ok {
			return false
		}
		return m.num.contains(f)
	case kAnythingBut:
		return m.but.allows(v)
	}
	return false
}

func (r numRange) contains(f float64) bool {
	if math.IsNaN(f) {
		return false
	}
	if f < r.lo || (f == r.lo && !r.loInc) {
		return false
	}
	if f > r.hi || (f == r.hi && !r.hiInc) {
		return false
	}
	return true
}

// allows reports whether an anything-but lets the value through.
func (b *butSet) allows(v any) bool {
	switch b.kind {
	case kExact:
		switch t := v.(type) {
		case string:
			return !b.strs[t]
		case float64:
			return !b.nums[t]
		}
		return true
	}
	s, ok := v.(string)
	if !ok {
		return false
	}
	switch b.kind {
	case kPrefix:
		return !strings.HasPrefix(s, b.str)
	case kSuffix:
		return !strings.HasSuffix(s, b.str)
	case kEqualsIgnoreCase:
		for _, f := range b.folds {
			if strings.EqualFold(s, f) {
				return false
			}
		}
		return true
	case kWildcard:
		for _, g := range b.globs {
			if globMatch(g, s) {
				return false
			}
		}
		return true
	}
	return false
}

func hasPrefixFold(s, lowerPrefix string) bool {
	if len(s) >= len(lowerPrefix) && strings.EqualFold(s[:len(lowerPrefix)], lowerPrefix) {
		return true
	}
	return strings.HasPrefix(strings.ToLower(s), lowerPrefix)
}

func hasSuffixFold(s, lowerSuffix string) bool {
	if len(s) >= len(lowerSuffix) && strings.EqualFold(s[len(s)-len(lowerSuffix):], lowerSuffix) {
		return true
	}
	return strings.HasSuffix(strings.ToLower(s), lowerSuffix)
}

// globMatch matches s against literal pieces separated by stars.
func globMatch(parts []string, s string) bool {
	if len(parts) == 1 {
		return s == parts[0]
	}
	first, last := parts[0], parts[len(parts)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	mid := s[len(first) : len(s)-len(last)]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(mid, p)
		if i < 0 {
			return false
		}
		mid = mid[i+len(p):]
	}
	return true
}
