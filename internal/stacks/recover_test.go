package stacks_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
	"github.com/nubo-run/nubo/internal/stacks"
)

// crashWorld is the resources of one fake type, which outlive the engines
// (as IAM roles outlive a killed deployment), and a hook that freezes a
// create once its resource exists.
type crashWorld struct {
	thing    *fakeProvider
	reached  chan struct{}
	release  chan struct{}
	blockOn  string
	blockMu  sync.Mutex
	blocking bool
}

func newCrashWorld() *crashWorld {
	w := &crashWorld{thing: newFake("Test::Thing", false), reached: make(chan struct{}), release: make(chan struct{})}
	w.thing.generated = true
	w.thing.afterCreate = func(logical string) error {
		w.blockMu.Lock()
		block := w.blocking && logical == w.blockOn
		w.blocking = w.blocking && !block
		w.blockMu.Unlock()
		if block {
			close(w.reached)
			<-w.release
		}
		return nil
	}
	return w
}

func (w *crashWorld) freezeCreateOf(logical string) {
	w.blockMu.Lock()
	defer w.blockMu.Unlock()
	w.blockOn, w.blocking = logical, true
}

func startEngine(t *testing.T, dir string, w *crashWorld) (*stacks.Engine, func()) {
	t.Helper()
	bb := backbonetest.NewAt(t, dir)
	reg, err := stacks.NewRegistry(w.thing)
	if err != nil {
		t.Fatal(err)
	}
	e, err := stacks.New(stacks.Options{Backbone: bb, Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e, func() { _ = bb.Close(context.Background()) }
}

func deployT(e *stacks.Engine, tmpl string) error {
	_, err := e.Deploy(context.Background(), stacks.DeployRequest{PlanRequest: stacks.PlanRequest{Stack: "app", Template: tmpl}}, nil)
	return err
}

// TestCrashMidCreateLeavesNoOrphan: the process dies while a create of a
// resource with a generated name has finished but is not recorded. The
// deployment run again adopts it (no second copy) and destroy deletes it:
// nothing the crashed deployment created survives.
func TestCrashMidCreateLeavesNoOrphan(t *testing.T) {
	const v1 = `
Resources:
  First: {Type: Test::Thing, Properties: {Value: a, Kind: k1}}
  Second: {Type: Test::Thing, Properties: {Value: !Ref First, Kind: k1}}
`
	const v2 = `
Resources:
  First: {Type: Test::Thing, Properties: {Value: a, Kind: k1}}
  Second: {Type: Test::Thing, Properties: {Value: !Ref First, Kind: k2}}
`
	cases := []struct {
		name     string
		before   string // deployed first, completely
		crashing string // deployed when the crash comes
		want     string // Kind of Second after recovery
	}{
		{"create", "", v1, "k1"},
		{"replace", v1, v2, "k2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, w := t.TempDir(), newCrashWorld()
			a, crash := startEngine(t, dir, w)
			if c.before != "" {
				if err := deployT(a, c.before); err != nil {
					t.Fatal(err)
				}
			}
			w.freezeCreateOf("Second")
			crashed := make(chan error, 1)
			go func() { crashed <- deployT(a, c.crashing) }()
			select {
			case <-w.reached:
			case err := <-crashed:
				t.Fatalf("deployment ended before the crash: %v", err)
			case <-time.After(30 * time.Second):
				t.Fatal("the create never ran")
			}
			crash() // the state on disk is what was recorded before the create returned
			defer func() { close(w.release); <-crashed }()

			b, _ := startEngine(t, dir, w)
			if err := deployT(b, c.crashing); err != nil {
				t.Fatalf("recovery deploy: %v", err)
			}
			if got := w.thing.ids(); len(got) != 2 {
				t.Fatalf("after recovery want First and Second, live: %v", got)
			}
			st, err := b.Describe(context.Background(), "app")
			if err != nil {
				t.Fatal(err)
			}
			live, err := w.thing.Read(context.Background(), st.Resources["Second"].PhysicalID)
			if err != nil || live["Kind"] != c.want {
				t.Errorf("Second is %v (%v), want Kind %s", live, err, c.want)
			}
			if _, err := b.Destroy(context.Background(), stacks.DestroyRequest{Stack: "app"}, nil); err != nil {
				t.Fatalf("destroy: %v", err)
			}
			if got := w.thing.ids(); len(got) != 0 {
				t.Fatalf("orphans after destroy: %v", got)
			}
		})
	}
}

// TestCrashMidCreateThenDestroy: destroy right after the crash, without a
// deployment in between, deletes the unrecorded resource too.
func TestCrashMidCreateThenDestroy(t *testing.T) {
	dir, w := t.TempDir(), newCrashWorld()
	a, crash := startEngine(t, dir, w)
	w.freezeCreateOf("Second")
	crashed := make(chan error, 1)
	go func() {
		crashed <- deployT(a, "Resources:\n  First: {Type: Test::Thing, Properties: {Value: a}}\n  Second: {Type: Test::Thing, Properties: {Value: !Ref First}}\n")
	}()
	select {
	case <-w.reached:
	case err := <-crashed:
		t.Fatalf("deployment ended before the crash: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the create never ran")
	}
	crash()
	defer func() { close(w.release); <-crashed }()
	b, _ := startEngine(t, dir, w)
	if _, err := b.Destroy(context.Background(), stacks.DestroyRequest{Stack: "app"}, nil); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if got := w.thing.ids(); len(got) != 0 {
		t.Fatalf("orphans after destroy: %v", got)
	}
}

// TestFailedCreateLeavesNothingUnderItsGeneratedName: a create that fails
// after making its resource (a function whose concurrency could not be set)
// has it deleted, since nubo generated its name; a create that fails on a
// name the template gives (which someone else may hold) deletes nothing.
func TestFailedCreateLeavesNothingUnderItsGeneratedName(t *testing.T) {
	f := newFixture(t)
	f.thing.generated = true
	f.thing.afterCreate = func(logical string) error {
		if logical == "Second" {
			return errors.New("half done")
		}
		return nil
	}
	_, err := f.deploy(t, "app", "Resources:\n  First: {Type: Test::Thing, Properties: {Value: a}}\n  Second: {Type: Test::Thing, Properties: {Value: !Ref First}}\n", nil)
	if err == nil || !strings.Contains(err.Error(), "half done") {
		t.Fatalf("deploy: %v", err)
	}
	if got := f.thing.ids(); len(got) != 0 {
		t.Fatalf("left after the failed create and rollback: %v", got)
	}

	f.thing.afterCreate = nil
	if _, _, err := f.thing.Create(stacks.WithResource(context.Background(), "other", "X"), stacks.Props{"Name": "taken"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.deploy(t, "app", "Resources:\n  Mine: {Type: Test::Thing, Properties: {Name: taken}}\n", nil); err == nil {
		t.Fatal("a create on a name someone holds succeeded")
	}
	if got := f.thing.ids(); len(got) != 1 || got[0] != "taken" {
		t.Fatalf("the holder's resource: %v", got)
	}
}
