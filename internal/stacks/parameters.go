package stacks

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// ParamDef is one entry of Parameters.
type ParamDef struct {
	Name                  string
	Type                  string
	Default               *string
	AllowedValues         []string
	AllowedPattern        string
	MinLength, MaxLength  *int
	MinValue, MaxValue    *float64
	NoEcho                bool
	Description           string
	ConstraintDescription string
	pattern               *regexp.Regexp
}

// Masked is how NoEcho values appear in plans, events and descriptions.
const Masked = "****"

// ParameterLookup reads a value from the parameter store, for parameters of
// type AWS::SSM::Parameter::Value<...>.
type ParameterLookup func(ctx context.Context, name string) (string, error)

func parseParamDef(name string, v any, lines Lines) (*ParamDef, error) {
	path := join("Parameters", name)
	if !validLogicalID(name) {
		return nil, lines.errorf(path, "parameter name %q must be alphanumeric", name)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, lines.errorf(path, "a parameter is a mapping with a Type")
	}
	d := &ParamDef{Name: name}
	d.Type, _ = m["Type"].(string)
	if !validParamType(d.Type) {
		return nil, lines.errorf(join(path, "Type"), "unsupported parameter type %v", m["Type"])
	}
	for _, k := range sortedKeys(m) {
		kp := join(path, k)
		val := m[k]
		switch k {
		case "Type":
		case "Default":
			s, err := paramString(val)
			if err != nil {
				return nil, lines.errorf(kp, "%v", err)
			}
			d.Default = &s
		case "AllowedValues":
			l, ok := val.([]any)
			if !ok {
				return nil, lines.errorf(kp, "want a list")
			}
			for _, x := range l {
				s, err := paramString(x)
				if err != nil {
					return nil, lines.errorf(kp, "%v", err)
				}
				d.AllowedValues = append(d.AllowedValues, s)
			}
		case "AllowedPattern":
			s, _ := val.(string)
			re, err := regexp.Compile("^(?:" + s + ")$")
			if err != nil {
				return nil, lines.errorf(kp, "bad pattern: %v", err)
			}
			d.AllowedPattern, d.pattern = s, re
		case "MinLength", "MaxLength":
			n, err := paramInt(val)
			if err != nil {
				return nil, lines.errorf(kp, "%v", err)
			}
			if k == "MinLength" {
				d.MinLength = &n
			} else {
				d.MaxLength = &n
			}
		case "MinValue", "MaxValue":
			s, err := paramString(val)
			f, perr := parseNumber(s)
			if err != nil || perr != nil {
				return nil, lines.errorf(kp, "want a number")
			}
			if k == "MinValue" {
				d.MinValue = &f
			} else {
				d.MaxValue = &f
			}
		case "NoEcho":
			switch x := val.(type) {
			case bool:
				d.NoEcho = x
			case string:
				d.NoEcho = x == "true"
			}
		case "Description":
			d.Description, _ = val.(string)
		case "ConstraintDescription":
			d.ConstraintDescription, _ = val.(string)
		default:
			return nil, lines.errorf(kp, "unknown parameter attribute %q", k)
		}
	}
	if d.Default != nil {
		if _, err := d.check(*d.Default); err != nil && !strings.HasPrefix(d.Type, "AWS::SSM::Parameter::Value<") {
			return nil, lines.errorf(join(path, "Default"), "%v", err)
		}
	}
	return d, nil
}

func validParamType(t string) bool {
	switch t {
	case "String", "Number", "CommaDelimitedList", "List<Number>", "List<String>":
		return true
	}
	if strings.HasPrefix(t, "AWS::SSM::Parameter::Value<") && strings.HasSuffix(t, ">") {
		return true
	}
	if strings.HasPrefix(t, "AWS::SSM::Parameter::Name") {
		return true
	}
	if strings.HasPrefix(t, "AWS::EC2::") || strings.HasPrefix(t, "AWS::Route53::") {
		return true
	}
	if strings.HasPrefix(t, "List<AWS::") && strings.HasSuffix(t, ">") {
		return true
	}
	return false
}

func (d *ParamDef) isList() bool {
	return d.Type == "CommaDelimitedList" || strings.HasPrefix(d.Type, "List<") ||
		d.Type == "AWS::SSM::Parameter::Value<CommaDelimitedList>" || strings.HasPrefix(d.Type, "AWS::SSM::Parameter::Value<List<")
}

func paramString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	case []any: // a list default for a CommaDelimitedList
		parts := make([]string, len(x))
		for i, e := range x {
			s, err := paramString(e)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return strings.Join(parts, ","), nil
	}
	return "", fmt.Errorf("want a string, got %s", typeName(v))
}

