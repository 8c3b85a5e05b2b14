package eventpattern

import (
	"encoding/json"
	"fmt"
	"math"
	"net"
	"sort"
	"strconv"
	"strings"
)

// Error is a pattern refused by Compile; Reason says why, in the words
// EventBridge uses where they are known.
type Error struct {
	ID     string // the pattern's id in the set
	Reason string
}

func (e *Error) Error() string {
	if e.ID == "" {
		return "event pattern is not valid: " + e.Reason
	}
	return fmt.Sprintf("event pattern %q is not valid: %s", e.ID, e.Reason)
}

func invalid(format string, a ...any) error { return &Error{Reason: fmt.Sprintf(format, a...)} }

// node is one object level of a pattern: every field must match (AND) and
// each $or group must have one alternative that matches.
type node struct {
	fields []field
	ors    [][]*node
}

// field is one key of a pattern object: a nested object (sub) or a list of
// leaf matchers of which one must match.
type field struct {
	key  string
	sub  *node
	leaf []matcher
}

type kind int

const (
	kExact kind = iota
	kPrefix
	kSuffix
	kEqualsIgnoreCase
	kWildcard
	kNumeric
	kExists
	kCIDR
	kAnythingBut
)

// matcher is one element of a leaf's array.
type matcher struct {
	kind   kind
	value  any    // kExact: string, float64, bool or nil
	str    string // prefix, suffix, equals-ignore-case (lowered when fold)
	fold   bool   // prefix/suffix with equals-ignore-case
	glob   []string
	exists bool
	net    *net.IPNet
	num    numRange
	but    *butSet
}

type numRange struct {
	lo, hi       float64
	loInc, hiInc bool
}

// butSet is what anything-but excludes.
type butSet struct {
	strs  map[string]bool
	nums  map[float64]bool
	kind  kind // kExact (the sets), kPrefix, kSuffix, kEqualsIgnoreCase, kWildcard
	str   string
	folds []string
	globs [][]string
}

// parse decodes one pattern's JSON into its compiled form.
func parse(text string) (*node, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, invalid("the pattern is not valid JSON: %v", err)
	}
	if dec.More() {
		return nil, invalid("the pattern has text after its JSON object")
	}
	if _, err := dec.Token(); err == nil {
		return nil, invalid("the pattern has text after its JSON object")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, invalid("Filter is not an object")
	}
	if len(obj) == 0 {
		return nil, invalid("Empty objects are not allowed")
	}
	return parseObject(obj, "", 0)
}

const maxDepth = 64

