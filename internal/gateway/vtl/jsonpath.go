package vtl

import (
	"fmt"
	"strconv"
	"strings"
)

// JSONPath as $input.path and $input.json take it: the subset API Gateway's
// mapping templates use. Supported: the root $, .name and ['name'] (also
// "name"), [n] and [-n], [*] and .*, [start:end], ..name (recursive
// descent) and unions ['a','b'] / [0,1]. A path without $ is read from the
// root. Filters ([?(...)]) and script expressions are refused.

type pathStep struct {
	kind  byte // 'n' name, 'i' index, '*' wildcard, 's' slice, 'r' recursive name, 'u' union
	name  string
	index int
	end   int
	hasLo bool
	hasHi bool
	union []pathStep
}

// JSONPathError is a path outside the supported subset.
type JSONPathError struct{ Path, Msg string }

func (e *JSONPathError) Error() string { return fmt.Sprintf("jsonpath %q: %s", e.Path, e.Msg) }

// parsePath parses p; definite is true when it selects at most one value.
func parsePath(p string) (steps []pathStep, definite bool, err error) {
	bad := func(msg string) ([]pathStep, bool, error) { return nil, false, &JSONPathError{Path: p, Msg: msg} }
	if len(p) > 1000 {
		return bad("over 1000 characters")
	}
	s := strings.TrimSpace(p)
	if strings.HasPrefix(s, "$") {
		s = s[1:]
	} else if s != "" && s[0] != '.' && s[0] != '[' {
		s = "." + s
	}
	definite = true
	for s != "" {
		switch {
		case strings.HasPrefix(s, ".."):
			s = s[2:]
			name, rest := cutName(s)
			if name == "" && strings.HasPrefix(s, "*") {
				name, rest = "*", s[1:]
			}
			if name == "" {
				return bad("want a name after ..")
			}
			steps, s, definite = append(steps, pathStep{kind: 'r', name: name}), rest, false
		case s[0] == '.':
			s = s[1:]
			if strings.HasPrefix(s, "*") {
				steps, s, definite = append(steps, pathStep{kind: '*'}), s[1:], false
				continue
			}
			name, rest := cutName(s)
			if name == "" {
				return bad("want a name after .")
			}
			steps, s = append(steps, pathStep{kind: 'n', name: name}), rest
		case s[0] == '[':
			end := closingBracket(s)
			if end < 0 {
				return bad("unclosed [")
			}
			inner := strings.TrimSpace(s[1:end])
			s = s[end+1:]
			st, def, err := parseBracket(inner)
			if err != nil {
				return bad(err.Error())
			}
			steps, definite = append(steps, st), definite && def
		default:
			return bad(fmt.Sprintf("unexpected %q", s[0]))
		}
		if len(steps) > 100 {
			return bad("over 100 steps")
		}
	}
	return steps, definite, nil
}

func cutName(s string) (string, string) {
	i := 0
	for i < len(s) && s[i] != '.' && s[i] != '[' {
		i++
	}
	return s[:i], s[i:]
}

// closingBracket finds the ] closing s[0] == '[', skipping quoted text.
func closingBracket(s string) int {
	var q byte
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case q != 0 && c == '\\':
			i++
		case q != 0 && c == q:
			q = 0
		case q != 0:
		case c == '\'' || c == '"':
			q = c
		case c == ']':
			return i
		}
	}
	return -1
}

