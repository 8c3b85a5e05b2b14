package policy

import (
	"strings"
	"unicode/utf8"
)

// A pattern is one compiled Action, Resource or condition value: literal
// text with `*` (any run of characters) and `?` (one character) wildcards,
// and, in 2012-10-17 policies, policy variables ${key} and ${key, 'default'}
// substituted from the request context. ${*}, ${?} and ${$} are a literal
// `*`, `?` and `$`.
type pattern struct {
	raw  string
	kind patternKind
	// lit is the text for exact and prefix patterns.
	lit  string
	segs []seg
	fold bool // case-insensitive (action names)
}

type patternKind uint8

const (
	matchAll patternKind = iota // "*"
	exact                       // no wildcard, no variable
	prefix                      // one trailing "*"
	glob                        // wildcards, no variables
	dynamic                     // has policy variables
)

type segKind uint8

const (
	segLit segKind = iota
	segStar
	segOne
	segVar
)

type seg struct {
	kind   segKind
	lit    string // literal text, or the variable's key
	def    string // the variable's default
	hasDef bool
}

// compilePattern compiles s. wild enables `*` and `?`; vars enables policy
// variables; fold makes matching case-insensitive.
func compilePattern(s string, wild, vars, fold bool) pattern {
	p := pattern{raw: s, fold: fold}
	var segs []seg
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			segs = append(segs, seg{kind: segLit, lit: lit.String()})
			lit.Reset()
		}
	}
	hasVar, hasWild := false, false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case wild && c == '*':
			flush()
			if len(segs) == 0 || segs[len(segs)-1].kind != segStar {
				segs = append(segs, seg{kind: segStar})
			}
			hasWild = true
			i++
		case wild && c == '?':
			flush()
			segs = append(segs, seg{kind: segOne})
			hasWild = true
			i++
		case vars && c == '$' && i+1 < len(s) && s[i+1] == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				lit.WriteByte(c)
				i++
				continue
			}
			body := strings.TrimSpace(s[i+2 : i+end])
			i += end + 1
			switch body {
			case "*", "?", "$":
				lit.WriteString(body)
				continue
			}
			v := seg{kind: segVar, lit: body}
			if k, d, ok := strings.Cut(body, ","); ok {
				d = strings.TrimSpace(d)
				if len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'' {
					v.lit, v.def, v.hasDef = strings.TrimSpace(k), d[1:len(d)-1], true
				}
			}
			flush()
			segs = append(segs, v)
			hasVar = true
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	switch {
	case hasVar:
		p.kind, p.segs = dynamic, segs
	case len(segs) == 1 && segs[0].kind == segStar:
		p.kind = matchAll
	case !hasWild:
		p.kind = exact
		if len(segs) == 1 {
			p.lit = segs[0].lit
		}
	case len(segs) == 2 && segs[0].kind == segLit && segs[1].kind == segStar:
		p.kind, p.lit = prefix, segs[0].lit
	default:
		p.kind, p.segs = glob, segs
	}
	return p
}

// match reports whether s matches. ok is false when the pattern uses a policy
// variable the request has no value for: the element then does not apply.
func (p *pattern) match(s string, r *evalRequest) (matched, ok bool) {
	switch p.kind {
	case matchAll:
		return true, true
	case exact:
		if p.fold {
			return strings.EqualFold(s, p.lit), true
		}
		return s == p.lit, true
	case prefix:
		return len(s) >= len(p.lit) && equal(s[:len(p.lit)], p.lit, p.fold), true
	case glob:
		return matchSegs(p.segs, s, p.fold), true
	}
	segs := make([]seg, len(p.segs))
	for i, sg := range p.segs {
		if sg.kind != segVar {
			segs[i] = sg
			continue
		}
		v, found := r.variable(sg.lit)
		if !found {
			if !sg.hasDef {
				return false, false
			}
			v = sg.def
		}
		segs[i] = seg{kind: segLit, lit: v}
	}
	return matchSegs(segs, s, p.fold), true
}

func equal(a, b string, fold bool) bool {
	if fold {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// matchSegs is the classic greedy wildcard match with backtracking to the
// last star: linear in practice, never exponential.
func matchSegs(segs []seg, s string, fold bool) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for {
		if pi < len(segs) {
			sg := segs[pi]
			switch sg.kind {
			case segStar:
				starP, starS = pi, si
				pi++
				continue
			case segOne:
				if si < len(s) {
					_, w := utf8.DecodeRuneInString(s[si:])
					si += w
					pi++
					continue
				}
			case segLit:
				if len(s)-si >= len(sg.lit) && equal(s[si:si+len(sg.lit)], sg.lit, fold) {
					si += len(sg.lit)
					pi++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		if starP < 0 || starS >= len(s) {
			return false
		}
		_, w := utf8.DecodeRuneInString(s[starS:])
		starS += w
		si, pi = starS, starP+1
	}
}
