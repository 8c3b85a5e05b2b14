package stacks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// TemplateError is a template problem at a property path, with the line
// when the parser knows it.
type TemplateError struct {
	Path string // "Resources/Queue/Properties/Name"
	Line int
	Msg  string
}

func (e *TemplateError) Error() string {
	loc := e.Path
	if e.Line > 0 {
		loc += fmt.Sprintf(" (line %d)", e.Line)
	}
	if loc == "" {
		return e.Msg
	}
	return loc + ": " + e.Msg
}

func (e *TemplateError) Unwrap() error { return ErrTemplate }

// Lines maps a path ("Resources/A/Properties/B/0") to its line in the source.
type Lines map[string]int

// At returns the line of path or of its nearest ancestor the table knows.
func (l Lines) At(path string) int {
	for p := path; p != ""; {
		if n, ok := l[p]; ok {
			return n
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return 0
}

func (l Lines) errorf(path, format string, args ...any) *TemplateError {
	return &TemplateError{Path: path, Line: l.At(path), Msg: fmt.Sprintf(format, args...)}
}

// ParseDocument parses a CloudFormation template in YAML (with the short
// intrinsic tags) or JSON into its long form: intrinsics as {"Ref": ...},
// {"Fn::GetAtt": [...]} maps, numbers as float64. It returns the path → line
// table alongside.
func ParseDocument(src []byte) (map[string]any, Lines, error) {
	lines := Lines{}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&doc); err != nil {
		if trimmed := bytes.TrimSpace(src); len(trimmed) > 0 && trimmed[0] == '{' {
			// JSON that YAML refuses (tabs, say): no line table, still a template.
			var m map[string]any
			if jerr := json.Unmarshal(src, &m); jerr == nil {
				v, err := normalizeJSON(m)
				if err != nil {
					return nil, nil, &TemplateError{Msg: err.Error()}
				}
				return v.(map[string]any), lines, nil
			}
		}
		return nil, nil, &TemplateError{Msg: "parse: " + err.Error(), Line: yamlErrLine(err)}
	}
	if len(doc.Content) == 0 {
		return nil, nil, &TemplateError{Msg: "empty template"}
	}
	p := &nodeParser{lines: lines, depth: 0}
	v, err := p.value(doc.Content[0], "")
	if err != nil {
		return nil, nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, nil, &TemplateError{Line: doc.Content[0].Line, Msg: "a template is a mapping at the top level"}
	}
	return m, lines, nil
}

func yamlErrLine(err error) int {
	s := err.Error()
	if i := strings.Index(s, "line "); i >= 0 {
		j := i + 5
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		n, _ := strconv.Atoi(s[i+5 : j])
		return n
	}
	return 0
}

type nodeParser struct {
	lines Lines
	depth int
	nodes int
	// noShortForms refuses the short YAML intrinsic tags (AWS::Include
	// snippets).
	noShortForms bool
}

const (
	maxDepth = 200
	maxNodes = 500_000
)

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "/" + key
}

func (p *nodeParser) value(n *yaml.Node, path string) (any, error) {
	p.nodes++
	if p.nodes > maxNodes {
		return nil, &TemplateError{Path: path, Line: n.Line, Msg: "template too large"}
	}
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, &TemplateError{Path: path, Line: n.Line, Msg: "template nested too deeply"}
	}
	if path != "" {
		if _, ok := p.lines[path]; !ok {
			p.lines[path] = n.Line
		}
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return nil, &TemplateError{Path: path, Line: n.Line, Msg: "unresolved alias"}
		}
		return p.value(n.Alias, path)
	}
	if tag := n.Tag; strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!") {
		if p.noShortForms {
			return nil, &TemplateError{Path: path, Line: n.Line, Msg: fmt.Sprintf("%s: CloudFormation does not support the short YAML forms in an AWS::Include snippet: write the long form (Ref:, Fn::GetAtt: ...)", tag)}
		}
		return p.tagged(n, path)
	}
	return p.plain(n, path)
}

