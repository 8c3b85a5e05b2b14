package gateway

import (
	"bytes"
	"encoding/json"
)

// A small JSON validator for the hot path: it decides whether a payload 2.0
// function result is the shorthand (a JSON object with no statusCode) without
// decoding it. It is conservative: anything it is not sure about (invalid
// JSON, deep nesting, a key that encoding/json could match to statusCode, such
// as one with escapes or non-ASCII letters) sends the caller to the full
// decode, so what it accepts is always what encoding/json accepts too.

// maxScanDepth bounds the nesting the scanner follows; deeper documents take
// the full decode (encoding/json's own limit is 10000).
const maxScanDepth = 512

type jsonScanner struct {
	b []byte
	i int
}

// shorthandObject reports whether b is one valid JSON object (no surrounding
// space) none of whose top-level keys could be statusCode.
func shorthandObject(b []byte) bool {
	if len(b) == 0 || b[0] != '{' {
		return false
	}
	s := jsonScanner{b: b}
	if !s.object(1, true) {
		return false
	}
	s.space()
	return s.i == len(s.b)
}

func (s *jsonScanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *jsonScanner) value(depth int) bool {
	if s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '{':
		return s.object(depth+1, false)
	case c == '[':
		return s.array(depth + 1)
	case c == '"':
		_, ok := s.str()
		return ok
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	}
	return false
}

// object scans {...} at s.i; top says whether its keys are checked against
// statusCode (the scan fails when one could match it).
func (s *jsonScanner) object(depth int, top bool) bool {
	if depth > maxScanDepth {
		return false
	}
	if !top {
		return s.fields(depth, nil)
	}
	return s.fields(depth, func(key []byte, plain bool, _ []byte) bool {
		return plain && !mayBeStatusCode(key)
	})
}

func (s *jsonScanner) array(depth int) bool {
	if depth > maxScanDepth {
		return false
	}
	s.i++ // '['
	s.space()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return true
	}
	for {
		if !s.value(depth) {
			return false
		}
		s.space()
		if s.i >= len(s.b) {
			return false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
			s.space()
		case ']':
			s.i++
			return true
		default:
			return false
		}
	}
}

// str scans a string at s.i (on its opening quote); plain says it has
// neither escapes nor bytes outside ASCII.
func (s *jsonScanner) str() (plain, ok bool) {
	plain = true
	s.i++ // '"'
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return plain, true
		case c < 0x20:
			return false, false
		case c == '\\':
			plain = false
			s.i++
			if s.i >= len(s.b) {
				return false, false
			}
			switch s.b[s.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i++
			case 'u':
				if s.i+4 >= len(s.b) {
					return false, false
				}
				for _, h := range s.b[s.i+1 : s.i+5] {
					if !isHex(h) {
						return false, false
					}
				}
				s.i += 5
			default:
				return false, false
			}
		default:
			if c >= 0x80 {
				plain = false
			}
			s.i++
		}
	}
	return false, false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func (s *jsonScanner) literal(lit string) bool {
	if len(s.b)-s.i < len(lit) || string(s.b[s.i:s.i+len(lit)]) != lit {
		return false
	}
	s.i += len(lit)
	return true
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *jsonScanner) number() bool {
	if s.b[s.i] == '-' {
		s.i++
	}
	if s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '0':
		s.i++
	case c >= '1' && c <= '9':
		s.digits()
	default:
		return false
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if s.digits() == 0 {
			return false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if s.digits() == 0 {
			return false
		}
	}
	return true
}

func (s *jsonScanner) digits() int {
	n := 0
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
		n++
	}
	return n
}

// mayBeStatusCode reports whether a plain (ASCII, unescaped) key matches
// statusCode the way encoding/json matches field names: case-insensitively.
func mayBeStatusCode(k []byte) bool {
	const name = "statuscode"
	if len(k) != len(name) {
		return false
	}
	for i, c := range k {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != name[i] {
			return false
		}
	}
	return true
}

