package vtl

import (
	"regexp"
	"strings"
	"unicode/utf16"
)

// The Java methods templates call on values, as far as mapping templates
// use them: String, Number, List, Map (and $input, $util: Objects).
// A method the value does not have is null, as in Velocity.

func (s *state) call(v any, name string, args []any) (any, error) {
	switch x := v.(type) {
	case Object:
		r, ok, err := x.Call(name, args)
		if ok || err != nil {
			return r, err
		}
	case string:
		return s.stringMethod(x, name, args)
	case *Map:
		return s.mapMethod(x, name, args)
	case int64, float64:
		return numberMethod(x, name, args), nil
	}
	if items, ok := listItems(v); ok {
		return s.listMethod(v, items, name, args)
	}
	switch name {
	case "toString":
		return ToString(v), nil
	case "equals":
		if len(args) == 1 {
			return equal(v, args[0]), nil
		}
	}
	return nil, nil
}

func argString(args []any, i int) (string, bool) {
	if i >= len(args) || args[i] == nil {
		return "", false
	}
	return ToString(args[i]), true
}

func argInt(args []any, i int) (int, bool) {
	if i >= len(args) {
		return 0, false
	}
	n, ok := args[i].(int64)
	return int(n), ok
}

// utf16Len and the index methods count UTF-16 units, as Java does.
func units(s string) []uint16 { return utf16.Encode([]rune(s)) }

func fromUnits(u []uint16) string { return string(utf16.Decode(u)) }

func (s *state) stringMethod(str, name string, args []any) (any, error) {
	a0, has0 := argString(args, 0)
	switch name {
	case "toString", "trim", "toLowerCase", "toUpperCase", "length", "isEmpty", "isBlank", "strip":
		switch name {
		case "toString":
			return str, nil
		case "trim", "strip":
			return strings.TrimSpace(str), nil
		case "toLowerCase":
			return strings.ToLower(str), nil
		case "toUpperCase":
			return strings.ToUpper(str), nil
		case "length":
			return int64(len(units(str))), nil
		case "isEmpty":
			return str == "", nil
		case "isBlank":
			return strings.TrimSpace(str) == "", nil
		}
	case "contains":
		if has0 {
			return strings.Contains(str, a0), nil
		}
	case "startsWith":
		if has0 {
			return strings.HasPrefix(str, a0), nil
		}
	case "endsWith":
		if has0 {
			return strings.HasSuffix(str, a0), nil
		}
	case "equals":
		if len(args) == 1 {
			b, ok := args[0].(string)
			return ok && b == str, nil
		}
	case "equalsIgnoreCase":
		if has0 {
			return strings.EqualFold(str, a0), nil
		}
	case "indexOf", "lastIndexOf":
		if has0 {
			u, sub := units(str), units(a0)
			idx := -1
			if name == "indexOf" {
				idx = indexUnits(u, sub)
			} else {
				for i := len(u) - len(sub); i >= 0; i-- {
					if equalUnits(u[i:i+len(sub)], sub) {
						idx = i
						break
					}
				}
			}
			return int64(idx), nil
		}
	case "charAt":
		u := units(str)
		if i, ok := argInt(args, 0); ok && i >= 0 && i < len(u) {
			return fromUnits(u[i : i+1]), nil
		}
		return nil, evalErr("charAt: index out of range")
	case "substring":
		u := units(str)
		b, ok := argInt(args, 0)
		e, hasEnd := argInt(args, 1)
		if !hasEnd {
			e = len(u)
		}
		if !ok || b < 0 || e > len(u) || b > e {
			return nil, evalErr("substring: index out of range")
		}
		return fromUnits(u[b:e]), nil
	case "concat":
		if has0 {
			return s.checkLen(str + a0)
		}
	case "replace":
		if a1, ok := argString(args, 1); has0 && ok {
			if a0 == "" {
				return nil, evalErr("replace: empty target")
			}
			return s.checkLen(strings.ReplaceAll(str, a0, a1))
		}
	case "replaceAll", "replaceFirst":
		a1, ok := argString(args, 1)
		if !has0 || !ok {
			return nil, nil
		}
		re, err := javaRegexp(a0)
		if err != nil {
			return nil, err
		}
		repl := javaReplacement(a1)
		if name == "replaceAll" {
			return s.checkLen(re.ReplaceAllString(str, repl))
		}
		loc := re.FindStringSubmatchIndex(str)
		if loc == nil {
			return str, nil
		}
		out := re.ExpandString(nil, repl, str, loc)
		return s.checkLen(str[:loc[0]] + string(out) + str[loc[1]:])
	case "matches":
		if has0 {
			re, err := javaRegexp("^(?:" + a0 + ")$")
			if err != nil {
				return nil, err
			}
			return re.MatchString(str), nil
		}
	case "split":
		if has0 {
			re, err := javaRegexp(a0)
			if err != nil {
				return nil, err
			}
			parts := re.Split(str, -1)
			for len(parts) > 1 && parts[len(parts)-1] == "" {
				parts = parts[:len(parts)-1]
			}
			l := &List{Items: make([]any, len(parts))}
			for i, p := range parts {
				l.Items[i] = p
			}
			return l, nil
		}
	}
	return nil, nil
}

