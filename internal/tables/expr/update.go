package expr

import (
	"sort"
	"strings"

	"github.com/nubo-run/nubo/internal/tables/attr"
)

const updateKind = "UpdateExpression"

// ParseUpdate parses an UpdateExpression: SET, REMOVE, ADD and DELETE
// clauses, each at most once, in any order.
func ParseUpdate(src string, env *Env) (*Update, error) {
	p, err := newParser(updateKind, src, env)
	if err != nil {
		return nil, err
	}
	u := &Update{}
	seen := map[string]bool{}
	for p.peek().kind != tEOF {
		t := p.next()
		clause := strings.ToUpper(t.text)
		if t.kind != tIdent || (clause != "SET" && clause != "REMOVE" && clause != "ADD" && clause != "DELETE") {
			p.back(t)
			return nil, p.fail()
		}
		if seen[clause] {
			return nil, p.errf("The %q section can only be used once in an update expression;", clause)
		}
		seen[clause] = true
		for {
			a, err := p.action(clause)
			if err != nil {
				return nil, err
			}
			u.Actions = append(u.Actions, a)
			if !p.punct(",") {
				break
			}
		}
	}
	for i, a := range u.Actions {
		for _, b := range u.Actions[:i] {
			if err := overlap(updateKind, b.Path, a.Path); err != nil {
				return nil, err
			}
		}
	}
	return u, nil
}

func (p *parser) action(clause string) (Action, error) {
	path, err := p.path()
	if err != nil {
		return Action{}, err
	}
	a := Action{Clause: clause, Path: path}
	switch clause {
	case "SET":
		if t := p.next(); t.kind != tOp || t.text != "=" {
			p.back(t)
			return a, p.fail()
		}
		a.Set, err = p.setValue()
		return a, err
	case "ADD", "DELETE":
		v, err := p.value()
		if err != nil {
			return a, err
		}
		ok := v.IsSet() || (clause == "ADD" && v.Kind == attr.N)
		if !ok {
			return a, p.errf("Incorrect operand type for operator or function; operator: %s, operand type: %s", clause, typeName(v.Kind))
		}
		a.Value = v
	}
	return a, nil
}

func typeName(k attr.Kind) string {
	switch k {
	case attr.S:
		return "STRING"
	case attr.N:
		return "NUMBER"
	case attr.B:
		return "BINARY"
	case attr.BOOL:
		return "BOOLEAN"
	case attr.M:
		return "MAP"
	case attr.L:
		return "LIST"
	}
	return string(k)
}

func (p *parser) setValue() (*SetValue, error) {
	a, err := p.setOperand()
	if err != nil {
		return nil, err
	}
	sv := &SetValue{A: a}
	if t := p.peek(); t.kind == tOp && (t.text == "+" || t.text == "-") {
		p.next()
		b, err := p.setOperand()
		if err != nil {
			return nil, err
		}
		sv.Op, sv.B = t.text, b
	}
	return sv, nil
}

func (p *parser) setOperand() (*SetOperand, error) {
	t := p.peek()
	switch {
	case t.kind == tValue:
		v, err := p.value()
		return &SetOperand{Value: v}, err
	case t.kind == tIdent && p.toks[p.i+1].text == "(":
		if t.text != "if_not_exists" && t.text != "list_append" {
			if isReservedFunc(t.text) {
				return nil, p.errf("The function is not allowed in an update expression; function: %s", t.text)
			}
			return nil, p.errf("Invalid function name; function: %s", t.text)
		}
		p.next()
		p.next()
		o := &SetOperand{Function: t.text}
		for {
			arg, err := p.setOperand()
			if err != nil {
				return nil, err
			}
			o.Args = append(o.Args, arg)
			if p.punct(")") {
				break
			}
			if err := p.expect(","); err != nil {
				return nil, err
			}
		}
		if len(o.Args) != 2 {
			return nil, p.errf("Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d", t.text, len(o.Args))
		}
		if t.text == "if_not_exists" && o.Args[0].Path == nil {
			return nil, p.errf("Operator or function requires a document path; operator or function: if_not_exists")
		}
		return o, nil
	case t.kind == tIdent || t.kind == tName:
		path, err := p.path()
		return &SetOperand{Path: path}, err
	}
	return nil, p.fail()
}

