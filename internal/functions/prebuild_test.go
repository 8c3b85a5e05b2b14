package functions

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/nubo-run/nubo/internal/stacks"
)

// TestPrepackageBuildsInParallel: the Go builds of a plan start together
// (two slots here), each reports when it starts and ends, and Package takes
// the build Prepackage started instead of building again.
func TestPrepackageBuildsInParallel(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go build")
	}
	p := NewPackager(t.TempDir())
	p.sem = make(chan struct{}, 2)
	var mu sync.Mutex
	var lines []string
	p.SetProgress(func(m string) {
		mu.Lock()
		lines = append(lines, m)
		mu.Unlock()
	})
	fp := NewFunctionProvider(nil, p)
	base, err := filepath.Abs("testdata/fn")
	if err != nil {
		t.Fatal(err)
	}
	meta := map[string]any{"BuildMethod": "go1.x"}
	fns := []string{"echo", "env"}
	for _, fn := range fns {
		fp.Prepackage(stacks.WithResource(t.Context(), "s", fn), base, map[string]any{"Code": fn}, meta)
	}
	for _, fn := range fns {
		out, err := fp.Package(stacks.WithResource(t.Context(), "s", fn), base, stacks.Props{"Code": fn}, meta)
		if err != nil {
			t.Fatal(err)
		}
		if code, _ := out["Code"].(map[string]any); code[packageKey] == "" {
			t.Fatalf("%s: Code %v", fn, out["Code"])
		}
	}
	mu.Lock()
	defer mu.Unlock()
	var started, ended int
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "building Go function s/"):
			started++
			if i > 1 {
				t.Errorf("build started after another ended: %q", lines)
			}
		case strings.HasPrefix(l, "built Go function s/"):
			ended++
		}
	}
	if started != 2 || ended != 2 {
		t.Fatalf("each function built once, in parallel; progress: %q", lines)
	}
	// Without Prepackage, Package builds by itself.
	if _, err, ok := p.takePrebuiltBuild(context.Background(), filepath.Join(base, "echo"), Build{Method: "go1.x"}); ok {
		t.Fatalf("a build left behind: %v", err)
	}
}
