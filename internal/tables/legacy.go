package tables

import (
	"sort"
	"strings"

	"github.com/nubo-run/nubo/internal/tables/attr"
	"github.com/nubo-run/nubo/internal/tables/expr"
)

// The legacy (pre-expression) parameters older clients still send,
// translated into the expression trees: Expected, AttributeUpdates,
// AttributesToGet, KeyConditions, QueryFilter and ScanFilter, with
// ConditionalOperator.

type legacyCondition struct {
	AttributeValueList []attr.Value `json:"AttributeValueList"`
	ComparisonOperator string       `json:"ComparisonOperator"`
}

type expectedValue struct {
	Value              *attr.Value  `json:"Value"`
	Exists             *bool        `json:"Exists"`
	ComparisonOperator string       `json:"ComparisonOperator"`
	AttributeValueList []attr.Value `json:"AttributeValueList"`
}

type valueUpdate struct {
	Value  *attr.Value `json:"Value"`
	Action string      `json:"Action"`
}

type legacy struct {
	Expected            map[string]expectedValue   `json:"Expected"`
	AttributeUpdates    map[string]valueUpdate     `json:"AttributeUpdates"`
	AttributesToGet     []string                   `json:"AttributesToGet"`
	KeyConditions       map[string]legacyCondition `json:"KeyConditions"`
	QueryFilter         map[string]legacyCondition `json:"QueryFilter"`
	ScanFilter          map[string]legacyCondition `json:"ScanFilter"`
	ConditionalOperator string                     `json:"ConditionalOperator"`
}

// mixed refuses legacy and expression parameters in one request, as DynamoDB does.
func (l legacy) mixed(exprs map[string]bool) error {
	var old, nw []string
	for name, set := range map[string]bool{"Expected": l.Expected != nil, "AttributeUpdates": l.AttributeUpdates != nil,
		"AttributesToGet": l.AttributesToGet != nil, "KeyConditions": l.KeyConditions != nil, "QueryFilter": l.QueryFilter != nil, "ScanFilter": l.ScanFilter != nil} {
		if set {
			old = append(old, name)
		}
	}
	for name, set := range exprs {
		if set {
			nw = append(nw, name)
		}
	}
	if len(old) == 0 || len(nw) == 0 {
		return nil
	}
	sort.Strings(old)
	sort.Strings(nw)
	return validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {%s} Expression parameters: {%s}", strings.Join(old, ", "), strings.Join(nw, ", "))
}

var argCounts = map[string]int{"EQ": 1, "NE": 1, "LE": 1, "LT": 1, "GE": 1, "GT": 1, "NOT_NULL": 0, "NULL": 0,
	"CONTAINS": 1, "NOT_CONTAINS": 1, "BEGINS_WITH": 1, "BETWEEN": 2, "IN": -1}

func pathOf(name string) expr.Operand { return expr.Operand{Path: expr.Path{{Name: name}}} }

func valueOf(v attr.Value) expr.Operand { return expr.Operand{Value: &v} }

// legacyCond is one attribute's condition.
func legacyCond(name, op string, vals []attr.Value) (*expr.Cond, error) {
	n, ok := argCounts[op]
	if !ok {
		return nil, validation("1 validation error detected: Value '%s' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]", op)
	}
	if (n >= 0 && len(vals) != n) || (n < 0 && len(vals) == 0) {
		return nil, validation("One or more parameter values were invalid: Invalid number of argument(s) for the %s ComparisonOperator", op)
	}
	p := pathOf(name)
	switch op {
	case "EQ", "LE", "LT", "GE", "GT":
		sym := map[string]string{"EQ": "=", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">"}[op]
		return &expr.Cond{Op: sym, Args: []expr.Operand{p, valueOf(vals[0])}}, nil
	case "NE":
		return &expr.Cond{Op: "NOT", L: &expr.Cond{Op: "=", Args: []expr.Operand{p, valueOf(vals[0])}}}, nil
	case "NOT_NULL":
		return &expr.Cond{Op: "FUNC", Function: "attribute_exists", Args: []expr.Operand{p}}, nil
	case "NULL":
		return &expr.Cond{Op: "FUNC", Function: "attribute_not_exists", Args: []expr.Operand{p}}, nil
	case "CONTAINS", "BEGINS_WITH":
		fn := map[string]string{"CONTAINS": "contains", "BEGINS_WITH": "begins_with"}[op]
		return &expr.Cond{Op: "FUNC", Function: fn, Args: []expr.Operand{p, valueOf(vals[0])}}, nil
	case "NOT_CONTAINS":
		return &expr.Cond{Op: "AND", L: &expr.Cond{Op: "FUNC", Function: "attribute_exists", Args: []expr.Operand{p}},
			R: &expr.Cond{Op: "NOT", L: &expr.Cond{Op: "FUNC", Function: "contains", Args: []expr.Operand{p, valueOf(vals[0])}}}}, nil
	case "BETWEEN":
		return &expr.Cond{Op: "BETWEEN", Args: []expr.Operand{p, valueOf(vals[0]), valueOf(vals[1])}}, nil
	}
	args := []expr.Operand{p}
	for _, v := range vals {
		args = append(args, valueOf(v))
	}
	return &expr.Cond{Op: "IN", Args: args}, nil
}