// Paths are the document paths an update writes.
func (u *Update) Paths() []Path {
	out := make([]Path, len(u.Actions))
	for i, a := range u.Actions {
		out[i] = a.Path
	}
	return out
}

func updateErr(msg string) error { return &Error{Kind: updateKind, Msg: msg, Plain: true} }

// Apply returns the item after the update (it is not changed): every
// operand reads the item as it was before.
func (u *Update) Apply(old attr.Item) (attr.Item, error) {
	it := Clone(old)
	var removes []Path
	for _, a := range u.Actions {
		switch a.Clause {
		case "SET":
			v, err := a.Set.eval(old)
			if err != nil {
				return nil, err
			}
			if err := set(it, a.Path, v); err != nil {
				return nil, err
			}
		case "REMOVE":
			removes = append(removes, a.Path)
		case "ADD":
			cur, exists := Get(old, a.Path)
			var next attr.Value
			switch {
			case !exists:
				next = *a.Value
			case a.Value.Kind == attr.N && cur.Kind == attr.N:
				d, err := cur.Decimal().Add(a.Value.Decimal())
				if err != nil {
					return nil, updateErr(err.Error())
				}
				next = attr.Value{Kind: attr.N, Str: d.String()}
			case cur.Kind == a.Value.Kind && cur.IsSet():
				next = union(cur, *a.Value)
			default:
				return nil, updateErr("An operand in the update expression has an incorrect data type")
			}
			if err := set(it, a.Path, next); err != nil {
				return nil, err
			}
		case "DELETE":
			cur, exists := Get(old, a.Path)
			if !exists {
				continue
			}
			if cur.Kind != a.Value.Kind {
				return nil, updateErr("An operand in the update expression has an incorrect data type")
			}
			next := cur
			next.Set = nil
			for _, e := range cur.Set {
				if !a.Value.Contains(attr.Value{Kind: cur.Kind.ElemKind(), Str: e}) {
					next.Set = append(next.Set, e)
				}
			}
			if len(next.Set) == 0 {
				removes = append(removes, a.Path)
				continue
			}
			if err := set(it, a.Path, next); err != nil {
				return nil, err
			}
		}
	}
	// Remove list elements from the highest index down, so each index
	// names the element it named in the original list.
	sort.SliceStable(removes, func(i, j int) bool {
		a, b := removes[i], removes[j]
		return len(a) == len(b) && a[len(a)-1].IsIdx && b[len(b)-1].IsIdx && a[len(a)-1].Index > b[len(b)-1].Index
	})
	for _, p := range removes {
		remove(it, p)
	}
	return it, nil
}

func union(a, b attr.Value) attr.Value {
	out := a
	out.Set = append([]string(nil), a.Set...)
	for _, e := range b.Set {
		if !a.Contains(attr.Value{Kind: a.Kind.ElemKind(), Str: e}) {
			out.Set = append(out.Set, e)
		}
	}
	return out
}

func (sv *SetValue) eval(it attr.Item) (attr.Value, error) {
	a, err := sv.A.eval(it)
	if err != nil || sv.Op == "" {
		return a, err
	}
	b, err := sv.B.eval(it)
	if err != nil {
		return a, err
	}
	if a.Kind != attr.N || b.Kind != attr.N {
		return a, updateErr("An operand in the update expression has an incorrect data type")
	}
	var d attr.Decimal
	if sv.Op == "+" {
		d, err = a.Decimal().Add(b.Decimal())
	} else {
		d, err = a.Decimal().Sub(b.Decimal())
	}
	if err != nil {
		return a, updateErr(err.Error())
	}
	return attr.Value{Kind: attr.N, Str: d.String()}, nil
}

