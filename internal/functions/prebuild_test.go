package functions

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/nubo-run/nubo/internal/stacks"
)

// TestPrepackageBuildsInParallel: the first Go build of a module runs
// alone (it warms the build cache for the others), then the rest of the
// plan's builds run together (two slots here); each reports when it starts
// and ends, and Package takes the build Prepackage started instead of
// building again.
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
	fns := []string{"echo", "env", "probe"}
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
	// The first build alone, then two at once, then their ends.
	want := []string{"building", "built", "building", "building", "built", "built"}
	if len(lines) != len(want) {
		t.Fatalf("each function built once; progress: %q", lines)
	}
	for i, l := range lines {
		if !strings.HasPrefix(l, want[i]+" Go function s/") {
			t.Fatalf("line %d: want %s; progress: %q", i, want[i], lines)
		}
	}
	// Without Prepackage, Package builds by itself.
	if _, err, ok := p.takePrebuiltBuild(context.Background(), filepath.Join(base, "echo"), Build{Method: "go1.x"}); ok {
		t.Fatalf("a build left behind: %v", err)
	}
}
