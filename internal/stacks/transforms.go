package stacks

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Transforms CloudFormation hosts that nubo runs itself.
const (
	// IncludeTransform inserts a snippet file (AWS::Include).
	IncludeTransform = "AWS::Include"
	// LanguageExtensionsTransform adds Fn::ForEach, Fn::Length,
	// Fn::ToJsonString, Fn::FindInMap's DefaultValue and intrinsic
	// functions in DeletionPolicy and UpdateReplacePolicy.
	LanguageExtensionsTransform = "AWS::LanguageExtensions"
)

// Bounds on what the transforms may produce. CloudFormation applies its
// quotas to the processed template ("Using the Fn::ForEach intrinsic function
// does not change the quotas, which apply to the resultant template",
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach.html);
// its largest template is 1 MB (a template body read from S3,
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html).
const (
	maxProcessedBytes = 1 << 20 // bytes of the processed template, as JSON
	maxIncludeDepth   = 8       // snippets including snippets
	maxSnippetBytes   = 1 << 20 // one snippet file
)

// ProcessOptions say how ProcessTemplate runs a template's transforms.
type ProcessOptions struct {
	// BaseDir is the template's directory: a local AWS::Include Location is
	// relative to it. Empty refuses local Locations (the CloudFormation
	// API, whose templates have no directory).
	BaseDir string
	// Parameters returns the template's parameter values (as the engine
	// resolves them: given, previous, Default) for the language extensions'
	// Fn::ForEach collections and folded intrinsics; defs are the template's
	// parameter declarations. Nil: the Defaults.
	Parameters func(defs map[string]*ParamDef) (map[string]any, error)
	// Pseudo are the pseudo parameters the language extensions may fold.
	Pseudo Pseudo
	// Serverless runs AWS::Serverless-2016-10-31 (nil: refused).
	Serverless Expander
}

// transformStep is one entry of the template-level Transform section.
type transformStep struct {
	name     string
	location any // AWS::Include's Location
	path     string
}

// parseTransforms reads the Transform section: a name, an {Name,
// Parameters} mapping (AWS::Include), or a list of either
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/transform-section-structure.html).
func parseTransforms(v any, lines Lines) ([]transformStep, error) {
	var items []any
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string, map[string]any:
		items = []any{x}
	case []any:
		items = x
	default:
		return nil, lines.errorf("Transform", "want a transform name, {Name: AWS::Include, Parameters: {Location: ...}} or a list of them")
	}
	var steps []transformStep
	for i, it := range items {
		path := "Transform"
		if _, isList := v.([]any); isList {
			path = join(path, strconv.Itoa(i))
		}
		switch x := it.(type) {
		case string:
			switch x {
			case ServerlessTransform, LanguageExtensionsTransform:
				steps = append(steps, transformStep{name: x, path: path})
			case IncludeTransform:
				return nil, lines.errorf(path, "%s needs Parameters: {Location: ...}: write {Name: %s, Parameters: {Location: ...}}", IncludeTransform, IncludeTransform)
			default:
				return nil, lines.errorf(path, "transform %q is not supported (nubo runs %s, %s and %s; macros are not supported)", x, ServerlessTransform, LanguageExtensionsTransform, IncludeTransform)
			}
		case map[string]any:
			name, _ := x["Name"].(string)
			if name != IncludeTransform {
				return nil, lines.errorf(path, "transform %v is not supported in this form (only {Name: %s, Parameters: {Location: ...}})", x["Name"], IncludeTransform)
			}
			loc, err := includeLocation(x, lines, path)
			if err != nil {
				return nil, err
			}
			steps = append(steps, transformStep{name: IncludeTransform, location: loc, path: path})
		default:
			return nil, lines.errorf(path, "a transform is a name or an {Name, Parameters} mapping")
		}
	}
	return steps, nil
}

