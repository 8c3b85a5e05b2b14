package awsapi

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// DecodeQuery decodes query-protocol parameters into the struct v points to,
// as the SDKs' query serializers write them:
//
//   - a field is read from the parameter of its name, or the name its
//     `query:"Name"` tag gives (`query:"-"` skips it);
//   - a nested struct's fields are Name.Field;
//   - a list is Name.member.1, Name.member.2, ... or, with the tag option
//     `query:"Name,flat"`, Name.1, Name.2, ... (SQS's flattened lists);
//   - a map[string]string is Name.entry.N.key / .value, or with
//     `query:"Name,flat,key=Name,value=Value"` Name.N.Name / Name.N.Value;
//   - strings, booleans, integers, floats, pointers to them, and
//     time.Time (ISO 8601).
//
// A value that does not parse is a 400 naming the parameter.
func DecodeQuery(form url.Values, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("awsapi: DecodeQuery needs a pointer to a struct, got %T", v)
	}
	d := queryDecoder{form: form}
	return d.structFields(rv.Elem(), "")
}

type queryDecoder struct{ form url.Values }

type queryTag struct {
	name       string
	skip, flat bool
	key, value string
}

func parseQueryTag(f reflect.StructField) queryTag {
	t := queryTag{name: f.Name, key: "key", value: "value"}
	tag, ok := f.Tag.Lookup("query")
	if !ok {
		return t
	}
	if tag == "-" {
		t.skip = true
		return t
	}
	parts := strings.Split(tag, ",")
	if parts[0] != "" {
		t.name = parts[0]
	}
	for _, p := range parts[1:] {
		switch {
		case p == "flat":
			t.flat = true
		case strings.HasPrefix(p, "key="):
			t.key = p[len("key="):]
		case strings.HasPrefix(p, "value="):
			t.value = p[len("value="):]
		}
	}
	return t
}

func (d queryDecoder) structFields(sv reflect.Value, prefix string) error {
	st := sv.Type()
	for i := range st.NumField() {
		f := st.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := parseQueryTag(f)
		if tag.skip {
			continue
		}
		if err := d.value(sv.Field(i), prefix+tag.name, tag); err != nil {
			return err
		}
	}
	return nil
}

// present reports whether any parameter is name or starts with name + ".".
func (d queryDecoder) present(name string) bool {
	if _, ok := d.form[name]; ok {
		return true
	}
	p := name + "."
	for k := range d.form {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

var timeType = reflect.TypeFor[time.Time]()

func (d queryDecoder) value(fv reflect.Value, name string, tag queryTag) error {
	t := fv.Type()
	switch {
	case t == timeType:
		s, ok := d.form[name]
		if !ok {
			return nil
		}
		tm, err := time.Parse(time.RFC3339, s[0])
		if err != nil {
			return queryValueError(name, s[0], "an ISO 8601 time")
		}
		fv.Set(reflect.ValueOf(tm))
		return nil
	case t.Kind() == reflect.Pointer:
		if !d.present(name) {
			return nil
		}
		nv := reflect.New(t.Elem())
		if err := d.value(nv.Elem(), name, tag); err != nil {
			return err
		}
		fv.Set(nv)
		return nil
	case t.Kind() == reflect.Struct:
		return d.structFields(fv, name+".")
	case t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8:
		item := name + ".member."
		if tag.flat {
			item = name + "."
		}
		for n := 1; ; n++ {
			k := item + strconv.Itoa(n)
			if !d.present(k) {
				return nil
			}
			if n > 1000 {
				return Errorf(http.StatusBadRequest, "ValidationError", "%s: more than 1000 members", name)
			}
			ev := reflect.New(t.Elem()).Elem()
			if err := d.value(ev, k, queryTag{name: k, key: "key", value: "value"}); err != nil {
				return err
			}
			fv.Set(reflect.Append(fv, ev))
		}
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String:
		entry := name + ".entry."
		if tag.flat {
			entry = name + "."
		}
		for n := 1; ; n++ {
			p := entry + strconv.Itoa(n) + "."
			k, ok := d.form[p+tag.key]
			if !ok {
				return nil
			}
			if fv.IsNil() {
				fv.Set(reflect.MakeMap(t))
			}
			ev := reflect.New(t.Elem()).Elem()
			if err := d.value(ev, p+tag.value, queryTag{name: p + tag.value, key: "key", value: "value"}); err != nil {
				return err
			}
			fv.SetMapIndex(reflect.ValueOf(k[0]).Convert(t.Key()), ev)
		}
	}
	s, ok := d.form[name]
	if !ok {
		return nil
	}
	return setScalar(fv, name, s[0])
}

// setScalar parses s into a string, bool, integer or float field.
func setScalar(fv reflect.Value, name, s string) error {
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return queryValueError(name, s, "a boolean")
		}
		fv.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, fv.Type().Bits())
		if err != nil {
			return queryValueError(name, s, "an integer")
		}
		fv.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, fv.Type().Bits())
		if err != nil {
			return queryValueError(name, s, "a non-negative integer")
		}
		fv.SetUint(n)
	case reflect.Float32, reflect.Float64:
		n, err := strconv.ParseFloat(s, fv.Type().Bits())
		if err != nil {
			return queryValueError(name, s, "a number")
		}
		fv.SetFloat(n)
	case reflect.Slice: // []byte: base64 is the services' business
		fv.SetBytes([]byte(s))
	default:
		return fmt.Errorf("awsapi: field %s of kind %s cannot be decoded", name, fv.Kind())
	}
	return nil
}

func queryValueError(name, value, want string) error {
	return Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must be %s", value, lowerFirst(name), want)
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]|0x20) + s[1:]
}
