package stacks

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// Unknown is a value that is known only after apply (the Ref or GetAtt of a
// resource still to be created or replaced). Plans print it as such.
type Unknown struct{ Expr string }

func (u Unknown) String() string { return "(known after apply)" }

func isUnknown(v any) bool { _, ok := v.(Unknown); return ok }

// noValue is AWS::NoValue: the property or list element is removed.
type noValue struct{}

// isPseudo reports whether name is a pseudo parameter.
func isPseudo(name string) bool {
	switch name {
	case "AWS::Region", "AWS::AccountId", "AWS::StackName", "AWS::StackId",
		"AWS::NoValue", "AWS::Partition", "AWS::URLSuffix", "AWS::NotificationARNs":
		return true
	}
	return false
}

// Pseudo holds the pseudo parameters' values.
type Pseudo struct {
	Region, AccountID, StackName, StackID, Partition string
	// BaseDir is the template's directory, which local code paths are
	// relative to (for a Transformer; not a pseudo parameter).
	BaseDir string
}

// resolver answers Ref and GetAtt for resources, and Fn::ImportValue.
type resolver interface {
	ref(logicalID string) (any, error)
	getAtt(logicalID, attr string) (any, error)
	importValue(name string) (any, error)
}

// evaluator evaluates intrinsic functions in a template.
type evaluator struct {
	t          *Template
	pseudo     Pseudo
	params     map[string]any
	conditions map[string]bool
	evaluating map[string]bool
	res        resolver
}

func newEvaluator(t *Template, pseudo Pseudo, params map[string]any, res resolver) *evaluator {
	return &evaluator{t: t, pseudo: pseudo, params: params, conditions: map[string]bool{}, evaluating: map[string]bool{}, res: res}
}

func (e *evaluator) fail(path, format string, args ...any) error {
	return e.t.Lines.errorf(path, format, args...)
}

// condition evaluates a named condition once.
func (e *evaluator) condition(name, path string) (bool, error) {
	if v, ok := e.conditions[name]; ok {
		return v, nil
	}
	def, ok := e.t.Conditions[name]
	if !ok {
		return false, e.fail(path, "no condition named %q", name)
	}
	if e.evaluating[name] {
		return false, e.fail(join("Conditions", name), "condition %q refers to itself", name)
	}
	e.evaluating[name] = true
	defer delete(e.evaluating, name)
	v, err := e.eval(def, join("Conditions", name))
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, e.fail(join("Conditions", name), "condition %q must be a boolean function (Fn::Equals, Fn::And, ...), got %s", name, typeName(v))
	}
	e.conditions[name] = b
	return b, nil
}

// eval evaluates v; path locates it for errors.
func (e *evaluator) eval(v any, path string) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::") {
					return e.intrinsic(k, arg, join(path, k))
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, val := range x {
			r, err := e.eval(val, join(path, k))
			if err != nil {
				return nil, err
			}
			if _, drop := r.(noValue); drop {
				continue
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(x))
		for i, val := range x {
			r, err := e.eval(val, join(path, strconv.Itoa(i)))
			if err != nil {
				return nil, err
			}
			if _, drop := r.(noValue); drop {
				continue
			}
			out = append(out, r)
		}
		return out, nil
	}
	return v, nil
}

func (e *evaluator) args(name string, arg any, path string, n ...int) ([]any, error) {
	l, ok := arg.([]any)
	if !ok {
		return nil, e.fail(path, "%s takes a list of %s", name, arity(n))
	}
	if len(n) == 1 && len(l) != n[0] || len(n) == 2 && (len(l) < n[0] || len(l) > n[1]) {
		return nil, e.fail(path, "%s takes %s, got %d", name, arity(n), len(l))
	}
	return l, nil
}

func arity(n []int) string {
	if len(n) == 1 {
		return fmt.Sprintf("%d arguments", n[0])
	}
	return fmt.Sprintf("%d to %d arguments", n[0], n[1])
}