// plain converts a node, ignoring any short intrinsic tag it has.
func (p *nodeParser) plain(n *yaml.Node, path string) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return p.value(n.Content[0], path)
	case yaml.AliasNode:
		return p.value(n, path)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, vn := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
				mv, err := p.value(vn, path)
				if err != nil {
					return nil, err
				}
				if err := mergeInto(m, mv); err != nil {
					return nil, &TemplateError{Path: path, Line: k.Line, Msg: err.Error()}
				}
				continue
			}
			if k.Kind != yaml.ScalarNode {
				return nil, &TemplateError{Path: path, Line: k.Line, Msg: "mapping keys must be strings"}
			}
			key := k.Value
			if _, dup := m[key]; dup {
				return nil, &TemplateError{Path: join(path, key), Line: k.Line, Msg: fmt.Sprintf("duplicate key %q", key)}
			}
			kp := join(path, key)
			p.lines[kp] = k.Line
			v, err := p.value(vn, kp)
			if err != nil {
				return nil, err
			}
			m[key] = v
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			v, err := p.value(c, join(path, strconv.Itoa(i)))
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	case yaml.ScalarNode:
		return scalar(n)
	}
	return nil, &TemplateError{Path: path, Line: n.Line, Msg: "unsupported YAML node"}
}

func mergeInto(m map[string]any, v any) error {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if _, ok := m[k]; !ok {
				m[k] = val
			}
		}
	case []any:
		for _, e := range x {
			if err := mergeInto(m, e); err != nil {
				return err
			}
		}
	default:
		return errors.New("merge key needs a mapping")
	}
	return nil
}

func scalar(n *yaml.Node) (any, error) {
	switch n.Tag {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return n.Value, nil
		}
		return b, nil
	case "!!int", "!!float":
		var f float64
		if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return n.Value, nil
		}
		return f, nil
	}
	return n.Value, nil // strings, timestamps (AWSTemplateFormatVersion), binary
}

// longName maps a YAML short tag to its long intrinsic name.
func longName(tag string) (string, bool) {
	switch tag {
	case "!Ref":
		return "Ref", true
	case "!Condition":
		return "Condition", true
	case "!GetAtt", "!Sub", "!Join", "!Select", "!Split", "!If", "!Equals", "!And", "!Or", "!Not",
		"!FindInMap", "!ImportValue", "!Base64", "!GetAZs", "!Cidr", "!Transform", "!ToJsonString", "!Length":
		return "Fn::" + tag[1:], true
	}
	return "", false
}

func (p *nodeParser) tagged(n *yaml.Node, path string) (any, error) {
	name, ok := longName(n.Tag)
	if !ok {
		return nil, &TemplateError{Path: path, Line: n.Line, Msg: fmt.Sprintf("unknown tag %s", n.Tag)}
	}
	inner := join(path, name)
	if name == "Fn::GetAtt" && n.Kind == yaml.ScalarNode {
		res, attr, ok := strings.Cut(n.Value, ".")
		if !ok || res == "" || attr == "" {
			return nil, &TemplateError{Path: path, Line: n.Line, Msg: fmt.Sprintf("!GetAtt %q: want Resource.Attribute", n.Value)}
		}
		return map[string]any{name: []any{res, attr}}, nil
	}
	var v any
	var err error
	if n.Kind == yaml.ScalarNode {
		v = n.Value // tagged scalars are strings: !Ref 123 names "123"
		if n.Style == 0 && n.Value == "" {
			v = ""
		}
	} else {
		v, err = p.plain(n, inner)
		if err != nil {
			return nil, err
		}
	}
	return map[string]any{name: v}, nil
}

func normalizeJSON(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			n, err := normalizeJSON(e)
			if err != nil {
				return nil, err
			}
			x[k] = n
		}
	case []any:
		for i, e := range x {
			n, err := normalizeJSON(e)
			if err != nil {
				return nil, err
			}
			x[i] = n
		}
	}
	return v, nil
}

// Template is a parsed, structurally checked template in long form.
type Template struct {
	Raw         map[string]any
	Lines       Lines
	Description string
	Transform   []string
	Class       string // the Nubo: {Class: ...} key, "" when absent
	Parameters  map[string]*ParamDef
	Mappings    map[string]any
	Conditions  map[string]any
	Resources   map[string]*Resource
	Outputs     map[string]*Output
	ids         []string // resource logical ids, sorted
}

// Resource is one entry of Resources.
type Resource struct {
	LogicalID           string
	Type                string
	Properties          map[string]any
	DependsOn           []string
	Condition           string
	DeletionPolicy      string
	UpdateReplacePolicy string
	Metadata            map[string]any
}

