package schedules

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/nubo-run/nubo/internal/backbone"
	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

// BenchmarkTimerLateness measures how late after its due time a firing
// reaches the callback: b.N timers due at the next few whole seconds, on
// one embedded server. It reports the p50, p99 and max lateness.
func BenchmarkTimerLateness(b *testing.B) {
	bb := backbonetest.New(b)
	var mu sync.Mutex
	var late []time.Duration
	tm, err := NewTimer(TimerOptions{Backbone: bb, Name: "bench", Workers: 16, Fire: func(_ context.Context, f Firing) backbone.Outcome {
		d := time.Since(f.Due)
		mu.Lock()
		late = append(late, d)
		mu.Unlock()
		return backbone.Ack()
	}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := tm.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer tm.Close(ctx)
	// Due once every timer is set (setting one is a KV write and a publish).
	base := time.Now().UTC().Truncate(time.Second).Add(2*time.Second + time.Duration(b.N)*20*time.Millisecond)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		due := base.Add(time.Duration(i%3) * time.Second)
		if _, err := tm.Set(ctx, fmt.Sprint("t", i), TimerSpec{Expression: "at(" + due.Format("2006-01-02T15:04:05") + ")"}); err != nil {
			b.Fatal(err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(late)
		mu.Unlock()
		if n >= b.N {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d fired", n, b.N)
		}
		time.Sleep(10 * time.Millisecond)
	}
	sort.Slice(late, func(i, j int) bool { return late[i] < late[j] })
	q := func(p float64) float64 { return float64(late[int(p*float64(len(late)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.5), "p50-late-ms")
	b.ReportMetric(q(0.99), "p99-late-ms")
	b.ReportMetric(q(1), "max-late-ms")
	if late[0] < 0 {
		b.Fatalf("a firing came %v early", -late[0])
	}
}
