package stacks

import (
	"errors"
	"strconv"
	"strings"
)

// The AWS::LanguageExtensions transform
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/transform-aws-languageextensions.html):
// it "updates any intrinsic function defined by the transform to its
// resolved value within the template". nubo expands Fn::ForEach
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach.html)
// in the Conditions, Resources (properties included) and Outputs sections,
// then folds what the transform resolves: Ref and Fn::GetAtt whose
// arguments are functions, Fn::FindInMap (with its DefaultValue),
// Fn::Length and Fn::ToJsonString whose arguments are known, a resource's
// or output's Condition given as a function, and DeletionPolicy and
// UpdateReplacePolicy given as functions
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/function-refs-in-policy-attributes.html).
// What stays unknown until deployment (a resource's attribute) is left for
// the engine's evaluator, which knows Fn::FindInMap's DefaultValue,
// Fn::Length and Fn::ToJsonString too.

const forEachPrefix = "Fn::ForEach::"

// errNotStatic: a value the transform cannot know (a resource's Ref).
var errNotStatic = errors.New("known only when deploying")

type staticResolver struct{}

func (staticResolver) ref(string) (any, error)            { return nil, errNotStatic }
func (staticResolver) getAtt(string, string) (any, error) { return nil, errNotStatic }
func (staticResolver) importValue(string) (any, error)    { return nil, errNotStatic }

// langExt runs the language extensions over one template.
type langExt struct {
	lines Lines
	ev    *evaluator
	size  int // bytes produced so far, at least
}

func languageExtensions(tmpl map[string]any, lines Lines, opts ProcessOptions) error {
	for _, k := range sortedKeys(tmpl) {
		switch k {
		case "Conditions", "Resources", "Outputs":
		default:
			if p := findForEach(tmpl[k], k); p != "" {
				return lines.errorf(p, "Fn::ForEach can be used only in the Conditions, Resources and Outputs sections, not in %s", k)
			}
		}
	}
	defs := map[string]*ParamDef{}
	if ps, ok := tmpl["Parameters"].(map[string]any); ok {
		for _, name := range sortedKeys(ps) {
			d, err := parseParamDef(name, ps[name], lines)
			if err != nil {
				return err
			}
			defs[name] = d
		}
	}
	var values map[string]any
	if opts.Parameters != nil {
		v, err := opts.Parameters(defs)
		if err != nil {
			return err
		}
		values = v
	} else {
		values = map[string]any{}
		for name, d := range defs {
			if d.Default == nil || strings.HasPrefix(d.Type, "AWS::SSM::Parameter::Value<") {
				continue
			}
			if v, err := d.check(*d.Default); err == nil {
				values[name] = v
			}
		}
	}
	mappings, _ := tmpl["Mappings"].(map[string]any)
	t := &Template{Lines: lines, Parameters: defs, Mappings: mappings, Conditions: map[string]any{}, Resources: map[string]*Resource{}}
	if rs, ok := tmpl["Resources"].(map[string]any); ok {
		for id := range rs {
			if !strings.HasPrefix(id, forEachPrefix) {
				t.Resources[id] = &Resource{LogicalID: id}
			}
		}
	}
	x := &langExt{lines: lines, ev: newEvaluator(t, opts.Pseudo, values, staticResolver{})}
	for _, sec := range []string{"Conditions", "Resources", "Outputs"} {
		v, ok := tmpl[sec]
		if !ok {
			continue
		}
		nv, err := x.expand(v, sec)
		if err != nil {
			return err
		}
		tmpl[sec] = nv
		if sec == "Conditions" {
			if m, ok := nv.(map[string]any); ok {
				t.Conditions = m
			}
		}
	}
	// Resources named after the expansion: a folded Ref or Fn::Sub must not
	// take a resource for a parameter.
	if rs, ok := tmpl["Resources"].(map[string]any); ok {
		for id := range rs {
			t.Resources[id] = &Resource{LogicalID: id}
		}
	}
	for _, sec := range []string{"Conditions", "Resources", "Outputs"} {
		if v, ok := tmpl[sec]; ok {
			nv := x.fold(v)
			if _, gone := nv.(noValue); gone {
				nv = map[string]any{}
			}
			tmpl[sec] = nv
		}
	}
	return x.attributes(tmpl)
}

