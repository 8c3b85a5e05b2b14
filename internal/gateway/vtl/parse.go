package vtl

import (
	"fmt"
	"strings"
)

// Limits of the parser: how deep directives, expressions and JSON nest.
const (
	maxDepth     = 64
	maxJSONDepth = 256
)

// A template is parsed once into nodes (text, references, directives) and
// evaluated for each request.

type node any

type (
	textNode string
	refNode  struct{ ref *reference }
	setNode  struct {
		target *reference
		value  expr
	}
	ifNode struct {
		conds  []expr
		blocks [][]node
		els    []node
	}
	foreachNode struct {
		name string
		list expr
		body []node
	}
	breakNode struct{}
	stopNode  struct{}
)

type expr any

type (
	litExpr   struct{ v any }
	strExpr   struct{ nodes []node }
	listExpr  struct{ elems []expr }
	rangeExpr struct{ from, to expr }
	mapExpr   struct{ keys, vals []expr }
	binExpr   struct {
		op   string
		l, r expr
	}
	unExpr struct {
		op string
		x  expr
	}
)

// reference is $name.prop.method(args)[index], as written (src) so that an
// unresolved one renders as itself.
type reference struct {
	name   string
	silent bool
	parts  []refPart
	src    string
}

type refPart struct {
	name  string
	call  bool
	args  []expr
	index expr // non-nil: [index]
}

// SyntaxError is a template that does not parse; Offset is a byte offset.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("vtl: offset %d: %s", e.Offset, e.Msg) }

type parser struct {
	src   string
	pos   int
	depth int
	// pendingCond is the condition of the #elseif parseBlock stopped at.
	pendingCond expr
}

func (p *parser) fail(format string, args ...any) error {
	return &SyntaxError{Offset: p.pos, Msg: fmt.Sprintf(format, args...)}
}

// directives are the words after # that are directives; the others are text.
var directives = map[string]bool{"set": true, "if": true, "elseif": true, "else": true, "end": true,
	"foreach": true, "break": true, "stop": true,
	"macro": true, "define": true, "parse": true, "include": true, "evaluate": true}

// parseBlock reads nodes up to one of the terminators (elseif, else, end)
// or the end of the text; it returns the terminator met ("" at the end).
func (p *parser) parseBlock(inBlock bool) ([]node, string, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, "", p.fail("directives nested deeper than %d", maxDepth)
	}
	var nodes []node
	var buf strings.Builder
	flush := func() {
		if buf.Len() > 0 {
			nodes = append(nodes, textNode(buf.String()))
			buf.Reset()
		}
	}
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch c {
		case '\\':
			// \$ref and \#directive: the escaped form renders literally.
			n := 0
			for p.pos+n < len(p.src) && p.src[p.pos+n] == '\\' {
				n++
			}
			if at := p.pos + n; at < len(p.src) && (p.src[at] == '$' || p.src[at] == '#') && p.startsSomething(at) {
				// Pairs of backslashes before a reference are one each; an
				// odd one left escapes it.
				buf.WriteString(strings.Repeat("\\", n/2))
				p.pos = at
				if n%2 == 1 {
					end := p.skipSomething(at)
					buf.WriteString(p.src[at:end])
					p.pos = end
				}
				continue
			}
			buf.WriteString(p.src[p.pos : p.pos+n])
			p.pos += n
		case '$':
			start := p.pos
			ref, ok, err := p.parseReference(false)
			if err != nil {
				return nil, "", err
			}
			if !ok {
				p.pos = start + 1
				buf.WriteByte('$')
				continue
			}
			flush()
			nodes = append(nodes, refNode{ref})
		case '#':
			start := p.pos
			rest := p.src[p.pos:]
			switch {
			case strings.HasPrefix(rest, "##"):
				lineStart := p.alone(start)
				end := strings.IndexByte(rest, '\n')
				if end < 0 {
					p.pos = len(p.src)
				} else {
					p.pos += end + 1
				}
				if lineStart >= 0 {
					trimTail(&buf, start-lineStart)
				} else if end >= 0 {
					buf.WriteByte('\n') // a comment after text keeps the line's newline
				}
				continue
			case strings.HasPrefix(rest, "#*"):
				end := strings.Index(rest[2:], "*#")
				if end < 0 {
					return nil, "", p.fail("unterminated #* comment")
				}
				p.pos += end + 4
				p.gobble(start, &buf)
				continue
			case strings.HasPrefix(rest, "#[["):
				end := strings.Index(rest[3:], "]]#")
				if end < 0 {
					return nil, "", p.fail("unterminated #[[ block")
				}
				buf.WriteString(rest[3 : 3+end])
				p.pos += end + 6
				continue
			}
			word, after := p.directiveWord()
			if !directives[word] {
				buf.WriteByte('#')
				p.pos++
				continue
			}
			p.pos = after
			switch word {
			case "elseif", "else", "end":
				if !inBlock {
					return nil, "", &SyntaxError{Offset: start, Msg: "#" + word + " without #if or #foreach"}
				}
				if word == "elseif" {
					cond, err := p.condition(word)
					if err != nil {
						return nil, "", err
					}
					p.pendingCond = cond
				}
				p.gobble(start, &buf)
				flush()
				return nodes, word, nil
			case "macro", "define", "parse", "include", "evaluate":
				return nil, "", &SyntaxError{Offset: start, Msg: "#" + word + " is not supported"}
			}
			n, err := p.parseDirective(word, start, &buf)
			if err != nil {
				return nil, "", err
			}
			flush()
			nodes = append(nodes, n)
		default:
			j := p.pos + 1
			for j < len(p.src) && p.src[j] != '$' && p.src[j] != '#' && p.src[j] != '\\' {
				j++
			}
			buf.WriteString(p.src[p.pos:j])
			p.pos = j
		}
	}
	flush()
	return nodes, "", nil
}

