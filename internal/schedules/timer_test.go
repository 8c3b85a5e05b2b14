package schedules

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/nubo-run/nubo/internal/backbone"
	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

// firings records what a timer's callback saw.
type firings struct {
	mu  sync.Mutex
	got []Firing
	by  map[string]int // node → firings
}

func (f *firings) on(node string) FireFunc {
	return func(_ context.Context, fi Firing) backbone.Outcome {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.got = append(f.got, fi)
		if f.by == nil {
			f.by = map[string]int{}
		}
		f.by[node]++
		return backbone.Ack()
	}
}

func (f *firings) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.got)
}

func startTimer(t *testing.T, bb *backbone.Backbone, fire FireFunc) *Timer {
	t.Helper()
	tm, err := NewTimer(TimerOptions{Backbone: bb, Name: "test", Fire: fire})
	if err != nil {
		t.Fatal(err)
	}
	if err := tm.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tm.Close(context.Background()) })
	return tm
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// atSoon is an at() expression a second or two ahead, in UTC.
func atSoon(d time.Duration) (string, time.Time) {
	due := time.Now().UTC().Add(d).Truncate(time.Second).Add(time.Second)
	return "at(" + due.Format("2006-01-02T15:04:05") + ")", due
}

func TestTimerFiresAtOnceAndIsGone(t *testing.T) {
	bb := backbonetest.New(t)
	var f firings
	tm := startTimer(t, bb, f.on("a"))
	ctx := context.Background()
	expr, due := atSoon(time.Second)
	next, err := tm.Set(ctx, "one", TimerSpec{Expression: expr, Payload: []byte("hi")})
	if err != nil {
		t.Fatal(err)
	}
	if !next.Equal(due) {
		t.Fatalf("next = %v, want %v", next, due)
	}
	waitFor(t, 10*time.Second, "the firing", func() bool { return f.count() == 1 })
	got := f.got[0]
	if got.ID != "one" || string(got.Payload) != "hi" || !got.Due.Equal(due) || !got.Last {
		t.Fatalf("firing = %+v", got)
	}
	if late := time.Since(due); late < 0 {
		t.Fatalf("fired %v before its time", -late)
	}
	waitFor(t, 5*time.Second, "the timer removed", func() bool {
		_, _, err := tm.kvGet(ctx, "one")
		return err != nil
	})
}

func TestTimerStopCancelsFiring(t *testing.T) {
	bb := backbonetest.New(t)
	var f firings
	tm := startTimer(t, bb, f.on("a"))
	ctx := context.Background()
	expr, _ := atSoon(time.Second)
	if _, err := tm.Set(ctx, "gone", TimerSpec{Expression: expr}); err != nil {
		t.Fatal(err)
	}
	if err := tm.Stop(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	// A second timer due after the first tells the first had its chance.
	expr2, _ := atSoon(2 * time.Second)
	if _, err := tm.Set(ctx, "later", TimerSpec{Expression: expr2}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the later firing", func() bool { return f.count() >= 1 })
	if f.count() != 1 || f.got[0].ID != "later" {
		t.Fatalf("firings = %+v, want only later's", f.got)
	}
}

func TestTimerFiresOnceAcrossNodes(t *testing.T) {
	urls := backbonetest.Cluster(t, 3)
	var f firings
	var timers []*Timer
	for i, url := range urls[:2] {
		bb := backbonetest.DialReplicas(t, url, 3)
		timers = append(timers, startTimer(t, bb, f.on(string(rune('a'+i)))))
	}
	ctx := context.Background()
	const n = 6
	var last time.Time
	for i := 0; i < n; i++ {
		expr, due := atSoon(time.Second)
		last = due
		if _, err := timers[i%2].Set(ctx, string(rune('A'+i)), TimerSpec{Expression: expr}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 20*time.Second, "every firing", func() bool { return f.count() >= n })
	// One more timer due after the others: any duplicate would have come.
	expr, _ := atSoon(time.Until(last) + time.Second)
	if _, err := timers[0].Set(ctx, "fence", TimerSpec{Expression: expr}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "the fence", func() bool { return f.count() >= n+1 })
	seen := map[string]int{}
	for _, fi := range f.got {
		seen[fi.ID]++
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("timer %s fired %d times", id, c)
		}
	}
	if len(seen) != n+1 {
		t.Errorf("fired %d timers, want %d", len(seen), n+1)
	}
}

// TestTimerFiresOnceAfterRestart: a firing due while the server is down
// happens once when it is back (decision 010's policy), not twice.
func TestTimerFiresOnceAfterRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	bb := backbonetest.NewAt(t, dir)
	var before firings
	tm := startTimer(t, bb, before.on("a"))
	expr, due := atSoon(time.Second)
	if _, err := tm.Set(ctx, "while-down", TimerSpec{Expression: expr}); err != nil {
		t.Fatal(err)
	}
	if err := tm.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := bb.Close(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the due time to pass", func() bool { return time.Now().After(due.Add(500 * time.Millisecond)) })

	bb2 := backbonetest.NewAt(t, dir)
	var after firings
	tm2 := startTimer(t, bb2, after.on("b"))
	waitFor(t, 15*time.Second, "the missed firing", func() bool { return after.count() >= 1 })
	fence, _ := atSoon(time.Second)
	if _, err := tm2.Set(ctx, "fence", TimerSpec{Expression: fence}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, "the fence", func() bool { return after.count() >= 2 })
	seen := map[string]int{}
	for _, f := range after.got {
		seen[f.ID]++
	}
	if before.count() != 0 || seen["while-down"] != 1 || seen["fence"] != 1 || len(after.got) != 2 {
		t.Fatalf("before restart %d firings; after %v", before.count(), seen)
	}
}
