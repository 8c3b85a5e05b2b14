package vtl

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf16"
)

// API Gateway's $input and $util variables (the "Variables for data
// transformations" of the API Gateway developer guide).

// Input is $input: the request (or integration response) payload and the
// request's parameters.
type Input struct {
	Body []byte
	// Path, Query and Header are the method request's parameters.
	Path, Query, Header *Map

	parsed   any
	parseErr error
	done     bool
}

// root is the body as JSON: an empty body is {} (as API Gateway reads it).
func (in *Input) root() (any, error) {
	if !in.done {
		in.done = true
		if strings.TrimSpace(string(in.Body)) == "" {
			in.parsed = NewMap()
		} else {
			in.parsed, in.parseErr = ParseJSON(in.Body)
		}
	}
	if in.parseErr != nil {
		return nil, evalErr("$input: the body is not JSON: %v", in.parseErr)
	}
	return in.parsed, nil
}

// Property: $input.body.
func (in *Input) Property(name string) (any, bool) {
	if name == "body" {
		return string(in.Body), true
	}
	return nil, false
}

// Call: $input.json(path), $input.path(path), $input.params(), params(name).
func (in *Input) Call(name string, args []any) (any, bool, error) {
	switch name {
	case "getBody":
		return string(in.Body), true, nil
	case "json", "path":
		p, ok := argString(args, 0)
		if !ok || len(args) != 1 {
			return nil, true, evalErr("$input.%s: want one JSONPath argument", name)
		}
		root, err := in.root()
		if err != nil {
			return nil, true, err
		}
		v, err := SelectPath(root, p)
		if err != nil {
			return nil, true, evalErr("$input.%s: %v", name, err)
		}
		if name == "path" {
			return v, true, nil
		}
		if v == nil {
			return "", true, nil // API Gateway renders a missing path as nothing
		}
		return ToJSON(v), true, nil
	case "params":
		if len(args) == 0 {
			return MapOf("path", orEmpty(in.Path), "querystring", orEmpty(in.Query), "header", orEmpty(in.Header)), true, nil
		}
		p, _ := argString(args, 0)
		for _, m := range []*Map{in.Path, in.Query} {
			if v, ok := m.Get(p); ok {
				return v, true, nil
			}
		}
		for _, k := range in.Header.Keys() {
			if strings.EqualFold(k, p) {
				return in.Header.m[k], true, nil
			}
		}
		return "", true, nil
	}
	return nil, false, nil
}

func orEmpty(m *Map) *Map {
	if m == nil {
		return NewMap()
	}
	return m
}

// Util is $util.
type Util struct{}

// Property: none.
func (Util) Property(string) (any, bool) { return nil, false }

// Call: escapeJavaScript, parseJson, urlEncode, urlDecode, base64Encode,
// base64Decode.
func (Util) Call(name string, args []any) (any, bool, error) {
	s, _ := argString(args, 0)
	switch name {
	case "escapeJavaScript", "parseJson", "urlEncode", "urlDecode", "base64Encode", "base64Decode":
		if len(args) != 1 {
			return nil, true, evalErr("$util.%s: want one argument", name)
		}
		if args[0] == nil {
			return nil, true, nil // null in, null out (Java's escapeJavaScript(null))
		}
	default:
		return nil, false, nil
	}
	switch name {
	case "escapeJavaScript":
		return EscapeJavaScript(s), true, nil
	case "parseJson":
		v, err := ParseJSON([]byte(s))
		if err != nil {
			return nil, true, evalErr("$util.parseJson: %v", err)
		}
		return v, true, nil
	case "urlEncode":
		return urlEncode(s), true, nil
	case "urlDecode":
		v, err := urlDecode(s)
		if err != nil {
			return nil, true, evalErr("$util.urlDecode: %v", err)
		}
		return v, true, nil
	case "base64Encode":
		return base64.StdEncoding.EncodeToString([]byte(s)), true, nil
	default:
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, true, evalErr("$util.base64Decode: %v", err)
		}
		return string(b), true, nil
	}
}

// EscapeJavaScript escapes as Java's StringEscapeUtils.escapeJavaScript,
// which API Gateway's $util.escapeJavaScript is: quotes (single ones too,
// which JSON does not allow escaped), backslash, slash, control characters
// and everything beyond ASCII as \uXXXX.
func EscapeJavaScript(s string) string {
	var b strings.Builder
	for _, c := range utf16.Encode([]rune(s)) {
		switch {
		case c > 0x7f:
			fmt.Fprintf(&b, "\\u%04X", c)
		case c < 32:
			switch c {
			case '\b':
				b.WriteString(`\b`)
			case '\n':
				b.WriteString(`\n`)
			case '\t':
				b.WriteString(`\t`)
			case '\f':
				b.WriteString(`\f`)
			case '\r':
				b.WriteString(`\r`)
			default:
				fmt.Fprintf(&b, "\\u%04X", c)
			}
		case c == '\'' || c == '"' || c == '\\' || c == '/':
			b.WriteByte('\\')
			b.WriteByte(byte(c))
		default:
			b.WriteByte(byte(c))
		}
	}
	return b.String()
}

// urlEncode is Java's URLEncoder.encode(s, "UTF-8").
func urlEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isAlpha(c) || isDigit(c) || c == '.' || c == '-' || c == '*' || c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// urlDecode is Java's URLDecoder.decode(s, "UTF-8").
func urlDecode(s string) (string, error) {
	var b []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return "", fmt.Errorf("bad escape at %d", i)
			}
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return strings.ToValidUTF8(string(b), "\uFFFD"), nil
}

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
