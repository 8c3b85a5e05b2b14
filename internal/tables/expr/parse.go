package expr

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nubo-run/nubo/internal/tables/attr"
)

type parser struct {
	src  string
	kind string
	toks []token
	i    int
	env  *Env
}

func newParser(kind, src string, env *Env) (*parser, error) {
	if strings.TrimSpace(src) == "" {
		return nil, &Error{Kind: kind, Msg: "The expression can not be empty;"}
	}
	toks, err := lex(src)
	if err != nil {
		err.(*Error).Kind = kind
		return nil, err
	}
	return &parser{src: src, kind: kind, toks: toks, env: env}, nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) fail() error {
	t := p.peek()
	e := syntaxErr(p.src, t.pos, t.text)
	e.Kind = p.kind
	return e
}

func (p *parser) errf(format string, args ...any) error {
	return &Error{Kind: p.kind, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) isKeyword(w string) bool {
	t := p.peek()
	return t.kind == tIdent && strings.EqualFold(t.text, w)
}

func (p *parser) punct(s string) bool {
	t := p.peek()
	if t.kind == tPunct && t.text == s {
		p.i++
		return true
	}
	return false
}

func (p *parser) expect(s string) error {
	if !p.punct(s) {
		return p.fail()
	}
	return nil
}

// path reads a document path.
func (p *parser) path() (Path, error) {
	var out Path
	first := true
	for {
		if first || p.punct(".") {
			t := p.next()
			var name string
			switch t.kind {
			case tIdent:
				if isReservedFunc(t.text) && first && p.peek().text == "(" {
					return nil, p.errf("Syntax error; token: %q, near: %q", t.text, near(p.src, t.pos))
				}
				name = t.text
			case tName:
				n, err := p.env.name(p.kind, t.text)
				if err != nil {
					return nil, err
				}
				name = n
			default:
				p.back(t)
				return nil, p.fail()
			}
			out = append(out, Step{Name: name})
			first = false
			continue
		}
		if p.punct("[") {
			t := p.next()
			if t.kind != tNum {
				p.back(t)
				return nil, p.fail()
			}
			n, err := strconv.Atoi(t.text)
			if err != nil {
				return nil, p.errf("List index is too large; index: %s", t.text)
			}
			if err := p.expect("]"); err != nil {
				return nil, err
			}
			out = append(out, Step{Index: n, IsIdx: true})
			continue
		}
		return out, nil
	}
}

func isReservedFunc(s string) bool {
	switch s {
	case "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains", "size", "if_not_exists", "list_append":
		return true
	}
	return false
}

func (p *parser) value() (*attr.Value, error) {
	t := p.next()
	if t.kind != tValue {
		p.back(t)
		return nil, p.fail()
	}
	return p.env.value(p.kind, t.text)
}

func (p *parser) end() error {
	if p.peek().kind != tEOF {
		return p.fail()
	}
	return nil
}

// back undoes next (next does not move past EOF).
func (p *parser) back(t token) {
	if t.kind != tEOF {
		p.i--
	}
}
