package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Policy language versions. Policy variables are substituted only in 2012-10-17.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// ErrMalformed wraps every error Parse and Validate return; IAM answers it
// as MalformedPolicyDocument.
var ErrMalformed = errors.New("malformed policy document")

// Effect is Allow or Deny.
type Effect string

// The two effects.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Policy is a parsed policy document.
type Policy struct {
	Version    string
	ID         string
	Statements []Statement
}

// Statement is one element of a policy's Statement list. A nil slice means the
// element is absent; "Action" and "NotAction" (etc.) are mutually exclusive.
type Statement struct {
	Sid          string
	Effect       Effect
	Principal    *Principals
	NotPrincipal *Principals
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	// Condition maps an operator ("StringEquals", "ForAnyValue:StringLike",
	// "ArnLikeIfExists") to condition keys and their values.
	Condition map[string]map[string][]string
}

// Principals is the value of a Principal or NotPrincipal element.
type Principals struct {
	// Wildcard is "Principal": "*".
	Wildcard bool
	// ByType maps "AWS", "Service", "Federated" or "CanonicalUser" to values.
	ByType map[string][]string
}

// Kind says where a policy is used; Validate checks the elements it needs.
type Kind int

// Policy kinds.
const (
	// Identity policies (inline, managed, boundaries) have no Principal and
	// need Resource or NotResource.
	Identity Kind = iota
	// ResourceBased policies (a function's policy, a queue's policy) need a
	// Principal or NotPrincipal.
	ResourceBased
	// Trust policies (a role's AssumeRolePolicyDocument) need a Principal and
	// have no Resource.
	Trust
)

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// Parse parses a JSON policy document. Statement may be an object or a list,
// and every element that takes values accepts a single string or a list.
func Parse(doc []byte) (*Policy, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(doc, &top); err != nil {
		return nil, malformed("%v", err)
	}
	if top == nil {
		return nil, malformed("the policy must be a JSON object")
	}
	p := &Policy{Version: Version2008}
	for k, raw := range top {
		var err error
		switch k {
		case "Version":
			err = json.Unmarshal(raw, &p.Version)
			if err == nil && p.Version != Version2012 && p.Version != Version2008 {
				err = fmt.Errorf("unsupported version %q", p.Version)
			}
		case "Id":
			err = json.Unmarshal(raw, &p.ID)
		case "Statement":
			p.Statements, err = parseStatements(raw)
		default:
			err = errors.New("unknown element")
		}
		if err != nil {
			return nil, malformed("%s: %v", k, err)
		}
	}
	if _, ok := top["Statement"]; !ok {
		return nil, malformed("Statement: missing required element")
	}
	return p, nil
}

func parseStatements(raw json.RawMessage) ([]Statement, error) {
	raw = bytes.TrimSpace(raw)
	var items []json.RawMessage
	if len(raw) > 0 && raw[0] == '[' {
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, err
		}
	} else {
		items = []json.RawMessage{raw}
	}
	out := make([]Statement, 0, len(items))
	for i, it := range items {
		s, err := parseStatement(it)
		if err != nil {
			return nil, fmt.Errorf("statement %d: %w", i, err)
		}
		out = append(out, s)
	}
	return out, nil
}

func parseStatement(raw json.RawMessage) (Statement, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return Statement{}, errors.New("a statement must be a JSON object")
	}
	var s Statement
	for k, v := range fields {
		var err error
		switch k {
		case "Sid":
			err = json.Unmarshal(v, &s.Sid)
		case "Effect":
			var e string
			if err = json.Unmarshal(v, &e); err == nil {
				s.Effect = Effect(e)
				if s.Effect != Allow && s.Effect != Deny {
					err = fmt.Errorf("must be Allow or Deny, not %q", e)
				}
			}
		case "Action":
			s.Action, err = stringList(v)
		case "NotAction":
			s.NotAction, err = stringList(v)
		case "Resource":
			s.Resource, err = stringList(v)
		case "NotResource":
			s.NotResource, err = stringList(v)
		case "Principal":
			s.Principal, err = parsePrincipals(v)
		case "NotPrincipal":
			s.NotPrincipal, err = parsePrincipals(v)
		case "Condition":
			s.Condition, err = parseCondition(v)
		default:
			err = errors.New("unknown element")
		}
		if err != nil {
			return Statement{}, fmt.Errorf("%s: %w", k, err)
		}
	}
	switch {
	case s.Effect == "":
		return s, errors.New("Effect: missing required element")
	case s.Action != nil && s.NotAction != nil:
		return s, errors.New("Action and NotAction are mutually exclusive")
	case s.Action == nil && s.NotAction == nil:
		return s, errors.New("Action: one of Action or NotAction is required")
	case s.Resource != nil && s.NotResource != nil:
		return s, errors.New("Resource and NotResource are mutually exclusive")
	case s.Principal != nil && s.NotPrincipal != nil:
		return s, errors.New("Principal and NotPrincipal are mutually exclusive")
	}
	return s, nil
}

