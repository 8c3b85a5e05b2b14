package stacks

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// Decode fills the struct out points to from a resource's resolved
// properties, as terraform-plugin-framework's req.Plan.Get(ctx, &model)
// does: providers declare their properties once, as a typed model, instead
// of reading map[string]any by hand.
//
// A field takes the property its `cfn:"Name"` tag names (the field's name
// without a tag; `cfn:"-"` skips it). A key matching no field exactly
// matches one case-insensitively (OpenAPI extensions spell CORS keys in
// lower case). Absent properties leave the field's zero value.
//
// Conversions follow CloudFormation's: scalars become strings (5 → "5"),
// numeric strings become numbers and "true"/"false" booleans (template
// parameters are strings); a scalar where a list is meant is a list of one.
// Supported field types: string, bool, ints, floats, slices, maps with
// string keys, structs and pointers to them, and any (the value as is).
//
// An error is a *PropertyError naming the property's path
// ("Cors.MaxAge", "Layers[2]") with the same wording as Schema.Validate.
func Decode(props Props, out any) error {
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("stacks: Decode: want a pointer to a struct, got %T", out)
	}
	return decodeStruct(map[string]any(props), rv.Elem(), "")
}

func decodeStruct(m map[string]any, rv reflect.Value, path string) error {
	rt := rv.Type()
	var errs []error
	for i := range rt.NumField() {
		f := rt.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("cfn"); ok {
			if tag == "-" {
				continue
			}
			name = tag
		}
		v, ok := m[name]
		if !ok {
			for k, e := range m {
				if strings.EqualFold(k, name) {
					v, ok = e, true
					break
				}
			}
		}
		if !ok {
			continue
		}
		if err := decodeValue(v, rv.Field(i), propPath(path, name)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func propPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func decodeValue(v any, rv reflect.Value, path string) error {
	if v == nil || isUnknown(v) {
		return nil
	}
	fail := func(want string) error {
		return &PropertyError{Property: path, Msg: "want a " + want + ", got " + typeName(v)}
	}
	switch rv.Kind() {
	case reflect.Interface:
		if rv.NumMethod() != 0 {
			return fmt.Errorf("stacks: Decode: %s: unsupported field type %s", path, rv.Type())
		}
		rv.Set(reflect.ValueOf(v))
	case reflect.String:
		switch v.(type) {
		case string, float64, int, int64, bool:
			rv.SetString(PropString(v))
		default:
			return fail("String")
		}
	case reflect.Bool:
		switch x := v.(type) {
		case bool:
			rv.SetBool(x)
		case string:
			switch {
			case strings.EqualFold(x, "true"):
				rv.SetBool(true)
			case strings.EqualFold(x, "false"), x == "":
				rv.SetBool(false)
			default:
				return &PropertyError{Property: path, Msg: fmt.Sprintf("want a Boolean, got %q", x)}
			}
		default:
			return fail("Boolean")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f, err := number(v, path, "Integer")
		if err != nil {
			return err
		}
		if f != math.Trunc(f) || math.Abs(f) > 1<<62 || rv.OverflowInt(int64(f)) {
			return &PropertyError{Property: path, Msg: fmt.Sprintf("%v is not a whole number", v)}
		}
		rv.SetInt(int64(f))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		f, err := number(v, path, "Integer")
		if err != nil {
			return err
		}
		if f != math.Trunc(f) || f < 0 || f > 1<<62 || rv.OverflowUint(uint64(f)) {
			return &PropertyError{Property: path, Msg: fmt.Sprintf("%v is not a whole number", v)}
		}
		rv.SetUint(uint64(f))
	case reflect.Float32, reflect.Float64:
		f, err := number(v, path, "Number")
		if err != nil {
			return err
		}
		rv.SetFloat(f)
	case reflect.Slice:
		list, ok := v.([]any)
		if !ok {
			if s, isStr := v.(string); isStr && s == "" {
				return nil
			}
			if _, isMap := v.(map[string]any); isMap {
				return fail("List")
			}
			list = []any{v} // a scalar where a list is meant
		}
		out := reflect.MakeSlice(rv.Type(), len(list), len(list))
		var errs []error
		for i, e := range list {
			errs = append(errs, decodeValue(e, out.Index(i), fmt.Sprintf("%s[%d]", path, i)))
		}
		if err := errors.Join(errs...); err != nil {
			return err
		}
		rv.Set(out)
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return fail("Map")
		}
		if rv.Type().Key().Kind() != reflect.String {
			return fmt.Errorf("stacks: Decode: %s: unsupported field type %s", path, rv.Type())
		}
		out := reflect.MakeMapWithSize(rv.Type(), len(m))
		var errs []error
		for _, k := range sortedKeys(m) {
			e := reflect.New(rv.Type().Elem()).Elem()
			if err := decodeValue(m[k], e, propPath(path, k)); err != nil {
				errs = append(errs, err)
				continue
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(rv.Type().Key()), e)
		}
		if err := errors.Join(errs...); err != nil {
			return err
		}
		rv.Set(out)
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return fail("Object")
		}
		return decodeStruct(m, rv, path)
	case reflect.Pointer:
		e := reflect.New(rv.Type().Elem())
		if err := decodeValue(v, e.Elem(), path); err != nil {
			return err
		}
		rv.Set(e)
	default:
		return fmt.Errorf("stacks: Decode: %s: unsupported field type %s", path, rv.Type())
	}
	return nil
}

// number reads a number given as a number or a numeric string.
func number(v any, path, want string) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return 0, &PropertyError{Property: path, Msg: fmt.Sprintf("want a %s, got %q", want, x)}
		}
		return f, nil
	}
	return 0, &PropertyError{Property: path, Msg: "want a " + want + ", got " + typeName(v)}
}