func parseObject(obj map[string]any, path string, depth int) (*node, error) {
	if depth > maxDepth {
		return nil, invalid("the pattern is nested more than %d levels deep", maxDepth)
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	n := &node{}
	for _, k := range keys {
		v := obj[k]
		p := joinPath(path, k)
		if k == "$or" {
			alts, ok := v.([]any)
			if !ok || len(alts) < 2 {
				return nil, invalid("Or relationship must be an array of at least 2 objects at %s", p)
			}
			group := make([]*node, 0, len(alts))
			for _, a := range alts {
				ao, ok := a.(map[string]any)
				if !ok || len(ao) == 0 {
					return nil, invalid("Or relationship must be an array of at least 2 objects at %s", p)
				}
				sub, err := parseObject(ao, path, depth+1)
				if err != nil {
					return nil, err
				}
				group = append(group, sub)
			}
			n.ors = append(n.ors, group)
			continue
		}
		switch tv := v.(type) {
		case map[string]any:
			if len(tv) == 0 {
				return nil, invalid("Empty objects are not allowed at %s", p)
			}
			sub, err := parseObject(tv, p, depth+1)
			if err != nil {
				return nil, err
			}
			n.fields = append(n.fields, field{key: k, sub: sub})
		case []any:
			if len(tv) == 0 {
				return nil, invalid("Empty arrays are not allowed at %s", p)
			}
			leaf := make([]matcher, 0, len(tv))
			for _, e := range tv {
				m, err := parseMatcher(e, p)
				if err != nil {
					return nil, err
				}
				leaf = append(leaf, m)
			}
			n.fields = append(n.fields, field{key: k, leaf: leaf})
		default:
			return nil, invalid("Match value must be an array or an object at %s", p)
		}
	}
	return n, nil
}

func joinPath(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// scalar turns a decoded JSON scalar into the matcher's value: string,
// float64, bool or nil.
func scalar(v any) (any, bool) {
	switch t := v.(type) {
	case string, bool, nil:
		return t, true
	case json.Number:
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, false
		}
		return f, true
	}
	return nil, false
}

func parseMatcher(e any, p string) (matcher, error) {
	if obj, ok := e.(map[string]any); ok {
		return parseOperator(obj, p)
	}
	if _, ok := e.([]any); ok {
		return matcher{}, invalid("Match value must be String, number, true, false, or null at %s", p)
	}
	v, ok := scalar(e)
	if !ok {
		return matcher{}, invalid("Match value must be String, number, true, false, or null at %s", p)
	}
	return matcher{kind: kExact, value: v}, nil
}

func parseOperator(obj map[string]any, p string) (matcher, error) {
	if len(obj) != 1 {
		return matcher{}, invalid("Only one key allowed in match expression at %s", p)
	}
	for op, v := range obj {
		switch op {
		case "prefix", "suffix":
			k := kPrefix
			if op == "suffix" {
				k = kSuffix
			}
			s, fold, err := stringOrIgnoreCase(op, v, p)
			return matcher{kind: k, str: s, fold: fold}, err
		case "equals-ignore-case":
			s, ok := v.(string)
			if !ok {
				return matcher{}, invalid("equals-ignore-case match pattern must be a string at %s", p)
			}
			return matcher{kind: kEqualsIgnoreCase, str: strings.ToLower(s)}, nil
		case "wildcard":
			s, ok := v.(string)
			if !ok {
				return matcher{}, invalid("wildcard match pattern must be a string at %s", p)
			}
			g, err := parseGlob(s, p)
			return matcher{kind: kWildcard, glob: g}, err
		case "exists":
			b, ok := v.(bool)
			if !ok {
				return matcher{}, invalid("exists match pattern must be either true or false at %s", p)
			}
			return matcher{kind: kExists, exists: b}, nil
		case "cidr":
			s, ok := v.(string)
			if !ok {
				return matcher{}, invalid("prefix/cidr match pattern must be a string at %s", p)
			}
			_, ipn, err := net.ParseCIDR(s)
			if err != nil {
				return matcher{}, invalid("Nonstandard IP address: %s at %s", s, p)
			}
			return matcher{kind: kCIDR, net: ipn}, nil
		case "numeric":
			r, err := parseNumeric(v, p)
			return matcher{kind: kNumeric, num: r}, err
		case "anything-but":
			b, err := parseAnythingBut(v, p)
			return matcher{kind: kAnythingBut, but: b}, err
		default:
			return matcher{}, invalid("Unrecognized match type %s at %s", op, p)
		}
	}
	panic("unreachable")
}

func stringOrIgnoreCase(op string, v any, p string) (string, bool, error) {
	switch t := v.(type) {
	case string:
		return t, false, nil
	case map[string]any:
		if s, ok := t["equals-ignore-case"].(string); ok && len(t) == 1 {
			return strings.ToLower(s), true, nil
		}
	}
	return "", false, invalid("%s match pattern must be a string or an equals-ignore-case object at %s", op, p)
}

// parseGlob splits a wildcard pattern into its literal pieces: "*" between
// them; "\*" is a literal star and "\\" a backslash.
func parseGlob(s, p string) ([]string, error) {
	var parts []string
	var cur strings.Builder
	prevStar := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 >= len(s) || (s[i+1] != '*' && s[i+1] != '\\') {
				return nil, invalid("Invalid escape character at pos %d at %s", i, p)
			}
			i++
			cur.WriteByte(s[i])
			prevStar = false
		case c == '*':
			if prevStar {
				return nil, invalid("Consecutive wildcard characters at pos %d at %s", i, p)
			}
			parts = append(parts, cur.String())
			cur.Reset()
			prevStar = true
		default:
			cur.WriteByte(c)
			prevStar = false
		}
	}
	return append(parts, cur.String()), nil
}

