package events

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestArchiveAndReplay: an archive keeps the bus's events its pattern
// matches; a replay puts those of its time window back on the bus with
// replay-name set, for the rules it names, and is not archived again.
func TestArchiveAndReplay(t *testing.T) {
	fns := &fakeFunctions{calls: map[string]int{}, payloads: map[string][]string{}}
	s := startService(t, Options{Functions: fns})
	ctx := context.Background()
	fn, other := s.Account().FunctionARN("f"), s.Account().FunctionARN("other")
	for _, r := range []struct{ name, target string }{{"r", fn}, {"r2", other}} {
		if _, err := s.PutRule(ctx, RuleSpec{Bus: DefaultBus, Name: r.name, EventPattern: `{"source":["shop"]}`}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PutTargets(ctx, DefaultBus, r.name, []Target{{Id: "t", Arn: r.target}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateArchive(ctx, Archive{Name: "all-shop", Bus: DefaultBus, EventPattern: `{"detail":{"keep":[true]}}`, RetentionDays: 1}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateArchive(ctx, Archive{Name: "all-shop", Bus: DefaultBus}); err == nil {
		t.Fatal("a second archive of the same name was created")
	}
	for i, at := range []string{"2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z", "2026-01-02T12:00:00Z"} {
		keep := "true"
		if i == 3 {
			keep = "false"
		}
		env := Envelope{Version: "0", ID: "e" + at, DetailType: "Order", Source: "shop", Account: "1", Region: "r", Time: at,
			Resources: []string{}, Detail: rawJSON(`{"keep":` + keep + `}`)}
		if err := s.Publish(ctx, DefaultBus, env); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "the four deliveries", func() bool { _, ok := fns.count(fn); return ok == 4 })
	eventually(t, "three archived events", func() bool { return s.archiveCount(ctx, "all-shop") == 3 })

	r, err := s.StartReplay(ctx, Replay{Name: "jan2", Archive: "all-shop", FilterArns: []string{s.RuleARN(DefaultBus, "r")},
		Start: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if r.State != ReplayStarting {
		t.Errorf("a new replay is %s", r.State)
	}
	eventually(t, "the replay to complete", func() bool {
		r, err := s.GetReplay(ctx, "jan2")
		return err == nil && r.State == ReplayCompleted
	})
	eventually(t, "the replayed delivery", func() bool { _, ok := fns.count(fn); return ok == 5 })
	fns.mu.Lock()
	last := fns.payloads[fn][4]
	otherCalls := fns.calls[other]
	fns.mu.Unlock()
	if !strings.Contains(last, `"replay-name":"jan2"`) || !strings.Contains(last, `"time":"2026-01-02T00:00:00Z"`) {
		t.Errorf("replayed event %s", last)
	}
	if otherCalls != 4 {
		t.Errorf("the rule the replay did not name got %d events, want 4", otherCalls)
	}
	if n := s.archiveCount(ctx, "all-shop"); n != 3 {
		t.Errorf("archive holds %d events after the replay, want 3 (replayed events are not archived again)", n)
	}
	if _, err := s.CancelReplay(ctx, "jan2"); err == nil {
		t.Error("a completed replay was cancelled")
	}
	if err := s.DeleteArchive(ctx, "all-shop"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetArchive(ctx, "all-shop"); err == nil {
		t.Error("the archive is still there after DeleteArchive")
	}
}