func (e *evaluator) intrinsic(name string, arg any, path string) (any, error) {
	switch name {
	case "Ref":
		s, ok := arg.(string)
		if !ok {
			return nil, e.fail(path, "Ref takes a name")
		}
		return e.ref(s, path)
	case "Condition":
		s, ok := arg.(string)
		if !ok {
			return nil, e.fail(path, "Condition takes a condition name")
		}
		return e.condition(s, path)
	case "Fn::GetAtt":
		var res, attr string
		switch a := arg.(type) {
		case string:
			var ok bool
			if res, attr, ok = strings.Cut(a, "."); !ok {
				return nil, e.fail(path, "Fn::GetAtt %q: want Resource.Attribute", a)
			}
		case []any:
			if len(a) != 2 {
				return nil, e.fail(path, "Fn::GetAtt takes 2 arguments, got %d", len(a))
			}
			var ok bool
			if res, ok = a[0].(string); !ok {
				return nil, e.fail(path, "Fn::GetAtt: the first argument is a logical id")
			}
			av, err := e.eval(a[1], join(path, "1"))
			if err != nil {
				return nil, err
			}
			if attr, ok = av.(string); !ok {
				return nil, e.fail(path, "Fn::GetAtt: the attribute name must be a string")
			}
		default:
			return nil, e.fail(path, "Fn::GetAtt takes [Resource, Attribute]")
		}
		if _, ok := e.t.Resources[res]; !ok {
			return nil, e.fail(path, "Fn::GetAtt names %q, which is not a resource", res)
		}
		v, err := e.res.getAtt(res, attr)
		if err != nil {
			return nil, e.fail(path, "Fn::GetAtt %s.%s: %v", res, attr, err)
		}
		return v, nil
	case "Fn::Sub":
		return e.sub(arg, path)
	case "Fn::Join":
		l, err := e.args(name, arg, path, 2)
		if err != nil {
			return nil, err
		}
		delim, ok := l[0].(string)
		if !ok {
			return nil, e.fail(path, "Fn::Join: the delimiter must be a string")
		}
		lv, err := e.eval(l[1], join(path, "1"))
		if err != nil {
			return nil, err
		}
		if isUnknown(lv) {
			return Unknown{"Fn::Join"}, nil
		}
		items, ok := lv.([]any)
		if !ok {
			return nil, e.fail(path, "Fn::Join: the second argument must be a list")
		}
		parts := make([]string, len(items))
		for i, it := range items {
			if isUnknown(it) {
				return Unknown{"Fn::Join"}, nil
			}
			s, err := stringify(it)
			if err != nil {
				return nil, e.fail(join(join(path, "1"), strconv.Itoa(i)), "Fn::Join: %v", err)
			}
			parts[i] = s
		}
		return strings.Join(parts, delim), nil
	case "Fn::Select":
		l, err := e.args(name, arg, path, 2)
		if err != nil {
			return nil, err
		}
		iv, err := e.eval(l[0], join(path, "0"))
		if err != nil {
			return nil, err
		}
		is, err := stringify(iv)
		if err != nil {
			return nil, e.fail(path, "Fn::Select: the index must be a number")
		}
		idx, err := strconv.Atoi(is)
		if err != nil {
			return nil, e.fail(path, "Fn::Select: the index %q is not an integer", is)
		}
		lv, err := e.eval(l[1], join(path, "1"))
		if err != nil {
			return nil, err
		}
		if isUnknown(lv) {
			return Unknown{"Fn::Select"}, nil
		}
		items, ok := lv.([]any)
		if !ok {
			return nil, e.fail(path, "Fn::Select: the second argument must be a list")
		}
		if idx < 0 || idx >= len(items) {
			return nil, e.fail(path, "Fn::Select: index %d out of range (list of %d)", idx, len(items))
		}
		return items[idx], nil
	case "Fn::Split":
		l, err := e.args(name, arg, path, 2)
		if err != nil {
			return nil, err
		}
		delim, ok := l[0].(string)
		if !ok || delim == "" {
			return nil, e.fail(path, "Fn::Split: the delimiter must be a non-empty string")
		}
		sv, err := e.eval(l[1], join(path, "1"))
		if err != nil {
			return nil, err
		}
		if isUnknown(sv) {
			return Unknown{"Fn::Split"}, nil
		}
		s, ok := sv.(string)
		if !ok {
			return nil, e.fail(path, "Fn::Split: the second argument must be a string")
		}
		parts := strings.Split(s, delim)
		out := make([]any, len(parts))
		for i, p := range parts {
			out[i] = p
		}
		return out, nil
	case "Fn::If":
		l, err := e.args(name, arg, path, 3)
		if err != nil {
			return nil, err
		}
		cond, ok := l[0].(string)
		if !ok {
			return nil, e.fail(path, "Fn::If: the first argument is a condition name")
		}
		b, err := e.condition(cond, join(path, "0"))
		if err != nil {
			return nil, err
		}
		if b {
			return e.eval(l[1], join(path, "1"))
		}
		return e.eval(l[2], join(path, "2"))
	case "Fn::Equals":
		l, err := e.args(name, arg, path, 2)
		if err != nil {
			return nil, err
		}
		a, err := e.eval(l[0], join(path, "0"))
		if err != nil {
			return nil, err
		}
		b, err := e.eval(l[1], join(path, "1"))
		if err != nil {
			return nil, err
		}
		return equalValues(a, b), nil
	case "Fn::And", "Fn::Or":
		l, err := e.args(name, arg, path, 2, 10)
		if err != nil {
			return nil, err
		}
		result := name == "Fn::And"
		for i, c := range l {
			b, err := e.boolean(c, join(path, strconv.Itoa(i)), name)
			if err != nil {
				return nil, err
			}
			if name == "Fn::And" {
				result = result && b
			} else {
				result = result || b
			}
		}
		return result, nil
	case "Fn::Not":
		l, err := e.args(name, arg, path, 1)
		if err != nil {
			return nil, err
		}
		b, err := e.boolean(l[0], join(path, "0"), name)
		if err != nil {
			return nil, err
		}
		return !b, nil
	case "Fn::FindInMap":
		l, err := e.args(name, arg, path, 3, 4)
		if err != nil {
			return nil, err
		}
		keys := make([]string, 3)
		for i := 0; i < 3; i++ {
			v, err := e.eval(l[i], join(path, strconv.Itoa(i)))
			if err != nil {
				return nil, err
			}
			s, err := stringify(v)
			if err != nil {
				return nil, e.fail(join(path, strconv.Itoa(i)), "Fn::FindInMap: keys are strings")
			}
			keys[i] = s
		}
		var def any
		hasDef := false
		if len(l) == 4 {
			dm, ok := l[3].(map[string]any)
			if !ok || dm["DefaultValue"] == nil {
				return nil, e.fail(join(path, "3"), "Fn::FindInMap: the fourth argument is {DefaultValue: ...}")
			}
			def, hasDef = dm["DefaultValue"], true
		}
		m, ok := e.t.Mappings[keys[0]].(map[string]any)
		if !ok {
			if hasDef {
				return e.eval(def, join(path, "3"))
			}
			return nil, e.fail(path, "Fn::FindInMap: no mapping named %q", keys[0])
		}
		top, ok := m[keys[1]].(map[string]any)
		if !ok {
			if hasDef {
				return e.eval(def, join(path, "3"))
			}
			return nil, e.fail(path, "Fn::FindInMap: mapping %q has no key %q", keys[0], keys[1])
		}
		v, ok := top[keys[2]]
		if !ok {
			if hasDef {
				return e.eval(def, join(path, "3"))
			}
			return nil, e.fail(path, "Fn::FindInMap: mapping %q key %q has no %q", keys[0], keys[1], keys[2])
		}
		return v, nil
	case "Fn::ImportValue":
		v, err := e.eval(arg, path)
		if err != nil {
			return nil, err
		}
		if isUnknown(v) {
			return nil, e.fail(path, "Fn::ImportValue: the export name must not depend on a resource")
		}
		s, ok := v.(string)
		if !ok {
			return nil, e.fail(path, "Fn::ImportValue takes an export name")
		}
		out, err := e.res.importValue(s)
		if err != nil {
			return nil, e.fail(path, "Fn::ImportValue %q: %v", s, err)
		}
		return out, nil
	case "Fn::Base64":
		v, err := e.eval(arg, path)
		if err != nil {
			return nil, err
		}
		if isUnknown(v) {
			return Unknown{"Fn::Base64"}, nil
		}
		s, ok := v.(string)
		if !ok {
			return nil, e.fail(path, "Fn::Base64 takes a string")
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "Fn::GetAZs":
		v, err := e.eval(arg, path)
		if err != nil {
			return nil, err
		}
		region, _ := v.(string)
		if region == "" {
			region = e.pseudo.Region
		}
		return []any{region + "a", region + "b", region + "c"}, nil
	case "Fn::Cidr":
		return e.cidr(arg, path)
	case "Fn::ToJsonString":
		v, err := e.eval(arg, path)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, e.fail(path, "Fn::ToJsonString: %v", err)
		}
		return string(b), nil
	case "Fn::Length":
		v, err := e.eval(arg, path)
		if err != nil {
			return nil, err
		}
		l, ok := v.([]any)
		if !ok {
			return nil, e.fail(path, "Fn::Length takes a list")
		}
		return float64(len(l)), nil
	}
	return nil, e.fail(path, "unknown intrinsic function %s", name)
}

