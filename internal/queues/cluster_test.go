package queues

import (
	"context"
	"testing"
	"time"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

// TestClusterAnyNodeServesAnyCall: two nodes of a three-server JetStream
// cluster, each with its own Service: a queue created on one is seen by the
// other, a message sent on one is received on the other, and its receipt
// handle deletes it from the first; a long poll on one is woken by a send
// on the other.
func TestClusterAnyNodeServesAnyCall(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-server cluster")
	}
	urls := backbonetest.Cluster(t, 3)
	ctx := context.Background()
	node := func(url string) *Service {
		s, err := New(Options{Backbone: backbonetest.DialReplicas(t, url, 3)})
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
	if _, err := a.Create(ctx, "shared", map[string]string{"VisibilityTimeout": "60"}, nil); err != nil {
		t.Fatal(err)
	}
	var q *Queue
	deadline := time.Now().Add(20 * time.Second)
	for {
		var err error
		if q, err = b.Get(ctx, "shared"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("node b never saw the queue: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	sent, err := a.send(ctx, q, Outgoing{Body: "across"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.receive(ctx, q, receiveOptions{max: 10, wait: 10 * time.Second})
	if err != nil || len(got) != 1 || got[0].MessageID != sent.MessageID {
		t.Fatalf("receive on b = %+v, %v", got, err)
	}
	if err := a.deleteMessage(q, got[0].ReceiptHandle); err != nil {
		t.Fatal(err)
	}
	if err := a.flush(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; {
		c, err := b.Count(ctx, q)
		if err == nil && c.Visible == 0 && c.NotVisible == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the message deleted on a is still counted: %+v, %v", c, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	done := make(chan []Received, 1)
	go func() {
		r, _ := a.receive(ctx, q, receiveOptions{max: 1, wait: 20 * time.Second})
		done <- r
	}()
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := a.consumer(ctx, q)
		if err == nil {
			if info, err := c.Info(ctx); err == nil && info.NumWaiting > 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the long poll on a never waited")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := b.send(ctx, q, Outgoing{Body: "wake"}); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-done:
		if len(r) != 1 || r[0].Body != "wake" {
			t.Fatalf("long poll on a returned %+v", r)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the long poll on a was not woken by a send on b")
	}
}