func parseBracket(inner string) (pathStep, bool, error) {
	switch {
	case inner == "*":
		return pathStep{kind: '*'}, false, nil
	case strings.HasPrefix(inner, "?") || strings.HasPrefix(inner, "("):
		return pathStep{}, false, fmt.Errorf("filters and script expressions are not supported")
	}
	parts := splitUnion(inner)
	if len(parts) > 1 {
		u := pathStep{kind: 'u'}
		for _, p := range parts {
			st, def, err := parseBracket(p)
			if err != nil || !def {
				return pathStep{}, false, fmt.Errorf("bad union member %q", p)
			}
			u.union = append(u.union, st)
		}
		return u, false, nil
	}
	if q := inner; len(q) >= 2 && (q[0] == '\'' || q[0] == '"') && q[len(q)-1] == q[0] {
		name := strings.ReplaceAll(q[1:len(q)-1], "\\"+q[:1], q[:1])
		return pathStep{kind: 'n', name: name}, true, nil
	}
	if lo, hi, ok := strings.Cut(inner, ":"); ok {
		st := pathStep{kind: 's'}
		var err error
		if lo = strings.TrimSpace(lo); lo != "" {
			if st.index, err = strconv.Atoi(lo); err != nil {
				return pathStep{}, false, fmt.Errorf("slice start %q", lo)
			}
			st.hasLo = true
		}
		if hi = strings.TrimSpace(hi); hi != "" {
			if st.end, err = strconv.Atoi(hi); err != nil {
				return pathStep{}, false, fmt.Errorf("slice end %q", hi)
			}
			st.hasHi = true
		}
		return st, false, nil
	}
	n, err := strconv.Atoi(inner)
	if err != nil {
		return pathStep{}, false, fmt.Errorf("index %q: want a number, '*', a quoted name or a slice", inner)
	}
	return pathStep{kind: 'i', index: n}, true, nil
}

func splitUnion(s string) []string {
	var out []string
	var q byte
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q != 0 && c == q:
			q = 0
		case q != 0:
		case c == '\'' || c == '"':
			q = c
		case c == ',':
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

// SelectPath evaluates a JSONPath on a value: a definite path gives its
// value (nil when absent), another one a *List of the matches.
func SelectPath(root any, path string) (any, error) {
	steps, definite, err := parsePath(path)
	if err != nil {
		return nil, err
	}
	cur := []any{root}
	budget := 1_000_000
	for _, st := range steps {
		var next []any
		for _, v := range cur {
			next = applyStep(next, v, st, &budget)
		}
		if budget < 0 {
			return nil, &JSONPathError{Path: path, Msg: "too many matches"}
		}
		cur = next
	}
	if definite {
		if len(cur) == 0 {
			return nil, nil
		}
		return cur[0], nil
	}
	return &List{Items: append([]any{}, cur...)}, nil
}

func applyStep(out []any, v any, st pathStep, budget *int) []any {
	*budget--
	if *budget < 0 {
		return out
	}
	items, isList := listItems(v)
	m, isMap := v.(*Map)
	switch st.kind {
	case 'n':
		if isMap {
			if x, ok := m.Get(st.name); ok {
				out = append(out, x)
			}
		}
	case 'i':
		i := st.index
		if i < 0 {
			i += len(items)
		}
		if isList && i >= 0 && i < len(items) {
			out = append(out, items[i])
		}
	case '*':
		if isMap {
			for _, k := range m.Keys() {
				out = append(out, m.m[k])
			}
		}
		out = append(out, items...)
	case 's':
		if !isList {
			return out
		}
		lo, hi := 0, len(items)
		if st.hasLo {
			lo = st.index
		}
		if st.hasHi {
			hi = st.end
		}
		if lo < 0 {
			lo += len(items)
		}
		if hi < 0 {
			hi += len(items)
		}
		lo, hi = max(lo, 0), min(hi, len(items))
		if lo < hi {
			out = append(out, items[lo:hi]...)
		}
	case 'u':
		for _, u := range st.union {
			out = applyStep(out, v, u, budget)
		}
	case 'r':
		if st.name == "*" {
			out = applyStep(out, v, pathStep{kind: '*'}, budget)
		} else {
			out = applyStep(out, v, pathStep{kind: 'n', name: st.name}, budget)
		}
		var children []any
		children = applyStep(children, v, pathStep{kind: '*'}, budget)
		for _, c := range children {
			if _, ok := c.(*Map); ok {
				out = applyStep(out, c, st, budget)
			} else if _, ok := listItems(c); ok {
				out = applyStep(out, c, st, budget)
			}
		}
	}
	return out
}
