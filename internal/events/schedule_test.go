package events

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

// clock is an injected time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(s string)   { c.mu.Lock(); c.t = utc(s); c.mu.Unlock() }

// TestScheduledRulesFireOnce: with an injected clock and two nodes, a cron
// rule and a rate rule fire at their due times, once each however many
// nodes look, and missed firings collapse into one.
func TestScheduledRulesFireOnce(t *testing.T) {
	clk := &clock{}
	clk.set("2026-01-01T11:00")
	fns := &fakeFunctions{calls: map[string]int{}, payloads: map[string][]string{}}
	bb := backbonetest.New(t)
	var nodes []*Service
	for range 2 {
		s, err := New(Options{Backbone: bb, Functions: fns, Now: clk.Now, ScheduleTick: -1})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close(context.Background()) })
		nodes = append(nodes, s)
	}
	ctx := context.Background()
	s := nodes[0]
	noon, every5 := s.Account().FunctionARN("noon"), s.Account().FunctionARN("every5")
	for _, r := range []struct{ name, expr, fn string }{{"noon", "cron(0 12 * * ? *)", noon}, {"every5", "rate(5 minutes)", every5}} {
		if _, err := s.PutRule(ctx, RuleSpec{Bus: DefaultBus, Name: r.name, ScheduleExpression: r.expr}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PutTargets(ctx, DefaultBus, r.name, []Target{{Id: "t", Arn: r.fn}}); err != nil {
			t.Fatal(err)
		}
	}
	tickAll := func() {
		t.Helper()
		var wg sync.WaitGroup
		for _, n := range nodes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := n.fireSchedules(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	deliveries := func(fn string) int { _, ok := fns.count(fn); return ok }

	clk.set("2026-01-01T11:59")
	tickAll() // every5 is due (11:05 ... 11:55): one firing, for 11:55
	eventually(t, "the rate rule's catch-up firing", func() bool { return deliveries(every5) == 1 })
	clk.set("2026-01-01T12:00")
	tickAll()
	tickAll()
	eventually(t, "the cron rule's noon firing", func() bool { return deliveries(noon) == 1 && deliveries(every5) == 2 })
	clk.set("2026-01-01T12:04")
	tickAll()
	clk.set("2026-01-01T12:05")
	tickAll()
	eventually(t, "the 12:05 firing", func() bool { return deliveries(every5) == 3 })
	clk.set("2026-01-02T12:00")
	tickAll()
	// A day later: noon fires once, and the rate rule's missed firings
	// collapse into one.
	eventually(t, "the next day's firings", func() bool { return deliveries(noon) == 2 && deliveries(every5) == 4 })
	tickAll()
	if calls, _ := fns.count(noon); calls != 2 {
		t.Errorf("noon rule invoked %d times, want 2", calls)
	}
	if calls, _ := fns.count(every5); calls != 4 {
		t.Errorf("rate rule invoked %d times, want 4", calls)
	}
	fns.mu.Lock()
	first := fns.payloads[noon][0]
	fns.mu.Unlock()
	for _, want := range []string{`"source":"aws.events"`, `"detail-type":"Scheduled Event"`, `"time":"2026-01-01T12:00:00Z"`, s.RuleARN(DefaultBus, "noon")} {
		if !strings.Contains(first, want) {
			t.Errorf("scheduled event %s lacks %s", first, want)
		}
	}
}
