package topics

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
	"github.com/nubo-run/nubo/internal/queues"
)

// recorder is a queues.Sender that keeps what it was sent.
type recorder struct {
	mu   sync.Mutex
	sent []string
}

func (r *recorder) SendFrom(ctx context.Context, src queues.Source, queueARN string, m queues.Outgoing) (queues.Sent, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, queueARN+" "+m.Body)
	return queues.Sent{}, nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sent)
}

// TestClusterPublishOnOneNodeDeliversAfterItCloses: two nodes of a
// three-server cluster; a subscription made on b is delivered to by a
// publish on a, and messages published on a and left when a closes are
// delivered by b.
func TestClusterPublishOnOneNodeDeliversAfterItCloses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-server cluster")
	}
	urls := backbonetest.Cluster(t, 3)
	ctx := context.Background()
	rec := &recorder{}
	node := func(url string) *Service {
		s, err := New(Options{Backbone: backbonetest.DialReplicas(t, url, 3), Queues: rec})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close(ctx) })
		return s
	}
	a, b := node(urls[0]), node(urls[1])
	if _, err := a.Create(ctx, "shared", nil, nil); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := b.Get(ctx, "shared")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("node b never saw the topic: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := b.Subscribe(ctx, "shared", "sqs", "arn:aws:sqs:us-east-1:000000000000:q", map[string]string{"RawMessageDelivery": "true"}); err != nil {
		t.Fatal(err)
	}
	const n = 50
	for i := range n {
		if _, err := a.Publish(ctx, Message{Topic: "shared", Body: "m" + string(rune('0'+i%10))}); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(30 * time.Second)
	for rec.count() < n {
		if time.Now().After(deadline) {
			t.Fatalf("delivered %d of %d", rec.count(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