func parseNumeric(v any, p string) (numRange, error) {
	arr, ok := v.([]any)
	if !ok || (len(arr) != 2 && len(arr) != 4) {
		return numRange{}, invalid("Value of numeric must be an array of 2 or 4 elements at %s", p)
	}
	r := numRange{lo: math.Inf(-1), hi: math.Inf(1), loInc: true, hiInc: true}
	seenLo, seenHi := false, false
	for i := 0; i < len(arr); i += 2 {
		op, ok := arr[i].(string)
		if !ok {
			return numRange{}, invalid("numeric operator must be a string at %s", p)
		}
		n, ok := arr[i+1].(json.Number)
		if !ok {
			return numRange{}, invalid("Value of %s must be numeric at %s", op, p)
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil || math.IsInf(f, 0) {
			return numRange{}, invalid("Value of %s must be numeric at %s", op, p)
		}
		switch op {
		case "=":
			if len(arr) != 2 {
				return numRange{}, invalid("Value of = must be the only condition in numeric at %s", p)
			}
			return numRange{lo: f, hi: f, loInc: true, hiInc: true}, nil
		case ">", ">=":
			if seenLo {
				return numRange{}, invalid("Bad numeric range: two lower bounds at %s", p)
			}
			seenLo, r.lo, r.loInc = true, f, op == ">="
		case "<", "<=":
			if seenHi {
				return numRange{}, invalid("Bad numeric range: two upper bounds at %s", p)
			}
			seenHi, r.hi, r.hiInc = true, f, op == "<="
		default:
			return numRange{}, invalid("Unrecognized numeric range operator: %s at %s", op, p)
		}
	}
	if r.lo > r.hi || (r.lo == r.hi && !(r.loInc && r.hiInc)) {
		return numRange{}, invalid("Bad numeric range: the lower bound is not below the upper bound at %s", p)
	}
	return r, nil
}

func parseAnythingBut(v any, p string) (*butSet, error) {
	b := &butSet{kind: kExact, strs: map[string]bool{}, nums: map[float64]bool{}}
	add := func(e any) error {
		switch t := e.(type) {
		case string:
			b.strs[t] = true
		case json.Number:
			f, err := strconv.ParseFloat(string(t), 64)
			if err != nil {
				return invalid("Value of anything-but must be numeric at %s", p)
			}
			b.nums[f] = true
		default:
			return invalid("Inside anything but list, start|null|boolean is not supported at %s", p)
		}
		return nil
	}
	switch t := v.(type) {
	case []any:
		if len(t) == 0 {
			return nil, invalid("Empty arrays are not allowed in anything-but at %s", p)
		}
		_, str0 := t[0].(string)
		for _, e := range t {
			if _, s := e.(string); s != str0 {
				return nil, invalid("Inside anything but list, all values must be of one type, strings or numbers at %s", p)
			}
			if err := add(e); err != nil {
				return nil, err
			}
		}
		return b, nil
	case map[string]any:
		if len(t) != 1 {
			return nil, invalid("Only one key allowed in match expression at %s", p)
		}
		for op, ov := range t {
			switch op {
			case "prefix", "suffix":
				s, ok := ov.(string)
				if !ok || s == "" {
					return nil, invalid("Value of %s inside anything-but must be a non-empty string at %s", op, p)
				}
				b.kind, b.str = kPrefix, s
				if op == "suffix" {
					b.kind = kSuffix
				}
				return b, nil
			case "equals-ignore-case", "wildcard":
				var list []string
				switch ot := ov.(type) {
				case string:
					list = []string{ot}
				case []any:
					for _, e := range ot {
						s, ok := e.(string)
						if !ok {
							return nil, invalid("Inside anything-but/%s list, values must be strings at %s", op, p)
						}
						list = append(list, s)
					}
				}
				if len(list) == 0 {
					return nil, invalid("Value of %s inside anything-but must be a string or a list of strings at %s", op, p)
				}
				if op == "equals-ignore-case" {
					b.kind = kEqualsIgnoreCase
					for _, s := range list {
						b.folds = append(b.folds, strings.ToLower(s))
					}
					return b, nil
				}
				b.kind = kWildcard
				for _, s := range list {
					g, err := parseGlob(s, p)
					if err != nil {
						return nil, err
					}
					b.globs = append(b.globs, g)
				}
				return b, nil
			default:
				return nil, invalid("Unsupported anything-but pattern: %s at %s", op, p)
			}
		}
	case nil, bool:
		return nil, invalid("Inside anything but list, start|null|boolean is not supported at %s", p)
	default:
		if err := add(v); err != nil {
			return nil, err
		}
		return b, nil
	}
	return b, nil
}
