package stacks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// AWS::Include
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/transform-aws-include.html):
// "inserts the contents of the specified file at the location of the
// transform in the template". Its Location is an Amazon S3 URI on AWS; nubo
// has no S3 service yet, so it reads a local path instead (relative to the
// template's directory) and refuses an s3:// Location by name. The snippet
// "must be valid YAML or valid JSON", without the short YAML forms.

// includer expands Fn::Transform: {Name: AWS::Include, ...} in a template.
type includer struct {
	baseDir string
	lines   Lines
	seen    map[string]bool // snippets being expanded (a snippet that includes itself)
	count   int             // snippets inserted
}

// includeLocation checks an {Name: AWS::Include, Parameters: {Location}} mapping.
func includeLocation(m map[string]any, lines Lines, path string) (any, error) {
	for k := range m {
		if k != "Name" && k != "Parameters" {
			return nil, lines.errorf(join(path, k), "%s takes Name and Parameters, not %q", IncludeTransform, k)
		}
	}
	p, ok := m["Parameters"].(map[string]any)
	if !ok {
		return nil, lines.errorf(path, "%s needs Parameters: {Location: ...}", IncludeTransform)
	}
	for k := range p {
		if k != "Location" {
			return nil, lines.errorf(join(join(path, "Parameters"), k), "%s takes only the Location parameter, not %q", IncludeTransform, k)
		}
	}
	loc, ok := p["Location"]
	if !ok {
		return nil, lines.errorf(join(path, "Parameters"), "%s needs a Location", IncludeTransform)
	}
	return loc, nil
}

// expand replaces the Fn::Transform keys in v with their snippets, the most
// deeply nested first.
func (in *includer) expand(v any, path string, depth int) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for _, k := range sortedKeys(x) {
			if k == "Fn::Transform" {
				continue
			}
			nv, err := in.expand(x[k], join(path, k), depth)
			if err != nil {
				return nil, err
			}
			out[k] = nv
		}
		tr, has := x["Fn::Transform"]
		if !has {
			return out, nil
		}
		tpath := join(path, "Fn::Transform")
		var list []any
		if l, ok := tr.([]any); ok {
			list = l
		} else {
			list = []any{tr}
		}
		for i, t := range list {
			ipath := tpath
			if _, isList := tr.([]any); isList {
				ipath = join(tpath, strconv.Itoa(i))
			}
			m, ok := t.(map[string]any)
			if !ok {
				return nil, in.lines.errorf(ipath, "Fn::Transform takes {Name: %s, Parameters: {Location: ...}}", IncludeTransform)
			}
			if name, _ := m["Name"].(string); name != IncludeTransform {
				return nil, in.lines.errorf(ipath, "Fn::Transform %v is not supported: nubo runs only %s as Fn::Transform (macros are not supported)", m["Name"], IncludeTransform)
			}
			loc, err := includeLocation(m, in.lines, ipath)
			if err != nil {
				return nil, err
			}
			snip, err := in.load(loc, ipath, depth)
			if err != nil {
				return nil, err
			}
			if len(x) == 1 && len(list) == 1 {
				return snip, nil // the transform is the whole value
			}
			sm, ok := snip.(map[string]any)
			if !ok {
				return nil, in.lines.errorf(ipath, "the snippet at %v is merged into a mapping, so it must be a mapping", loc)
			}
			for _, k := range sortedKeys(sm) {
				if _, dup := out[k]; dup {
					return nil, in.lines.errorf(ipath, "the snippet at %v declares %q, which is already here", loc, k)
				}
				out[k] = sm[k]
			}
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			nv, err := in.expand(e, join(path, strconv.Itoa(i)), depth)
			if err != nil {
				return nil, err
			}
			out[i] = nv
		}
		return out, nil
	}
	return v, nil
}

// load reads the snippet at loc and expands the includes it has in turn.
func (in *includer) load(loc any, path string, depth int) (any, error) {
	s, ok := loc.(string)
	if !ok || s == "" {
		return nil, in.lines.errorf(path, "%s Location must be a literal string (a path, or an s3:// URI), not %v", IncludeTransform, loc)
	}
	if depth >= maxIncludeDepth {
		return nil, in.lines.errorf(path, "%s %q: snippets nest deeper than %d", IncludeTransform, s, maxIncludeDepth)
	}
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "s3://"):
		return nil, in.lines.errorf(path, "%s Location %q: nubo has no S3 service to read it from: put the snippet next to the template and give its path (relative to the template's directory)", IncludeTransform, s)
	case strings.Contains(s, "://"):
		return nil, in.lines.errorf(path, "%s Location %q: only an s3:// URI (not served by nubo yet) or a local path", IncludeTransform, s)
	}
	if in.baseDir == "" {
		return nil, in.lines.errorf(path, "%s Location %q is a local path, and this template has no directory (the CloudFormation API takes the template body alone): deploy it with nubo deploy", IncludeTransform, s)
	}
	file := s
	if !filepath.IsAbs(file) {
		file = filepath.Join(in.baseDir, file)
	}
	file = filepath.Clean(file)
	if in.seen[file] {
		return nil, in.lines.errorf(path, "%s %q includes itself", IncludeTransform, s)
	}
	src, err := readSnippet(file)
	if err != nil {
		return nil, in.lines.errorf(path, "%s Location %q: %v", IncludeTransform, s, err)
	}
	doc, _, err := parseSnippet(src)
	if err != nil {
		return nil, in.lines.errorf(path, "%s snippet %q: %v", IncludeTransform, s, err)
	}
	in.seen[file] = true
	defer delete(in.seen, file)
	in.count++
	sub := &includer{baseDir: filepath.Dir(file), lines: Lines{}, seen: in.seen}
	out, err := sub.expand(doc, "", depth+1)
	in.count += sub.count
	if err != nil {
		return nil, fmt.Errorf("%s snippet %q: %w", IncludeTransform, s, err)
	}
	return out, nil
}

func readSnippet(file string) ([]byte, error) {
	st, err := os.Stat(file)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a file", file)
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSnippetBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxSnippetBytes {
		return nil, fmt.Errorf("the snippet is over %d bytes", maxSnippetBytes)
	}
	return b, nil
}

// parseSnippet reads a snippet as a template document is read, without the
// short YAML intrinsic forms ("We do not currently support using shorthand
// notations for YAML snippets", AWS::Include's considerations): any YAML
// or JSON value, a mapping, a list or a scalar.
func parseSnippet(src []byte) (any, Lines, error) {
	lines := Lines{}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(src)).Decode(&doc); err != nil {
		var v any
		if jerr := json.Unmarshal(src, &v); jerr == nil {
			return v, lines, nil // JSON that YAML refuses (tabs)
		}
		return nil, nil, &TemplateError{Msg: "parse: " + err.Error(), Line: yamlErrLine(err)}
	}
	if len(doc.Content) == 0 {
		return nil, nil, &TemplateError{Msg: "empty snippet"}
	}
	p := &nodeParser{lines: lines, noShortForms: true}
	v, err := p.value(doc.Content[0], "")
	if err != nil {
		return nil, nil, err
	}
	return v, lines, nil
}
