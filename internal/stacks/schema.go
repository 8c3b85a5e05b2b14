package stacks

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
)

// PropType is the JSON type of a property.
type PropType int

// Property types, after the CloudFormation registry schemas.
const (
	Any PropType = iota
	String
	Integer
	Number
	Boolean
	List
	Map
	Object
	JSON
)

func (t PropType) String() string {
	switch t {
	case String:
		return "String"
	case Integer:
		return "Integer"
	case Number:
		return "Number"
	case Boolean:
		return "Boolean"
	case List:
		return "List"
	case Map:
		return "Map"
	case Object:
		return "Object"
	case JSON:
		return "Json"
	}
	return "Any"
}

// Property describes one property of a resource type.
type Property struct {
	Type       PropType                // String, Integer, Boolean, List, Map, Object, JSON
	Required   bool                    // the template must set it
	CreateOnly bool                    // a change forces replacement (registry createOnlyProperties)
	ReplaceIf  func(old, new any) bool // optional narrowing of CreateOnly; nil means always
	ReadOnly   bool                    // an attribute for Fn::GetAtt, never set by a template
	Enum       []string                // allowed values of a String, if restricted
	// Unordered: a List whose order means nothing (the registry schema's
	// insertionOrder: false, as of Tags); drift compares it as a set.
	Unordered bool
}

// Schema is a resource type's properties, as data.
type Schema struct {
	Properties map[string]Property
	// Attributes are the names Fn::GetAtt may read besides ReadOnly properties
	// (AWS::SSM::Parameter exposes its Type and Value).
	Attributes []string
	// Open accepts properties the schema does not list (pass-through types).
	Open bool
}

// HasAttribute reports whether Fn::GetAtt may read name.
func (s Schema) HasAttribute(name string) bool {
	if p, ok := s.Properties[name]; ok && p.ReadOnly {
		return true
	}
	for _, a := range s.Attributes {
		if a == name {
			return true
		}
	}
	return s.Open
}

// AttributeNames lists what Fn::GetAtt may read, sorted, each once (a
// read-only property may be listed among Attributes too).
func (s Schema) AttributeNames() []string {
	var out []string
	for n, p := range s.Properties {
		if p.ReadOnly {
			out = append(out, n)
		}
	}
	out = append(out, s.Attributes...)
	sort.Strings(out)
	return slices.Compact(out)
}

// PropertyError is a problem with one property.
type PropertyError struct {
	Property string
	Msg      string
}

func (e *PropertyError) Error() string { return "property " + e.Property + ": " + e.Msg }

// Validate checks resolved props against the schema: unknown, read-only,
// missing required properties, and scalar types. Values not yet known (plan
// time) pass. Every problem is returned, each naming its property.
func (s Schema) Validate(props Props) []error {
	var errs []error
	for _, name := range sortedKeys(props) {
		v := props[name]
		p, ok := s.Properties[name]
		if !ok {
			if !s.Open {
				errs = append(errs, &PropertyError{name, "not a property of this type"})
			}
			continue
		}
		if p.ReadOnly {
			errs = append(errs, &PropertyError{name, "read-only, cannot be set"})
			continue
		}
		if err := checkType(p, v); err != nil {
			errs = append(errs, &PropertyError{name, err.Error()})
		}
	}
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if s.Properties[n].Required {
			if _, ok := props[n]; !ok {
				errs = append(errs, &PropertyError{n, "required"})
			}
		}
	}
	return errs
}

func checkType(p Property, v any) error {
	if isUnknown(v) {
		return nil
	}
	switch p.Type {
	case String:
		switch x := v.(type) {
		case string:
			if len(p.Enum) > 0 && !contains(p.Enum, x) {
				return fmt.Errorf("%q is not one of %v", x, p.Enum)
			}
		case float64, int, int64, bool:
			// CloudFormation coerces scalars to strings.
		default:
			return fmt.Errorf("want a String, got %s", typeName(v))
		}
	case Integer, Number:
		switch x := v.(type) {
		case float64, int, int64:
		case string:
			if _, err := parseNumber(x); err != nil {
				return fmt.Errorf("want a %s, got %q", p.Type, x)
			}
		default:
			return fmt.Errorf("want a %s, got %s", p.Type, typeName(v))
		}
	case Boolean:
		switch x := v.(type) {
		case bool:
		case string:
			if x != "true" && x != "false" {
				return fmt.Errorf("want a Boolean, got %q", x)
			}
		default:
			return fmt.Errorf("want a Boolean, got %s", typeName(v))
		}
	case List:
		if _, ok := v.([]any); !ok {
			return fmt.Errorf("want a List, got %s", typeName(v))
		}
	case Map, Object:
		if _, ok := v.(map[string]any); !ok {
			return fmt.Errorf("want a %s, got %s", p.Type, typeName(v))
		}
	}
	return nil
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a String"
	case float64, int, int64:
		return "a Number"
	case bool:
		return "a Boolean"
	case []any:
		return "a List"
	case map[string]any:
		return "an Object"
	}
	return fmt.Sprintf("%T", v)
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// PropString is a scalar property value as a string: templates give numbers
// and booleans where a string is meant (Value: 5), and parameters are strings
// where numbers are meant.
func PropString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}
