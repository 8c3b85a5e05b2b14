package sam

import (
	"fmt"
	"strings"
)

// definitionString turns an inline state machine Definition into the translator's form: every
// intrinsic becomes ${definition_substitution_N} (N counted in sorted key order) with its value
// in DefinitionSubstitutions, and the document is rendered as indented JSON, one line per
// element of an Fn::Join.
func definitionString(def map[string]any) (any, map[string]any) {
	subs := map[string]any{}
	n := 0
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			if isIntrinsic(x) {
				n++
				name := fmt.Sprintf("definition_substitution_%d", n)
				subs[name] = x
				return "${" + name + "}"
			}
			out := make(map[string]any, len(x))
			for _, k := range sortedKeys(x) {
				out[k] = walk(x[k])
			}
			return out
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				out[i] = walk(e)
			}
			return out
		}
		return v
	}
	plain := walk(def)
	var b strings.Builder
	writeIndented(&b, plain, 0)
	lines := strings.Split(b.String(), "\n")
	parts := make([]any, len(lines))
	for i, l := range lines {
		parts[i] = l
	}
	return map[string]any{"Fn::Join": []any{"\n", parts}}, subs
}

// writeIndented renders v like Python's json.dumps(v, indent=4, sort_keys=True).
func writeIndented(b *strings.Builder, v any, level int) {
	pad := strings.Repeat("    ", level+1)
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{\n")
		for i, k := range sortedKeys(x) {
			if i > 0 {
				b.WriteString(",\n")
			}
			b.WriteString(pad)
			writeStableString(b, k)
			b.WriteString(": ")
			writeIndented(b, x[k], level+1)
		}
		b.WriteString("\n" + strings.Repeat("    ", level) + "}")
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[\n")
		for i, e := range x {
			if i > 0 {
				b.WriteString(",\n")
			}
			b.WriteString(pad)
			writeIndented(b, e, level+1)
		}
		b.WriteString("\n" + strings.Repeat("    ", level) + "]")
	default:
		writeStable(b, v)
	}
}