// startsSomething: a reference or a directive starts at i.
func (p *parser) startsSomething(i int) bool {
	q := &parser{src: p.src, pos: i}
	if p.src[i] == '$' {
		_, ok, err := q.parseReference(false)
		return ok && err == nil
	}
	w, _ := q.directiveWord()
	return directives[w]
}

// skipSomething is where the reference or directive word at i ends.
func (p *parser) skipSomething(i int) int {
	q := &parser{src: p.src, pos: i}
	if p.src[i] == '$' {
		_, _, _ = q.parseReference(false)
		return q.pos
	}
	_, after := q.directiveWord()
	return after
}

// directiveWord is the word after # ("if" of "#if(" or "#{if}"), and where
// it ends.
func (p *parser) directiveWord() (string, int) {
	i := p.pos + 1
	braced := i < len(p.src) && p.src[i] == '{'
	if braced {
		i++
	}
	j := i
	for j < len(p.src) && isAlpha(p.src[j]) {
		j++
	}
	word := p.src[i:j]
	if braced {
		if j >= len(p.src) || p.src[j] != '}' {
			return "", 0
		}
		j++
	}
	return word, j
}

// alone reports where the line of start begins when only spaces precede
// start on it (-1 otherwise).
func (p *parser) alone(start int) int {
	i := start
	for i > 0 && (p.src[i-1] == ' ' || p.src[i-1] == '\t') {
		i--
	}
	if i == 0 || p.src[i-1] == '\n' {
		return i
	}
	return -1
}

// gobble removes the line of a directive that stands alone on it: the
// indentation before it (already in buf) and the newline after it.
func (p *parser) gobble(start int, buf *strings.Builder) {
	lineStart := p.alone(start)
	if lineStart < 0 {
		return
	}
	j := p.pos
	for j < len(p.src) && (p.src[j] == ' ' || p.src[j] == '\t') {
		j++
	}
	switch {
	case j == len(p.src):
	case p.src[j] == '\n':
		j++
	case p.src[j] == '\r' && j+1 < len(p.src) && p.src[j+1] == '\n':
		j += 2
	default:
		return
	}
	trimTail(buf, start-lineStart)
	p.pos = j
}

func trimTail(buf *strings.Builder, n int) {
	s := buf.String()
	if n > len(s) {
		n = len(s)
	}
	if strings.TrimRight(s[len(s)-n:], " \t") == "" {
		buf.Reset()
		buf.WriteString(s[:len(s)-n])
	}
}

