package sam

import (
	"regexp"
	"strings"
)

var layerProps = setOf("LayerName", "Description", "ContentUri", "CompatibleRuntimes",
	"CompatibleArchitectures", "LicenseInfo", "RetentionPolicy", "PublishLambdaVersion")

const typeLayerVersion = "AWS::Serverless::LayerVersion"

// layerVersion expands an AWS::Serverless::LayerVersion into an AWS::Lambda::LayerVersion whose
// logical ID carries a hash of its definition (<Layer><hash>): a changed layer is a new version.
// References to the layer are rewritten to the new ID once every resource is expanded.
func (t *translator) layerVersion(id string, r map[string]any) error {
	p := props(r)
	if err := checkProps(id, typeLayerVersion, p, layerProps); err != nil {
		return err
	}
	uri, ok := p["ContentUri"]
	if !ok {
		return resourceErr(id, "Missing required property 'ContentUri'.")
	}
	content, err := t.codeLocation(id, "ContentUri", uri, "S3Bucket", "S3Key", "S3ObjectVersion")
	if err != nil {
		return err
	}
	policy := "Retain"
	if rp, ok := p["RetentionPolicy"]; ok {
		if pv, ok := t.paramValue(rp); ok {
			rp = pv
		}
		s, ok := rp.(string)
		if !ok {
			return resourceErr(id, "Invalid 'RetentionPolicy' type, 'RetentionPolicy' must be of type str.")
		}
		switch strings.ToLower(s) {
		case "retain":
			policy = "Retain"
		case "delete":
			policy = "Delete"
		default:
			return resourceErr(id, "'RetentionPolicy' must be one of the following options: ['Retain', 'Delete'].")
		}
	}
	lp := map[string]any{"Content": content, "LayerName": id}
	for _, k := range []string{"LayerName", "Description", "CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo"} {
		if v, ok := p[k]; ok {
			lp[k] = v
		}
	}
	res := resource("AWS::Lambda::LayerVersion", lp)
	if c, ok := r["Condition"]; ok {
		res["Condition"] = c
	}
	if d, ok := r["DependsOn"]; ok {
		res["DependsOn"] = d
	}
	// The hash covers the SAM definition (without deletion policies and metadata), as AWS's
	// translator computes it, so the version IDs match AWS's.
	def := map[string]any{"Type": typeLayerVersion, "Properties": p}
	for _, k := range []string{"Condition", "DependsOn"} {
		if v, ok := r[k]; ok {
			def[k] = v
		}
	}
	newID := id + hashID(map[string]any{id: def})
	res["DeletionPolicy"] = policy
	t.out[newID] = res
	t.renamed[id] = newID
	return nil
}

// rewriteRefs points Ref, Fn::GetAtt and Fn::Sub references to renamed resources at their
// new logical IDs, and SAM's referable properties (MyApi.Stage, MyApi.Deployment, ...) at the
// resources they name.
func rewriteRefs(v any, renamed map[string]string) any {
	if len(renamed) == 0 {
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			if target, ok := x["Ref"].(string); ok {
				if n, ok := renamed[target]; ok {
					return map[string]any{"Ref": n}
				}
				return x
			}
			if args, ok := x["Fn::GetAtt"].([]any); ok && len(args) >= 1 {
				if target, ok := args[0].(string); ok {
					if n, ok := renamed[target]; ok {
						out := append([]any{n}, args[1:]...)
						return map[string]any{"Fn::GetAtt": out}
					}
				}
			}
			if s, ok := x["Fn::GetAtt"].(string); ok {
				a, b, _ := strings.Cut(s, ".")
				if n, ok := renamed[a]; ok {
					return map[string]any{"Fn::GetAtt": n + "." + b}
				}
			}
			if s, ok := x["Fn::Sub"].(string); ok {
				return map[string]any{"Fn::Sub": renameSubVars(s, renamed)}
			}
			if l, ok := x["Fn::Sub"].([]any); ok && len(l) == 2 {
				if s, ok := l[0].(string); ok {
					return map[string]any{"Fn::Sub": []any{renameSubVars(s, renamed), rewriteRefs(l[1], renamed)}}
				}
			}
		}
		for k, e := range x {
			x[k] = rewriteRefs(e, renamed)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = rewriteRefs(e, renamed)
		}
		return x
	}
	return v
}

var subVar = regexp.MustCompile(`\$\{([A-Za-z0-9]+)((?:\.[A-Za-z0-9.]+)?)\}`)

func renameSubVars(s string, renamed map[string]string) string {
	return subVar.ReplaceAllStringFunc(s, func(m string) string {
		parts := subVar.FindStringSubmatch(m)
		if n, ok := renamed[parts[1]+parts[2]]; ok { // ${MyApi.Stage}
			return "${" + n + "}"
		}
		if n, ok := renamed[parts[1]]; ok {
			return "${" + n + parts[2] + "}"
		}
		return m
	})
}