func (e *evaluator) boolean(c any, path, fn string) (bool, error) {
	v, err := e.eval(c, path)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, e.fail(path, "%s takes conditions, got %s", fn, typeName(v))
	}
	return b, nil
}

func (e *evaluator) ref(name, path string) (any, error) {
	if v, ok := e.params[name]; ok {
		return v, nil
	}
	switch name {
	case "AWS::Region":
		return e.pseudo.Region, nil
	case "AWS::AccountId":
		return e.pseudo.AccountID, nil
	case "AWS::StackName":
		return e.pseudo.StackName, nil
	case "AWS::StackId":
		if e.pseudo.StackID == "" {
			return Unknown{"AWS::StackId"}, nil
		}
		return e.pseudo.StackID, nil
	case "AWS::Partition":
		return e.pseudo.Partition, nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	case "AWS::NotificationARNs":
		return []any{}, nil
	case "AWS::NoValue":
		return noValue{}, nil
	}
	if _, ok := e.t.Resources[name]; ok {
		v, err := e.res.ref(name)
		if err != nil {
			return nil, e.fail(path, "Ref %s: %v", name, err)
		}
		return v, nil
	}
	if _, ok := e.t.Parameters[name]; ok {
		return nil, e.fail(path, "Ref %s: parameter has no value", name)
	}
	return nil, e.fail(path, "Ref to %q: no such resource, parameter or pseudo parameter", name)
}