func (p *parser) parseDirective(word string, start int, buf *strings.Builder) (node, error) {
	switch word {
	case "break":
		p.gobble(start, buf)
		return breakNode{}, nil
	case "stop":
		p.gobble(start, buf)
		return stopNode{}, nil
	case "set":
		if err := p.open(word); err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != '$' {
			return nil, p.fail("#set: want $reference =")
		}
		ref, ok, err := p.parseReference(true)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, p.fail("#set: want $reference =")
		}
		p.skipSpace()
		if !p.eat("=") {
			return nil, p.fail("#set: want =")
		}
		v, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if err := p.close(word); err != nil {
			return nil, err
		}
		p.gobble(start, buf)
		return setNode{target: ref, value: v}, nil
	case "if":
		n := ifNode{}
		cond, err := p.condition(word)
		if err != nil {
			return nil, err
		}
		p.gobble(start, buf)
		for {
			body, term, err := p.parseBlock(true)
			if err != nil {
				return nil, err
			}
			switch term {
			case "":
				return nil, &SyntaxError{Offset: start, Msg: "#if without #end"}
			case "elseif":
				n.conds, n.blocks = append(n.conds, cond), append(n.blocks, body)
				cond = p.pendingCond
				continue
			case "else":
				n.conds, n.blocks = append(n.conds, cond), append(n.blocks, body)
				els, term, err := p.parseBlock(true)
				if err != nil {
					return nil, err
				}
				if term != "end" {
					return nil, &SyntaxError{Offset: start, Msg: "#else without #end"}
				}
				n.els = els
				return n, nil
			case "end":
				n.conds, n.blocks = append(n.conds, cond), append(n.blocks, body)
				return n, nil
			}
		}
	case "foreach":
		if err := p.open(word); err != nil {
			return nil, err
		}
		p.skipSpace()
		ref, ok, err := p.parseReference(true)
		if err != nil {
			return nil, err
		}
		if !ok || len(ref.parts) > 0 {
			return nil, p.fail("#foreach: want $name in ...")
		}
		p.skipSpace()
		if !p.eatWord("in") {
			return nil, p.fail("#foreach: want in")
		}
		list, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if err := p.close(word); err != nil {
			return nil, err
		}
		p.gobble(start, buf)
		body, term, err := p.parseBlock(true)
		if err != nil {
			return nil, err
		}
		if term != "end" {
			return nil, &SyntaxError{Offset: start, Msg: "#foreach without #end"}
		}
		return foreachNode{name: ref.name, list: list, body: body}, nil
	}
	return nil, p.fail("#%s: unknown directive", word)
}

func (p *parser) condition(word string) (expr, error) {
	if err := p.open(word); err != nil {
		return nil, err
	}
	e, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	return e, p.close(word)
}

func (p *parser) open(word string) error {
	p.skipSpace()
	if !p.eat("(") {
		return p.fail("#%s: want (", word)
	}
	return nil
}

func (p *parser) close(word string) error {
	p.skipSpace()
	if !p.eat(")") {
		return p.fail("#%s: want )", word)
	}
	return nil
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) eat(s string) bool {
	if strings.HasPrefix(p.src[p.pos:], s) {
		p.pos += len(s)
		return true
	}
	return false
}

// eatWord eats the keyword w when no identifier character follows it.
func (p *parser) eatWord(w string) bool {
	if !strings.HasPrefix(p.src[p.pos:], w) {
		return false
	}
	if e := p.pos + len(w); e < len(p.src) && isIdent(p.src[e]) {
		return false
	}
	p.pos += len(w)
	return true
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isIdent(c byte) bool { return isAlpha(c) || isDigit(c) || c == '_' }

func (p *parser) ident() string {
	if p.pos >= len(p.src) || !(isAlpha(p.src[p.pos]) || p.src[p.pos] == '_') {
		return ""
	}
	j := p.pos + 1
	for j < len(p.src) && isIdent(p.src[j]) {
		j++
	}
	s := p.src[p.pos:j]
	p.pos = j
	return s
}

// propertyName is an identifier that may also hold hyphens between its
// characters, as Velocity 1.7 reads them ($context.responseOverride.header.Content-Type).
func (p *parser) propertyName() string {
	start := p.pos
	p.ident()
	for p.pos+1 < len(p.src) && p.src[p.pos] == '-' && isIdent(p.src[p.pos+1]) {
		p.pos++
		p.ident()
		for p.pos < len(p.src) && isIdent(p.src[p.pos]) {
			p.pos++
		}
	}
	return p.src[start:p.pos]
}

// parseReference reads $name..., $!name..., ${name...}; ok is false (and
// the position unchanged) when what follows $ is no reference.
func (p *parser) parseReference(inExpr bool) (*reference, bool, error) {
	start := p.pos
	p.pos++ // $
	r := &reference{}
	if p.eat("!") {
		r.silent = true
	}
	formal := p.eat("{")
	if r.name = p.ident(); r.name == "" {
		p.pos = start
		return nil, false, nil
	}
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '.' && p.pos+1 < len(p.src) && (isAlpha(p.src[p.pos+1]) || p.src[p.pos+1] == '_') {
			p.pos++
			part := refPart{name: p.propertyName()}
			if p.pos < len(p.src) && p.src[p.pos] == '(' {
				p.pos++
				args, err := p.parseArgs(')')
				if err != nil {
					return nil, false, err
				}
				part.call, part.args = true, args
			}
			r.parts = append(r.parts, part)
			continue
		}
		if c == '[' {
			save := p.pos
			p.pos++
			idx, err := p.parseExpr()
			if err == nil {
				p.skipSpace()
				if p.eat("]") {
					r.parts = append(r.parts, refPart{index: idx})
					continue
				}
			}
			if inExpr && err != nil {
				return nil, false, err
			}
			p.pos = save
		}
		break
	}
	if formal && !p.eat("}") {
		if inExpr {
			return nil, false, p.fail("want } closing ${")
		}
		p.pos = start
		return nil, false, nil
	}
	r.src = p.src[start:p.pos]
	return r, true, nil
}
