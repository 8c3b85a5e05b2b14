package vtl

import (
	"strconv"
	"strings"
)

// The expressions of directives, method arguments and literals.

func (p *parser) parseArgs(closer byte) ([]expr, error) {
	var args []expr
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == closer {
		p.pos++
		return args, nil
	}
	for {
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		args = append(args, e)
		p.skipSpace()
		if p.eat(",") {
			continue
		}
		if p.pos < len(p.src) && p.src[p.pos] == closer {
			p.pos++
			return args, nil
		}
		return nil, p.fail("want , or %c", closer)
	}
}

// Expressions, loosest first: || && == != < > <= >= + - * / % unary.

func (p *parser) parseExpr() (expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, p.fail("expression nested deeper than %d", maxDepth)
	}
	return p.binary(0)
}

var levels = [][][2]string{
	{{"||", "||"}, {"or", "||"}},
	{{"&&", "&&"}, {"and", "&&"}},
	{{"==", "=="}, {"!=", "!="}, {"eq", "=="}, {"ne", "!="}},
	{{"<=", "<="}, {">=", ">="}, {"<", "<"}, {">", ">"}, {"le", "<="}, {"ge", ">="}, {"lt", "<"}, {"gt", ">"}},
	{{"+", "+"}, {"-", "-"}},
	{{"*", "*"}, {"/", "/"}, {"%", "%"}},
}

func (p *parser) binary(level int) (expr, error) {
	if level == len(levels) {
		return p.unary()
	}
	l, err := p.binary(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		op := ""
		for _, cand := range levels[level] {
			tok := cand[0]
			if isAlpha(tok[0]) {
				if p.eatWord(tok) {
					op = cand[1]
					break
				}
			} else if strings.HasPrefix(p.src[p.pos:], tok) && !(tok == "=" || (tok == "<" || tok == ">") && strings.HasPrefix(p.src[p.pos+1:], "=")) {
				p.pos += len(tok)
				op = cand[1]
				break
			}
		}
		if op == "" {
			return l, nil
		}
		r, err := p.binary(level + 1)
		if err != nil {
			return nil, err
		}
		l = binExpr{op: op, l: l, r: r}
	}
}

func (p *parser) unary() (expr, error) {
	p.skipSpace()
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, p.fail("expression nested deeper than %d", maxDepth)
	}
	switch {
	case p.eat("!") || p.eatWord("not"):
		x, err := p.unary()
		return unExpr{op: "!", x: x}, err
	case p.pos < len(p.src) && p.src[p.pos] == '-' && !(p.pos+1 < len(p.src) && isDigit(p.src[p.pos+1])):
		p.pos++
		x, err := p.unary()
		return unExpr{op: "-", x: x}, err
	}
	return p.primary()
}

func (p *parser) primary() (expr, error) {
	p.skipSpace()
	if p.pos >= len(p.src) {
		return nil, p.fail("unexpected end of template in an expression")
	}
	c := p.src[p.pos]
	switch {
	case c == '$':
		r, ok, err := p.parseReference(true)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, p.fail("want a reference after $")
		}
		return r, nil
	case c == '-' || isDigit(c):
		j := p.pos + 1
		for j < len(p.src) && isDigit(p.src[j]) {
			j++
		}
		if j+1 < len(p.src) && p.src[j] == '.' && isDigit(p.src[j+1]) {
			j++
			for j < len(p.src) && isDigit(p.src[j]) {
				j++
			}
			f, err := strconv.ParseFloat(p.src[p.pos:j], 64)
			if err != nil {
				return nil, p.fail("number %q", p.src[p.pos:j])
			}
			p.pos = j
			return litExpr{f}, nil
		}
		n, err := strconv.ParseInt(p.src[p.pos:j], 10, 64)
		if err != nil {
			return nil, p.fail("number %q", p.src[p.pos:j])
		}
		p.pos = j
		return litExpr{n}, nil
	case c == '\'' || c == '"':
		return p.stringLit(c)
	case c == '(':
		p.pos++
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if !p.eat(")") {
			return nil, p.fail("want )")
		}
		return e, nil
	case c == '[':
		p.pos++
		p.skipSpace()
		if p.eat("]") {
			return listExpr{}, nil
		}
		first, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.eat("..") {
			to, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			p.skipSpace()
			if !p.eat("]") {
				return nil, p.fail("want ] closing a range")
			}
			return rangeExpr{from: first, to: to}, nil
		}
		elems := []expr{first}
		if !p.eat("]") {
			if !p.eat(",") {
				return nil, p.fail("want , or ] in a list")
			}
			rest, err := p.parseArgs(']')
			if err != nil {
				return nil, err
			}
			elems = append(elems, rest...)
		}
		return listExpr{elems: elems}, nil
	case c == '{':
		p.pos++
		m := mapExpr{}
		p.skipSpace()
		if p.eat("}") {
			return m, nil
		}
		for {
			k, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			p.skipSpace()
			if !p.eat(":") {
				return nil, p.fail("want : in a map")
			}
			v, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			m.keys, m.vals = append(m.keys, k), append(m.vals, v)
			p.skipSpace()
			if p.eat("}") {
				return m, nil
			}
			if !p.eat(",") {
				return nil, p.fail("want , or } in a map")
			}
		}
	}
	switch {
	case p.eatWord("true"):
		return litExpr{true}, nil
	case p.eatWord("false"):
		return litExpr{false}, nil
	case p.eatWord("null"):
		return litExpr{nil}, nil
	}
	return nil, p.fail("unexpected %q in an expression", c)
}

// stringLit reads '...' (literal) or "..." (interpolated); a doubled quote
// is a quote.
func (p *parser) stringLit(q byte) (expr, error) {
	start := p.pos
	p.pos++
	var b strings.Builder
	for {
		i := strings.IndexByte(p.src[p.pos:], q)
		if i < 0 {
			p.pos = start
			return nil, p.fail("unterminated string")
		}
		b.WriteString(p.src[p.pos : p.pos+i])
		p.pos += i + 1
		if p.pos < len(p.src) && p.src[p.pos] == q {
			b.WriteByte(q)
			p.pos++
			continue
		}
		break
	}
	s := b.String()
	if q == '\'' || !strings.ContainsAny(s, "$#") {
		return litExpr{s}, nil
	}
	sub := &parser{src: s, depth: p.depth}
	nodes, _, err := sub.parseBlock(false)
	if err != nil {
		return nil, &SyntaxError{Offset: start, Msg: "in a string: " + err.Error()}
	}
	return strExpr{nodes}, nil
}
