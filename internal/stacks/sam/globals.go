package sam

import "fmt"

// globalSections maps a Globals section to the SAM type it applies to.
var globalSections = map[string]string{
	"Function":     typeFunction,
	"Api":          typeAPI,
	"HttpApi":      typeHTTPAPI,
	"SimpleTable":  typeSimpleTable,
	"StateMachine": typeStateMachine,
	"LayerVersion": typeLayerVersion,
}

// applyGlobals merges the Globals section into each SAM resource's Properties: maps merge
// recursively, lists concatenate (global first), any other local value wins.
func (t *translator) applyGlobals() error {
	g, ok := t.tmpl["Globals"]
	if !ok || g == nil {
		return nil
	}
	gm, ok := g.(map[string]any)
	if !ok || len(gm) == 0 {
		return &itemError{"'Globals' section is invalid. It must be a non-empty dictionary"}
	}
	for _, section := range sortedKeys(gm) {
		typ, ok := globalSections[section]
		if !ok {
			if section == "CapacityProvider" || section == "WebSocketApi" {
				return &itemError{fmt.Sprintf("'Globals' section is invalid. '%s' is not supported by nubo's SAM transform yet.", section)}
			}
			return &itemError{fmt.Sprintf("'Globals' section is invalid. '%s' is not supported. Must be one of the following values - %s",
				section, "['Api', 'CapacityProvider', 'Function', 'HttpApi', 'LayerVersion', 'SimpleTable', 'StateMachine', 'WebSocketApi']")}
		}
		sec, ok := gm[section].(map[string]any)
		if !ok {
			return &itemError{fmt.Sprintf("'Globals' section is invalid. Value of %s must be a dictionary.", section)}
		}
		if err := checkGlobalsSection(section, sec); err != nil {
			return err
		}
		for _, id := range sortedKeys(t.resources) {
			r := t.resources[id].(map[string]any)
			if r["Type"] != typ {
				continue
			}
			local, _ := r["Properties"].(map[string]any)
			if local == nil {
				if r["Properties"] != nil {
					continue
				}
				local = map[string]any{}
			}
			r["Properties"] = mergeGlobal(deepCopy(sec), local).(map[string]any)
		}
	}
	return nil
}

func mergeGlobal(global, local any) any {
	switch g := global.(type) {
	case map[string]any:
		l, ok := local.(map[string]any)
		if !ok || isIntrinsic(g) || isIntrinsic(l) {
			return local
		}
		for k, lv := range l {
			if gv, ok := g[k]; ok {
				g[k] = mergeGlobal(gv, lv)
			} else {
				g[k] = lv
			}
		}
		return g
	case []any:
		l, ok := local.([]any)
		if !ok {
			return local
		}
		return append(append([]any{}, g...), l...)
	default:
		return local
	}
}
