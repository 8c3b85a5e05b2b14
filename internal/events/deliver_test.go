package events

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

// fakeFunctions records invocations and fails the first failures of each.
type fakeFunctions struct {
	mu       sync.Mutex
	failures int
	calls    map[string]int
	payloads map[string][]string
}

func (f *fakeFunctions) InvokeAsync(_ context.Context, arn, _ string, payload []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[arn]++
	if f.calls[arn] <= f.failures {
		return errors.New("function busy")
	}
	f.payloads[arn] = append(f.payloads[arn], string(payload))
	return nil
}

func (f *fakeFunctions) count(arn string) (calls, ok int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[arn], len(f.payloads[arn])
}

// fakeQueues records messages per queue.
type fakeQueues struct {
	mu   sync.Mutex
	sent map[string][]string
}

func (q *fakeQueues) Send(_ context.Context, _, arn, body, group string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.sent[arn] = append(q.sent[arn], group+"|"+body)
	return nil
}

func (q *fakeQueues) count(arn string) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.sent[arn])
}

func startService(t *testing.T, o Options) *Service {
	t.Helper()
	o.Backbone = backbonetest.New(t)
	o.RetryDelay = time.Millisecond
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func intp(n int) *int { return &n }

// TestRetryDeadLetterCrossBus: a target that fails is retried up to its
// MaximumRetryAttempts, then dead-lettered to its queue; another succeeds
// after retries; a bus target forwards the event to a second bus whose
// rule delivers it; a FIFO queue target gets its message group.
func TestRetryDeadLetterCrossBus(t *testing.T) {
	fns := &fakeFunctions{failures: 2, calls: map[string]int{}, payloads: map[string][]string{}}
	qs := &fakeQueues{sent: map[string][]string{}}
	s := startService(t, Options{Functions: fns, Queues: qs})
	ctx := context.Background()
	acct := s.Account()
	fnA, fnB, fnC := acct.FunctionARN("a"), acct.FunctionARN("b"), acct.FunctionARN("c")
	dlq := acct.ARN("sqs", "dlq")
	fifo := acct.ARN("sqs", "orders.fifo")
	if _, err := s.CreateBus(ctx, Bus{Name: "second"}); err != nil {
		t.Fatal(err)
	}
	pattern := `{"source":["shop"]}`
	if _, err := s.PutRule(ctx, RuleSpec{Bus: DefaultBus, Name: "r", EventPattern: pattern}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutTargets(ctx, DefaultBus, "r", []Target{
		{Id: "gives-up", Arn: fnA, RetryPolicy: &RetryPolicy{MaximumRetryAttempts: intp(1)}, DeadLetterConfig: &DeadLetterConfig{Arn: dlq}},
		{Id: "retries", Arn: fnB, InputPath: "$.detail"},
		{Id: "bus", Arn: s.BusARN("second")},
		{Id: "fifo", Arn: fifo, SqsParameters: &SqsParameters{MessageGroupId: "g1"}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutRule(ctx, RuleSpec{Bus: "second", Name: "fwd", EventPattern: pattern}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutTargets(ctx, "second", "fwd", []Target{{Id: "c", Arn: fnC}}); err != nil {
		t.Fatal(err)
	}
	env := Envelope{Version: "0", ID: "e1", DetailType: "Order", Source: "shop", Account: acct.ID, Region: acct.Region,
		Time: "2026-01-01T00:00:00Z", Resources: []string{}, Detail: rawJSON(`{"n":1}`)}
	if err := s.Publish(ctx, DefaultBus, env); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the dead letter", func() bool { return qs.count(dlq) == 1 })
	eventually(t, "the retried delivery", func() bool { _, ok := fns.count(fnB); return ok == 1 })
	eventually(t, "the cross-bus delivery", func() bool { _, ok := fns.count(fnC); return ok == 1 })
	eventually(t, "the FIFO delivery", func() bool { return qs.count(fifo) == 1 })
	if calls, ok := fns.count(fnA); calls != 2 || ok != 0 {
		t.Errorf("target with MaximumRetryAttempts 1: %d calls, %d successes; want 2 calls (1 + 1 retry)", calls, ok)
	}
	if calls, _ := fns.count(fnB); calls != 3 {
		t.Errorf("target with the default policy: %d calls, want 3 (2 failures, then success)", calls)
	}
	fns.mu.Lock()
	if got := fns.payloads[fnB][0]; got != `{"n":1}` {
		t.Errorf("InputPath $.detail delivered %s", got)
	}
	fns.mu.Unlock()
	qs.mu.Lock()
	if got := qs.sent[fifo][0]; got[:3] != "g1|" {
		t.Errorf("FIFO target got %q, want group g1", got)
	}
	qs.mu.Unlock()
}

// TestQueueTargetWithoutQueues: with no queue service, a queue target
// fails at once (no retries) and the reason is logged, not lost silently.
func TestQueueTargetWithoutQueues(t *testing.T) {
	s := startService(t, Options{})
	ctx := context.Background()
	if _, err := s.PutRule(ctx, RuleSpec{Bus: DefaultBus, Name: "r", EventPattern: `{"source":["x"]}`}); err != nil {
		t.Fatal(err)
	}
	tgt := Target{Id: "q", Arn: s.Account().ARN("sqs", "q")}
	m := deliverMsg{Bus: DefaultBus, Rule: "r", Target: "q", Event: []byte(`{"source":"x"}`), Ingested: time.Now()}
	err := s.send(ctx, &tgt, m, s.RuleARN(DefaultBus, "r"))
	var pe *permanentError
	if !errors.As(err, &pe) {
		t.Fatalf("send to a queue without a queue service: %v, want a permanent error", err)
	}
}

type fakeTopics struct{ fakeQueues }

func (f *fakeTopics) Publish(ctx context.Context, arn, msg, group string) error {
	return f.Send(ctx, "", arn, msg, group)
}

// TestTopicTarget: a topic target publishes the transformed event through
// the platform's topic service.
func TestTopicTarget(t *testing.T) {
	topics := &fakeTopics{fakeQueues{sent: map[string][]string{}}}
	s := startService(t, Options{Topics: topics})
	ctx := context.Background()
	topic := s.Account().ARN("sns", "alerts")
	if _, err := s.PutRule(ctx, RuleSpec{Bus: DefaultBus, Name: "r", EventPattern: `{"source":["x"]}`}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutTargets(ctx, DefaultBus, "r", []Target{{Id: "t", Arn: topic, Input: `{"alert":1}`}}); err != nil {
		t.Fatal(err)
	}
	env := Envelope{Version: "0", ID: "1", Source: "x", DetailType: "d", Time: "2026-01-01T00:00:00Z", Detail: rawJSON(`{}`)}
	if err := s.Publish(ctx, DefaultBus, env); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the topic message", func() bool { return topics.count(topic) == 1 })
	topics.mu.Lock()
	defer topics.mu.Unlock()
	if got := topics.sent[topic][0]; got != `|{"alert":1}` {
		t.Errorf("topic got %q", got)
	}
}

// TestTwoNodesDeliverOnce: two services on one backbone (two nodes of a
// cluster) share the queues: every event put through either is delivered
// once, and a rule put through one is used by the other.
func TestTwoNodesDeliverOnce(t *testing.T) {
	fns := &fakeFunctions{calls: map[string]int{}, payloads: map[string][]string{}}
	bb := backbonetest.New(t)
	var nodes []*Service
	for range 2 {
		s, err := New(Options{Backbone: bb, Functions: fns, RetryDelay: time.Millisecond})
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
	fn := nodes[0].Account().FunctionARN("f")
	if _, err := nodes[0].PutRule(ctx, RuleSpec{Bus: DefaultBus, Name: "r", EventPattern: `{"source":["x"]}`}); err != nil {
		t.Fatal(err)
	}
	if _, err := nodes[0].PutTargets(ctx, DefaultBus, "r", []Target{{Id: "t", Arn: fn}}); err != nil {
		t.Fatal(err)
	}
	const n = 60
	for i := range n {
		env := Envelope{Version: "0", ID: fmt.Sprint("e", i), Source: "x", DetailType: "d", Time: "2026-01-01T00:00:00Z", Detail: rawJSON(`{}`)}
		if err := nodes[i%2].Publish(ctx, DefaultBus, env); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "every delivery", func() bool { _, ok := fns.count(fn); return ok >= n })
	// Any extra delivery would already be queued behind the last: drain by
	// putting one more event and waiting for it.
	if err := nodes[1].Publish(ctx, DefaultBus, Envelope{Version: "0", ID: "last", Source: "x", DetailType: "d", Time: "2026-01-01T00:00:00Z", Detail: rawJSON(`{}`)}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the last delivery", func() bool { _, ok := fns.count(fn); return ok >= n+1 })
	if calls, ok := fns.count(fn); calls != n+1 || ok != n+1 {
		t.Errorf("%d calls, %d deliveries for %d events", calls, ok, n+1)
	}
}
