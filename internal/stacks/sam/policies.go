package sam

import (
	"sort"
	"strings"
)

// policyTemplate renders a SAM policy template with its parameter values into
// a policy document. The templates' statements are nubo's own definitions in
// samtemplates.go; the IAM evaluator checks the documents they give.
func (t *translator) policyTemplate(ownerID, name string, params any) (map[string]any, error) {
	tmpl, ok := LookupPolicyTemplate(name)
	if !ok {
		return nil, unsupported(ownerID, "Policy template '"+name+"'")
	}
	pm, ok := params.(map[string]any)
	if !ok {
		if params == nil {
			pm = map[string]any{}
		} else {
			return nil, resourceErr(ownerID, "Must specify valid parameter values for policy template '%s'", name)
		}
	}
	var missing []string
	for _, p := range tmpl.Parameters {
		if _, ok := pm[p]; !ok {
			missing = append(missing, "'"+p+"'")
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, resourceErr(ownerID, "Following required parameters of template '%s' don't have values: [%s]", name, strings.Join(missing, ", "))
	}
	known := map[string]any{}
	for _, p := range tmpl.Parameters {
		known[p] = pm[p]
	}
	stmts, err := tmpl.Expand(known)
	if err != nil {
		return nil, resourceErr(ownerID, "%v", err)
	}
	out := make([]any, len(stmts))
	for i, st := range stmts {
		out[i] = st
	}
	return map[string]any{"Statement": out}, nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
