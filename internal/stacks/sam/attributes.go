package sam

import (
	"fmt"
	"sort"
	"strings"
)

// Resource attributes of resources that several SAM resources share (the implicit APIs, a
// shared usage plan): a Condition that holds when any owner exists, and the most protective
// deletion policies.

// maxOrArgs is how many conditions one Fn::Or takes.
const maxOrArgs = 10

// sharedAttributes merges the attributes of the owners onto dst. prefix names the combined
// condition (<prefix>, <prefix>1, ...) added to the template's Conditions.
func (t *translator) sharedAttributes(dst map[string]any, owners []map[string]any, prefix string) {
	var conds []string
	seen := map[string]bool{}
	allConditional := len(owners) > 0
	for _, o := range owners {
		c, ok := o["Condition"].(string)
		if !ok {
			allConditional = false
			continue
		}
		if !seen[c] {
			seen[c] = true
			conds = append(conds, c)
		}
	}
	if allConditional {
		if len(conds) == 1 {
			dst["Condition"] = conds[0]
		} else {
			dst["Condition"] = t.orCondition(prefix, conds)
		}
	}
	// The most protective policy wins: Retain, then Snapshot, then Delete.
	rank := func(v any) int {
		s, _ := v.(string) // an intrinsic ranks lowest
		return map[string]int{"Delete": 1, "Snapshot": 2, "Retain": 3}[s]
	}
	for _, attr := range []string{"DeletionPolicy", "UpdateReplacePolicy"} {
		var val any
		for _, o := range owners {
			v, ok := o[attr]
			if ok && (val == nil || rank(v) > rank(val)) {
				val = v
			}
		}
		if val != nil {
			dst[attr] = val
		}
	}
}

// orCondition adds name = Fn::Or of the conditions (nesting groups of ten) and returns name.
func (t *translator) orCondition(name string, conds []string) string {
	all, _ := t.tmpl["Conditions"].(map[string]any)
	if all == nil {
		all = map[string]any{}
		t.tmpl["Conditions"] = all
	}
	sort.Strings(conds)
	n := 0
	for len(conds) > maxOrArgs {
		n++
		sub := fmt.Sprintf("%s%d", name, n)
		all[sub] = orOf(conds[:maxOrArgs])
		conds = append([]string{sub}, conds[maxOrArgs:]...)
		sort.Strings(conds)
	}
	all[name] = orOf(conds)
	return name
}

func orOf(conds []string) map[string]any {
	args := make([]any, len(conds))
	for i, c := range conds {
		args[i] = map[string]any{"Condition": c}
	}
	return map[string]any{"Fn::Or": args}
}

// conditionalPaths wraps each path of a generated document whose operations all belong to
// conditional functions in an Fn::If on their condition (combined as <Api>SLASH...PathCondition
// when they differ), so the path disappears with its functions.
func (t *translator) conditionalPaths(apiID string, body map[string]any) {
	paths, _ := body["paths"].(map[string]any)
	for _, path := range sortedKeys(paths) {
		item, ok := paths[path].(map[string]any)
		if !ok || isIntrinsic(item) || len(item) == 0 {
			continue
		}
		var conds []string
		seen := map[string]bool{}
		all := true
		for _, m := range sortedKeys(item) {
			op, _ := item[m].(map[string]any)
			args, ok := op["Fn::If"].([]any)
			if !ok || len(op) != 1 || len(args) != 3 {
				all = false
				break
			}
			c, ok := args[0].(string)
			if !ok {
				all = false
				break
			}
			if !seen[c] {
				seen[c] = true
				conds = append(conds, c)
			}
		}
		if !all {
			continue
		}
		cond := conds[0]
		if len(conds) > 1 {
			name := apiID + strings.NewReplacer("/", "SLASH", "{", "OB", "}", "CB").Replace(path) + "PathCondition"
			cond = t.orCondition(name, conds)
		}
		paths[path] = map[string]any{"Fn::If": []any{cond, item, ref("AWS::NoValue")}}
	}
}

// conditionalOp is an operation of a conditional function: the operation and its integration
// URI exist only under the function's condition.
func conditionalOp(cond any, op map[string]any) map[string]any {
	if integ, ok := op["x-amazon-apigateway-integration"].(map[string]any); ok {
		if uri, ok := integ["uri"]; ok {
			integ["uri"] = map[string]any{"Fn::If": []any{cond, uri, ref("AWS::NoValue")}}
		}
	}
	return map[string]any{"Fn::If": []any{cond, op, ref("AWS::NoValue")}}
}