func (o *SetOperand) eval(it attr.Item) (attr.Value, error) {
	switch {
	case o.Value != nil:
		return *o.Value, nil
	case o.Function == "if_not_exists":
		if v, ok := Get(it, o.Args[0].Path); ok {
			return v, nil
		}
		return o.Args[1].eval(it)
	case o.Function == "list_append":
		a, err := o.Args[0].eval(it)
		if err != nil {
			return a, err
		}
		b, err := o.Args[1].eval(it)
		if err != nil {
			return a, err
		}
		if a.Kind != attr.L || b.Kind != attr.L {
			return a, updateErr("An operand in the update expression has an incorrect data type")
		}
		return attr.Value{Kind: attr.L, L: append(append([]attr.Value{}, a.L...), b.L...)}, nil
	}
	v, ok := Get(it, o.Path)
	if !ok {
		return v, updateErr("The provided expression refers to an attribute that does not exist in the item")
	}
	return v, nil
}

var errInvalidPath = updateErr("The document path provided in the update expression is invalid for update")

// set writes v at p, the parent having to exist (a list index past the
// end appends).
func set(it attr.Item, p Path, v attr.Value) error {
	if len(p) == 1 {
		it[p[0].Name] = v
		return nil
	}
	root, ok := it[p[0].Name]
	if !ok {
		return errInvalidPath
	}
	next, err := setIn(root, p[1:], v)
	if err != nil {
		return err
	}
	it[p[0].Name] = next
	return nil
}

func setIn(cur attr.Value, rest Path, v attr.Value) (attr.Value, error) {
	st := rest[0]
	switch {
	case st.IsIdx && cur.Kind == attr.L:
		if len(rest) == 1 {
			if st.Index >= len(cur.L) {
				cur.L = append(cur.L, v)
			} else {
				cur.L[st.Index] = v
			}
			return cur, nil
		}
		if st.Index >= len(cur.L) {
			return cur, errInvalidPath
		}
		e, err := setIn(cur.L[st.Index], rest[1:], v)
		cur.L[st.Index] = e
		return cur, err
	case !st.IsIdx && cur.Kind == attr.M:
		if len(rest) == 1 {
			cur.M[st.Name] = v
			return cur, nil
		}
		e, ok := cur.M[st.Name]
		if !ok {
			return cur, errInvalidPath
		}
		e, err := setIn(e, rest[1:], v)
		cur.M[st.Name] = e
		return cur, err
	}
	return cur, errInvalidPath
}

func remove(it attr.Item, p Path) {
	if len(p) == 1 {
		delete(it, p[0].Name)
		return
	}
	root, ok := it[p[0].Name]
	if !ok {
		return
	}
	it[p[0].Name] = removeIn(root, p[1:])
}

func removeIn(cur attr.Value, rest Path) attr.Value {
	st := rest[0]
	switch {
	case st.IsIdx && cur.Kind == attr.L && st.Index < len(cur.L):
		if len(rest) == 1 {
			cur.L = append(cur.L[:st.Index:st.Index], cur.L[st.Index+1:]...)
			return cur
		}
		cur.L[st.Index] = removeIn(cur.L[st.Index], rest[1:])
	case !st.IsIdx && cur.Kind == attr.M:
		if len(rest) == 1 {
			delete(cur.M, st.Name)
			return cur
		}
		if e, ok := cur.M[st.Name]; ok {
			cur.M[st.Name] = removeIn(e, rest[1:])
		}
	}
	return cur
}

// Clone deep-copies an item.
func Clone(it attr.Item) attr.Item {
	if it == nil {
		return attr.Item{}
	}
	out := make(attr.Item, len(it))
	for k, v := range it {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v attr.Value) attr.Value {
	switch v.Kind {
	case attr.M:
		m := make(map[string]attr.Value, len(v.M))
		for k, e := range v.M {
			m[k] = cloneValue(e)
		}
		v.M = m
	case attr.L:
		l := make([]attr.Value, len(v.L))
		for i, e := range v.L {
			l[i] = cloneValue(e)
		}
		v.L = l
	case attr.SS, attr.NS, attr.BS:
		v.Set = append([]string(nil), v.Set...)
	}
	return v
}
