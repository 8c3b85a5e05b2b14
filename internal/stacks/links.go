package stacks

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Links are a template's cross-stack references: the export names it
// declares and the ones it imports (those known without deploying).
type Links struct {
	Exports []string
	Imports []string
	// Parameters written (AWS::SSM::Parameter resources with a Name) and
	// read (AWS::SSM::Parameter::Value<...> parameters, {{resolve:ssm:...}}):
	// the other way seed 000 shares values between stacks.
	Writes []string
	Reads  []string
}

// linkResolver makes resources unknown and records imports.
type linkResolver struct{ imports map[string]bool }

func (l *linkResolver) ref(string) (any, error)            { return Unknown{"Ref"}, nil }
func (l *linkResolver) getAtt(string, string) (any, error) { return Unknown{"GetAtt"}, nil }
func (l *linkResolver) importValue(name string) (any, error) {
	l.imports[name] = true
	return Unknown{"ImportValue"}, nil
}

// TemplateLinks finds the exports and imports of a template deployed as
// stack, with its parameters' defaults (for `nubo up` ordering). transform
// expands templates that declare the SAM transform (nil: they are read as
// written, and references to SAM's implicit resources fail).
// A local AWS::Include Location is relative to dir (the template's
// directory; "" refuses local Locations).
func TemplateLinks(src []byte, dir, stack string, params map[string]string, transform Expander) (Links, error) {
	raw, lines, err := ParseDocument(src)
	if err != nil {
		return Links{}, err
	}
	if transform == nil {
		delete(raw, "Globals")
		transform = func(m map[string]any) (map[string]any, error) { return m, nil }
	}
	pseudo := Pseudo{StackName: stack, Region: "us-east-1", AccountID: "000000000000", Partition: "aws"}
	t, err := loadTemplateWith(raw, lines, ProcessOptions{BaseDir: dir, Pseudo: pseudo, Serverless: transform,
		Parameters: func(defs map[string]*ParamDef) (map[string]any, error) { return linkParams(defs, params), nil }})
	if err != nil {
		return Links{}, err
	}
	vals := map[string]any{}
	for name, d := range t.Parameters {
		v, ok := params[name]
		if !ok && d.Default != nil {
			v, ok = *d.Default, true
		}
		if !ok || strings.HasPrefix(d.Type, "AWS::SSM::Parameter::Value<") {
			vals[name] = Unknown{"Ref " + name}
			continue
		}
		if cv, err := d.check(v); err == nil {
			vals[name] = cv
		} else {
			vals[name] = v
		}
	}
	res := &linkResolver{imports: map[string]bool{}}
	ev := newEvaluator(t, Pseudo{StackName: stack, Region: "us-east-1", AccountID: "000000000000", Partition: "aws"}, vals, res)
	var links Links
	var errs []error
	reads := map[string]bool{}
	for name, d := range t.Parameters {
		if strings.HasPrefix(d.Type, "AWS::SSM::Parameter::Value<") {
			if v, ok := params[name]; ok {
				reads[v] = true
			} else if d.Default != nil {
				reads[*d.Default] = true
			}
		}
	}
	for _, id := range t.ids {
		v, _ := ev.eval(t.Resources[id].Properties, join(join("Resources", id), "Properties"))
		props, _ := v.(map[string]any)
		if n, ok := props["Name"].(string); ok && t.Resources[id].Type == "AWS::SSM::Parameter" {
			links.Writes = append(links.Writes, n)
		}
		collectResolves(v, reads)
	}
	for k := range reads {
		links.Reads = append(links.Reads, k)
	}
	sort.Strings(links.Reads)
	sort.Strings(links.Writes)
	for _, name := range sortedKeys(t.Outputs) {
		o := t.Outputs[name]
		_, _ = ev.eval(o.Value, join(join("Outputs", name), "Value"))
		if o.Export == nil {
			continue
		}
		x, err := ev.eval(o.Export, join(join("Outputs", name), "Export"))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if s, ok := x.(string); ok {
			links.Exports = append(links.Exports, s)
		}
	}
	for k := range res.imports {
		links.Imports = append(links.Imports, k)
	}
	sort.Strings(links.Exports)
	sort.Strings(links.Imports)
	return links, errors.Join(errs...)
}

// collectResolves adds the SSM names of {{resolve:ssm:NAME}} references in v.
func collectResolves(v any, out map[string]bool) {
	switch x := v.(type) {
	case string:
		for {
			i := strings.Index(x, "{{resolve:ssm:")
			if i < 0 {
				return
			}
			x = x[i+len("{{resolve:ssm:"):]
			j := strings.Index(x, "}}")
			if j < 0 {
				return
			}
			name := x[:j]
			if k := strings.LastIndexByte(name, ':'); k > 0 {
				name = name[:k]
			}
			out[name] = true
			x = x[j:]
		}
	case map[string]any:
		for _, e := range x {
			collectResolves(e, out)
		}
	case []any:
		for _, e := range x {
			collectResolves(e, out)
		}
	}
}

// Found is a template found under a directory.
type Found struct {
	Stack string
	Path  string
	Links Links
	// Snippets are the local AWS::Include files the template reads
	// (directly or through other snippets), for nubo up --watch.
	Snippets []string
}

