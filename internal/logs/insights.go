package logs

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// This file is a small Logs Insights query language: the commands
// `fields`, `filter`, `sort`, `limit` and `stats` (count, sum, avg, min,
// max, by fields), joined
// by `|`. Filter expressions compare fields (=, !=, <, <=, >, >=), match
// them (like "text", like /regex/, not like), and combine with and, or,
// not and parentheses. Fields are @timestamp, @message, @logStream, @log
// and the top-level keys of a JSON message.

// insightsQuery is a parsed query.
type insightsQuery struct {
	fields  []string // fields to show; nil: @timestamp, @message
	filters []expr
	// postFilters are the filters after stats: they apply to its rows.
	postFilters []expr
	sortBy      string
	desc        bool
	limit       int       // 0: the request's or the default
	stats       *statsCmd // aggregates by fields
}

type statsCmd struct {
	aggs []statsAgg
	by   []string // grouping fields
}

// statsAgg is one aggregate of a stats command: count, sum, avg, min or
// max of a field (count of "*": every record).
type statsAgg struct {
	fn, field, alias string
}

// expr is a filter expression.
type expr interface {
	eval(rec map[string]string) bool
}

type (
	andExpr struct{ l, r expr }
	orExpr  struct{ l, r expr }
	notExpr struct{ e expr }
	cmpExpr struct {
		field, op, value string
	}
	likeExpr struct {
		field string
		re    *regexp.Regexp
		sub   string
	}
)

func (e andExpr) eval(r map[string]string) bool { return e.l.eval(r) && e.r.eval(r) }
func (e orExpr) eval(r map[string]string) bool  { return e.l.eval(r) || e.r.eval(r) }
func (e notExpr) eval(r map[string]string) bool { return !e.e.eval(r) }

func (e likeExpr) eval(r map[string]string) bool {
	v, ok := r[e.field]
	if !ok {
		return false
	}
	if e.re != nil {
		return e.re.MatchString(v)
	}
	return strings.Contains(v, e.sub)
}

func (e cmpExpr) eval(r map[string]string) bool {
	v, ok := r[e.field]
	if !ok {
		return false
	}
	c := strings.Compare(v, e.value)
	if a, err1 := strconv.ParseFloat(v, 64); err1 == nil {
		if b, err2 := strconv.ParseFloat(e.value, 64); err2 == nil {
			switch {
			case a < b:
				c = -1
			case a > b:
				c = 1
			default:
				c = 0
			}
		}
	}
	switch e.op {
	case "=":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	default: // ">="
		return c >= 0
	}
}

// maxQueryLength is the longest query string AWS accepts.
const maxQueryLength = 10000

// parseInsights parses a query string.
func parseInsights(q string) (*insightsQuery, error) {
	if strings.TrimSpace(q) == "" {
		return nil, fmt.Errorf("the query is empty")
	}
	if len(q) > maxQueryLength {
		return nil, fmt.Errorf("the query is longer than %d characters", maxQueryLength)
	}
	toks, err := lexInsights(q)
	if err != nil {
		return nil, err
	}
	out := &insightsQuery{}
	for _, cmd := range splitPipes(toks) {
		if len(cmd) == 0 {
			return nil, fmt.Errorf("a command is empty (two | in a row, or one at an end)")
		}
		p := &tokParser{toks: cmd[1:]}
		switch strings.ToLower(cmd[0].text) {
		case "fields", "display":
			names, err := p.fieldList()
			if err != nil {
				return nil, fmt.Errorf("fields: %w", err)
			}
			out.fields = append(out.fields, names...)
		case "filter":
			e, err := p.orExpr()
			if err != nil {
				return nil, fmt.Errorf("filter: %w", err)
			}
			if !p.done() {
				return nil, fmt.Errorf("filter: unexpected %q", p.peek().text)
			}
			if out.stats != nil {
				out.postFilters = append(out.postFilters, e)
			} else {
				out.filters = append(out.filters, e)
			}
		case "sort":
			f, ok := p.field()
			if !ok {
				return nil, fmt.Errorf("sort: a field is expected")
			}
			out.sortBy, out.desc = f, true
			if t := p.peek(); t.kind == tokWord {
				switch strings.ToLower(t.text) {
				case "asc":
					out.desc = false
				case "desc":
				default:
					return nil, fmt.Errorf("sort: asc or desc expected, not %q", t.text)
				}
				p.next()
			}
			if !p.done() {
				return nil, fmt.Errorf("sort: unexpected %q", p.peek().text)
			}
		case "limit":
			t := p.next()
			n, err := strconv.Atoi(t.text)
			if t.kind != tokNumber || err != nil || n < 1 || n > maxLogEventsPage || !p.done() {
				return nil, fmt.Errorf("limit: a number from 1 to %d is expected", maxLogEventsPage)
			}
			out.limit = n
		case "stats":
			s, err := p.stats()
			if err != nil {
				return nil, fmt.Errorf("stats: %w", err)
			}
			if out.stats != nil {
				return nil, fmt.Errorf("stats: one stats command per query")
			}
			out.stats = s
		default:
			return nil, fmt.Errorf("unknown command %q: nubo's Logs Insights has fields, display, filter, sort, limit and stats", cmd[0].text)
		}
	}
	return out, nil
}