// combine joins per-attribute conditions with ConditionalOperator (AND by default).
func combine(conds []*expr.Cond, op string) (*expr.Cond, error) {
	switch op {
	case "":
		op = "AND"
	case "AND", "OR":
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum value set: [OR, AND]", op)
	}
	var out *expr.Cond
	for _, c := range conds {
		if out == nil {
			out = c
		} else {
			out = &expr.Cond{Op: op, L: out, R: c}
		}
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// filterOf translates QueryFilter or ScanFilter.
func filterOf(m map[string]legacyCondition, op string) (*expr.Cond, error) {
	var conds []*expr.Cond
	for _, name := range sortedKeys(m) {
		c, err := legacyCond(name, m[name].ComparisonOperator, m[name].AttributeValueList)
		if err != nil {
			return nil, err
		}
		conds = append(conds, c)
	}
	return combine(conds, op)
}

// expectedOf translates Expected.
func expectedOf(m map[string]expectedValue, op string) (*expr.Cond, error) {
	var conds []*expr.Cond
	for _, name := range sortedKeys(m) {
		e := m[name]
		var c *expr.Cond
		var err error
		switch {
		case e.ComparisonOperator != "":
			if e.Value != nil {
				return nil, validation("One or more parameter values were invalid: Value and AttributeValueList cannot be used together for Attribute: %s", name)
			}
			c, err = legacyCond(name, e.ComparisonOperator, e.AttributeValueList)
		case e.Exists != nil && !*e.Exists:
			if e.Value != nil {
				return nil, validation("One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: %s", name)
			}
			c, err = legacyCond(name, "NULL", nil)
		default:
			if e.Value == nil {
				return nil, validation("One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: %s", name)
			}
			c, err = legacyCond(name, "EQ", []attr.Value{*e.Value})
		}
		if err != nil {
			return nil, err
		}
		conds = append(conds, c)
	}
	return combine(conds, op)
}

// projectionOf translates AttributesToGet.
func projectionOf(names []string) []expr.Path {
	if names == nil {
		return nil
	}
	out := make([]expr.Path, 0, len(names))
	for _, n := range names {
		out = append(out, expr.Path{{Name: n}})
	}
	return out
}

// updateOf translates AttributeUpdates.
func updateOf(m map[string]valueUpdate) (*expr.Update, error) {
	u := &expr.Update{}
	for _, name := range sortedKeys(m) {
		a := m[name]
		p := expr.Path{{Name: name}}
		switch a.Action {
		case "", "PUT":
			if a.Value == nil {
				return nil, validation("One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified")
			}
			v := *a.Value
			u.Actions = append(u.Actions, expr.Action{Clause: "SET", Path: p, Set: &expr.SetValue{A: &expr.SetOperand{Value: &v}}})
		case "ADD":
			if a.Value == nil || !(a.Value.Kind == attr.N || a.Value.IsSet()) {
				return nil, validation("One or more parameter values were invalid: ADD action is supported only for NUMBER and SET data types")
			}
			v := *a.Value
			u.Actions = append(u.Actions, expr.Action{Clause: "ADD", Path: p, Value: &v})
		case "DELETE":
			if a.Value == nil {
				u.Actions = append(u.Actions, expr.Action{Clause: "REMOVE", Path: p})
				continue
			}
			if !a.Value.IsSet() {
				return nil, validation("One or more parameter values were invalid: DELETE action with value is not supported for the type %s", a.Value.Kind)
			}
			v := *a.Value
			u.Actions = append(u.Actions, expr.Action{Clause: "DELETE", Path: p, Value: &v})
		default:
			return nil, validation("1 validation error detected: Value '%s' at 'attributeUpdates.%s.member.action' failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]", a.Action, name)
		}
	}
	return u, nil
}

// keyConditionsOf translates KeyConditions for a view's keys.
func keyConditionsOf(m map[string]legacyCondition, hash, rng string) (*expr.KeyCond, error) {
	k := &expr.KeyCond{HashName: hash}
	seenHash := false
	for _, name := range sortedKeys(m) {
		c := m[name]
		n, ok := argCounts[c.ComparisonOperator]
		if !ok || n < 0 || c.ComparisonOperator == "NE" || c.ComparisonOperator == "CONTAINS" || c.ComparisonOperator == "NOT_CONTAINS" || n == 0 {
			return nil, validation("One or more parameter values were invalid: Unsupported operator on KeyCondition: %s", c.ComparisonOperator)
		}
		if len(c.AttributeValueList) != n {
			return nil, validation("One or more parameter values were invalid: Invalid number of argument(s) for the %s ComparisonOperator", c.ComparisonOperator)
		}
		switch {
		case name == hash:
			if c.ComparisonOperator != "EQ" {
				return nil, validation("Query key condition not supported")
			}
			k.Hash, seenHash = c.AttributeValueList[0], true
		case rng != "" && name == rng:
			k.RangeName = name
			k.RangeOp = map[string]string{"EQ": "=", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">", "BEGINS_WITH": "begins_with", "BETWEEN": "BETWEEN"}[c.ComparisonOperator]
			k.Range = c.AttributeValueList
		default:
			return nil, validation("Query condition missed key schema element: %s", missingKey(name, hash, rng))
		}
	}
	if !seenHash {
		return nil, validation("Query condition missed key schema element: %s", hash)
	}
	return k, nil
}

func missingKey(name, hash, rng string) string {
	if rng != "" && name != rng {
		return rng
	}
	return hash
}