// FindTemplates finds the templates under dir (files whose top level has
// Resources, or includes them; not the AWS::Include snippets of others), names their stacks (template.yaml in DIR/x is stack x;
// x.yaml is stack x) and orders them so that exporters come before
// importers. An import cycle is an error naming the stacks. transform is
// as for TemplateLinks.
func FindTemplates(dir string, transform Expander) ([]Found, error) {
	type candidate struct {
		path string
		src  []byte
	}
	var cands []candidate
	included := map[string]bool{}     // AWS::Include snippets: parts of templates, not stacks
	includes := map[string][]string{} // file → the snippets it includes
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			n := d.Name()
			if path != dir && (strings.HasPrefix(n, ".") || n == "node_modules" || n == "testdata" || n == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		ext := strings.ToLower(filepath.Ext(path))
		if ext != ".yaml" && ext != ".yml" && ext != ".json" && ext != ".template" {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		raw, _, perr := ParseDocument(src)
		if perr != nil {
			return nil // not a template
		}
		for _, loc := range includeLocations(raw, 0) {
			if !filepath.IsAbs(loc) {
				loc = filepath.Join(filepath.Dir(path), loc)
			}
			loc = filepath.Clean(loc)
			included[loc] = true
			includes[filepath.Clean(path)] = append(includes[filepath.Clean(path)], loc)
		}
		// A template has Resources, or gets them from a top-level include.
		if raw["Resources"] == nil && len(includeLocations(map[string]any{"Transform": raw["Transform"]}, 0)) == 0 {
			return nil // not a template
		}
		cands = append(cands, candidate{path, src})
		return nil
	})
	if err != nil {
		return nil, err
	}
	var found []Found
	byName := map[string]string{}
	for _, c := range cands {
		if included[filepath.Clean(c.path)] {
			continue
		}
		name := StackNameFor(c.path)
		if other, dup := byName[name]; dup {
			return nil, fmt.Errorf("%s and %s would both be stack %q: rename one", other, c.path, name)
		}
		byName[name] = c.path
		links, err := TemplateLinks(c.src, filepath.Dir(c.path), name, nil, transform)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.path, err)
		}
		found = append(found, Found{Stack: name, Path: c.path, Links: links, Snippets: snippetsOf(filepath.Clean(c.path), includes)})
	}
	exporter := map[string]string{}
	writer := map[string]string{}
	for _, f := range found {
		for _, w := range f.Links.Writes {
			writer[w] = f.Stack
		}
	}
	for _, f := range found {
		for _, x := range f.Links.Exports {
			if other, dup := exporter[x]; dup && other != f.Stack {
				return nil, fmt.Errorf("export %q is declared by stacks %s and %s: export names are unique", x, other, f.Stack)
			}
			exporter[x] = f.Stack
		}
	}
	needs := map[string][]string{}
	var names []string
	idx := map[string]Found{}
	for _, f := range found {
		names = append(names, f.Stack)
		idx[f.Stack] = f
		for _, imp := range f.Links.Imports {
			if s, ok := exporter[imp]; ok && s != f.Stack {
				needs[f.Stack] = append(needs[f.Stack], s)
			}
		}
		for _, rd := range f.Links.Reads {
			if s, ok := writer[rd]; ok && s != f.Stack {
				needs[f.Stack] = append(needs[f.Stack], s)
			}
		}
	}
	order, err := OrderStacks(names, needs)
	if err != nil {
		return nil, err
	}
	out := make([]Found, 0, len(order))
	for _, n := range order {
		out = append(out, idx[n])
	}
	return out, nil
}

// StackNameFor names the stack of a template file: DIR/template.yaml (or
// stack.yaml) is stack DIR, orders.yaml is stack orders; characters a stack
// name cannot hold become hyphens.
func StackNameFor(path string) string {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if base == "template" || base == "stack" {
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		base = filepath.Base(filepath.Dir(path))
	}
	return sanitizeStackName(base)
}

func sanitizeStackName(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b.WriteRune(c)
		default:
			b.WriteByte('-')
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" || !(out[0] >= 'a' && out[0] <= 'z' || out[0] >= 'A' && out[0] <= 'Z') {
		out = "stack-" + out
	}
	return out
}

// linkParams are the parameter values nubo up orders stacks with: the given
// ones, else the Defaults (those it cannot know are left out).
func linkParams(defs map[string]*ParamDef, params map[string]string) map[string]any {
	vals := map[string]any{}
	for name, d := range defs {
		v, ok := params[name]
		if !ok && d.Default != nil {
			v, ok = *d.Default, true
		}
		if !ok || strings.HasPrefix(d.Type, "AWS::SSM::Parameter::Value<") {
			continue
		}
		if cv, err := d.check(v); err == nil {
			vals[name] = cv
		}
	}
	return vals
}

// includeLocations lists the local AWS::Include Locations a document names
// (in its Transform section or as Fn::Transform anywhere).
func includeLocations(v any, depth int) []string {
	if depth > maxDepth {
		return nil
	}
	var out []string
	add := func(t any) {
		items, ok := t.([]any)
		if !ok {
			items = []any{t}
		}
		for _, it := range items {
			m, _ := it.(map[string]any)
			if name, _ := m["Name"].(string); name != IncludeTransform {
				continue
			}
			p, _ := m["Parameters"].(map[string]any)
			if loc, ok := p["Location"].(string); ok && loc != "" && !strings.Contains(loc, "://") {
				out = append(out, loc)
			}
		}
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if k == "Fn::Transform" || (depth == 0 && k == "Transform") {
				add(e)
				continue
			}
			out = append(out, includeLocations(e, depth+1)...)
		}
	case []any:
		for _, e := range x {
			out = append(out, includeLocations(e, depth+1)...)
		}
	}
	return out
}

// snippetsOf lists the snippets file includes, through snippets that
// include others, sorted.
func snippetsOf(file string, includes map[string][]string) []string {
	seen := map[string]bool{}
	var walk func(string, int)
	walk = func(f string, depth int) {
		if depth > maxIncludeDepth {
			return
		}
		for _, s := range includes[f] {
			if !seen[s] {
				seen[s] = true
				walk(s, depth+1)
			}
		}
	}
	walk(file, 0)
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
