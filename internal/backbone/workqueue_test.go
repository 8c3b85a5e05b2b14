package backbone_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/nubo-run/nubo/internal/backbone"
	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

const wqStream = "WQTEST"

// openQueue opens the test queue on bb with cfg's blanks filled in; it is
// closed when the test ends.
func openQueue(t *testing.T, bb *backbone.Backbone, cfg backbone.WorkQueueConfig) *backbone.WorkQueue {
	t.Helper()
	cfg.Stream, cfg.Subjects, cfg.Consumer = wqStream, []string{"wq.>"}, "workers"
	q, err := bb.WorkQueue(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Bounded, so that a failed test's blocked handlers end it.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = q.Close(ctx)
	})
	return q
}

func publish(t *testing.T, q *backbone.WorkQueue, m backbone.Message) {
	t.Helper()
	if m.Subject == "" {
		m.Subject = "wq.test"
	}
	if err := q.Publish(context.Background(), m); err != nil {
		t.Fatal(err)
	}
}

// wait blocks until release is closed or ctx is cancelled.
func wait(ctx context.Context, release <-chan struct{}) {
	select {
	case <-release:
	case <-ctx.Done():
	}
}

func consume(t *testing.T, q *backbone.WorkQueue, h backbone.Handler) {
	t.Helper()
	if err := q.Consume(h); err != nil {
		t.Fatal(err)
	}
}

