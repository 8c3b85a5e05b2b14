package stacks_test

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
	"github.com/nubo-run/nubo/internal/stacks"
)

// fakeProvider keeps resources in memory; the func fields inject failures.
type fakeProvider struct {
	typ      string
	stateful bool

	mu    sync.Mutex
	live  map[string]stacks.Props
	calls []string

	createFn func(props stacks.Props) error
	// afterCreate runs once the resource exists, before Create returns (a
	// crash test blocks there); an error fails the create, leaving the
	// resource behind.
	afterCreate func(logicalID string) error
	// generated: unnamed resources get GeneratedName's names, known before
	// the create (stacks.Identifier); else STACK-LOGICALID-SEQ, known after.
	generated bool
	seq       int
	updateFn  func(id string, props stacks.Props) error
	deleteFn  func(id string) error
}

func newFake(typ string, stateful bool) *fakeProvider {
	return &fakeProvider{typ: typ, stateful: stateful, live: map[string]stacks.Props{}}
}

func (f *fakeProvider) Type() string   { return f.typ }
func (f *fakeProvider) Stateful() bool { return f.stateful }
func (f *fakeProvider) Schema() stacks.Schema {
	return stacks.Schema{
		Properties: map[string]stacks.Property{
			"Name":  {Type: stacks.String, CreateOnly: true},
			"Kind":  {Type: stacks.String, CreateOnly: true},
			"Value": {Type: stacks.String},
			"Size":  {Type: stacks.Integer},
			"Tags":  {Type: stacks.Map},
			"List":  {Type: stacks.List},
			"Arn":   {Type: stacks.String, ReadOnly: true},
		},
		Attributes: []string{"Value", "Arn"}, // Arn also a read-only property, as Lambda's schema has it
	}
}

func (f *fakeProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	if f.createFn != nil {
		if err := f.createFn(props); err != nil {
			return "", nil, err
		}
	}
	id, _ := f.PhysicalIDFor(ctx, props)
	f.mu.Lock()
	if id == "" {
		stack, logical := stacks.ResourceFrom(ctx)
		f.seq++
		id = fmt.Sprintf("%s-%s-%d", stack, logical, f.seq)
	}
	if _, exists := f.live[id]; exists {
		f.mu.Unlock()
		return "", nil, fmt.Errorf("%s already exists", id)
	}
	f.live[id] = maps.Clone(props)
	f.calls = append(f.calls, "create "+id)
	f.mu.Unlock()
	if f.afterCreate != nil {
		_, logical := stacks.ResourceFrom(ctx)
		if err := f.afterCreate(logical); err != nil {
			return "", nil, err
		}
	}
	return id, f.attrs(id, props), nil
}

// PhysicalIDFor implements stacks.Identifier: the Name, else a generated
// name when f.generated.
func (f *fakeProvider) PhysicalIDFor(ctx context.Context, props stacks.Props) (string, bool) {
	if id, _ := props["Name"].(string); id != "" {
		return id, true
	}
	if f.generated {
		return stacks.GeneratedName(ctx, 64), true
	}
	return "", false
}

func (f *fakeProvider) attrs(id string, props stacks.Props) stacks.Attrs {
	return stacks.Attrs{"Arn": "arn:test:" + id, "Value": props["Value"]}
}

func (f *fakeProvider) Update(ctx context.Context, id string, old, new stacks.Props) (stacks.Attrs, error) {
	if f.updateFn != nil {
		if err := f.updateFn(id, new); err != nil {
			return nil, err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.live[id]; !ok {
		return nil, stacks.ErrNotFound
	}
	f.live[id] = maps.Clone(new)
	f.calls = append(f.calls, "update "+id)
	return f.attrs(id, new), nil
}

func (f *fakeProvider) Delete(ctx context.Context, id string) error {
	if f.deleteFn != nil {
		if err := f.deleteFn(id); err != nil {
			return err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.live[id]; !ok {
		return stacks.ErrNotFound
	}
	delete(f.live, id)
	f.calls = append(f.calls, "delete "+id)
	return nil
}

func (f *fakeProvider) Read(ctx context.Context, id string) (stacks.Props, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.live[id]
	if !ok {
		return nil, stacks.ErrNotFound
	}
	return maps.Clone(p), nil
}

func (f *fakeProvider) ids() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for k := range f.live {
		out = append(out, k)
	}
	return sortStrings(out)
}

func sortStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

type fixture struct {
	e     *stacks.Engine
	thing *fakeProvider
	data  *fakeProvider
}

// newFixture starts an engine over a real embedded JetStream with two fake
// types: Test::Thing (stateless) and Test::Data (stateful).
func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newFixtureWith(t, func(*stacks.Options) {})
}

// newFixtureWith is newFixture with options changed by set (an authorizer,
// an account).
func newFixtureWith(t testing.TB, set func(*stacks.Options)) *fixture {
	t.Helper()
	bb := backbonetest.New(t)
	f := &fixture{thing: newFake("Test::Thing", false), data: newFake("Test::Data", true)}
	reg, err := stacks.NewRegistry(f.thing, f.data)
	if err != nil {
		t.Fatal(err)
	}
	opts := stacks.Options{Backbone: bb, Registry: reg, StaleLockAfter: 3 * time.Second,
		ParameterLookup: func(ctx context.Context, name string) (string, error) {
			if name == "/config/size" {
				return "42", nil
			}
			return "", fmt.Errorf("parameter not found")
		}}
	set(&opts)
	f.e, err = stacks.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.e.Close(context.Background()) })
	return f
}

func (f *fixture) deploy(t testing.TB, stack, tmpl string, params map[string]string) (*stacks.DeployResult, error) {
	t.Helper()
	return f.e.Deploy(context.Background(), stacks.DeployRequest{PlanRequest: stacks.PlanRequest{Stack: stack, Template: tmpl, Parameters: params}}, nil)
}

func (f *fixture) mustDeploy(t testing.TB, stack, tmpl string, params map[string]string) *stacks.DeployResult {
	t.Helper()
	res, err := f.deploy(t, stack, tmpl, params)
	if err != nil {
		t.Fatalf("deploy %s: %v", stack, err)
	}
	return res
}
