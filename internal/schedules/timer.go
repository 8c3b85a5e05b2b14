package schedules

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/backbone"
)

// TimerSpec is what a timer fires on and carries.
type TimerSpec struct {
	Expression string // at(...), rate(...) or cron(...)
	Timezone   string // IANA; empty is UTC
	Start, End time.Time
	// Window, if positive, moves each firing to a random time in
	// [due, due+Window) (Scheduler's FLEXIBLE time window).
	Window  time.Duration
	Payload []byte
}

// Firing is one firing handed to a timer's callback.
type Firing struct {
	ID      string
	Payload []byte
	Due     time.Time // the nominal time (before any flexible window)
	// Attempt counts deliveries of this firing, from 1.
	Attempt uint64
	// Last is set when the timer has no firing after this one: it is gone
	// from the timer once the callback acknowledges.
	Last bool
}

// FireFunc works on a firing: backbone.Ack, Retry (the same firing again
// later) or Dead.
type FireFunc func(ctx context.Context, f Firing) backbone.Outcome

// timerRecord is a timer's durable state: its spec, its generation (each
// Set makes a new one; firings of an older one are dropped) and its next
// nominal firing (zero: none).
type timerRecord struct {
	ID   string    `json:"id"`
	Spec TimerSpec `json:"spec"`
	Gen  uint64    `json:"gen"`
	Next time.Time `json:"next"`
	// Fired is the nominal time of the firing last taken (whose next
	// firing is planned): a redelivery of it is recognised by it.
	Fired   time.Time `json:"fired,omitzero"`
	Anchor  time.Time `json:"anchor"`
	Created time.Time `json:"created"`
}

// plan is the wire form of a scheduled firing.
type plan struct {
	ID  string    `json:"id"`
	Gen uint64    `json:"gen"`
	Due time.Time `json:"due"`
}

// Timer fires callbacks at the times of schedule expressions, once per
// firing across every node: each pending firing is a JetStream scheduled
// message that the stream's leader publishes to the timer's work queue at
// its time, where one node's worker takes it. Every node opens the same
// timer (same name) with the same callback.
type Timer struct {
	bb      *backbone.Backbone
	name    string
	fire    FireFunc
	log     *slog.Logger
	now     func() time.Time
	workers int
	opts    TimerOptions

	mu     sync.Mutex
	kv     *backbone.KV[timerRecord]
	queue  *backbone.WorkQueue
	stream jetstream.Stream
}

// TimerOptions configures a Timer.
type TimerOptions struct {
	Backbone *backbone.Backbone // the view whose stream and bucket it uses
	Name     string             // names its bucket, stream and subjects
	Fire     FireFunc
	Logger   *slog.Logger
	Workers  int              // concurrent callbacks on this node (default 4)
	Now      func() time.Time // the clock plans are computed from (default time.Now)
	// DeadLetter gets firings the callback gave up (backbone.Dead) or whose
	// deliveries ran out; nil drops them.
	DeadLetter func(ctx context.Context, f Firing, reason error) error
	// MaxDeliver bounds a firing's deliveries (0: unlimited).
	MaxDeliver int
}

// NewTimer validates o; Start opens its state.
func NewTimer(o TimerOptions) (*Timer, error) {
	if o.Backbone == nil || o.Name == "" || o.Fire == nil {
		return nil, errors.New("schedules: a timer needs a backbone, a name and a callback")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	t := &Timer{bb: o.Backbone, name: o.Name, fire: o.Fire, log: o.Logger, now: o.Now, workers: o.Workers}
	t.opts = o
	return t, nil
}

func (t *Timer) subject(kind, id string) string {
	return "timer." + t.name + "." + kind + "." + hex.EncodeToString([]byte(id))
}

// Start opens the timer's bucket and stream and starts this node's
// workers.
func (t *Timer) Start(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.queue != nil {
		return nil
	}
	kv, err := backbone.OpenKV[timerRecord](ctx, t.bb, jetstream.KeyValueConfig{Bucket: "nubo_timer_" + t.name,
		Description: "nubo timers: " + t.name, History: 1})
	if err != nil {
		return fmt.Errorf("schedules: timer %s: %w", t.name, err)
	}
	stream := "nubo_timer_" + t.name
	q, err := t.bb.WorkQueue(ctx, backbone.WorkQueueConfig{
		Stream: stream, Description: "nubo timer " + t.name + ": scheduled firings and the firings due",
		Subjects: []string{"timer." + t.name + ".>"}, Consumer: "fire", Filter: "timer." + t.name + ".fire.>",
		Schedules: true, Workers: t.workers, MaxDeliver: t.opts.MaxDeliver,
		AckWait: 30 * time.Second, DeadLetter: t.deadLetter,
	})
	if err != nil {
		return fmt.Errorf("schedules: timer %s: %w", t.name, err)
	}
	s, err := t.bb.JetStream().Stream(ctx, t.bb.Name(stream))
	if err != nil {
		return fmt.Errorf("schedules: timer %s: %w", t.name, err)
	}
	if err := q.Consume(t.handle); err != nil {
		return fmt.Errorf("schedules: timer %s: %w", t.name, err)
	}
	t.kv, t.queue, t.stream = kv, q, s
	return nil
}

// Close stops this node's workers; firings wait on the stream for the
// other nodes, or for this one's restart.
func (t *Timer) Close(ctx context.Context) error {
	t.mu.Lock()
	q := t.queue
	t.queue = nil
	t.mu.Unlock()
	if q == nil {
		return nil
	}
	return q.Close(ctx)
}

func (t *Timer) state() (*backbone.KV[timerRecord], jetstream.Stream, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.kv == nil {
		return nil, nil, errors.New("schedules: timer not started")
	}
	return t.kv, t.stream, nil
}

func recordKey(id string) string { return "t." + hex.EncodeToString([]byte(id)) }

// ParseTimezone reads an IANA time zone name; empty is UTC.
func ParseTimezone(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, fmt.Errorf("invalid time zone %q", name)
	}
	return loc, nil
}

