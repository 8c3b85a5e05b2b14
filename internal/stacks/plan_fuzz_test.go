package stacks_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nubo-run/nubo/internal/stacks"
)

// FuzzPlan plans arbitrary templates against a deployed stack: errors are
// fine, panics are not, and a plan always renders.
func FuzzPlan(f *testing.F) {
	files, _ := filepath.Glob("testdata/plan/*.yaml")
	for _, file := range files {
		b, _ := os.ReadFile(file)
		docs := strings.Split(string(b), "\n---\n")
		f.Add(docs[len(docs)-1])
	}
	fx := newFixture(f)
	fx.mustDeploy(f, "app", threeThings, nil)
	f.Fuzz(func(t *testing.T, tmpl string) {
		p, err := fx.e.Plan(context.Background(), stacks.PlanRequest{Stack: "app", Template: tmpl})
		if err != nil {
			return
		}
		var sb strings.Builder
		p.Render(&sb)
		if !strings.Contains(sb.String(), "Stack app") {
			t.Fatalf("render: %s", sb.String())
		}
	})
}
