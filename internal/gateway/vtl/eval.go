package vtl

import (
	"errors"
	"fmt"
	"strings"
)

// Template is a parsed template, safe for concurrent use.
type Template struct{ nodes []node }

// Parse parses a template.
func Parse(src string) (*Template, error) {
	p := &parser{src: src}
	nodes, _, err := p.parseBlock(false)
	if err != nil {
		return nil, err
	}
	return &Template{nodes: nodes}, nil
}

// Options bound an evaluation and pick its null rendering.
type Options struct {
	// MaxOutput bounds the output and every string built on the way
	// (bytes); default 10 MB, API Gateway's payload limit.
	MaxOutput int
	// MaxSteps bounds the work: directives, loop turns and calls; default
	// one million.
	MaxSteps int
	// QuietNulls renders a reference to nothing as "" instead of its own
	// text (Velocity renders "$missing" as "$missing"; API Gateway as "").
	QuietNulls bool
}

// ErrLimit is an evaluation over Options.MaxOutput or MaxSteps.
var ErrLimit = errors.New("vtl: template over its limits")

// EvalError is a failure while evaluating (a method that threw, in Java
// terms); API Gateway answers 500 then.
type EvalError struct{ Msg string }

func (e *EvalError) Error() string { return "vtl: " + e.Msg }

func evalErr(format string, args ...any) error {
	return &EvalError{Msg: fmt.Sprintf(format, args...)}
}

var (
	errStop  = errors.New("#stop")
	errBreak = errors.New("#break")
)

type state struct {
	vars  map[string]any
	out   strings.Builder
	steps int
	opt   Options
}

// Execute evaluates the template with vars ($name -> vars["name"]); #set
// changes a copy of vars, but the maps and lists in it are shared, so a
// caller can read what the template set in them ($context.responseOverride).
func (t *Template) Execute(vars map[string]any, opt Options) (string, error) {
	if opt.MaxOutput <= 0 {
		opt.MaxOutput = 10 << 20
	}
	if opt.MaxSteps <= 0 {
		opt.MaxSteps = 1_000_000
	}
	s := &state{vars: make(map[string]any, len(vars)+4), opt: opt}
	for k, v := range vars {
		s.vars[k] = v
	}
	err := s.exec(t.nodes)
	if errors.Is(err, errStop) || errors.Is(err, errBreak) {
		err = nil
	}
	if err != nil {
		return "", err
	}
	return s.out.String(), nil
}

func (s *state) step() error {
	s.steps++
	if s.steps > s.opt.MaxSteps {
		return fmt.Errorf("%w: more than %d steps", ErrLimit, s.opt.MaxSteps)
	}
	return nil
}

func (s *state) write(str string) error {
	if s.out.Len()+len(str) > s.opt.MaxOutput {
		return fmt.Errorf("%w: output over %d bytes", ErrLimit, s.opt.MaxOutput)
	}
	s.out.WriteString(str)
	return nil
}

// checkLen refuses a string over the output limit.
func (s *state) checkLen(str string) (string, error) {
	if len(str) > s.opt.MaxOutput {
		return "", fmt.Errorf("%w: a string over %d bytes", ErrLimit, s.opt.MaxOutput)
	}
	return str, nil
}

func (s *state) exec(nodes []node) error {
	for _, n := range nodes {
		if err := s.step(); err != nil {
			return err
		}
		switch n := n.(type) {
		case textNode:
			if err := s.write(string(n)); err != nil {
				return err
			}
		case refNode:
			v, err := s.evalRef(n.ref)
			if err != nil {
				return err
			}
			switch {
			case v != nil:
				err = s.write(ToString(v))
			case !n.ref.silent && !s.opt.QuietNulls:
				err = s.write(n.ref.src)
			}
			if err != nil {
				return err
			}
		case setNode:
			if err := s.set(n); err != nil {
				return err
			}
		case ifNode:
			done := false
			for i, c := range n.conds {
				v, err := s.eval(c)
				if err != nil {
					return err
				}
				if truthy(v) {
					if err := s.exec(n.blocks[i]); err != nil {
						return err
					}
					done = true
					break
				}
			}
			if !done && n.els != nil {
				if err := s.exec(n.els); err != nil {
					return err
				}
			}
		case foreachNode:
			if err := s.foreach(n); err != nil {
				return err
			}
		case breakNode:
			return errBreak
		case stopNode:
			return errStop
		}
	}
	return nil
}