// ProcessTemplate runs the transforms a long-form template declares, in the
// order CloudFormation runs them: first the AWS::Include snippets embedded
// with Fn::Transform (macros are evaluated "from the most deeply nested
// outward to the most general",
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-macros.html),
// then the template-level Transform section in the order it lists them (an
// AWS::Include there merges its snippet into the template). It returns the
// processed template, without its Transform section, and the transforms
// that ran.
func ProcessTemplate(raw map[string]any, lines Lines, opts ProcessOptions) (map[string]any, []string, error) {
	if lines == nil {
		lines = Lines{}
	}
	steps, err := parseTransforms(raw["Transform"], lines)
	if err != nil {
		return nil, nil, err
	}
	inc := &includer{baseDir: opts.BaseDir, lines: lines, seen: map[string]bool{}}
	out := map[string]any{}
	embedded := hasKey(raw, "Fn::Transform", 0)
	for _, k := range sortedKeys(raw) {
		v := raw[k]
		if !embedded {
			if k != "Transform" {
				out[k] = v
			}
			continue
		}
		if k == "Transform" {
			continue
		}
		if k == "Parameters" || k == "AWSTemplateFormatVersion" {
			// "You can use the AWS::Include transform anywhere within the
			// CloudFormation template except in the template parameters
			// section or the template version."
			if hasKey(v, "Fn::Transform", 0) {
				return nil, nil, lines.errorf(k, "%s can't be used in the %s section", IncludeTransform, k)
			}
			out[k] = v
			continue
		}
		nv, err := inc.expand(v, k, 0)
		if err != nil {
			return nil, nil, err
		}
		out[k] = nv
	}
	changed := inc.count > 0
	var names []string
	for _, s := range steps {
		names = append(names, s.name)
		switch s.name {
		case IncludeTransform:
			snip, err := inc.load(s.location, s.path, 0)
			if err != nil {
				return nil, nil, err
			}
			m, ok := snip.(map[string]any)
			if !ok {
				return nil, nil, lines.errorf(s.path, "%s at the top level needs a snippet that is a mapping of template sections", IncludeTransform)
			}
			for k, v := range m {
				if k == "Transform" {
					return nil, nil, lines.errorf(s.path, "the snippet declares Transform: list the transforms in the template itself")
				}
				if _, dup := out[k]; dup {
					old, om := out[k].(map[string]any)
					nm, nmOK := v.(map[string]any)
					if !om || !nmOK {
						return nil, nil, lines.errorf(s.path, "the snippet's %s section is already in the template", k)
					}
					for kk, vv := range nm {
						if _, dup := old[kk]; dup {
							return nil, nil, lines.errorf(s.path, "the snippet declares %s/%s, which the template already has", k, kk)
						}
						old[kk] = vv
					}
					continue
				}
				out[k] = v
			}
			changed = true
		case LanguageExtensionsTransform:
			if err := languageExtensions(out, lines, opts); err != nil {
				return nil, nil, err
			}
			changed = true
		case ServerlessTransform:
			if opts.Serverless == nil {
				return nil, nil, lines.errorf(s.path, "the %s transform is not available in this build", ServerlessTransform)
			}
			res, err := opts.Serverless(out)
			if err != nil {
				return nil, nil, &TemplateError{Path: s.path, Line: lines.At(s.path), Msg: "transform: " + err.Error()}
			}
			delete(res, "Transform")
			out = res
		}
	}
	if changed {
		if err := checkProcessedSize(out); err != nil {
			return nil, nil, err
		}
	}
	return out, names, nil
}

// checkProcessedSize refuses a processed template over CloudFormation's
// largest template.
func checkProcessedSize(m map[string]any) error {
	b, err := json.Marshal(m)
	if err != nil {
		return &TemplateError{Msg: fmt.Sprintf("processed template: %v", err)}
	}
	if len(b) > maxProcessedBytes {
		return &TemplateError{Path: "Transform", Msg: fmt.Sprintf("the processed template is %d bytes, over CloudFormation's maximum of %d bytes for a template", len(b), maxProcessedBytes)}
	}
	return nil
}

// hasKey reports whether a mapping in v has the key k.
func hasKey(v any, k string, depth int) bool {
	if depth > maxDepth {
		return false
	}
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x[k]; ok {
			return true
		}
		for _, e := range x {
			if hasKey(e, k, depth+1) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasKey(e, k, depth+1) {
				return true
			}
		}
	}
	return false
}