func (e *evaluator) sub(arg any, path string) (any, error) {
	var tmpl string
	vars := map[string]any{}
	switch a := arg.(type) {
	case string:
		tmpl = a
	case []any:
		if len(a) != 2 {
			return nil, e.fail(path, "Fn::Sub takes a string or [string, {variables}], got %d arguments", len(a))
		}
		var ok bool
		if tmpl, ok = a[0].(string); !ok {
			return nil, e.fail(join(path, "0"), "Fn::Sub: the template must be a string")
		}
		m, ok := a[1].(map[string]any)
		if !ok {
			return nil, e.fail(join(path, "1"), "Fn::Sub: the variables must be a mapping")
		}
		for _, k := range sortedKeys(m) {
			v, err := e.eval(m[k], join(join(path, "1"), k))
			if err != nil {
				return nil, err
			}
			vars[k] = v
		}
	default:
		return nil, e.fail(path, "Fn::Sub takes a string or [string, {variables}]")
	}
	var b strings.Builder
	unknown := false
	s := tmpl
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return nil, e.fail(path, "Fn::Sub: unterminated ${ in %q", tmpl)
		}
		name := s[i+2 : i+j]
		s = s[i+j+1:]
		if strings.HasPrefix(name, "!") {
			b.WriteString("${" + name[1:] + "}")
			continue
		}
		name = strings.TrimSpace(name)
		var v any
		var err error
		if local, ok := vars[name]; ok {
			v = local
		} else if res, attr, ok := strings.Cut(name, "."); ok && e.t.Resources[res] != nil {
			v, err = e.res.getAtt(res, attr)
			if err != nil {
				return nil, e.fail(path, "Fn::Sub ${%s}: %v", name, err)
			}
		} else {
			if _, isParam := e.t.Parameters[name]; !isParam && !isPseudo(name) && e.t.Resources[name] == nil {
				return nil, e.fail(path, "Fn::Sub: ${%s} names no parameter, resource or variable", name)
			}
			v, err = e.ref(name, path)
			if err != nil {
				return nil, err
			}
		}
		if isUnknown(v) {
			unknown = true
			continue
		}
		str, err := stringify(v)
		if err != nil {
			return nil, e.fail(path, "Fn::Sub ${%s}: %v", name, err)
		}
		b.WriteString(str)
	}
	if unknown {
		return Unknown{"Fn::Sub"}, nil
	}
	return b.String(), nil
}