func paramInt(v any) (int, error) {
	s, err := paramString(v)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("want an integer, got %q", s)
	}
	return n, nil
}

func parseNumber(s string) (float64, error) {
	return strconv.ParseFloat(strings.TrimSpace(s), 64)
}

// check validates a raw value and returns it as Ref gives it: a string, or
// a list of strings for list types.
func (d *ParamDef) check(raw string) (any, error) {
	fail := func(format string, args ...any) error {
		msg := fmt.Sprintf(format, args...)
		if d.ConstraintDescription != "" {
			msg += " (" + d.ConstraintDescription + ")"
		}
		return fmt.Errorf("parameter %s: %s", d.Name, msg)
	}
	shown := raw
	if d.NoEcho {
		shown = Masked
	}
	if d.isList() {
		var items []string
		if raw != "" {
			for _, s := range strings.Split(raw, ",") {
				items = append(items, strings.TrimSpace(s))
			}
		}
		out := make([]any, 0, len(items))
		for _, it := range items {
			if d.Type == "List<Number>" {
				if _, err := parseNumber(it); err != nil {
					return nil, fail("%q is not a number", it)
				}
			}
			if len(d.AllowedValues) > 0 && !contains(d.AllowedValues, it) {
				return nil, fail("%q is not one of the allowed values %v", it, d.AllowedValues)
			}
			out = append(out, it)
		}
		return out, nil
	}
	if d.Type == "Number" {
		f, err := parseNumber(raw)
		if err != nil {
			return nil, fail("%q is not a number", shown)
		}
		if d.MinValue != nil && f < *d.MinValue {
			return nil, fail("%s is below MinValue %v", shown, *d.MinValue)
		}
		if d.MaxValue != nil && f > *d.MaxValue {
			return nil, fail("%s is above MaxValue %v", shown, *d.MaxValue)
		}
	}
	if len(d.AllowedValues) > 0 && !contains(d.AllowedValues, raw) {
		return nil, fail("%q is not one of the allowed values %v", shown, d.AllowedValues)
	}
	if d.pattern != nil && !d.pattern.MatchString(raw) {
		return nil, fail("%q does not match the pattern %s", shown, d.AllowedPattern)
	}
	if d.MinLength != nil && len(raw) < *d.MinLength {
		return nil, fail("shorter than MinLength %d", *d.MinLength)
	}
	if d.MaxLength != nil && len(raw) > *d.MaxLength {
		return nil, fail("longer than MaxLength %d", *d.MaxLength)
	}
	return raw, nil
}

// resolveParameters picks each parameter's value (given, then the previous
// deployment's, then the default), validates it and resolves SSM-typed ones.
func resolveParameters(ctx context.Context, t *Template, given, previous map[string]string, lookup ParameterLookup) (values map[string]any, raw map[string]string, err error) {
	values, raw = map[string]any{}, map[string]string{}
	var errs []error
	for _, k := range sortedKeys(given) {
		if _, ok := t.Parameters[k]; !ok {
			errs = append(errs, &TemplateError{Path: "Parameters", Msg: fmt.Sprintf("parameter %s is not declared by the template", k)})
		}
	}
	for _, name := range sortedKeys(t.Parameters) {
		d := t.Parameters[name]
		path := join("Parameters", name)
		v, ok := given[name]
		if !ok {
			v, ok = previous[name]
		}
		if !ok && d.Default != nil {
			v, ok = *d.Default, true
		}
		if !ok {
			errs = append(errs, t.Lines.errorf(path, "parameter %s has no value and no Default (pass --param %s=VALUE)", name, name))
			continue
		}
		raw[name] = v
		if strings.HasPrefix(d.Type, "AWS::SSM::Parameter::Value<") {
			if lookup == nil {
				errs = append(errs, t.Lines.errorf(path, "parameter %s: no parameter store to resolve %q", name, v))
				continue
			}
			resolved, err := lookup(ctx, v)
			if err != nil {
				errs = append(errs, t.Lines.errorf(path, "parameter %s: SSM parameter %q: %v", name, v, err))
				continue
			}
			v = resolved
		}
		val, err := d.check(v)
		if err != nil {
			errs = append(errs, t.Lines.errorf(path, "%v", err))
			continue
		}
		values[name] = val
	}
	if len(errs) > 0 {
		return nil, nil, joinErrs(errs)
	}
	return values, raw, nil
}

func joinErrs(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}
