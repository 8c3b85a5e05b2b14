package stacks_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nubo-run/nubo/internal/stacks"
)

// TestDeploy_EveryFailureReportedInAStableOrder: four independent creates
// fail at once, in whatever order the scheduler lets them. Each run reports
// all four the same way: real causes first, then the one that only followed
// an interruption, each group by logical id.
func TestDeploy_EveryFailureReportedInAStableOrder(t *testing.T) {
	const tmpl = `
Resources:
  Zeta: {Type: Test::Thing, Properties: {Name: zeta}}
  Alpha: {Type: Test::Thing, Properties: {Name: alpha}}
  Mid: {Type: Test::Thing, Properties: {Name: mid}}
  Beta: {Type: Test::Thing, Properties: {Name: beta}}
  Fine: {Type: Test::Thing, Properties: {Name: fine}}
`
	const want = "4 resources failed: " +
		"resource Beta (Test::Thing): create: beta refused; " +
		"resource Mid (Test::Thing): create: mid refused; " +
		"resource Zeta (Test::Thing): create: zeta refused; " +
		"resource Alpha (Test::Thing): create: alpha: context canceled (rolled back)"
	f := newFixture(t)
	for run := range 5 {
		// A barrier: no create fails before all four have started, so each
		// run fails all four, finishing in a different order.
		var mu sync.Mutex
		entered, all := 0, make(chan struct{})
		f.thing.createFn = func(props stacks.Props) error {
			name := props["Name"].(string)
			if name == "fine" {
				return nil
			}
			mu.Lock()
			if entered++; entered == 4 {
				close(all)
			}
			mu.Unlock()
			select {
			case <-all:
			case <-time.After(30 * time.Second):
				return errors.New("the four creates did not run together")
			}
			if name == "alpha" {
				return fmt.Errorf("alpha: %w", context.Canceled)
			}
			return fmt.Errorf("%s refused", name)
		}
		_, err := f.deploy(t, "app", tmpl, nil)
		if err == nil || err.Error() != want {
			t.Fatalf("run %d: got\n  %v\nwant\n  %s", run, err, want)
		}
		var we *stacks.WalkError
		if !errors.As(err, &we) || len(we.Resources) != 4 || !errors.Is(err, context.Canceled) {
			t.Fatalf("run %d: %T does not give each resource's error", run, err)
		}
	}
}