type tokKind int

const (
	tokWord tokKind = iota
	tokNumber
	tokString
	tokRegex
	tokOp
	tokPipe
	tokEOF
)

type token struct {
	kind tokKind
	text string
}

func lexInsights(q string) ([]token, error) {
	var out []token
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '|':
			out = append(out, token{tokPipe, "|"})
			i++
		case c == '"' || c == '\'' || c == '/' || c == '`':
			var b strings.Builder
			j := i + 1
			for ; j < len(q) && q[j] != c; j++ {
				if q[j] == '\\' && j+1 < len(q) {
					// In a string \ escapes the next character; in a
					// regex only \/ is ours (a slash), the rest is the
					// regex's.
					if c != '/' || q[j+1] == '/' {
						j++
					} else {
						b.WriteByte(q[j])
						j++
					}
				}
				b.WriteByte(q[j])
			}
			if j >= len(q) {
				return nil, fmt.Errorf("%c at %d is not closed", c, i)
			}
			kind := tokString
			switch c {
			case '/':
				kind = tokRegex
			case '`':
				kind = tokWord
			}
			out = append(out, token{kind, b.String()})
			i = j + 1
		case strings.ContainsRune("=!<>(),*", rune(c)):
			if i+1 < len(q) && q[i+1] == '=' && strings.ContainsRune("!<>=", rune(c)) {
				out = append(out, token{tokOp, q[i : i+2]})
				i += 2
				continue
			}
			if c == '!' {
				return nil, fmt.Errorf("! at %d: != is expected", i)
			}
			out = append(out, token{tokOp, string(c)})
			i++
		case c == '@' || c == '_' || c == '.' || c == '-' || c < 0x80 && (unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c))):
			j := i
			for j < len(q) && (q[j] == '@' || q[j] == '_' || q[j] == '.' || q[j] == '-' || q[j] == '$' || q[j] < 0x80 && (unicode.IsLetter(rune(q[j])) || unicode.IsDigit(rune(q[j])))) {
				j++
			}
			text := q[i:j]
			kind := tokWord
			if _, err := strconv.ParseFloat(text, 64); err == nil {
				kind = tokNumber
			}
			out = append(out, token{kind, text})
			i = j
		default:
			return nil, fmt.Errorf("unexpected character %q at %d", c, i)
		}
	}
	return out, nil
}

func splitPipes(toks []token) [][]token {
	out := [][]token{{}}
	for _, t := range toks {
		if t.kind == tokPipe {
			out = append(out, []token{})
			continue
		}
		out[len(out)-1] = append(out[len(out)-1], t)
	}
	return out
}

type tokParser struct {
	toks []token
	i    int
}

func (p *tokParser) peek() token {
	if p.i >= len(p.toks) {
		return token{kind: tokEOF}
	}
	return p.toks[p.i]
}

func (p *tokParser) next() token {
	t := p.peek()
	if p.i < len(p.toks) {
		p.i++
	}
	return t
}

func (p *tokParser) done() bool { return p.i >= len(p.toks) }

func (p *tokParser) isWord(w string) bool {
	t := p.peek()
	return t.kind == tokWord && strings.EqualFold(t.text, w)
}

func (p *tokParser) field() (string, bool) {
	t := p.peek()
	if t.kind != tokWord {
		return "", false
	}
	p.next()
	return t.text, true
}

func (p *tokParser) fieldList() ([]string, error) {
	var out []string
	for {
		f, ok := p.field()
		if !ok {
			return nil, fmt.Errorf("a field name is expected, not %q", p.peek().text)
		}
		out = append(out, f)
		if p.done() {
			return out, nil
		}
		if t := p.next(); t.text != "," {
			return nil, fmt.Errorf("a comma is expected, not %q", t.text)
		}
	}
}

func (p *tokParser) orExpr() (expr, error) {
	l, err := p.andExpr()
	if err != nil {
		return nil, err
	}
	for p.isWord("or") {
		p.next()
		r, err := p.andExpr()
		if err != nil {
			return nil, err
		}
		l = orExpr{l, r}
	}
	return l, nil
}

func (p *tokParser) andExpr() (expr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.isWord("and") {
		p.next()
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = andExpr{l, r}
	}
	return l, nil
}

