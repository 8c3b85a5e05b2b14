package expr

import (
	"strings"
	"unicode/utf8"

	"github.com/nubo-run/nubo/internal/tables/attr"
)

// Get resolves a document path in an item.
func Get(it attr.Item, p Path) (attr.Value, bool) {
	if len(p) == 0 || p[0].IsIdx {
		return attr.Value{}, false
	}
	v, ok := it[p[0].Name]
	if !ok {
		return attr.Value{}, false
	}
	for _, st := range p[1:] {
		switch {
		case st.IsIdx && v.Kind == attr.L && st.Index < len(v.L):
			v = v.L[st.Index]
		case !st.IsIdx && v.Kind == attr.M:
			if v, ok = v.M[st.Name]; !ok {
				return attr.Value{}, false
			}
		default:
			return attr.Value{}, false
		}
	}
	return v, true
}

func (o Operand) eval(it attr.Item) (attr.Value, bool) {
	switch {
	case o.Value != nil:
		return *o.Value, true
	case o.Size != nil:
		v, ok := Get(it, o.Size)
		if !ok {
			return attr.Value{}, false
		}
		n, ok := sizeOf(v)
		if !ok {
			return attr.Value{}, false
		}
		return attr.Num(itoa(n)), true
	}
	return Get(it, o.Path)
}

// sizeOf is size(): a string's characters, a binary's bytes, a set's,
// list's or map's elements.
func sizeOf(v attr.Value) (int, bool) {
	switch v.Kind {
	case attr.S:
		return utf8.RuneCountInString(v.Str), true
	case attr.B:
		return len(v.Str), true
	case attr.SS, attr.NS, attr.BS:
		return len(v.Set), true
	case attr.L:
		return len(v.L), true
	case attr.M:
		return len(v.M), true
	}
	return 0, false
}

// Eval evaluates a condition on an item (nil item: no item; a nil
// condition holds).
func (c *Cond) Eval(it attr.Item) bool {
	if c == nil {
		return true
	}
	switch c.Op {
	case "AND":
		return c.L.Eval(it) && c.R.Eval(it)
	case "OR":
		return c.L.Eval(it) || c.R.Eval(it)
	case "NOT":
		return !c.L.Eval(it)
	case "FUNC":
		return c.function(it)
	case "BETWEEN":
		v, ok1 := c.Args[0].eval(it)
		lo, ok2 := c.Args[1].eval(it)
		hi, ok3 := c.Args[2].eval(it)
		if !ok1 || !ok2 || !ok3 {
			return false
		}
		a, okA := attr.Compare(lo, v)
		b, okB := attr.Compare(v, hi)
		return okA && okB && a <= 0 && b <= 0
	case "IN":
		v, ok := c.Args[0].eval(it)
		if !ok {
			return false
		}
		for _, o := range c.Args[1:] {
			if w, ok := o.eval(it); ok && attr.Equal(v, w) {
				return true
			}
		}
		return false
	}
	a, okA := c.Args[0].eval(it)
	b, okB := c.Args[1].eval(it)
	if !okA || !okB {
		return false
	}
	switch c.Op {
	case "=":
		return attr.Equal(a, b)
	case "<>":
		return !attr.Equal(a, b)
	}
	n, ok := attr.Compare(a, b)
	if !ok {
		return false
	}
	switch c.Op {
	case "<":
		return n < 0
	case "<=":
		return n <= 0
	case ">":
		return n > 0
	case ">=":
		return n >= 0
	}
	return false
}

func (c *Cond) function(it attr.Item) bool {
	v, exists := Get(it, c.Args[0].Path)
	switch c.Function {
	case "attribute_exists":
		return exists
	case "attribute_not_exists":
		return !exists
	}
	if !exists {
		return false
	}
	arg, ok := c.Args[1].eval(it)
	if !ok {
		return false
	}
	switch c.Function {
	case "attribute_type":
		return string(v.Kind) == arg.Str
	case "begins_with":
		return (v.Kind == attr.S || v.Kind == attr.B) && v.Kind == arg.Kind && strings.HasPrefix(v.Str, arg.Str)
	case "contains":
		// A string's substring, a set's element or a list's element (the
		// developer guide lists no binary case).
		switch v.Kind {
		case attr.S:
			return arg.Kind == attr.S && strings.Contains(v.Str, arg.Str)
		case attr.SS, attr.NS, attr.BS:
			return v.Contains(arg)
		case attr.L:
			for _, e := range v.L {
				if attr.Equal(e, arg) {
					return true
				}
			}
		}
	}
	return false
}
