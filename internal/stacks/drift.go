package stacks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
)

// Drift statuses, after CloudFormation's.
const (
	DriftInSync   = "IN_SYNC"
	DriftModified = "MODIFIED"
	DriftDeleted  = "DELETED"
	DriftUnknown  = "NOT_CHECKED"
)

// ResourceDrift is one resource's drift.
type ResourceDrift struct {
	LogicalID  string       `json:"logical_id"`
	Type       string       `json:"type"`
	PhysicalID string       `json:"physical_id"`
	Status     string       `json:"status"`
	Reason     string       `json:"reason,omitempty"`
	Props      []PropChange `json:"props,omitempty"` // Old is recorded, New is live
}

// DriftReport is the drift of a stack.
type DriftReport struct {
	Stack     string          `json:"stack"`
	Status    string          `json:"status"` // IN_SYNC or DRIFTED
	Resources []ResourceDrift `json:"resources"`
}

// Drift reads each resource's live state through its provider and compares
// it with the recorded properties (only those the template set).
func (e *Engine) Drift(ctx context.Context, name string) (*DriftReport, error) {
	if err := e.ready(); err != nil {
		return nil, err
	}
	st, _, err := e.store.get(ctx, name)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return nil, fmt.Errorf("stack %q: %w", name, ErrStackNotFound)
	}
	rep := &DriftReport{Stack: name, Status: "IN_SYNC"}
	for _, id := range sortedKeys(st.Resources) {
		rs := st.Resources[id]
		d := ResourceDrift{LogicalID: id, Type: rs.Type, PhysicalID: rs.PhysicalID}
		prov, ok := e.opts.Registry.Provider(rs.Type)
		switch {
		case !ok:
			d.Status, d.Reason = DriftUnknown, "no provider for "+rs.Type
		case rs.PhysicalID == "":
			d.Status, d.Reason = DriftUnknown, "not created"
		default:
			live, err := prov.Read(WithResource(ctx, name, id), rs.PhysicalID)
			switch {
			case errors.Is(err, ErrNotFound):
				d.Status = DriftDeleted
			case err != nil:
				d.Status, d.Reason = DriftUnknown, err.Error()
			default:
				schema := prov.Schema()
				for _, k := range sortedKeys(rs.Props) {
					lv, has := live[k]
					if has && sameLive(rs.Props[k], lv, schema.Properties[k].Unordered) {
						continue
					}
					if !has {
						lv = nil
					}
					diffValue(k, rs.Props[k], lv, false, &d.Props)
				}
				d.Status = DriftInSync
				if len(d.Props) > 0 {
					d.Status = DriftModified
				}
			}
		}
		if d.Status == DriftModified || d.Status == DriftDeleted {
			rep.Status = "DRIFTED"
		}
		rep.Resources = append(rep.Resources, d)
	}
	return rep, nil
}

// sameLive reports whether a recorded value and a live one are the same,
// in any order when unordered.
func sameLive(recorded, live any, unordered bool) bool {
	a, b := normalizeLive(recorded), normalizeLive(live)
	if unordered {
		a, b = sortedList(a), sortedList(b)
	}
	return reflect.DeepEqual(a, b)
}

// sortedList orders a list's elements by their JSON text.
func sortedList(v any) any {
	l, ok := v.([]any)
	if !ok {
		return v
	}
	keyed := make([]struct {
		key string
		v   any
	}, len(l))
	for i, e := range l {
		b, _ := json.Marshal(e)
		keyed[i].key, keyed[i].v = string(b), e
	}
	sort.SliceStable(keyed, func(i, j int) bool { return keyed[i].key < keyed[j].key })
	out := make([]any, len(l))
	for i, k := range keyed {
		out[i] = k.v
	}
	return out
}

// normalizeLive makes scalars comparable across providers that report
// numbers or booleans as strings.
func normalizeLive(v any) any {
	switch x := v.(type) {
	case float64, bool, int, int64:
		s, _ := stringify(x)
		return s
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalizeLive(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeLive(e)
		}
		return out
	}
	return v
}