// Output is one entry of Outputs.
type Output struct {
	Name        string
	Value       any
	Description any
	Export      any // the Export Name expression, nil if not exported
	Condition   string
}

// ServerlessTransform is the SAM transform's name.
const ServerlessTransform = "AWS::Serverless-2016-10-31"

// Expander expands a transform over a long-form template.
type Expander func(tmpl map[string]any) (map[string]any, error)

// Transformer is the SAM transform as the engine calls it: the long-form
// template and the deployment's pseudo parameters (region, account,
// partition, stack name). internal/platform wires internal/stacks/sam here:
//
//	func(t map[string]any, p stacks.Pseudo) (map[string]any, error) {
//		return sam.Transform(t, sam.Options{Region: p.Region, AccountID: p.AccountID, Partition: p.Partition, StackName: p.StackName})
//	}
type Transformer func(tmpl map[string]any, env Pseudo) (map[string]any, error)

func isTopLevel(k string) bool {
	switch k {
	case "AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings",
		"Conditions", "Transform", "Resources", "Outputs", "Globals", "Nubo":
		return true
	}
	return false
}

// ParseTemplate parses src and checks its structure. When the template asks
// for the SAM transform, transform runs first (nil: an error saying the
// transform is not available).
func ParseTemplate(src []byte, transform Expander) (*Template, error) {
	raw, lines, err := ParseDocument(src)
	if err != nil {
		return nil, err
	}
	return loadTemplate(raw, lines, transform)
}

func loadTemplate(raw map[string]any, lines Lines, transform Expander) (*Template, error) {
	return loadTemplateWith(raw, lines, ProcessOptions{Serverless: transform})
}