// stringList accepts "x", ["x", "y"], and scalars (numbers, booleans) as strings.
func stringList(raw json.RawMessage) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, err
		}
		out := make([]string, 0, len(items))
		for _, it := range items {
			s, err := scalar(it)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, err := scalar(raw)
	if err != nil {
		return nil, err
	}
	return []string{s}, nil
}

func scalar(raw json.RawMessage) (string, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", err
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case float64:
		return strings.TrimSpace(string(raw)), nil
	}
	return "", errors.New("values must be strings or lists of strings")
}

func parsePrincipals(raw json.RawMessage) (*Principals, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		if s != "*" {
			return nil, fmt.Errorf("a string principal must be \"*\", not %q", s)
		}
		return &Principals{Wildcard: true}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, errors.New("must be \"*\" or an object")
	}
	p := &Principals{ByType: map[string][]string{}}
	for typ, v := range m {
		switch typ {
		case "AWS", "Service", "Federated", "CanonicalUser":
		default:
			return nil, fmt.Errorf("unknown principal type %q", typ)
		}
		vals, err := stringList(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", typ, err)
		}
		p.ByType[typ] = vals
	}
	return p, nil
}

func parseCondition(raw json.RawMessage) (map[string]map[string][]string, error) {
	var ops map[string]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &ops); err != nil {
		return nil, errors.New("must map operators to objects of condition keys")
	}
	out := make(map[string]map[string][]string, len(ops))
	for op, keys := range ops {
		if _, err := parseOperator(op); err != nil {
			return nil, err
		}
		m := make(map[string][]string, len(keys))
		for k, v := range keys {
			vals, err := stringList(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", op, k, err)
			}
			m[k] = vals
		}
		out[op] = m
	}
	return out, nil
}

// Validate checks the elements a policy of kind k must and must not have.
func (p *Policy) Validate(k Kind) error {
	if len(p.Statements) == 0 {
		return malformed("Statement: at least one statement is required")
	}
	for i, s := range p.Statements {
		hasPrincipal := s.Principal != nil || s.NotPrincipal != nil
		hasResource := s.Resource != nil || s.NotResource != nil
		switch k {
		case Identity:
			if hasPrincipal {
				return malformed("statement %d: Principal is not allowed in an identity-based policy", i)
			}
			if !hasResource {
				return malformed("statement %d: Resource: missing required element", i)
			}
		case ResourceBased:
			if !hasPrincipal {
				return malformed("statement %d: Principal: missing required element", i)
			}
		case Trust:
			if !hasPrincipal {
				return malformed("statement %d: Principal: missing required element", i)
			}
			if hasResource {
				return malformed("statement %d: Resource is not allowed in a trust policy", i)
			}
		}
	}
	return nil
}

// MarshalJSON writes the document back in its canonical long form.
func (p *Policy) MarshalJSON() ([]byte, error) {
	type doc struct {
		Version   string      `json:"Version"`
		ID        string      `json:"Id,omitempty"`
		Statement []Statement `json:"Statement"`
	}
	return json.Marshal(doc{Version: p.Version, ID: p.ID, Statement: p.Statements})
}

// MarshalJSON writes one statement with its elements in AWS's usual order.
func (s Statement) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	field := func(name string, v any) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		k, _ := json.Marshal(name)
		b.Write(k)
		b.WriteByte(':')
		val, _ := json.Marshal(v)
		b.Write(val)
	}
	list := func(name string, v []string) {
		if v == nil {
			return
		}
		if len(v) == 1 {
			field(name, v[0])
		} else {
			field(name, v)
		}
	}
	if s.Sid != "" {
		field("Sid", s.Sid)
	}
	field("Effect", string(s.Effect))
	if s.Principal != nil {
		field("Principal", s.Principal.jsonValue())
	}
	if s.NotPrincipal != nil {
		field("NotPrincipal", s.NotPrincipal.jsonValue())
	}
	list("Action", s.Action)
	list("NotAction", s.NotAction)
	list("Resource", s.Resource)
	list("NotResource", s.NotResource)
	if len(s.Condition) > 0 {
		field("Condition", s.Condition)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func (p *Principals) jsonValue() any {
	if p.Wildcard {
		return "*"
	}
	m := make(map[string]any, len(p.ByType))
	for k, v := range p.ByType {
		if len(v) == 1 {
			m[k] = v[0]
		} else {
			m[k] = v
		}
	}
	return m
}

// Actions lists the Action values of every statement, sorted and deduplicated.
func (p *Policy) Actions() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range p.Statements {
		for _, a := range s.Action {
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	sort.Strings(out)
	return out
}