func indexUnits(u, sub []uint16) int {
	for i := 0; i+len(sub) <= len(u); i++ {
		if equalUnits(u[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func equalUnits(a, b []uint16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// javaRegexp compiles a Java regular expression with Go's RE2 syntax: the
// common subset is the same; lookarounds and backreferences are refused.
func javaRegexp(expr string) (*regexp.Regexp, error) {
	if len(expr) > 1000 {
		return nil, evalErr("regular expression over 1000 characters")
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, evalErr("regular expression %q: %v", expr, err)
	}
	return re, nil
}

// javaReplacement turns a Java replacement ($1, \$) into Go's (${1}, $$).
func javaReplacement(r string) string {
	var b strings.Builder
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch {
		case c == '\\' && i+1 < len(r):
			i++
			if r[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteByte(r[i])
			}
		case c == '$':
			j := i + 1
			for j < len(r) && isDigit(r[j]) {
				j++
			}
			if j > i+1 {
				b.WriteString("${" + r[i+1:j] + "}")
				i = j - 1
			} else {
				b.WriteString("$$")
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func numberMethod(v any, name string, args []any) any {
	switch name {
	case "toString":
		return ToString(v)
	case "intValue", "longValue":
		n, _ := toInt(v)
		if name == "intValue" {
			n = int64(int32(n))
		}
		return n
	case "doubleValue", "floatValue":
		f, _ := toFloat(v)
		return f
	case "equals":
		if len(args) == 1 {
			_, ai := args[0].(int64)
			_, vi := v.(int64)
			return ai == vi && equal(v, args[0])
		}
	case "compareTo":
		if len(args) == 1 {
			if c, ok := compare(v, args[0]); ok {
				return int64(c)
			}
		}
	}
	return nil
}

func (s *state) listMethod(v any, items []any, name string, args []any) (any, error) {
	switch name {
	case "size":
		return int64(len(items)), nil
	case "isEmpty":
		return len(items) == 0, nil
	case "get":
		if i, ok := argInt(args, 0); ok {
			if i < 0 || i >= len(items) {
				return nil, evalErr("get(%d): index out of range (size %d)", i, len(items))
			}
			return items[i], nil
		}
	case "contains":
		if len(args) == 1 {
			for _, x := range items {
				if equal(x, args[0]) {
					return true, nil
				}
			}
			return false, nil
		}
	case "indexOf":
		if len(args) == 1 {
			for i, x := range items {
				if equal(x, args[0]) {
					return int64(i), nil
				}
			}
			return int64(-1), nil
		}
	case "toString":
		return s.checkLen(ToString(v))
	case "add":
		l, ok := v.(*List)
		if !ok || len(args) != 1 {
			return nil, nil
		}
		if err := s.step(); err != nil {
			return nil, err
		}
		l.Items = append(l.Items, args[0])
		return true, nil
	case "set":
		l, ok := v.(*List)
		i, isInt := argInt(args, 0)
		if !ok || !isInt || len(args) != 2 {
			return nil, nil
		}
		if i < 0 || i >= len(l.Items) {
			return nil, evalErr("set(%d): index out of range (size %d)", i, len(l.Items))
		}
		old := l.Items[i]
		l.Items[i] = args[1]
		return old, nil
	}
	return nil, nil
}

func (s *state) mapMethod(m *Map, name string, args []any) (any, error) {
	k, hasKey := argString(args, 0)
	switch name {
	case "get":
		if hasKey {
			v, _ := m.Get(k)
			return v, nil
		}
	case "containsKey":
		if hasKey {
			_, ok := m.Get(k)
			return ok, nil
		}
	case "keySet":
		l := &List{Items: make([]any, 0, m.Len())}
		for _, key := range m.Keys() {
			l.Items = append(l.Items, key)
		}
		return l, nil
	case "values":
		l := &List{Items: make([]any, 0, m.Len())}
		for _, key := range m.Keys() {
			l.Items = append(l.Items, m.m[key])
		}
		return l, nil
	case "entrySet":
		l := &List{Items: make([]any, 0, m.Len())}
		for _, key := range m.Keys() {
			l.Items = append(l.Items, MapOf("key", key, "value", m.m[key]))
		}
		return l, nil
	case "size":
		return int64(m.Len()), nil
	case "isEmpty":
		return m.Len() == 0, nil
	case "put":
		if hasKey && len(args) == 2 {
			if err := s.step(); err != nil {
				return nil, err
			}
			return m.Put(k, args[1]), nil
		}
	case "remove":
		if hasKey {
			return m.Remove(k), nil
		}
	case "toString":
		return s.checkLen(ToString(m))
	}
	return nil, nil
}