// findForEach returns the path of a Fn::ForEach key in v, or "".
func findForEach(v any, path string) string {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			if strings.HasPrefix(k, forEachPrefix) {
				return join(path, k)
			}
			if p := findForEach(x[k], join(path, k)); p != "" {
				return p
			}
		}
	case []any:
		for i, e := range x {
			if p := findForEach(e, join(path, strconv.Itoa(i))); p != "" {
				return p
			}
		}
	}
	return ""
}

// expand replaces the Fn::ForEach keys of every mapping in v with what
// their loops produce.
func (x *langExt) expand(v any, path string) (any, error) {
	switch m := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(m))
		for _, k := range sortedKeys(m) {
			if !strings.HasPrefix(k, forEachPrefix) {
				nv, err := x.expand(m[k], join(path, k))
				if err != nil {
					return nil, err
				}
				if _, dup := out[k]; dup {
					return nil, x.lines.errorf(join(path, k), "%q is declared twice (once by a Fn::ForEach loop)", k)
				}
				out[k] = nv
				continue
			}
			produced, err := x.loop(k, m[k], join(path, k))
			if err != nil {
				return nil, err
			}
			for _, pk := range sortedKeys(produced) {
				if _, dup := out[pk]; dup {
					return nil, x.lines.errorf(join(path, k), "%s produces %q, which is already declared", k, pk)
				}
				if _, dup := m[pk]; dup {
					return nil, x.lines.errorf(join(path, k), "%s produces %q, which is already declared", k, pk)
				}
				out[pk] = produced[pk]
			}
		}
		return out, nil
	case []any:
		out := make([]any, len(m))
		for i, e := range m {
			nv, err := x.expand(e, join(path, strconv.Itoa(i)))
			if err != nil {
				return nil, err
			}
			out[i] = nv
		}
		return out, nil
	}
	return v, nil
}

// loop expands one 'Fn::ForEach::Name': [Identifier, Collection, {OutputKey: OutputValue}].
func (x *langExt) loop(key string, v any, path string) (map[string]any, error) {
	name := strings.TrimPrefix(key, forEachPrefix)
	if name == "" || !validLogicalID(name) {
		return nil, x.lines.errorf(path, "%s: the loop's name must be alphanumeric", key)
	}
	args, ok := v.([]any)
	if !ok || len(args) != 3 {
		return nil, x.lines.errorf(path, "%s takes [Identifier, Collection, {OutputKey: OutputValue}]", key)
	}
	id, ok := args[0].(string)
	if !ok || !validIdentifier(id) {
		return nil, x.lines.errorf(join(path, "0"), "%s: the identifier must be a name of letters, digits and underscores, not %v", key, args[0])
	}
	if _, clash := x.ev.t.Parameters[id]; clash {
		return nil, x.lines.errorf(join(path, "0"), "%s: the identifier %q is also a parameter", key, id)
	}
	items, err := x.collection(key, args[1], join(path, "1"))
	if err != nil {
		return nil, err
	}
	frag, ok := args[2].(map[string]any)
	if !ok {
		return nil, x.lines.errorf(join(path, "2"), "%s: the fragment is a mapping {OutputKey: OutputValue}", key)
	}
	for _, k := range sortedKeys(frag) {
		if !strings.HasPrefix(k, forEachPrefix) && !strings.Contains(k, "${"+id+"}") && !strings.Contains(k, "&{"+id+"}") {
			return nil, x.lines.errorf(join(join(path, "2"), k), "%s: the output key %q must contain ${%s} or &{%s}", key, k, id, id)
		}
	}
	out := map[string]any{}
	for _, item := range items {
		sub, err := x.substitute(frag, id, item, join(path, "2"))
		if err != nil {
			return nil, err
		}
		// Loops nested in the fragment run with this item in place.
		ex, err := x.expand(sub, join(path, "2"))
		if err != nil {
			return nil, err
		}
		em := ex.(map[string]any)
		for _, k := range sortedKeys(em) {
			if _, dup := out[k]; dup {
				return nil, x.lines.errorf(path, "%s produces %q twice (the collection repeats a value, or &{%s} makes two values the same)", key, k, id)
			}
			out[k] = em[k]
		}
	}
	return out, nil
}