func (p *tokParser) unary() (expr, error) {
	if p.isWord("not") {
		p.next()
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		return notExpr{e}, nil
	}
	if p.peek().text == "(" && p.peek().kind == tokOp {
		p.next()
		e, err := p.orExpr()
		if err != nil {
			return nil, err
		}
		if t := p.next(); t.text != ")" {
			return nil, fmt.Errorf(") is expected, not %q", t.text)
		}
		return e, nil
	}
	f, ok := p.field()
	if !ok {
		return nil, fmt.Errorf("a field is expected, not %q", p.peek().text)
	}
	negate := false
	if p.isWord("not") {
		p.next()
		negate = true
		if !p.isWord("like") {
			return nil, fmt.Errorf("like is expected after not")
		}
	}
	if p.isWord("like") {
		p.next()
		t := p.next()
		var e expr
		switch t.kind {
		case tokRegex:
			re, err := regexp.Compile(t.text)
			if err != nil {
				return nil, fmt.Errorf("like /%s/: %w", t.text, err)
			}
			e = likeExpr{field: f, re: re}
		case tokString:
			e = likeExpr{field: f, sub: t.text}
		default:
			return nil, fmt.Errorf("like: a string or /regex/ is expected, not %q", t.text)
		}
		if negate {
			e = notExpr{e}
		}
		return e, nil
	}
	op := p.next()
	switch op.text {
	case "=", "==", "!=", "<", "<=", ">", ">=":
	default:
		return nil, fmt.Errorf("a comparison or like is expected after %s, not %q", f, op.text)
	}
	v := p.next()
	if v.kind != tokString && v.kind != tokNumber && v.kind != tokWord {
		return nil, fmt.Errorf("a value is expected after %s %s", f, op.text)
	}
	o := op.text
	if o == "==" {
		o = "="
	}
	return cmpExpr{field: f, op: o, value: v.text}, nil
}

// statsFuncs are the aggregates nubo's stats has.
var statsFuncs = map[string]bool{"count": true, "sum": true, "avg": true, "min": true, "max": true}

func (p *tokParser) stats() (*statsCmd, error) {
	s := &statsCmd{}
	for {
		t := p.next()
		fn := strings.ToLower(t.text)
		if t.kind != tokWord || !statsFuncs[fn] {
			return nil, fmt.Errorf("nubo's Logs Insights has count, sum, avg, min and max, not %q", t.text)
		}
		if t := p.next(); t.text != "(" {
			return nil, fmt.Errorf("( is expected after %s", fn)
		}
		arg := ""
		if t := p.peek(); (t.text == "*" && fn == "count") || t.kind == tokWord {
			arg = p.next().text
		}
		if arg == "" {
			if fn != "count" {
				return nil, fmt.Errorf("%s needs a field", fn)
			}
			arg = "*"
		}
		if t := p.next(); t.text != ")" {
			return nil, fmt.Errorf(") is expected after %s(%s", fn, arg)
		}
		a := statsAgg{fn: fn, field: arg, alias: fn + "(" + arg + ")"}
		if p.isWord("as") {
			p.next()
			name, ok := p.field()
			if !ok {
				return nil, fmt.Errorf("a name is expected after as")
			}
			a.alias = name
		}
		s.aggs = append(s.aggs, a)
		if p.peek().text != "," || p.peek().kind != tokOp {
			break
		}
		p.next()
	}
	if p.isWord("by") {
		p.next()
		for {
			f, err := p.byField()
			if err != nil {
				return nil, fmt.Errorf("by: %w", err)
			}
			s.by = append(s.by, f)
			if p.peek().text != "," || p.peek().kind != tokOp {
				break
			}
			p.next()
		}
	}
	if !p.done() {
		return nil, fmt.Errorf("unexpected %q", p.peek().text)
	}
	return s, nil
}

// byField is a stats grouping: a field, or bin(PERIOD) of @timestamp
// (PERIOD a number and s, m, h or d), named as written: "bin(5m)".
func (p *tokParser) byField() (string, error) {
	if !p.isWord("bin") {
		f, ok := p.field()
		if !ok {
			return "", fmt.Errorf("a field name is expected, not %q", p.peek().text)
		}
		return f, nil
	}
	p.next()
	if t := p.next(); t.text != "(" {
		return "", fmt.Errorf("( is expected after bin")
	}
	period := p.next()
	if _, err := binPeriod(period.text); err != nil {
		return "", err
	}
	if t := p.next(); t.text != ")" {
		return "", fmt.Errorf(") is expected after bin(%s", period.text)
	}
	return "bin(" + period.text + ")", nil
}

// binPeriod reads a bin period: a positive number of s, m, h or d.
func binPeriod(s string) (time.Duration, error) {
	units := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}
	if len(s) < 2 {
		return 0, fmt.Errorf("bin: a period such as 5m is expected, not %q", s)
	}
	unit, ok := units[s[len(s)-1]]
	n, err := strconv.Atoi(s[:len(s)-1])
	if !ok || err != nil || n <= 0 || n > 100000 {
		return 0, fmt.Errorf("bin: a period such as 5m is expected, not %q", s)
	}
	return time.Duration(n) * unit, nil
}
