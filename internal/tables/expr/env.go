package expr

import (
	"fmt"
	"sort"
	"strings"

	"github.com/nubo-run/nubo/internal/tables/attr"
)

// Env is one request's ExpressionAttributeNames and Values, recording
// which ones its expressions use.
type Env struct {
	Names  map[string]string
	Values map[string]attr.Value

	usedNames, usedValues map[string]bool
}

// NewEnv is an Env over a request's placeholders.
func NewEnv(names map[string]string, values map[string]attr.Value) *Env {
	return &Env{Names: names, Values: values, usedNames: map[string]bool{}, usedValues: map[string]bool{}}
}

// CheckUnused is DynamoDB's refusal of placeholders no expression used;
// call it once every expression of the request is parsed.
func (e *Env) CheckUnused() error {
	if u := unused(e.Values, e.usedValues); len(u) > 0 {
		return &Error{Plain: true, Msg: "Value provided in ExpressionAttributeValues unused in expressions: keys: {" + strings.Join(u, ", ") + "}"}
	}
	if u := unused(e.Names, e.usedNames); len(u) > 0 {
		return &Error{Plain: true, Msg: "Value provided in ExpressionAttributeNames unused in expressions: keys: {" + strings.Join(u, ", ") + "}"}
	}
	return nil
}

func unused[V any](m map[string]V, used map[string]bool) []string {
	var out []string
	for k := range m {
		if !used[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func (e *Env) name(kind, n string) (string, error) {
	v, ok := e.Names[n]
	if !ok {
		return "", &Error{Kind: kind, Msg: "An expression attribute name used in the document path is not defined; attribute name: " + n}
	}
	e.usedNames[n] = true
	return v, nil
}

func (e *Env) value(kind, n string) (*attr.Value, error) {
	v, ok := e.Values[n]
	if !ok {
		return nil, &Error{Kind: kind, Msg: "An expression attribute value used in expression is not defined; attribute value: " + n}
	}
	e.usedValues[n] = true
	return &v, nil
}

// CheckPlaceholders refuses empty names and values maps as DynamoDB does.
func CheckPlaceholders(names map[string]string, values map[string]attr.Value) error {
	if names != nil && len(names) == 0 {
		return &Error{Plain: true, Msg: "ExpressionAttributeNames must not be empty"}
	}
	if values != nil && len(values) == 0 {
		return &Error{Plain: true, Msg: "ExpressionAttributeValues must not be empty"}
	}
	for k := range names {
		if !strings.HasPrefix(k, "#") {
			return &Error{Plain: true, Msg: fmt.Sprintf("ExpressionAttributeNames contains invalid key: Syntax error; key: %q", k)}
		}
	}
	for k := range values {
		if !strings.HasPrefix(k, ":") {
			return &Error{Plain: true, Msg: fmt.Sprintf("ExpressionAttributeValues contains invalid key: Syntax error; key: %q", k)}
		}
	}
	return nil
}