// fields scans the object at s.i (on its '{'), at nesting depth, calling
// fn (when not nil) with each key (raw, between the quotes; plain as str
// reports) and value (raw); it stops and fails when fn does.
func (s *jsonScanner) fields(depth int, fn func(key []byte, plain bool, val []byte) bool) bool {
	s.i++ // '{'
	s.space()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return true
	}
	for {
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return false
		}
		kstart := s.i + 1
		plain, ok := s.str()
		if !ok {
			return false
		}
		key := s.b[kstart : s.i-1]
		s.space()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return false
		}
		s.i++
		s.space()
		vstart := s.i
		if !s.value(depth) || fn != nil && !fn(key, plain, s.b[vstart:s.i]) {
			return false
		}
		s.space()
		if s.i >= len(s.b) {
			return false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
			s.space()
		case '}':
			s.i++
			return true
		default:
			return false
		}
	}
}

// plainString returns the contents of a JSON string with neither escapes
// nor bytes outside ASCII: what encoding/json decodes it to, byte for byte.
func plainString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	s := jsonScanner{b: raw}
	plain, ok := s.str()
	if !ok || !plain || s.i != len(raw) {
		return "", false
	}
	return string(raw[1 : len(raw)-1]), true
}

// asciiFold reports whether k equals name ignoring ASCII case.
func asciiFold(k []byte, name string) bool {
	if len(k) != len(name) {
		return false
	}
	for i := range len(k) {
		a, b := k[i], name[i]
		if a >= 'A' && a <= 'Z' {
			a += 'a' - 'A'
		}
		if b >= 'A' && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// decodeRawResponse is json.Unmarshal(b, &rr) for the common shapes of a
// proxy response (b without surrounding space). It declines (false) whatever
// it does not decode exactly as encoding/json does, or where encoding/json
// would fail: a repeated or differently cased field, keys with escapes,
// multiValueHeaders, values of an unexpected type...
func decodeRawResponse(b []byte) (*rawResponse, bool) {
	if len(b) == 0 || b[0] != '{' {
		return nil, false
	}
	// rawResponse's JSON names, in order.
	fields := [...]string{"statusCode", "headers", "multiValueHeaders", "cookies", "body", "isBase64Encoded"}
	var seen [len(fields)]bool
	rr := &rawResponse{}
	s := jsonScanner{b: b}
	ok := s.fields(1, func(key []byte, plain bool, val []byte) bool {
		if !plain {
			return false
		}
		field := -1
		for i, name := range fields {
			if asciiFold(key, name) {
				if string(key) != name || seen[i] {
					return false
				}
				field, seen[i] = i, true
			}
		}
		isNull := string(val) == "null"
		switch field {
		case -1: // not a field: skipped
		case 0:
			rr.StatusCode = json.RawMessage(val)
		case 1:
			if isNull {
				return true
			}
			if val[0] != '{' {
				return false
			}
			rr.Headers = map[string]json.RawMessage{}
			hs := jsonScanner{b: val}
			return hs.fields(1, func(k []byte, plain bool, v []byte) bool {
				if !plain {
					return false
				}
				rr.Headers[string(k)] = json.RawMessage(v)
				return true
			})
		case 2:
			return isNull
		case 3:
			if isNull {
				return true
			}
			if val[0] != '[' {
				return false
			}
			rr.Cookies = []string{}
			for rest := val[1:]; ; {
				rest = bytes.TrimLeft(rest, " \t\r\n")
				if len(rest) > 0 && rest[0] == ']' && len(rr.Cookies) == 0 {
					return true
				}
				cs := jsonScanner{b: rest}
				if len(rest) == 0 || rest[0] != '"' {
					return false
				}
				if _, ok := cs.str(); !ok {
					return false
				}
				c, ok := plainString(rest[:cs.i])
				if !ok {
					return false
				}
				rr.Cookies = append(rr.Cookies, c)
				rest = bytes.TrimLeft(rest[cs.i:], " \t\r\n")
				if len(rest) == 0 {
					return false
				}
				if rest[0] == ']' {
					return true
				}
				if rest[0] != ',' {
					return false
				}
				rest = rest[1:]
			}
		case 4:
			if isNull {
				return true
			}
			if val[0] != '"' {
				return false
			}
			body, ok := plainString(val)
			if !ok && json.Unmarshal(val, &body) != nil {
				return false
			}
			rr.Body = &body
		case 5:
			switch string(val) {
			case "true":
				rr.IsBase64Encoded = true
			case "false", "null":
			default:
				return false
			}
		}
		return true
	})
	if !ok {
		return nil, false
	}
	s.space()
	return rr, s.i == len(b)
}