func (r *timerRecord) plan() (Plan, error) {
	e, err := ParseExpression(r.Spec.Expression)
	if err != nil {
		return Plan{}, err
	}
	loc, err := ParseTimezone(r.Spec.Timezone)
	if err != nil {
		return Plan{}, err
	}
	start := r.Spec.Start
	if start.IsZero() && e.Kind == KindRate {
		start = r.Anchor
	}
	return Plan{Expr: e, Location: loc, Start: start, End: r.Spec.End}, nil
}

// Set creates or replaces the timer id: its next firing is planned from
// now; a firing of its previous spec still in flight is dropped. It
// returns the next nominal firing (zero: none).
func (t *Timer) Set(ctx context.Context, id string, spec TimerSpec) (time.Time, error) {
	kv, _, err := t.state()
	if err != nil {
		return time.Time{}, err
	}
	now := t.now()
	e, err := kv.Modify(ctx, recordKey(id), func(cur *timerRecord, exists bool) (*timerRecord, error) {
		// A generation is never reused, not even by a timer set again
		// after a Stop: a firing of the old one still in flight is dropped.
		r := &timerRecord{ID: id, Spec: spec, Gen: uint64(now.UnixNano()), Anchor: now, Created: now}
		if exists && cur.Gen >= r.Gen {
			r.Gen = cur.Gen + 1
		}
		p, err := r.plan()
		if err != nil {
			return nil, err
		}
		r.Next = p.Next(now.Add(-time.Nanosecond))
		return r, nil
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("schedules: timer %s: set %s: %w", t.name, id, err)
	}
	r := e.Value
	if r.Next.IsZero() {
		return time.Time{}, t.unschedule(ctx, id)
	}
	return r.Next, t.schedule(ctx, r)
}

// Stop removes the timer id and its pending firing.
func (t *Timer) Stop(ctx context.Context, id string) error {
	kv, _, err := t.state()
	if err != nil {
		return err
	}
	if err := kv.Raw().Purge(ctx, recordKey(id)); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("schedules: timer %s: stop %s: %w", t.name, id, err)
	}
	return t.unschedule(ctx, id)
}

// Next is the timer's next nominal firing (zero: none or no such timer).
func (t *Timer) Next(ctx context.Context, id string) (time.Time, error) {
	kv, _, err := t.state()
	if err != nil {
		return time.Time{}, err
	}
	r, _, err := kv.Get(ctx, recordKey(id))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	return r.Next, nil
}

// schedule publishes r's next firing as a scheduled message, replacing the
// one pending (a roll-up of its subject).
func (t *Timer) schedule(ctx context.Context, r *timerRecord) error {
	at := r.Next
	if w := r.Spec.Window; w > 0 {
		at = at.Add(time.Duration(rand.Int64N(int64(w))))
	}
	data, err := json.Marshal(plan{ID: r.ID, Gen: r.Gen, Due: r.Next})
	if err != nil {
		return err
	}
	msg := nats.NewMsg(t.bb.Subject(t.subject("plan", r.ID)))
	msg.Data = data
	msg.Header.Set("Nats-Schedule", "@at "+at.UTC().Format(time.RFC3339Nano))
	msg.Header.Set("Nats-Schedule-Target", t.bb.Subject(t.subject("fire", r.ID)))
	msg.Header.Set(jetstream.MsgRollup, jetstream.MsgRollupSubject)
	msg.Header.Set(nats.MsgIdHdr, fmt.Sprintf("%s-%d-%d", hex.EncodeToString([]byte(r.ID)), r.Gen, r.Next.UnixNano()))
	if _, err := t.bb.JetStream().PublishMsg(ctx, msg); err != nil {
		return fmt.Errorf("schedules: timer %s: schedule %s: %w", t.name, r.ID, err)
	}
	return nil
}

func (t *Timer) unschedule(ctx context.Context, id string) error {
	_, s, err := t.state()
	if err != nil {
		return err
	}
	if err := s.Purge(ctx, jetstream.WithPurgeSubject(t.bb.Subject(t.subject("plan", id)))); err != nil {
		return fmt.Errorf("schedules: timer %s: unschedule %s: %w", t.name, id, err)
	}
	return nil
}
