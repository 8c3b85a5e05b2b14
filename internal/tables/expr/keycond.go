package expr

import (
	"strings"

	"github.com/nubo-run/nubo/internal/tables/attr"
)

// KeyCond is a parsed KeyConditionExpression: equality on the partition
// key and at most one condition on the sort key.
type KeyCond struct {
	Hash      attr.Value
	HashName  string
	RangeName string
	RangeOp   string // "", = < <= > >= BETWEEN begins_with
	Range     []attr.Value
}

const keyKind = "KeyConditionExpression"

// ParseKeyCondition parses a KeyConditionExpression for a table whose keys
// are hash and rng (rng "" for a table without a sort key).
func ParseKeyCondition(src string, env *Env, hash, rng string) (*KeyCond, error) {
	c, err := ParseCondition(keyKind, src, env)
	if err != nil {
		return nil, err
	}
	var parts []*Cond
	var flatten func(c *Cond) error
	flatten = func(c *Cond) error {
		switch c.Op {
		case "AND":
			if err := flatten(c.L); err != nil {
				return err
			}
			return flatten(c.R)
		case "OR", "NOT", "IN", "<>":
			return &Error{Kind: keyKind, Msg: "Invalid operator used in KeyConditionExpression: " + c.Op}
		}
		parts = append(parts, c)
		return nil
	}
	if err := flatten(c); err != nil {
		return nil, err
	}
	if len(parts) > 2 {
		return nil, &Error{Kind: keyKind, Msg: "The expression has more than two conditions; conditions: " + itoa(len(parts))}
	}
	k := &KeyCond{HashName: hash}
	seenHash := false
	for _, p := range parts {
		if p.Op == "FUNC" && p.Function != "begins_with" {
			return nil, &Error{Kind: keyKind, Msg: "Invalid operator used in KeyConditionExpression: " + p.Function}
		}
		a := p.Args[0]
		if a.Path == nil || len(a.Path) != 1 || a.Size != nil {
			return nil, &Error{Kind: keyKind, Msg: "The key condition must be on a key attribute's name, not " + a.String()}
		}
		for _, o := range p.Args[1:] {
			if o.Value == nil {
				return nil, &Error{Kind: keyKind, Msg: "The key condition must compare the key to a value; operand: " + o.String()}
			}
		}
		name := a.Path[0].Name
		switch {
		case name == hash && p.Op == "=" && !seenHash:
			seenHash = true
			k.Hash = *p.Args[1].Value
		case name == hash:
			return nil, &Error{Plain: true, Msg: "Query key condition not supported"}
		case rng != "" && name == rng && k.RangeOp == "":
			k.RangeName = name
			k.RangeOp = p.Op
			if p.Op == "FUNC" {
				k.RangeOp = "begins_with"
			}
			for _, o := range p.Args[1:] {
				k.Range = append(k.Range, *o.Value)
			}
		default:
			return nil, &Error{Plain: true, Msg: "Query condition missed key schema element: " + missing(name, hash, rng)}
		}
	}
	if !seenHash {
		return nil, &Error{Plain: true, Msg: "Query condition missed key schema element: " + hash}
	}
	return k, nil
}

func missing(name, hash, rng string) string {
	if strings.TrimSpace(rng) != "" && name != rng {
		return rng
	}
	return hash
}

// Match reports whether a sort key value satisfies the range condition.
func (k *KeyCond) Match(v attr.Value) bool {
	if k.RangeOp == "" {
		return true
	}
	if k.RangeOp == "begins_with" {
		return v.Kind == k.Range[0].Kind && strings.HasPrefix(v.Str, k.Range[0].Str)
	}
	c, ok := attr.Compare(v, k.Range[0])
	if !ok {
		return false
	}
	switch k.RangeOp {
	case "=":
		return c == 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	case "BETWEEN":
		hi, ok := attr.Compare(v, k.Range[1])
		return ok && c >= 0 && hi <= 0
	}
	return false
}
