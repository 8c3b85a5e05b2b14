package backbone

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Consume starts running h on this node's share of the queue, up to
// Workers deliveries at once, until Close. It may be called once.
func (q *WorkQueue) Consume(h Handler) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.handler != nil || q.closing {
		return fmt.Errorf("work queue %q: already consuming or closed", q.cfg.Stream)
	}
	q.handler = h
	q.runCtx, q.cancel = context.WithCancel(context.Background())
	q.slots = make(chan struct{}, q.cfg.Workers)
	cc, err := q.cons.Consume(q.dispatch, jetstream.PullMaxMessages(q.cfg.Workers))
	if err != nil {
		q.cancel()
		return fmt.Errorf("work queue %q: consume: %w", q.cfg.Stream, err)
	}
	q.cc = cc
	return nil
}

// Close stops taking work and waits for the running handlers, up to ctx's
// deadline; then it cancels their context and waits for them to return.
// Work cut short is not acknowledged, so it runs again (on another node, or
// here after a restart). Idempotent; a queue that never consumed has
// nothing to stop.
func (q *WorkQueue) Close(ctx context.Context) error {
	q.mu.Lock()
	if q.closing || q.cc == nil {
		q.closing = true
		q.mu.Unlock()
		return nil
	}
	q.closing = true
	q.mu.Unlock()
	if q.onClosing != nil {
		q.onClosing()
	}
	q.cc.Stop()
	done := make(chan struct{})
	go func() { q.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		q.cancel()
		<-done
	}
	q.cancel()
	return nil
}

// dispatch runs on the consumer's goroutine: it hands each delivery to a
// worker so a slow handler does not hold up the others, and holds the next
// delivery while every worker is busy.
func (q *WorkQueue) dispatch(m jetstream.Msg) {
	select {
	case q.slots <- struct{}{}:
	case <-q.runCtx.Done():
		_ = m.Nak()
		return
	}
	q.mu.Lock()
	if q.closing {
		q.mu.Unlock()
		<-q.slots
		_ = m.Nak() // another node, or this one after a restart, takes it
		return
	}
	q.wg.Add(1)
	q.mu.Unlock()
	go func() {
		defer q.wg.Done()
		defer func() { <-q.slots }()
		q.handle(m)
	}()
}

// handle runs the handler on one delivery, telling JetStream the work is
// still in progress while it (or the dead-letter hook) runs, then settles
// the message as decided.
func (q *WorkQueue) handle(m jetstream.Msg) {
	d := &Delivery{Subject: q.bb.unsubject(m.Subject()), Data: m.Data(), Header: m.Headers(), Delivered: 1, msg: m}
	if md, err := m.Metadata(); err == nil {
		d.Delivered = md.NumDelivered
	}
	stop := q.keepInProgress(m)
	settle := q.decide(d)
	stop()
	_ = settle()
}

// decide runs the handler, or the dead-letter hook for a message delivered
// more than MaxDeliver times, and returns how to settle the message.
func (q *WorkQueue) decide(d *Delivery) (settle func() error) {
	m := d.msg
	limit := uint64(q.cfg.MaxDeliver)
	if limit > 0 && d.Delivered > limit {
		return q.deadLetter(d, fmt.Errorf("%w: %d", ErrMaxDeliveries, limit))
	}
	o := q.handler(q.runCtx, d)
	switch o.kind {
	case outcomeRetry:
		switch {
		case limit > 0 && d.Delivered >= limit:
			return q.deadLetter(d, fmt.Errorf("%w: %d", ErrMaxDeliveries, limit))
		case o.delay > 0:
			return func() error { return m.NakWithDelay(o.delay) }
		default:
			return m.Nak
		}
	case outcomeDead:
		reason := o.reason
		if reason == nil {
			reason = errors.New("given up by its handler")
		}
		return q.deadLetter(d, reason)
	default:
		return m.Ack
	}
}

// deadLetter hands d to the dead-letter hook and settles it as removed; if
// the hook fails, the message stays, to be dead-lettered again after AckWait.
func (q *WorkQueue) deadLetter(d *Delivery, reason error) (settle func() error) {
	if q.cfg.DeadLetter != nil {
		if err := q.cfg.DeadLetter(q.runCtx, d, reason); err != nil {
			return func() error { return d.msg.NakWithDelay(q.cfg.AckWait) }
		}
	}
	return func() error { return d.msg.TermWithReason(reason.Error()) }
}

// keepInProgress extends m's AckWait until the returned stop is called.
func (q *WorkQueue) keepInProgress(m jetstream.Msg) (stop func()) {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(q.cfg.AckWait / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				_ = m.InProgress()
				if q.onInProgress != nil {
					q.onInProgress()
				}
			}
		}
	}()
	return func() { close(done) }
}