func (e *evaluator) cidr(arg any, path string) (any, error) {
	l, err := e.args("Fn::Cidr", arg, path, 3)
	if err != nil {
		return nil, err
	}
	vals := make([]string, 3)
	for i := range l {
		v, err := e.eval(l[i], join(path, strconv.Itoa(i)))
		if err != nil {
			return nil, err
		}
		if vals[i], err = stringify(v); err != nil {
			return nil, e.fail(join(path, strconv.Itoa(i)), "Fn::Cidr: %v", err)
		}
	}
	prefix, err := netip.ParsePrefix(vals[0])
	if err != nil || !prefix.Addr().Is4() {
		return nil, e.fail(path, "Fn::Cidr: %q is not an IPv4 CIDR block", vals[0])
	}
	count, err1 := strconv.Atoi(vals[1])
	bits, err2 := strconv.Atoi(vals[2])
	newLen := 32 - bits
	if err1 != nil || err2 != nil || count < 1 || count > 256 || bits < 1 || newLen < prefix.Bits() {
		return nil, e.fail(path, "Fn::Cidr: bad count %q or cidrBits %q for %s", vals[1], vals[2], prefix)
	}
	if avail := newLen - prefix.Bits(); avail < 31 && count > 1<<avail {
		return nil, e.fail(path, "Fn::Cidr: %s holds only %d subnets of /%d", prefix, 1<<avail, newLen)
	}
	base4 := prefix.Masked().Addr().As4()
	base := binary.BigEndian.Uint32(base4[:])
	out := make([]any, count)
	for i := 0; i < count; i++ {
		var a [4]byte
		binary.BigEndian.PutUint32(a[:], base+uint32(i)<<uint(bits))
		out[i] = netip.PrefixFrom(netip.AddrFrom4(a), newLen).String()
	}
	return out, nil
}

// stringify turns a scalar into the string CloudFormation would use.
func stringify(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatInt(int64(x), 10), nil
		}
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", fmt.Errorf("want a string, got %s", typeName(v))
}

func equalValues(a, b any) bool {
	as, aerr := stringify(a)
	bs, berr := stringify(b)
	if aerr == nil && berr == nil {
		return as == bs
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// resourceActive reports whether the resource's Condition holds.
func (e *evaluator) resourceActive(id string) (bool, error) {
	c := e.t.Resources[id].Condition
	if c == "" {
		return true, nil
	}
	return e.condition(c, join(join("Resources", id), "Condition"))
}

// references returns the resources id's properties refer to (Ref, GetAtt,
// Sub) plus its DependsOn, sorted and unique.
func (t *Template) references(id string) []string {
	r := t.Resources[id]
	seen := map[string]bool{}
	walkRefs(r.Properties, "", func(kind, target, _ string) {
		if _, ok := t.Resources[target]; ok {
			seen[target] = true
		}
	})
	for _, d := range r.DependsOn {
		seen[d] = true
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
