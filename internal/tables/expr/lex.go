package expr

import (
	"fmt"
	"strings"
)

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tName  // #name
	tValue // :value
	tNum   // list index
	tOp    // = <> < <= > >= + -
	tPunct // ( ) , . [ ]
)

type token struct {
	kind tokKind
	text string
	pos  int
}

// lex splits an expression into tokens.
func lex(s string) ([]token, error) {
	var out []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '#' || c == ':' || isIdentStart(c):
			j := i + 1
			for j < len(s) && isIdentChar(s[j]) {
				j++
			}
			k := tIdent
			if c == '#' {
				k = tName
			} else if c == ':' {
				k = tValue
			}
			if (c == '#' || c == ':') && j == i+1 {
				return nil, syntaxErr(s, i, string(c))
			}
			out = append(out, token{k, s[i:j], i})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			out = append(out, token{tNum, s[i:j], i})
			i = j
		case c == '<':
			if i+1 < len(s) && (s[i+1] == '=' || s[i+1] == '>') {
				out = append(out, token{tOp, s[i : i+2], i})
				i += 2
			} else {
				out = append(out, token{tOp, "<", i})
				i++
			}
		case c == '>':
			if i+1 < len(s) && s[i+1] == '=' {
				out = append(out, token{tOp, ">=", i})
				i += 2
			} else {
				out = append(out, token{tOp, ">", i})
				i++
			}
		case c == '=' || c == '+' || c == '-':
			out = append(out, token{tOp, string(c), i})
			i++
		case strings.IndexByte("(),.[]", c) >= 0:
			out = append(out, token{tPunct, string(c), i})
			i++
		default:
			return nil, &Error{Msg: fmt.Sprintf("Invalid character encountered; character: \"%c\", near: %q", c, near(s, i))}
		}
	}
	return append(out, token{tEOF, "", len(s)}), nil
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

func near(s string, i int) string {
	end := min(len(s), i+12)
	start := max(0, i-6)
	return s[start:end]
}

func syntaxErr(s string, i int, tok string) *Error {
	if tok == "" {
		return &Error{Msg: "Syntax error; token: \"<EOF>\", near: " + fmt.Sprintf("%q", near(s, i))}
	}
	return &Error{Msg: fmt.Sprintf("Syntax error; token: %q, near: %q", tok, near(s, i))}
}

// Error is an expression's error; the API writes it as a
// ValidationException "Invalid <Kind>Expression: <Msg>".
type Error struct {
	Kind string // ConditionExpression, UpdateExpression...
	Msg  string
	// Plain errors (unused names or values) are written without the
	// "Invalid XExpression: " prefix.
	Plain bool
}

func (e *Error) Error() string {
	if e.Plain || e.Kind == "" {
		return e.Msg
	}
	return "Invalid " + e.Kind + ": " + e.Msg
}
