package parameters

import (
	"context"
	"testing"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
	"github.com/nubo-run/nubo/internal/stacks"
	"github.com/nubo-run/nubo/internal/stacks/stackstest"
)

func newStore(t testing.TB) *Store {
	t.Helper()
	s, err := New(Options{Backbone: backbonetest.New(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestParameterProvider_Contract(t *testing.T) {
	p := NewParameterProvider(newStore(t))
	t.Run("named", func(t *testing.T) {
		stackstest.RunProviderContract(t, p,
			stacks.Props{"Name": "/app/db/url", "Type": "String", "Value": "postgres://a", "Tags": map[string]any{"team": "core"}},
			stacks.Props{"Name": "/app/db/url", "Type": "String", "Value": "postgres://b", "Description": "the database"})
	})
	t.Run("generated name", func(t *testing.T) {
		stackstest.RunProviderContract(t, p,
			stacks.Props{"Type": "StringList", "Value": "a,b"},
			stacks.Props{"Type": "StringList", "Value": "a,b,c"})
	})
}

func TestParameterProvider_GeneratedNameAndAttributes(t *testing.T) {
	p := NewParameterProvider(newStore(t))
	ctx := stacks.WithResource(context.Background(), "shared", "DbUrl")
	id, attrs, err := p.Create(ctx, stacks.Props{"Type": "String", "Value": "v"})
	if err != nil {
		t.Fatal(err)
	}
	if len(id) != len("shared-DbUrl-")+12 || id[:13] != "shared-DbUrl-" {
		t.Errorf("generated name %q, want shared-DbUrl-XXXXXXXXXXXX", id)
	}
	if attrs["Value"] != "v" || attrs["Type"] != "String" {
		t.Errorf("attrs %v", attrs)
	}
	if _, _, err := p.Create(ctx, stacks.Props{"Name": id, "Type": "String", "Value": "w"}); err == nil {
		t.Error("create over an existing parameter succeeded")
	}
}

// TestParameterProvider_DecodesItsModel: properties reach the store through
// stacks.Decode (a number where a string is meant is its string; a shape
// that cannot be one is refused naming the property).
func TestParameterProvider_DecodesItsModel(t *testing.T) {
	s := newStore(t)
	p := NewParameterProvider(s)
	ctx := stacks.WithResource(context.Background(), "app", "Port")
	id, attrs, err := p.Create(ctx, stacks.Props{"Name": "/app/port", "Type": "String", "Value": float64(8080), "Tags": map[string]any{"n": float64(1)}})
	if err != nil || id != "/app/port" || attrs["Value"] != "8080" {
		t.Fatalf("create: %q %v %v", id, attrs, err)
	}
	got, err := s.Get(ctx, "/app/port")
	if err != nil || got.Tags["n"] != "1" {
		t.Fatalf("stored: %+v %v", got, err)
	}
	_, _, err = p.Create(ctx, stacks.Props{"Name": "/app/bad", "Type": "String", "Value": "v", "Tags": map[string]any{"n": []any{"x"}}})
	if err == nil || err.Error() != "property Tags.n: want a String, got a List" {
		t.Fatalf("create with a list tag value: %v", err)
	}
}