// loadTemplateWith runs the template's transforms (ProcessTemplate) and
// checks the processed template's structure.
func loadTemplateWith(raw map[string]any, lines Lines, opts ProcessOptions) (*Template, error) {
	out, names, err := ProcessTemplate(raw, lines, opts)
	if err != nil {
		return nil, err
	}
	raw = out
	t := &Template{Raw: raw, Lines: lines, Transform: names}
	var errs []error
	fail := func(path, format string, args ...any) { errs = append(errs, lines.errorf(path, format, args...)) }

	for _, k := range sortedKeys(raw) {
		if !isTopLevel(k) {
			fail(k, "unknown top-level section %q", k)
		}
	}
	if d, ok := raw["Description"].(string); ok {
		t.Description = d
	}
	// The class is a top-level Nubo key, or Metadata: {Nubo: ...} in
	// templates that must stay deployable to AWS as they are.
	nuboPath, nb, hasNubo := "Nubo", raw["Nubo"], false
	if _, hasNubo = raw["Nubo"]; !hasNubo {
		if md, ok := raw["Metadata"].(map[string]any); ok {
			nb, hasNubo = md["Nubo"]
			nuboPath = "Metadata/Nubo"
		}
	}
	if hasNubo {
		m, ok := nb.(map[string]any)
		if !ok {
			fail(nuboPath, "want a mapping such as {Class: stateful}")
		} else {
			for _, k := range sortedKeys(m) {
				switch k {
				case "Class":
					c, _ := m[k].(string)
					if c != ClassStateful && c != ClassStateless {
						fail(join(nuboPath, "Class"), "class must be %q or %q, not %v", ClassStateful, ClassStateless, m[k])
					}
					t.Class = c
				default:
					fail(join(nuboPath, k), "unknown key %q (only Class)", k)
				}
			}
		}
	}
	var ok bool
	if t.Mappings, ok = section(raw, "Mappings", fail); !ok {
		t.Mappings = map[string]any{}
	}
	if t.Conditions, ok = section(raw, "Conditions", fail); !ok {
		t.Conditions = map[string]any{}
	}
	params, _ := section(raw, "Parameters", fail)
	t.Parameters = map[string]*ParamDef{}
	for _, name := range sortedKeys(params) {
		d, err := parseParamDef(name, params[name], lines)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		t.Parameters[name] = d
	}
	res, ok := section(raw, "Resources", fail)
	if !ok {
		fail("Resources", "a template needs a Resources section")
	}
	t.Resources = map[string]*Resource{}
	for _, id := range sortedKeys(res) {
		r, err := parseResource(id, res[id], lines)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, clash := t.Parameters[id]; clash {
			fail(join("Resources", id), "logical id %q is also a parameter", id)
		}
		t.Resources[id] = r
		t.ids = append(t.ids, id)
	}
	outs, _ := section(raw, "Outputs", fail)
	t.Outputs = map[string]*Output{}
	for _, name := range sortedKeys(outs) {
		path := join("Outputs", name)
		m, ok := outs[name].(map[string]any)
		if !ok {
			fail(path, "an output is a mapping with a Value")
			continue
		}
		o := &Output{Name: name, Description: m["Description"]}
		for _, k := range sortedKeys(m) {
			switch k {
			case "Value", "Description":
			case "Condition":
				o.Condition, _ = m[k].(string)
				if o.Condition == "" {
					fail(join(path, k), "want a condition name")
				}
			case "Export":
				em, ok := m[k].(map[string]any)
				if !ok || em["Name"] == nil || len(em) != 1 {
					fail(join(path, k), "want {Name: ...}")
					continue
				}
				o.Export = em["Name"]
			default:
				fail(join(path, k), "unknown output key %q", k)
			}
		}
		v, has := m["Value"]
		if !has {
			fail(path, "an output needs a Value")
		}
		o.Value = v
		t.Outputs[name] = o
	}
	// Conditions named by resources and outputs must exist.
	for _, id := range t.ids {
		if c := t.Resources[id].Condition; c != "" {
			if _, ok := t.Conditions[c]; !ok {
				fail(join(join("Resources", id), "Condition"), "no condition named %q", c)
			}
		}
		for i, d := range t.Resources[id].DependsOn {
			if _, ok := t.Resources[d]; !ok {
				fail(join(join(join("Resources", id), "DependsOn"), strconv.Itoa(i)), "DependsOn names %q, which is not a resource", d)
			}
		}
	}
	for _, name := range sortedKeys(t.Outputs) {
		if c := t.Outputs[name].Condition; c != "" {
			if _, ok := t.Conditions[c]; !ok {
				fail(join(join("Outputs", name), "Condition"), "no condition named %q", c)
			}
		}
	}
	if err := t.checkReferences(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return t, nil
}

func section(raw map[string]any, name string, fail func(string, string, ...any)) (map[string]any, bool) {
	v, ok := raw[name]
	if !ok || v == nil {
		return map[string]any{}, false
	}
	m, ok := v.(map[string]any)
	if !ok {
		fail(name, "section %s must be a mapping", name)
		return map[string]any{}, false
	}
	return m, true
}

func parseResource(id string, v any, lines Lines) (*Resource, error) {
	path := join("Resources", id)
	if !validLogicalID(id) {
		return nil, lines.errorf(path, "logical id %q must be alphanumeric", id)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, lines.errorf(path, "a resource is a mapping with a Type")
	}
	r := &Resource{LogicalID: id, Properties: map[string]any{}}
	var errs []error
	for _, k := range sortedKeys(m) {
		kp := join(path, k)
		switch k {
		case "Type":
			r.Type, ok = m[k].(string)
			if !ok || r.Type == "" {
				errs = append(errs, lines.errorf(kp, "Type must be a resource type name"))
			}
		case "Properties":
			if m[k] == nil {
				continue
			}
			p, ok := m[k].(map[string]any)
			if !ok {
				errs = append(errs, lines.errorf(kp, "Properties must be a mapping"))
				continue
			}
			r.Properties = p
		case "DependsOn":
			switch d := m[k].(type) {
			case string:
				r.DependsOn = []string{d}
			case []any:
				for i, x := range d {
					s, ok := x.(string)
					if !ok {
						errs = append(errs, lines.errorf(join(kp, strconv.Itoa(i)), "DependsOn entries are logical ids"))
						continue
					}
					r.DependsOn = append(r.DependsOn, s)
				}
			default:
				errs = append(errs, lines.errorf(kp, "DependsOn is a logical id or a list of them"))
			}
		case "Condition":
			r.Condition, ok = m[k].(string)
			if !ok {
				errs = append(errs, lines.errorf(kp, "Condition must be a condition name"))
			}
		case "DeletionPolicy", "UpdateReplacePolicy":
			s, _ := m[k].(string)
			switch s {
			case "Delete", "Retain", "RetainExceptOnCreate", "Snapshot":
			default:
				errs = append(errs, lines.errorf(kp, "%s must be Delete, Retain, RetainExceptOnCreate or Snapshot, not %v", k, m[k]))
			}
			if k == "DeletionPolicy" {
				r.DeletionPolicy = s
			} else {
				r.UpdateReplacePolicy = s
			}
		case "Metadata":
			r.Metadata, _ = m[k].(map[string]any)
		case "CreationPolicy", "UpdatePolicy":
		default:
			errs = append(errs, lines.errorf(kp, "unknown resource attribute %q", k))
		}
	}
	if _, has := m["Type"]; !has {
		errs = append(errs, lines.errorf(path, "resource %s has no Type", id))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return r, nil
}

func validLogicalID(id string) bool {
	if id == "" || len(id) > 255 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// ResourceIDs lists the logical ids, sorted.
func (t *Template) ResourceIDs() []string { return t.ids }

// checkReferences finds Refs and GetAtts that name nothing, statically.
func (t *Template) checkReferences() error {
	var errs []error
	for _, id := range t.ids {
		base := join(join("Resources", id), "Properties")
		walkRefs(t.Resources[id].Properties, base, func(kind, target, path string) {
			if err := t.checkRef(kind, target, path); err != nil {
				errs = append(errs, err)
			}
		})
	}
	for _, name := range sortedKeys(t.Outputs) {
		o := t.Outputs[name]
		walkRefs(map[string]any{"Value": o.Value, "Export": o.Export}, join("Outputs", name), func(kind, target, path string) {
			if err := t.checkRef(kind, target, path); err != nil {
				errs = append(errs, err)
			}
		})
	}
	return errors.Join(errs...)
}

func (t *Template) checkRef(kind, target, path string) error {
	if kind == "Ref" {
		if _, ok := t.Resources[target]; ok {
			return nil
		}
		if _, ok := t.Parameters[target]; ok {
			return nil
		}
		if isPseudo(target) {
			return nil
		}
		return t.Lines.errorf(path, "Ref to %q: no such resource, parameter or pseudo parameter", target)
	}
	if _, ok := t.Resources[target]; !ok {
		return t.Lines.errorf(path, "Fn::GetAtt names %q, which is not a resource", target)
	}
	return nil
}

// walkRefs calls fn for each static Ref ("Ref") and GetAtt ("GetAtt") target in v,
// including the variables of Fn::Sub strings.
func walkRefs(v any, path string, fn func(kind, target, path string)) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				switch k {
				case "Ref":
					if s, ok := arg.(string); ok {
						fn("Ref", s, join(path, k))
						return
					}
				case "Fn::GetAtt":
					if l, ok := arg.([]any); ok && len(l) == 2 {
						if s, ok := l[0].(string); ok {
							fn("GetAtt", s, join(path, k))
						}
						walkRefs(l[1], join(path, k), fn)
						return
					}
					if s, ok := arg.(string); ok {
						if res, _, ok := strings.Cut(s, "."); ok {
							fn("GetAtt", res, join(path, k))
						}
						return
					}
				case "Fn::Sub":
					var tmpl string
					vars := map[string]any{}
					switch a := arg.(type) {
					case string:
						tmpl = a
					case []any:
						if len(a) == 2 {
							tmpl, _ = a[0].(string)
							vars, _ = a[1].(map[string]any)
							walkRefs(a[1], join(path, k), fn)
						}
					}
					for _, name := range subVars(tmpl) {
						if _, local := vars[name]; local {
							continue
						}
						if res, _, ok := strings.Cut(name, "."); ok {
							fn("GetAtt", res, join(path, k))
						} else {
							fn("Ref", name, join(path, k))
						}
					}
					return
				}
			}
		}
		for _, k := range sortedKeys(x) {
			walkRefs(x[k], join(path, k), fn)
		}
	case []any:
		for i, e := range x {
			walkRefs(e, join(path, strconv.Itoa(i)), fn)
		}
	}
}

// subVars lists the ${Name} variables of an Fn::Sub string (not ${!Literal}).
func subVars(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return out
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return out
		}
		name := s[i+2 : i+j]
		if !strings.HasPrefix(name, "!") {
			out = append(out, strings.TrimSpace(name))
		}
		s = s[i+j+1:]
	}
}

// sortedStrings returns a sorted copy.
func sortedStrings(ss []string) []string {
	out := append([]string(nil), ss...)
	sort.Strings(out)
	return out
}
