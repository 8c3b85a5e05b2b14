// Package stackstest holds the contract every stacks.Provider passes.
package stackstest

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"testing"

	"github.com/nubo-run/nubo/internal/stacks"
)

// RunProviderContract checks p: create then read back, update in place,
// a changed CreateOnly property plans a replace, delete then read gives
// stacks.ErrNotFound. create and update are valid property sets; update must
// differ from create only in properties that update in place.
func RunProviderContract(t *testing.T, p stacks.Provider, create, update stacks.Props) {
	t.Helper()
	ctx := stacks.WithResource(context.Background(), "contract", "Res")
	schema := p.Schema()
	if p.Type() == "" {
		t.Fatal("empty Type()")
	}
	for _, props := range []stacks.Props{create, update} {
		if errs := schema.Validate(props); len(errs) > 0 {
			t.Fatalf("%s: the test's properties do not fit the schema: %v", p.Type(), errors.Join(errs...))
		}
	}
	if a := stacks.PlanAction(schema, p.Type(), create, update); a != stacks.ActionUpdate {
		t.Fatalf("%s: create → update plans %s, want an update in place", p.Type(), a)
	}

	phys, _, err := p.Create(ctx, create)
	if err != nil {
		t.Fatalf("%s: create: %v", p.Type(), err)
	}
	if phys == "" {
		t.Fatalf("%s: create returned an empty physical id", p.Type())
	}
	t.Run("read after create", func(t *testing.T) { assertLive(t, p, ctx, phys, create) })

	if _, err := p.Update(ctx, phys, create, update); err != nil {
		t.Fatalf("%s: update: %v", p.Type(), err)
	}
	t.Run("read after update", func(t *testing.T) { assertLive(t, p, ctx, phys, update) })

	t.Run("create-only change plans a replace", func(t *testing.T) {
		checked := 0
		for name, prop := range schema.Properties {
			if !prop.CreateOnly {
				continue
			}
			changed := maps.Clone(update)
			switch v := update[name].(type) {
			case string:
				changed[name] = v + "-replaced"
			case nil:
				changed[name] = "replaced"
				if prop.Type != stacks.String && prop.Type != stacks.Any {
					continue
				}
			case float64:
				changed[name] = v + 1
			case bool:
				changed[name] = !v
			default:
				continue
			}
			checked++
			if a := stacks.PlanAction(schema, p.Type(), update, changed); a != stacks.ActionReplace {
				t.Errorf("%s: changing create-only %s plans %s, want replace", p.Type(), name, a)
			}
		}
		if checked == 0 {
			t.Logf("%s has no create-only property to check", p.Type())
		}
	})

	if err := p.Delete(ctx, phys); err != nil {
		t.Fatalf("%s: delete: %v", p.Type(), err)
	}
	if _, err := p.Read(ctx, phys); !errors.Is(err, stacks.ErrNotFound) {
		t.Fatalf("%s: read after delete: %v, want stacks.ErrNotFound", p.Type(), err)
	}
	if err := p.Delete(ctx, phys); err != nil && !errors.Is(err, stacks.ErrNotFound) {
		t.Fatalf("%s: second delete: %v, want nil or stacks.ErrNotFound", p.Type(), err)
	}
}

func assertLive(t *testing.T, p stacks.Provider, ctx context.Context, phys string, want stacks.Props) {
	t.Helper()
	live, err := p.Read(ctx, phys)
	if err != nil {
		t.Fatalf("%s: read %s: %v", p.Type(), phys, err)
	}
	for k, v := range want {
		if !reflect.DeepEqual(norm(v), norm(live[k])) {
			t.Errorf("%s: read %s: %s = %#v, want %#v", p.Type(), phys, k, live[k], v)
		}
	}
}

func norm(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}