// recv waits for one value on ch.
func recv[T any](t *testing.T, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(20 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// streamMsgs is how many messages the queue's stream holds.
func streamMsgs(t *testing.T, bb *backbone.Backbone) uint64 {
	t.Helper()
	s, err := bb.JetStream().Stream(context.Background(), wqStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

// waitMsgs waits for the stream to hold n messages (acknowledgements are
// asynchronous).
func waitMsgs(t *testing.T, bb *backbone.Backbone, n uint64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for got := streamMsgs(t, bb); got != n; got = streamMsgs(t, bb) {
		if time.Now().After(deadline) {
			t.Fatalf("stream holds %d messages, want %d", got, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWorkQueueConfigRequired(t *testing.T) {
	bb := backbonetest.New(t)
	if _, err := bb.WorkQueue(context.Background(), backbone.WorkQueueConfig{Stream: "X", Consumer: "c"}); err == nil {
		t.Fatal("a queue without subjects was opened")
	}
}

// A message is delivered once with its data and headers, a publish repeated
// with the same ID stores nothing, and an acknowledged message leaves the stream.
func TestWorkQueueDeliversOnceAndAcks(t *testing.T) {
	bb := backbonetest.New(t)
	q := openQueue(t, bb, backbone.WorkQueueConfig{})
	h := nats.Header{}
	h.Set("Test-Kind", "greeting")
	publish(t, q, backbone.Message{Data: []byte("hello"), Header: h, ID: "m1"})
	publish(t, q, backbone.Message{Data: []byte("hello"), Header: h, ID: "m1"})
	if n := streamMsgs(t, bb); n != 1 {
		t.Fatalf("two publishes with one ID stored %d messages", n)
	}
	got := make(chan *backbone.Delivery, 4)
	consume(t, q, func(_ context.Context, d *backbone.Delivery) backbone.Outcome {
		got <- d
		return backbone.Ack()
	})
	d := recv(t, "the delivery", got)
	if string(d.Data) != "hello" || d.Subject != "wq.test" || d.Header.Get("Test-Kind") != "greeting" || d.Delivered != 1 {
		t.Fatalf("delivery %q on %s, header %v, delivered %d", d.Data, d.Subject, d.Header, d.Delivered)
	}
	waitMsgs(t, bb, 0)
	if len(got) != 0 {
		t.Fatalf("%d more deliveries of an acknowledged message", len(got))
	}
}

// Retry with a delay hands the message out again, not before the delay.
func TestWorkQueueRetryRedeliversAfterDelay(t *testing.T) {
	bb := backbonetest.New(t)
	q := openQueue(t, bb, backbone.WorkQueueConfig{})
	const delay = 200 * time.Millisecond
	type call struct {
		d  *backbone.Delivery
		at time.Time
	}
	calls := make(chan call, 4)
	consume(t, q, func(_ context.Context, d *backbone.Delivery) backbone.Outcome {
		if d.Delivered == 1 {
			defer func() { calls <- call{d, time.Now()} }()
			return backbone.Retry(delay)
		}
		calls <- call{d, time.Now()}
		return backbone.Ack()
	})
	publish(t, q, backbone.Message{Data: []byte("again")})
	first := recv(t, "the first delivery", calls)
	second := recv(t, "the redelivery", calls)
	if second.d.Delivered != 2 || string(second.d.Data) != "again" {
		t.Fatalf("redelivery %d of %q", second.d.Delivered, second.d.Data)
	}
	if gap := second.at.Sub(first.at); gap < delay {
		t.Fatalf("redelivered after %s, before the %s delay", gap, delay)
	}
	waitMsgs(t, bb, 0)
}

// A message retried on each of its MaxDeliver deliveries goes to the
// dead-letter hook and leaves the stream.
func TestWorkQueueMaxDeliveriesDeadLetters(t *testing.T) {
	bb := backbonetest.New(t)
	type dead struct {
		d      *backbone.Delivery
		reason error
	}
	deads := make(chan dead, 4)
	q := openQueue(t, bb, backbone.WorkQueueConfig{MaxDeliver: 3, DeadLetter: func(_ context.Context, d *backbone.Delivery, reason error) error {
		deads <- dead{d, reason}
		return nil
	}})
	var calls atomic.Int32
	consume(t, q, func(context.Context, *backbone.Delivery) backbone.Outcome {
		calls.Add(1)
		return backbone.Retry(0)
	})
	publish(t, q, backbone.Message{Data: []byte("doomed")})
	got := recv(t, "the dead letter", deads)
	if !errors.Is(got.reason, backbone.ErrMaxDeliveries) || got.d.Delivered != 3 || string(got.d.Data) != "doomed" {
		t.Fatalf("dead letter %q after %d deliveries: %v", got.d.Data, got.d.Delivered, got.reason)
	}
	if n := calls.Load(); n != 3 {
		t.Fatalf("handler ran %d times, want 3", n)
	}
	waitMsgs(t, bb, 0)
}

// A handler's Dead goes to the dead-letter hook with its reason; a hook
// that fails leaves the message to be dead-lettered again.
func TestWorkQueueDeadFromHandlerAndFailingHook(t *testing.T) {
	bb := backbonetest.New(t)
	errBad := errors.New("malformed")
	var hookCalls atomic.Int32
	deads := make(chan error, 4)
	q := openQueue(t, bb, backbone.WorkQueueConfig{AckWait: 300 * time.Millisecond, DeadLetter: func(_ context.Context, _ *backbone.Delivery, reason error) error {
		if hookCalls.Add(1) == 1 {
			return errors.New("dead-letter target unavailable")
		}
		deads <- reason
		return nil
	}})
	consume(t, q, func(context.Context, *backbone.Delivery) backbone.Outcome { return backbone.Dead(errBad) })
	publish(t, q, backbone.Message{Data: []byte("bad")})
	if reason := recv(t, "the dead letter", deads); !errors.Is(reason, errBad) {
		t.Fatalf("reason %v, want %v", reason, errBad)
	}
	if n := hookCalls.Load(); n != 2 {
		t.Fatalf("hook called %d times, want 2", n)
	}
	waitMsgs(t, bb, 0)
}

// A handler running far longer than AckWait keeps its message: the queue's
// InProgress heartbeats stop JetStream from handing it to the idle worker.
func TestWorkQueueInProgressKeepsLongHandler(t *testing.T) {
	bb := backbonetest.New(t)
	const ackWait = 300 * time.Millisecond
	q := openQueue(t, bb, backbone.WorkQueueConfig{AckWait: ackWait, Workers: 2})
	beats := make(chan struct{}, 64)
	backbone.OnInProgress(q, func() {
		select {
		case beats <- struct{}{}:
		default:
		}
	})
	var calls atomic.Int32
	started, release := make(chan struct{}, 4), make(chan struct{})
	consume(t, q, func(ctx context.Context, _ *backbone.Delivery) backbone.Outcome {
		calls.Add(1)
		started <- struct{}{}
		wait(ctx, release)
		return backbone.Ack()
	})
	publish(t, q, backbone.Message{Data: []byte("long")})
	recv(t, "the handler to start", started)
	// Twelve heartbeats, one per AckWait/3, span four ack waits.
	for i := 0; i < 12; i++ {
		recv(t, "a heartbeat", beats)
	}
	info, err := q.ConsumerInfo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.NumRedelivered != 0 || info.NumAckPending != 1 || calls.Load() != 1 {
		t.Fatalf("a running message was redelivered: redelivered %d, ack pending %d, handler calls %d",
			info.NumRedelivered, info.NumAckPending, calls.Load())
	}
	close(release)
	waitMsgs(t, bb, 0)
	if n := calls.Load(); n != 1 {
		t.Fatalf("handler ran %d times", n)
	}
}

// Two nodes (two connections to one server) consuming one queue share its
// messages, each handled exactly once.
func TestWorkQueueTwoNodesShareWork(t *testing.T) {
	url := backbonetest.Server(t)
	nodes := []*backbone.Backbone{backbonetest.Dial(t, url), backbonetest.Dial(t, url)}
	const n = 40
	var mu sync.Mutex
	handled := map[string][]int{} // message -> nodes that handled it
	perNode := make([]int, len(nodes))
	started := make(chan int, 2*n)
	release := make(chan struct{})
	done := make(chan struct{}, 2*n)
	var queues []*backbone.WorkQueue
	for i, bb := range nodes {
		q := openQueue(t, bb, backbone.WorkQueueConfig{Workers: 1})
		consume(t, q, func(ctx context.Context, d *backbone.Delivery) backbone.Outcome {
			started <- i
			wait(ctx, release)
			mu.Lock()
			handled[string(d.Data)] = append(handled[string(d.Data)], i)
			perNode[i]++
			mu.Unlock()
			done <- struct{}{}
			return backbone.Ack()
		})
		queues = append(queues, q)
	}
	for i := 0; i < n; i++ {
		publish(t, queues[i%2], backbone.Message{Data: fmt.Appendf(nil, "m%d", i), ID: fmt.Sprint(i)})
	}
	// One worker a node: two handlers running at once are on both nodes.
	a, b := recv(t, "a first handler", started), recv(t, "a second handler", started)
	if a == b {
		t.Fatalf("node %d ran two handlers at once with one worker", a)
	}
	close(release)
	for i := 0; i < n; i++ {
		recv(t, "every message to be handled", done)
	}
	waitMsgs(t, nodes[0], 0)
	info, err := queues[0].ConsumerInfo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.NumAckPending != 0 || info.NumPending != 0 {
		t.Fatalf("work left: ack pending %d, pending %d", info.NumAckPending, info.NumPending)
	}
	mu.Lock()
	defer mu.Unlock()
	for i := 0; i < n; i++ {
		if got := handled[fmt.Sprintf("m%d", i)]; len(got) != 1 {
			t.Fatalf("m%d handled by nodes %v, want exactly one", i, got)
		}
	}
	if perNode[0] == 0 || perNode[1] == 0 || perNode[0]+perNode[1] != n {
		t.Fatalf("work split %v", perNode)
	}
}

// Close lets a running handler finish (its context is not cancelled) and
// takes no new work: a message published while it drains waits for the
// next consumer.
//
// A message that reaches the closing queue is Nak'd; JetStream may hand it
// to the stopped consumer's pull request that it still holds, and then it
// comes back after AckWait: a short AckWait keeps the test fast.
func TestWorkQueueCloseDrains(t *testing.T) {
	bb := backbonetest.New(t)
	q := openQueue(t, bb, backbone.WorkQueueConfig{Workers: 2, AckWait: 500 * time.Millisecond})
	closing := make(chan struct{})
	backbone.OnClosing(q, func() { close(closing) })
	var calls atomic.Int32
	started, release := make(chan struct{}, 4), make(chan struct{})
	var cancelled atomic.Bool
	consume(t, q, func(ctx context.Context, _ *backbone.Delivery) backbone.Outcome {
		calls.Add(1)
		started <- struct{}{}
		wait(ctx, release)
		cancelled.Store(ctx.Err() != nil)
		return backbone.Ack()
	})
	publish(t, q, backbone.Message{Data: []byte("in flight")})
	recv(t, "the handler to start", started)
	closed := make(chan error, 1)
	go func() { closed <- q.Close(context.Background()) }()
	recv(t, "Close to start draining", closing)
	publish(t, q, backbone.Message{Data: []byte("later")})
	close(release)
	if err := recv(t, "Close to return", closed); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 1 || cancelled.Load() {
		t.Fatalf("after Close: %d handler calls, context cancelled %v", calls.Load(), cancelled.Load())
	}
	waitMsgs(t, bb, 1)

	next := openQueue(t, bb, backbone.WorkQueueConfig{AckWait: 500 * time.Millisecond})
	got := make(chan string, 2)
	consume(t, next, func(_ context.Context, d *backbone.Delivery) backbone.Outcome {
		got <- string(d.Data)
		return backbone.Ack()
	})
	if s := recv(t, "the next consumer to take the waiting message", got); s != "later" {
		t.Fatalf("next consumer got %q", s)
	}
	waitMsgs(t, bb, 0)
}

// Close past its deadline cancels running handlers; their work, not
// acknowledged, runs again on the next consumer.
//
// The cut-short handler's Nak may reach the server before it has seen the
// stopped consumer's pull request expire; JetStream then hands the message
// to that dead request, and it comes back after AckWait instead (delivery 3).
// A short AckWait keeps the test fast either way.
func TestWorkQueueCloseDeadlineCancels(t *testing.T) {
	bb := backbonetest.New(t)
	q := openQueue(t, bb, backbone.WorkQueueConfig{AckWait: 500 * time.Millisecond})
	started := make(chan struct{}, 2)
	consume(t, q, func(ctx context.Context, _ *backbone.Delivery) backbone.Outcome {
		started <- struct{}{}
		<-ctx.Done()
		return backbone.Retry(0)
	})
	publish(t, q, backbone.Message{Data: []byte("cut short")})
	recv(t, "the handler to start", started)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := q.Close(ctx); err != nil {
		t.Fatal(err)
	}
	next := openQueue(t, bb, backbone.WorkQueueConfig{AckWait: 500 * time.Millisecond})
	got := make(chan *backbone.Delivery, 2)
	consume(t, next, func(_ context.Context, d *backbone.Delivery) backbone.Outcome {
		got <- d
		return backbone.Ack()
	})
	if d := recv(t, "the cut-short message to run again", got); string(d.Data) != "cut short" || d.Delivered < 2 {
		t.Fatalf("got %q, delivery %d", d.Data, d.Delivered)
	}
	waitMsgs(t, bb, 0)
}
