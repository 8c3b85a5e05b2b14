package schedules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/backbone"
)

// handle takes one firing from the work queue (one node, one worker):
// it advances the timer's record to its next firing and schedules that
// before calling back, so a crash at any point neither loses the timer
// nor fires twice what the callback acknowledged.
func (t *Timer) handle(ctx context.Context, d *backbone.Delivery) backbone.Outcome {
	var p plan
	if err := json.Unmarshal(d.Data, &p); err != nil {
		return backbone.Dead(fmt.Errorf("schedules: timer %s: firing: %w", t.name, err))
	}
	kv, _, err := t.state()
	if err != nil {
		return backbone.Retry(time.Second)
	}
	now := t.now()
	var stale bool
	e, err := kv.Modify(ctx, recordKey(p.ID), func(cur *timerRecord, exists bool) (*timerRecord, error) {
		if !exists || cur.Gen != p.Gen {
			stale = true
			return nil, errStale
		}
		if !cur.Next.Equal(p.Due) {
			return nil, errStale // advanced by an earlier delivery of this firing
		}
		pl, err := cur.plan()
		if err != nil {
			return nil, err
		}
		// Firings missed while no node ran (the server was down) are
		// skipped: this one fires late, the next is the first due after now.
		after := p.Due
		if now.After(after) {
			after = now
		}
		cur.Next = pl.Next(after)
		cur.Fired = p.Due
		return cur, nil
	})
	var r *timerRecord
	switch {
	case stale:
		return backbone.Ack()
	case errors.Is(err, errStale):
		r, _, err = kv.Get(ctx, recordKey(p.ID))
		if errors.Is(err, jetstream.ErrKeyNotFound) || err == nil && (r.Gen != p.Gen || !r.Fired.Equal(p.Due)) {
			return backbone.Ack() // not a redelivery of the firing last taken: stale
		}
	case err == nil:
		r = e.Value
	}
	if err != nil {
		t.log.Warn("timer firing", "timer", t.name, "id", p.ID, "err", err)
		return backbone.Retry(time.Second)
	}
	if !r.Next.IsZero() && r.Next.After(now) {
		if err := t.schedule(ctx, r); err != nil {
			return backbone.Retry(time.Second)
		}
	}
	f := Firing{ID: p.ID, Payload: r.Spec.Payload, Due: p.Due, Attempt: d.Delivered, Last: r.Next.IsZero()}
	o := t.fire(ctx, f)
	if f.Last && o == backbone.Ack() {
		if err := t.Stop(ctx, p.ID); err != nil {
			t.log.Warn("timer done", "timer", t.name, "id", p.ID, "err", err)
		}
	}
	return o
}

var errStale = errors.New("stale firing")

// deadLetter hands a firing given up to the DeadLetter option.
func (t *Timer) deadLetter(ctx context.Context, d *backbone.Delivery, reason error) error {
	var p plan
	if err := json.Unmarshal(d.Data, &p); err != nil {
		return nil
	}
	r, _, err := t.kvGet(ctx, p.ID)
	if err != nil {
		return nil
	}
	if t.opts.DeadLetter == nil {
		if r.Gen == p.Gen && r.Next.IsZero() {
			return t.Stop(ctx, p.ID)
		}
		return nil
	}
	last := r.Gen == p.Gen && r.Next.IsZero()
	if err := t.opts.DeadLetter(ctx, Firing{ID: p.ID, Payload: r.Spec.Payload, Due: p.Due, Attempt: d.Delivered, Last: last}, reason); err != nil {
		return err
	}
	if last { // the timer is done, its last firing given up
		return t.Stop(ctx, p.ID)
	}
	return nil
}

func (t *Timer) kvGet(ctx context.Context, id string) (*timerRecord, uint64, error) {
	kv, _, err := t.state()
	if err != nil {
		return nil, 0, err
	}
	return kv.Get(ctx, recordKey(id))
}
