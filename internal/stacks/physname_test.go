package stacks_test

import (
	"context"
	"strings"
	"testing"

	"github.com/nubo-run/nubo/internal/stacks"
)

func TestPhysicalName(t *testing.T) {
	cases := []struct {
		stack, logical, suffix string
		max                    int
		want                   string
	}{
		{"app", "Role", "AB12CD34EF56", 64, "app-Role-AB12CD34EF56"},
		{"app", "Layer", "", 140, "app-Layer"},
		{"", "", "AB12CD34EF56", 64, "CFN-Resource-AB12CD34EF56"},
		// The longer of the two loses characters first; the suffix never does.
		{"a-very-long-stack-name-for-testing", "Fn", "AB12CD34EF56", 30, "a-very-long-st-Fn-AB12CD34EF56"},
		{"stack", "AVeryLongLogicalIdentifierIndeed", "AB12CD34EF56", 30, "stack-AVeryLongLo-AB12CD34EF56"},
		{"StackNameX", "LogicalIdX", "", 11, "Stack-Logic"},
		{"StackNameXY", "Id", "", 11, "StackNam-Id"},
	}
	for _, c := range cases {
		got := stacks.PhysicalName(c.stack, c.logical, c.suffix, c.max)
		if got != c.want || len(got) > c.max {
			t.Errorf("PhysicalName(%q, %q, %q, %d) = %q (%d), want %q", c.stack, c.logical, c.suffix, c.max, got, len(got), c.want)
		}
	}
}

// TestGeneratedNameIsFixedByTheSuffix: with the random part fixed in ctx
// (as the engine does before a create, recording the name), every call
// gives the same name, the one PhysicalName makes of it.
func TestGeneratedNameIsFixedByTheSuffix(t *testing.T) {
	ctx := stacks.WithNameSuffix(stacks.WithResource(context.Background(), "app", "Queue"), "AB12CD34EF56")
	a, b := stacks.GeneratedName(ctx, 80), stacks.GeneratedName(ctx, 80)
	if a != b || a != stacks.PhysicalName("app", "Queue", "AB12CD34EF56", 80) {
		t.Fatalf("generated %q then %q", a, b)
	}
	fresh := stacks.WithResource(context.Background(), "app", "Queue")
	x, y := stacks.GeneratedName(fresh, 80), stacks.GeneratedName(fresh, 80)
	if x == y || !strings.HasPrefix(x, "app-Queue-") || len(x) != len("app-Queue-")+12 {
		t.Fatalf("without a fixed suffix: %q, %q", x, y)
	}
}