func (s *state) foreach(n foreachNode) error {
	v, err := s.eval(n.list)
	if err != nil {
		return err
	}
	var items []any
	switch x := v.(type) {
	case *Map:
		for _, k := range x.Keys() {
			items = append(items, x.m[k])
		}
	default:
		items, _ = listItems(v) // not iterable: no turns, as Velocity
	}
	saved := map[string]any{}
	for _, k := range []string{n.name, "foreach", "velocityCount", "velocityHasNext"} {
		if old, ok := s.vars[k]; ok {
			saved[k] = old
		}
	}
	defer func() {
		for _, k := range []string{n.name, "foreach", "velocityCount", "velocityHasNext"} {
			if old, ok := saved[k]; ok {
				s.vars[k] = old
			} else {
				delete(s.vars, k)
			}
		}
	}()
	for i := 0; i < len(items); i++ {
		if err := s.step(); err != nil {
			return err
		}
		hasNext := i+1 < len(items)
		s.vars[n.name] = items[i]
		s.vars["foreach"] = MapOf("index", int64(i), "count", int64(i+1), "hasNext", hasNext,
			"first", i == 0, "last", !hasNext)
		s.vars["velocityCount"] = int64(i + 1)
		s.vars["velocityHasNext"] = hasNext
		err := s.exec(n.body)
		if errors.Is(err, errBreak) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *state) set(n setNode) error {
	v, err := s.eval(n.value)
	if err != nil {
		return err
	}
	if v == nil {
		return nil // Velocity leaves the left side alone when the right is null
	}
	r := n.target
	if len(r.parts) == 0 {
		s.vars[r.name] = v
		return nil
	}
	owner, err := s.walk(s.vars[r.name], r.parts[:len(r.parts)-1])
	if err != nil {
		return err
	}
	last := r.parts[len(r.parts)-1]
	if last.call {
		return evalErr("#set: cannot assign to a method call %s", r.src)
	}
	key := any(last.name)
	if last.index != nil {
		if key, err = s.eval(last.index); err != nil {
			return err
		}
	}
	switch o := owner.(type) {
	case *Map:
		o.Put(ToString(key), v)
	case *List:
		if i, ok := key.(int64); ok && i >= 0 && i < int64(len(o.Items)) {
			o.Items[i] = v
		}
	}
	return nil
}

func (s *state) evalRef(r *reference) (any, error) {
	return s.walk(s.vars[r.name], r.parts)
}

func (s *state) walk(v any, parts []refPart) (any, error) {
	for _, p := range parts {
		if v == nil {
			return nil, nil
		}
		if err := s.step(); err != nil {
			return nil, err
		}
		var err error
		switch {
		case p.index != nil:
			var k any
			if k, err = s.eval(p.index); err != nil {
				return nil, err
			}
			v = index(v, k)
		case p.call:
			args := make([]any, len(p.args))
			for i, a := range p.args {
				if args[i], err = s.eval(a); err != nil {
					return nil, err
				}
			}
			if v, err = s.call(v, p.name, args); err != nil {
				return nil, err
			}
		default:
			if v, err = s.property(v, p.name); err != nil {
				return nil, err
			}
		}
	}
	return v, nil
}

func index(v, k any) any {
	switch x := v.(type) {
	case *Map:
		r, _ := x.Get(ToString(k))
		return r
	default:
		items, ok := listItems(v)
		i, isInt := k.(int64)
		if !ok || !isInt {
			return nil
		}
		if i < 0 {
			i += int64(len(items))
		}
		if i < 0 || i >= int64(len(items)) {
			return nil
		}
		return items[i]
	}
}

// property is $v.name: a map's entry, an Object's property, else the
// getter getName()/isName() as Velocity looks them up.
func (s *state) property(v any, name string) (any, error) {
	switch x := v.(type) {
	case *Map:
		r, _ := x.Get(name)
		return r, nil
	case Object:
		if r, ok := x.Property(name); ok {
			return r, nil
		}
	}
	cap := strings.ToUpper(name[:1]) + name[1:]
	for _, getter := range []string{"get" + cap, "is" + cap} {
		r, err := s.call(v, getter, nil)
		if err != nil || r != nil {
			return r, err
		}
	}
	return nil, nil
}

func (s *state) eval(e expr) (any, error) {
	if err := s.step(); err != nil {
		return nil, err
	}
	switch e := e.(type) {
	case litExpr:
		return e.v, nil
	case *reference:
		return s.evalRef(e)
	case strExpr:
		sub := &state{vars: s.vars, opt: s.opt, steps: s.steps}
		sub.opt.QuietNulls = s.opt.QuietNulls
		err := sub.exec(e.nodes)
		s.steps = sub.steps
		if err != nil && !errors.Is(err, errStop) && !errors.Is(err, errBreak) {
			return nil, err
		}
		return sub.out.String(), nil
	case listExpr:
		l := &List{Items: make([]any, 0, len(e.elems))}
		for _, x := range e.elems {
			v, err := s.eval(x)
			if err != nil {
				return nil, err
			}
			l.Items = append(l.Items, v)
		}
		return l, nil
	case rangeExpr:
		return s.evalRange(e)
	case mapExpr:
		m := NewMap()
		for i := range e.keys {
			k, err := s.eval(e.keys[i])
			if err != nil {
				return nil, err
			}
			v, err := s.eval(e.vals[i])
			if err != nil {
				return nil, err
			}
			m.Put(ToString(k), v)
		}
		return m, nil
	case unExpr:
		v, err := s.eval(e.x)
		if err != nil {
			return nil, err
		}
		if e.op == "!" {
			return !truthy(v), nil
		}
		switch n := v.(type) {
		case int64:
			return -n, nil
		case float64:
			return -n, nil
		}
		return nil, nil
	case binExpr:
		return s.evalBinary(e)
	}
	return nil, evalErr("unknown expression %T", e)
}

func (s *state) evalRange(e rangeExpr) (any, error) {
	from, err := s.eval(e.from)
	if err != nil {
		return nil, err
	}
	to, err := s.eval(e.to)
	if err != nil {
		return nil, err
	}
	a, ok1 := toInt(from)
	b, ok2 := toInt(to)
	if !ok1 || !ok2 {
		return nil, nil
	}
	n := b - a
	if n < 0 {
		n = -n
	}
	if n >= int64(s.opt.MaxSteps-s.steps) {
		return nil, fmt.Errorf("%w: a range of %d elements", ErrLimit, n+1)
	}
	l := &List{Items: make([]any, 0, n+1)}
	for i := a; ; {
		l.Items = append(l.Items, i)
		if i == b {
			break
		}
		if a < b {
			i++
		} else {
			i--
		}
	}
	s.steps += int(n)
	return l, nil
}

func (s *state) evalBinary(e binExpr) (any, error) {
	l, err := s.eval(e.l)
	if err != nil {
		return nil, err
	}
	switch e.op {
	case "&&":
		if !truthy(l) {
			return false, nil
		}
		r, err := s.eval(e.r)
		return truthy(r), err
	case "||":
		if truthy(l) {
			return true, nil
		}
		r, err := s.eval(e.r)
		return truthy(r), err
	}
	r, err := s.eval(e.r)
	if err != nil {
		return nil, err
	}
	switch e.op {
	case "==":
		return equal(l, r), nil
	case "!=":
		return !equal(l, r), nil
	case "<", ">", "<=", ">=":
		c, ok := compare(l, r)
		if !ok {
			return false, nil
		}
		switch e.op {
		case "<":
			return c < 0, nil
		case ">":
			return c > 0, nil
		case "<=":
			return c <= 0, nil
		default:
			return c >= 0, nil
		}
	case "+":
		_, ls := l.(string)
		_, rs := r.(string)
		if ls || rs {
			if l == nil || r == nil {
				return nil, nil
			}
			return s.checkLen(ToString(l) + ToString(r))
		}
	}
	return arith(e.op, l, r), nil
}
