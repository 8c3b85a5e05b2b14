package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// step is one step of a JSONPath: an object key or an array index.
type step struct {
	key   string
	index int // -1 for a key
}

// parsePath reads the JSONPath subset EventBridge's InputPath and
// InputPathsMap use: $, then .key, ['key'] or [N] steps.
func parsePath(p string) ([]step, error) {
	if !strings.HasPrefix(p, "$") {
		return nil, fmt.Errorf("path %q must start with $", p)
	}
	var out []step
	rest := p[1:]
	for rest != "" {
		switch {
		case rest[0] == '.':
			rest = rest[1:]
			i := strings.IndexAny(rest, ".[")
			if i < 0 {
				i = len(rest)
			}
			if i == 0 {
				return nil, fmt.Errorf("path %q has an empty key", p)
			}
			out = append(out, step{key: rest[:i], index: -1})
			rest = rest[i:]
		case rest[0] == '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("path %q has an unclosed [", p)
			}
			in := rest[1:end]
			rest = rest[end+1:]
			if len(in) >= 2 && (in[0] == '\'' && in[len(in)-1] == '\'' || in[0] == '"' && in[len(in)-1] == '"') {
				out = append(out, step{key: in[1 : len(in)-1], index: -1})
				continue
			}
			n, err := strconv.Atoi(in)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("path %q has an invalid index [%s]", p, in)
			}
			out = append(out, step{index: n})
		default:
			return nil, fmt.Errorf("path %q is not valid at %q", p, rest)
		}
	}
	return out, nil
}

// lookup follows a path through a decoded event; ok is false where it
// leads nowhere.
func lookup(v any, path []step) (any, bool) {
	for _, s := range path {
		if s.index < 0 {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[s.key]; !ok {
				return nil, false
			}
			continue
		}
		a, ok := v.([]any)
		if !ok || s.index >= len(a) {
			return nil, false
		}
		v = a[s.index]
	}
	return v, true
}

func jsonValid(s string) bool { return json.Valid([]byte(s)) }

var varNameRE = regexp.MustCompile(`^[A-Za-z0-9_\-]{1,256}$`)

func checkTransformer(t *InputTransformer) error {
	if t.InputTemplate == "" || len(t.InputTemplate) > 8192 {
		return errors.New("InputTemplate must have length between 1 and 8192")
	}
	if len(t.InputPathsMap) > 100 {
		return errors.New("InputPathsMap has more than 100 entries")
	}
	for k, p := range t.InputPathsMap {
		if !varNameRE.MatchString(k) {
			return fmt.Errorf("InputPathsMap key %q must match [A-Za-z0-9_\\-]+", k)
		}
		if _, err := parsePath(p); err != nil {
			return fmt.Errorf("InputPathsMap %s: %w", k, err)
		}
	}
	return nil
}

// delivery is what a target's input is made from.
type delivery struct {
	event     []byte // the envelope as JSON
	ruleARN   string
	ruleName  string
	ingestion time.Time
}

// input is the payload a target receives: the event, its Input, the part
// InputPath selects, or its InputTransformer's template filled in.
func input(t *Target, d delivery) ([]byte, error) {
	switch {
	case t.Input != "":
		return []byte(t.Input), nil
	case t.InputPath != "":
		path, err := parsePath(t.InputPath)
		if err != nil {
			return nil, err
		}
		ev, err := decode(d.event)
		if err != nil {
			return nil, err
		}
		v, ok := lookup(ev, path)
		if !ok {
			return []byte("null"), nil
		}
		return json.Marshal(v)
	case t.InputTransformer != nil:
		return transform(t.InputTransformer, d)
	}
	return d.event, nil
}

func decode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("events: decoding the event: %w", err)
	}
	return v, nil
}

// transform fills an InputTemplate. In a JSON template a variable outside
// a string literal becomes the value's JSON (a string quoted, a missing
// path null) and one inside a string literal its text (a string's
// characters, escaped for the literal; a missing path nothing). A
// template that is not JSON (it does not start with {, [ or ") takes every
// value as text.
func transform(t *InputTransformer, d delivery) ([]byte, error) {
	ev, err := decode(d.event)
	if err != nil {
		return nil, err
	}
	vars := map[string]any{
		"aws.events.rule-arn":             d.ruleARN,
		"aws.events.rule-name":            d.ruleName,
		"aws.events.event.ingestion-time": d.ingestion.UTC().Format(time.RFC3339Nano),
		"aws.events.event":                withoutDetail(ev),
		"aws.events.event.json":           json.RawMessage(d.event),
	}
	missing := map[string]bool{}
	for k, p := range t.InputPathsMap {
		path, err := parsePath(p)
		if err != nil {
			return nil, err
		}
		if v, ok := lookup(ev, path); ok {
			vars[k] = v
		} else {
			missing[k] = true
		}
	}
	tpl := t.InputTemplate
	trimmed := strings.TrimSpace(tpl)
	jsonMode := trimmed != "" && strings.ContainsRune("{[\"", rune(trimmed[0]))
	var out strings.Builder
	inString := false
	for i := 0; i < len(tpl); i++ {
		c := tpl[i]
		if jsonMode && c == '"' && !escaped(tpl, i) {
			inString = !inString
		}
		if c == '<' {
			if end := strings.IndexByte(tpl[i:], '>'); end > 0 {
				name := tpl[i+1 : i+end]
				v, known := vars[name]
				if known || missing[name] {
					out.WriteString(render(v, known, jsonMode, inString))
					i += end
					continue
				}
			}
		}
		out.WriteByte(c)
	}
	return []byte(out.String()), nil
}

// withoutDetail is the event without its detail field
// (<aws.events.event>).
func withoutDetail(ev any) json.RawMessage {
	m, ok := ev.(map[string]any)
	if !ok {
		return json.RawMessage("null")
	}
	rest := make(map[string]any, len(m))
	for k, v := range m {
		if k != "detail" {
			rest[k] = v
		}
	}
	b, err := json.Marshal(rest)
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}

// escaped reports whether the quote at i is escaped by an odd run of
// backslashes.
func escaped(s string, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

func render(v any, known, jsonMode, inString bool) string {
	if !known {
		if jsonMode && !inString {
			return "null"
		}
		return ""
	}
	if raw, ok := v.(json.RawMessage); ok {
		if inString {
			return escapeText(string(raw))
		}
		return string(raw)
	}
	text, isString := v.(string)
	if !isString {
		b, _ := json.Marshal(v)
		text = string(b)
	}
	switch {
	case !jsonMode:
		return text
	case inString:
		return escapeText(text)
	case isString:
		return quote(text)
	}
	return text
}

// quote is s as a JSON string literal (<, > and & as they are).
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// escapeText escapes text for the inside of a JSON string literal.
func escapeText(s string) string {
	q := quote(s)
	return q[1 : len(q)-1]
}
