package expr

import (
	"strings"

	"github.com/nubo-run/nubo/internal/tables/attr"
)

// ParseCondition parses a ConditionExpression or FilterExpression (kind
// names it in errors).
func ParseCondition(kind, src string, env *Env) (*Cond, error) {
	p, err := newParser(kind, src, env)
	if err != nil {
		return nil, err
	}
	c, err := p.or()
	if err != nil {
		return nil, err
	}
	return c, p.end()
}

func (p *parser) or() (*Cond, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("OR") {
		p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = &Cond{Op: "OR", L: l, R: r}
	}
	return l, nil
}

func (p *parser) and() (*Cond, error) {
	l, err := p.not()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("AND") {
		p.next()
		r, err := p.not()
		if err != nil {
			return nil, err
		}
		l = &Cond{Op: "AND", L: l, R: r}
	}
	return l, nil
}

func (p *parser) not() (*Cond, error) {
	if p.isKeyword("NOT") {
		p.next()
		c, err := p.not()
		if err != nil {
			return nil, err
		}
		return &Cond{Op: "NOT", L: c}, nil
	}
	return p.primary()
}

func (p *parser) primary() (*Cond, error) {
	if p.punct("(") {
		c, err := p.or()
		if err != nil {
			return nil, err
		}
		return c, p.expect(")")
	}
	t := p.peek()
	if t.kind == tIdent && p.toks[p.i+1].text == "(" {
		switch t.text {
		case "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains":
			return p.function()
		case "size":
		default:
			return nil, p.errf("Invalid function name; function: %s", t.text)
		}
	}
	a, err := p.operand()
	if err != nil {
		return nil, err
	}
	t = p.peek()
	switch {
	case t.kind == tOp && t.text != "+" && t.text != "-":
		p.next()
		b, err := p.operand()
		if err != nil {
			return nil, err
		}
		return &Cond{Op: t.text, Args: []Operand{a, b}}, nil
	case p.isKeyword("BETWEEN"):
		p.next()
		lo, err := p.operand()
		if err != nil {
			return nil, err
		}
		if !p.isKeyword("AND") {
			return nil, p.fail()
		}
		p.next()
		hi, err := p.operand()
		if err != nil {
			return nil, err
		}
		if lo.Value != nil && hi.Value != nil {
			if c, ok := attr.Compare(*lo.Value, *hi.Value); ok && c > 0 {
				return nil, p.errf("The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {%s}, upper bound operand: AttributeValue: {%s}", short(*lo.Value), short(*hi.Value))
			}
		}
		return &Cond{Op: "BETWEEN", Args: []Operand{a, lo, hi}}, nil
	case p.isKeyword("IN"):
		p.next()
		if err := p.expect("("); err != nil {
			return nil, err
		}
		args := []Operand{a}
		for {
			o, err := p.operand()
			if err != nil {
				return nil, err
			}
			args = append(args, o)
			if p.punct(")") {
				break
			}
			if err := p.expect(","); err != nil {
				return nil, err
			}
		}
		if len(args) > 101 {
			return nil, p.errf("The IN operator is provided with too many operands; number of operands: %d", len(args)-1)
		}
		return &Cond{Op: "IN", Args: args}, nil
	}
	return nil, p.fail()
}

func short(v attr.Value) string {
	switch v.Kind {
	case attr.S, attr.N:
		return string(v.Kind) + ":" + v.Str
	}
	return string(v.Kind)
}

// operand is a path, a :value or size(path).
func (p *parser) operand() (Operand, error) {
	t := p.peek()
	switch {
	case t.kind == tValue:
		v, err := p.value()
		return Operand{Value: v}, err
	case t.kind == tIdent && t.text == "size" && p.toks[p.i+1].text == "(":
		p.next()
		p.next()
		path, err := p.path()
		if err != nil {
			return Operand{}, err
		}
		return Operand{Size: path}, p.expect(")")
	case t.kind == tIdent && p.toks[p.i+1].text == "(":
		return Operand{}, p.errf("The function is not allowed to be used this way in an expression; function: %s", t.text)
	case t.kind == tIdent || t.kind == tName:
		path, err := p.path()
		return Operand{Path: path}, err
	}
	return Operand{}, p.fail()
}

var typeNames = map[string]bool{"S": true, "SS": true, "N": true, "NS": true, "B": true, "BS": true, "BOOL": true, "NULL": true, "L": true, "M": true}

func (p *parser) function() (*Cond, error) {
	name := p.next().text
	p.next() // (
	var args []Operand
	for {
		o, err := p.operand()
		if err != nil {
			return nil, err
		}
		args = append(args, o)
		if p.punct(")") {
			break
		}
		if err := p.expect(","); err != nil {
			return nil, err
		}
	}
	want := 2
	if name == "attribute_exists" || name == "attribute_not_exists" {
		want = 1
	}
	if len(args) != want {
		return nil, p.errf("Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d", name, len(args))
	}
	if args[0].Path == nil {
		return nil, p.errf("Operator or function requires a document path; operator or function: %s", name)
	}
	switch name {
	case "attribute_type":
		v := args[1].Value
		if v == nil {
			return nil, p.errf("Incorrect operand type for operator or function; operator or function: attribute_type, operand type: path")
		}
		if v.Kind != attr.S {
			return nil, p.errf("Incorrect operand type for operator or function; operator or function: attribute_type, operand type: %s", v.Kind)
		}
		if !typeNames[v.Str] {
			return nil, p.errf("Invalid attribute type name found; type: %s, valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }", v.Str)
		}
	case "begins_with":
		if v := args[1].Value; v != nil && v.Kind != attr.S && v.Kind != attr.B {
			return nil, p.errf("Incorrect operand type for operator or function; operator or function: begins_with, operand type: %s", v.Kind)
		}
	}
	return &Cond{Op: "FUNC", Function: name, Args: args}, nil
}

// Paths lists the document paths a condition reads.
func (c *Cond) Paths() []Path {
	if c == nil {
		return nil
	}
	var out []Path
	for _, a := range c.Args {
		if a.Path != nil {
			out = append(out, a.Path)
		}
		if a.Size != nil {
			out = append(out, a.Size)
		}
	}
	return append(append(out, c.L.Paths()...), c.R.Paths()...)
}

// String is the condition re-written (tests and errors).
func (c *Cond) String() string {
	switch c.Op {
	case "AND", "OR":
		return "(" + c.L.String() + " " + c.Op + " " + c.R.String() + ")"
	case "NOT":
		return "NOT " + c.L.String()
	case "FUNC":
		var args []string
		for _, a := range c.Args {
			args = append(args, a.String())
		}
		return c.Function + "(" + strings.Join(args, ", ") + ")"
	case "BETWEEN":
		return c.Args[0].String() + " BETWEEN " + c.Args[1].String() + " AND " + c.Args[2].String()
	case "IN":
		var args []string
		for _, a := range c.Args[1:] {
			args = append(args, a.String())
		}
		return c.Args[0].String() + " IN (" + strings.Join(args, ", ") + ")"
	}
	return c.Args[0].String() + " " + c.Op + " " + c.Args[1].String()
}

func (o Operand) String() string {
	switch {
	case o.Value != nil:
		return short(*o.Value)
	case o.Size != nil:
		return "size(" + o.Size.String() + ")"
	}
	return o.Path.String()
}