// validIdentifier: a loop identifier (the docs' examples are names; an
// identifier with braces or $ could not be substituted).
func validIdentifier(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// collection is the loop's values: a list, or a function of the
// parameters (a Ref to a CommaDelimitedList, Fn::FindInMap, Fn::Split...).
func (x *langExt) collection(key string, v any, path string) ([]string, error) {
	val := v
	if _, isList := v.([]any); !isList {
		r, err := x.ev.eval(v, path)
		if err != nil {
			return nil, x.lines.errorf(path, "%s: the collection must be a list or a Ref to a CommaDelimitedList parameter: %v", key, errMsg(err))
		}
		val = r
	}
	l, ok := val.([]any)
	if !ok {
		return nil, x.lines.errorf(path, "%s: the collection must be a list or a Ref to a CommaDelimitedList parameter, not %s", key, typeName(val))
	}
	out := make([]string, 0, len(l))
	for i, e := range l {
		if m, isMap := e.(map[string]any); isMap {
			r, err := x.ev.eval(m, join(path, strconv.Itoa(i)))
			if err != nil {
				return nil, x.lines.errorf(join(path, strconv.Itoa(i)), "%s: a collection value must be known before deploying: %v", key, errMsg(err))
			}
			e = r
		}
		switch s := e.(type) {
		case string:
			out = append(out, s)
		case float64, bool:
			str, _ := stringify(s)
			out = append(out, str)
		default:
			return nil, x.lines.errorf(join(path, strconv.Itoa(i)), "%s: a collection value is a string, not %s", key, typeName(e))
		}
	}
	return out, nil
}

// substitute copies v with the loop's identifier replaced by item: ${Id}
// by the value, &{Id} by the value without its non-alphanumeric characters
// ("The &{} syntax allows non-alphanumeric characters of the Collection to
// be used in OutputKey"), and {Ref: Id} by the value.
func (x *langExt) substitute(v any, id, item, path string) (any, error) {
	// What the loops produce counts towards the processed template's size
	// (at least its JSON's: a value's text and a few bytes of syntax).
	x.size += 4
	if x.size > maxProcessedBytes {
		return nil, x.lines.errorf(path, "Fn::ForEach expands to more than CloudFormation's maximum of %d bytes for a template", maxProcessedBytes)
	}
	switch m := v.(type) {
	case string:
		r := replaceIdentifier(m, id, item)
		x.size += len(r)
		return r, nil
	case map[string]any:
		if len(m) == 1 {
			if r, ok := m["Ref"].(string); ok && r == id {
				return item, nil
			}
			// An Fn::Sub that only the identifier made variable is its
			// string once substituted, as AWS's examples show ({Fn::Sub:
			// EntireBucket${Identifier}} becomes EntireBucketA); one with
			// other variables (or none from the loop) stays a Fn::Sub.
			if str, ok := m["Fn::Sub"].(string); ok && strings.Contains(str, "{"+id+"}") {
				if r := replaceIdentifier(str, id, item); !strings.Contains(r, "${") {
					return r, nil
				}
			}
		}
		out := make(map[string]any, len(m))
		for _, k := range sortedKeys(m) {
			nk := replaceIdentifier(k, id, item)
			x.size += len(nk)
			if _, dup := out[nk]; dup {
				return nil, x.lines.errorf(join(path, k), "Fn::ForEach: %q is produced twice", nk)
			}
			nv, err := x.substitute(m[k], id, item, join(path, k))
			if err != nil {
				return nil, err
			}
			out[nk] = nv
		}
		return out, nil
	case []any:
		out := make([]any, len(m))
		for i, e := range m {
			nv, err := x.substitute(e, id, item, join(path, strconv.Itoa(i)))
			if err != nil {
				return nil, err
			}
			out[i] = nv
		}
		return out, nil
	}
	return v, nil
}

func replaceIdentifier(s, id, item string) string {
	if !strings.Contains(s, "{"+id+"}") {
		return s
	}
	s = strings.ReplaceAll(s, "${"+id+"}", item)
	return strings.ReplaceAll(s, "&{"+id+"}", alphanumeric(item))
}

func alphanumeric(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// fold resolves what the transform knows, bottom up. It returns noValue{}
// for a value that resolves to AWS::NoValue (its key or element goes).
func (x *langExt) fold(v any) any {
	switch m := v.(type) {
	case map[string]any:
		if len(m) == 1 {
			for k, arg := range m {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					return x.foldIntrinsic(k, arg)
				}
			}
		}
		out := make(map[string]any, len(m))
		for k, e := range m {
			r := x.fold(e)
			if _, gone := r.(noValue); gone {
				continue
			}
			out[k] = r
		}
		return out
	case []any:
		out := make([]any, 0, len(m))
		for _, e := range m {
			r := x.fold(e)
			if _, gone := r.(noValue); gone {
				continue
			}
			out = append(out, r)
		}
		return out
	}
	return v
}

func (x *langExt) foldIntrinsic(name string, arg any) any {
	switch name {
	case "Ref":
		if _, isMap := arg.(map[string]any); isMap {
			if s, ok := x.static(arg).(string); ok {
				return map[string]any{"Ref": s}
			}
		}
		return map[string]any{name: arg}
	case "Fn::GetAtt":
		if l, ok := arg.([]any); ok && len(l) == 2 {
			out := []any{l[0], l[1]}
			for i := range out {
				if _, isMap := out[i].(map[string]any); isMap {
					if s, ok := x.static(out[i]).(string); ok {
						out[i] = s
					}
				}
			}
			return map[string]any{name: out}
		}
		return map[string]any{name: arg}
	}
	folded := x.fold(arg)
	if _, gone := folded.(noValue); gone {
		folded = map[string]any{"Ref": "AWS::NoValue"}
	}
	call := map[string]any{name: folded}
	switch name {
	case "Fn::FindInMap", "Fn::Length", "Fn::ToJsonString":
		if r, err := x.ev.intrinsic(name, folded, ""); err == nil && !hasUnknown(r) {
			return r
		}
	}
	return call
}

// static evaluates v if the transform can know it, else returns nil.
func (x *langExt) static(v any) any {
	r, err := x.ev.eval(x.fold(v), "")
	if err != nil || hasUnknown(r) {
		return nil
	}
	return r
}

func hasUnknown(v any) bool {
	switch x := v.(type) {
	case Unknown:
		return true
	case map[string]any:
		for _, e := range x {
			if hasUnknown(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasUnknown(e) {
				return true
			}
		}
	}
	return false
}

// attributes resolves the resource and output attributes the transform
// allows functions in: Condition, DeletionPolicy, UpdateReplacePolicy.
func (x *langExt) attributes(tmpl map[string]any) error {
	for _, sec := range []string{"Resources", "Outputs"} {
		m, _ := tmpl[sec].(map[string]any)
		for _, id := range sortedKeys(m) {
			r, ok := m[id].(map[string]any)
			if !ok {
				continue
			}
			path := join(sec, id)
			attrs := []string{"Condition"}
			if sec == "Resources" {
				attrs = append(attrs, "DeletionPolicy", "UpdateReplacePolicy")
			}
			for _, a := range attrs {
				fn, isMap := r[a].(map[string]any)
				if !isMap {
					continue
				}
				v, err := x.ev.eval(fn, join(path, a))
				if err != nil {
					return x.lines.errorf(join(path, a), "%s: the function must resolve before deploying: %v", a, errMsg(err))
				}
				switch s := v.(type) {
				case noValue:
					delete(r, a)
				case string:
					r[a] = s
				default:
					return x.lines.errorf(join(path, a), "%s resolves to %s, not a name", a, typeName(v))
				}
			}
		}
	}
	return nil
}

// errMsg is an evaluation error's message without its path (the caller's
// error names the place).
func errMsg(err error) string {
	var te *TemplateError
	if errors.As(err, &te) {
		return te.Msg
	}
	return err.Error()
}
